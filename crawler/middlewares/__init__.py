"""Downloader and spider middlewares of the crawl."""
