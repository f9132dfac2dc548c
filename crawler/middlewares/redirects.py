"""Redirects that lead nowhere useful: loops, and redirects into another site.

Scrapy follows a redirect back to a URL already fetched into its duplicate filter, where it
vanishes without a word, and follows a redirect to any host. This downloader middleware sits
in front of RedirectMiddleware: a 3xx answer pointing back into its own chain is a loop, and a
redirect (HTTP or meta refresh) to another host leaves the site; both become errors naming
the chain, counted in the stats.
"""

from __future__ import annotations

import logging
from urllib.parse import urljoin

from scrapy.exceptions import IgnoreRequest, NotConfigured

from crawler.pages.urls import same_site

logger = logging.getLogger(__name__)


class RedirectRefused(IgnoreRequest):
    """A redirect not followed; `response` is the answer that asked for it (if any)."""

    def __init__(self, reason: str, response=None):
        super().__init__(reason)
        self.response = response


class RedirectGuardMiddleware:
    """Downloader middleware: refuse redirect loops and redirects to another host."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("NOTICES_REDIRECT_GUARD"):
            raise NotConfigured
        return cls(crawler.stats)

    def process_request(self, request, spider=None):
        """A request reached by redirects (HTTP or meta refresh) must stay on the first host."""
        chain = request.meta.get("redirect_urls")
        if chain and not same_site(chain[0], request.url):
            self._refuse("offsite", f"redirect to another host: {_chain(chain, request.url)}")

    def process_response(self, request, response, spider=None):
        location = response.headers.get(b"Location")
        if not 300 <= response.status < 400 or not location or request.meta.get("dont_redirect"):
            return response  # not a redirect Scrapy would follow
        target = urljoin(request.url, location.decode("latin-1").strip())
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in chain:
            self._refuse("loop", f"redirect loop: {_chain(chain, target)}", response)
        if not same_site(chain[0], target):
            self._refuse("offsite", f"redirect to another host: {_chain(chain, target)}",
                         response)
        return response

    def _refuse(self, kind: str, reason: str, response=None):
        self.stats.inc_value(f"notices/redirect_refused_count/{kind}")
        raise RedirectRefused(reason, response)


def _chain(urls: list[str], last: str) -> str:
    return " -> ".join([*urls, last])
