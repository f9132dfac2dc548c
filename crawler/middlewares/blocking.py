"""Failure classification: every failed request or page is reported once, per site and class.

Classes (the `<class>` of the stats key `notices/error_count/<class>[/<site_id>]`):

    http_error            an HTTP error status, after retries
    network_error         timeout, refused connection, DNS or TLS failure, after retries
    challenge             an anti-bot answer (瑞数 412, 加速乐 521, 云锁, 360 访问异常页面)
    empty_body            a page with nothing in it (no bytes, or a notice without text)
    unexpected_structure  a list page without notice links, a page the page objects cannot read

`BlockingMiddleware` (downloader middleware) catches challenges and empty bodies before any
spider code sees them; it never retries a challenge, and once a site has answered with one it
skips that site's remaining requests (counted in `notices/blocked_skipped_count/<site_id>`).
The spider reports the other classes through `report_failure`.
"""

from __future__ import annotations

import logging
import re

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

logger = logging.getLogger(__name__)

# (product, status codes or None for any, body or cookie markers); see docs on platforms §7.
CHALLENGES: tuple[tuple[str, frozenset[int] | None, re.Pattern[bytes]], ...] = (
    ("瑞数 (RiverSecurity)", None,
     re.compile(rb"\$_ts\s*=\s*window\[|<meta[^>]+r=['\"]m['\"]")),
    ("加速乐 (jiasule)", frozenset({521}),
     re.compile(rb"__jsl_clearance|__jsluid|document\.cookie")),
    ("云锁 (yunsuo)", None, re.compile(rb"yunsuo_session_verify|security_verify_data")),
    ("360 网站卫士", None, re.compile("<title>\\s*访问异常页面".encode())),
)
_COOKIE_MARKERS: tuple[tuple[str, re.Pattern[bytes]], ...] = (
    ("加速乐 (jiasule)", re.compile(rb"^__jsluid_[hs]=")),
    ("云锁 (yunsuo)", re.compile(rb"^yunsuo_session_verify=")),
)


class FailureReported(IgnoreRequest):
    """A request dropped after its failure was logged and counted (nothing more to say)."""


def challenge_product(response) -> str | None:
    """The anti-bot product whose challenge this response is, or None."""
    head = response.body[:8192]
    for product, statuses, marker in CHALLENGES:
        if (statuses is None or response.status in statuses) and marker.search(head):
            return product
    if response.status in (412, 521):
        for cookie in response.headers.getlist("Set-Cookie"):
            for product, marker in _COOKIE_MARKERS:
                if marker.search(cookie):
                    return product
    return None


def failure_class(failure) -> str:
    """`http_error` for an HTTP error status, `network_error` for anything else."""
    return "http_error" if failure.check(HttpError) else "network_error"


def report_failure(crawler, site_id: str, url: str, status: int | None, error_class: str,
                   what: str, detail: str) -> None:
    """The one ERROR line and the counters of a failure, e.g.
    `site jingxian: request failed: URL (HTTP 404): Ignoring non-200 response [http_error]`."""
    logger.error("site %s: %s: %s (HTTP %s): %s [%s]", site_id, what, url,
                 status if status is not None else "-", detail, error_class)
    crawler.stats.inc_value(f"notices/error_count/{error_class}")
    crawler.stats.inc_value(f"notices/error_count/{error_class}/{site_id}")


def site_of(request) -> str:
    target = request.meta.get("target")
    return target.site_id if target is not None else request.meta.get("download_slot", "?")


class BlockingMiddleware:
    """Downloader middleware: report anti-bot challenges and empty bodies, skip blocked sites.

    A request whose callback reads any answer itself (`handle_httpstatus_all`, e.g. a hit
    counter) is left alone.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.blocked: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        site_id = site_of(request)
        if site_id in self.blocked:
            self.crawler.stats.inc_value(f"notices/blocked_skipped_count/{site_id}")
            raise FailureReported(f"site {site_id} is behind {self.blocked[site_id]}")
        return None

    def process_response(self, request, response, spider=None):
        if request.meta.get("handle_httpstatus_all"):
            return response
        site_id = site_of(request)
        product = challenge_product(response)
        if product:
            self.blocked[site_id] = product
            report_failure(self.crawler, site_id, response.url, response.status, "challenge",
                           "anti-bot challenge", f"{product}; the site's other requests are "
                           "skipped (a browser download handler may pass it)")
            self.crawler.stats.inc_value(f"notices/challenge_count/{product.split()[0]}")
            raise FailureReported(f"anti-bot challenge by {product}")
        if response.status == 200 and not response.body.strip():
            report_failure(self.crawler, site_id, response.url, response.status, "empty_body",
                           "cannot read", "the answer has no content")
            raise FailureReported("empty body")
        return response
