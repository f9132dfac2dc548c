"""jiwei-notices: the Scrapy project (spiders, settings, site registry, page objects)."""
