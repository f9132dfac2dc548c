"""AutoThrottle that keeps a site's own delay as the floor of its download slot's delay.

Scrapy's AutoThrottle moves every slot's delay between DOWNLOAD_DELAY and
AUTOTHROTTLE_MAX_DELAY. A slot that starts at a longer delay of its own (a registry site's
`politeness.download_delay`, put into DOWNLOAD_SLOTS by the spider) therefore falls to
DOWNLOAD_DELAY after a few quick answers, and the site's delay is lost. `SiteAutoThrottle`
adjusts a slot exactly as AutoThrottle does, with the slot's own DOWNLOAD_SLOTS delay as its
minimum (and as its maximum too where it exceeds AUTOTHROTTLE_MAX_DELAY); a slot without
one keeps Scrapy's bounds. Scrapy's jitter (DOWNLOAD_DELAY_JITTER, ±50%) still applies to
each wait, so a site asking 3 s is never hit less than 1.5 s apart.
"""

from __future__ import annotations

from scrapy.extensions.throttle import AutoThrottle


class SiteAutoThrottle(AutoThrottle):
    """AutoThrottle with each slot's DOWNLOAD_SLOTS delay as its lower bound."""

    def _spider_opened(self, spider) -> None:
        super()._spider_opened(spider)
        self.default_bounds = (self.mindelay, self.maxdelay)
        self.slot_delays = {
            key: float(config["delay"])
            for key, config in self.crawler.settings.getdict("DOWNLOAD_SLOTS").items()
            if isinstance(config, dict) and config.get("delay") is not None}

    def _response_downloaded(self, response, request, spider) -> None:
        low, high = self.default_bounds
        own = self.slot_delays.get(request.meta.get("download_slot"))
        self.mindelay, self.maxdelay = (low, high) if own is None else (
            max(low, own), max(high, own))
        super()._response_downloaded(response, request, spider)
