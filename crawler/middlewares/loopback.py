"""Downloader middleware that keeps a crawl on this machine (NOTICES_LOOPBACK_ONLY).

Tests and demos against fixture sites set it, so that a registry entry left pointing at its
real host can never reach the network.
"""

from __future__ import annotations

import ipaddress
import logging

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)


def is_loopback_host(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


class LoopbackOnlyMiddleware:
    """Refuse every request to a host outside 127.0.0.0/8, ::1 and localhost."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("NOTICES_LOOPBACK_ONLY"):
            raise NotConfigured
        return cls(crawler.stats)

    def process_request(self, request):
        host = urlparse_cached(request).hostname
        if is_loopback_host(host):
            return None
        self.stats.inc_value("notices/non_loopback_refused_count")
        logger.error("refused %s: NOTICES_LOOPBACK_ONLY allows loopback hosts only", request.url)
        raise IgnoreRequest(f"non-loopback host {host}")
