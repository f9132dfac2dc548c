"""Spider loader that adds one spider per registry site to the project's spiders."""

from __future__ import annotations

from scrapy.spiderloader import SpiderLoader

from crawler.registry import RegistryError, load_registry
from crawler.spiders.notices import NoticesSpider


def site_spider_class(site_id: str) -> type[NoticesSpider]:
    """A `NoticesSpider` subclass named after a registry site (`scrapy crawl <site_id>`)."""
    return type(
        f"{site_id.title().replace('_', '')}Spider",
        (NoticesSpider,),
        {"name": site_id, "site_ids": (site_id,), "__module__": __name__},
    )


class RegistrySpiderLoader(SpiderLoader):
    """Scrapy's loader plus the registry sites (registry file from NOTICES_REGISTRY_PATH)."""

    def __init__(self, settings):
        self._registry_path = settings.get("NOTICES_REGISTRY_PATH")
        super().__init__(settings)

    def _load_all_spiders(self) -> None:
        super()._load_all_spiders()
        for site_id in load_registry(self._registry_path):
            if site_id in self._spiders:
                raise RegistryError(f"site id {site_id!r} is the name of a project spider; "
                                    "choose another id")
            self._spiders[site_id] = site_spider_class(site_id)
