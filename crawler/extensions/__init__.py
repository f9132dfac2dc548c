"""Crawl extensions: the end-of-crawl report, the periodic progress line, job-directory
recovery after a crash."""
