"""The optional browser download handler, for sites behind a JS challenge (NOTICES_BROWSER).

A registry site with `browser = true` answers plain HTTP clients with an anti-bot challenge
(加速乐 521, 瑞数 412: a script that sets a clearance cookie and reloads). With NOTICES_BROWSER
on, `BrowserAddon` (in ADDONS) routes the requests of such sites through scrapy-playwright and
the system Chromium; every other request still goes through Scrapy's own handler.

- The spider marks a browser site's requests with `meta["playwright"] = True`; a site spider
  (`scrapy crawl <site>`) of a browser site switches NOTICES_BROWSER on by itself
  (`switch_on_for_sites`), a `-a sites=…` crawl needs `-s NOTICES_BROWSER=1`. An ad-hoc
  crawl (`-a start_url=…`) with `-s NOTICES_BROWSER=1` sends all its requests through it.
- `BrowserPageMiddleware` (downloader middleware) lets the page's challenge script run and
  waits, up to NOTICES_BROWSER_CHALLENGE_TIMEOUT seconds, for the real page; the response
  then carries the final document's status and headers and the rendered page (the raw bytes
  for a non-HTML document such as a hit counter or robots.txt), so `BlockingMiddleware`
  reports only a challenge the browser could not pass.
- Chromium runs headless from NOTICES_BROWSER_EXECUTABLE, else the first of CHROMIUM_NAMES on
  PATH (`apt-get install chromium`; `make test` installs it), with a
  fresh profile per crawl and no background networking; Playwright's own browser downloads
  are never used.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import weakref
from collections.abc import Iterable
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.http.response.html import HtmlResponse
from scrapy.responsetypes import responsetypes
from scrapy_playwright.page import PageMethod

from crawler.middlewares.blocking import challenge_product
from crawler.registry import Site, registry_from_settings

logger = logging.getLogger(__name__)

HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
# Without the background-networking flags Chromium reaches out to the network at start.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


# The names Chromium goes by on PATH: Debian, Ubuntu and other distributions, Google's builds.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable",
                  "chrome")


def chromium_executable(configured: str | None = None) -> str | None:
    """The browser binary: `configured` (NOTICES_BROWSER_EXECUTABLE) when set, else the first
    of CHROMIUM_NAMES found on PATH, else None."""
    if configured:
        return configured
    return next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)


def launch_options(settings) -> dict:
    """Playwright launch options: headless system Chromium (Playwright gives every launch a
    fresh temporary profile)."""
    executable = chromium_executable(settings.get("NOTICES_BROWSER_EXECUTABLE"))
    return {"executable_path": executable, "headless": True,
            "args": list(CHROMIUM_ARGS)}


class BrowserAddon:
    """Add-on: with NOTICES_BROWSER on, install scrapy-playwright's download handler for http
    and https (it serves only requests marked `meta["playwright"]`) and the page middleware.
    Settings given on the command line win over the ones set here."""

    def update_settings(self, settings) -> None:
        if not settings.getbool("NOTICES_BROWSER"):
            return
        handlers = {**settings.getdict("DOWNLOAD_HANDLERS"), "http": HANDLER, "https": HANDLER}
        settings.set("DOWNLOAD_HANDLERS", handlers, priority="addon")
        settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", priority="addon")
        settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch_options(settings), priority="addon")
        settings.set("PLAYWRIGHT_PROCESS_REQUEST_HEADERS", "crawler.browser.request_headers",
                     priority="addon")
        settings["DOWNLOADER_MIDDLEWARES"]["crawler.browser.BrowserPageMiddleware"] = 545


def browser_sites(settings, site_ids: Iterable[str]) -> list[Site]:
    """The registry sites among `site_ids` that need the browser."""
    registry = registry_from_settings(settings)
    return [registry[site_id] for site_id in dict.fromkeys(site_ids)
            if site_id in registry and registry[site_id].browser]


def switch_on_for_sites(settings, site_ids: Iterable[str]) -> None:
    """A site spider of a browser site turns NOTICES_BROWSER on (unless it was set by hand)."""
    if site_ids and browser_sites(settings, site_ids):
        settings.set("NOTICES_BROWSER", True, priority="spider")


def browser_enabled(settings, site_ids: Iterable[str]) -> bool:
    """Whether browser sites go through the browser; with NOTICES_BROWSER off, one WARNING per
    browser site of the crawl, which is then crawled without it."""
    if settings.getbool("NOTICES_BROWSER"):
        return True
    for site in browser_sites(settings, site_ids):
        logger.warning("site %s needs a browser (browser = true in the registry) but "
                       "NOTICES_BROWSER is off: crawling it without one, expect an anti-bot "
                       "challenge; run with -s NOTICES_BROWSER=1", site.id)
    return False


async def request_headers(*, browser_type_name, playwright_request, scrapy_request_data):
    """Headers of a browser request: the browser's own (its cookies carry the clearance), the
    crawl's User-Agent, and the Scrapy request's other headers on its own navigation."""
    headers = await playwright_request.all_headers()
    scrapy_headers = {name.lower(): value for name, value
                      in scrapy_request_data["headers"].to_unicode_dict().items()}
    if (playwright_request.is_navigation_request()
            and playwright_request.url.rstrip("/") == scrapy_request_data["url"].rstrip("/")):
        headers.update({name: value for name, value in scrapy_headers.items()
                        if name != "cookie"})
    if scrapy_headers.get("user-agent"):
        headers["user-agent"] = scrapy_headers["user-agent"]
    return headers


# The latest main-frame document response of each open page.
_documents: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def watch_documents(page, request) -> None:
    """Page init callback: remember the page's latest main-frame document response."""

    def note(response) -> None:
        if response.request.is_navigation_request() and response.frame == page.main_frame:
            _documents[page] = response

    page.on("response", note)


async def wait_for_real_page(page, timeout: float) -> dict:
    """Page method: wait until the page is no longer a challenge (its script has set the cookie
    and reloaded) or `timeout` seconds have passed; the final document's status, headers and,
    for a non-HTML document, its bytes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        remaining = deadline - loop.time()
        try:
            await page.wait_for_load_state("networkidle", timeout=max(remaining, 0.1) * 1000)
            document = _documents.get(page)
            content = await page.content()
        except Exception as exc:  # navigating, or out of time: look again or give up
            logger.debug("waiting for %s: %s", page.url, exc)
            document, content = _documents.get(page), ""
        else:
            if document is None or not _looks_like_challenge(document, content):
                break
        if loop.time() >= deadline:
            break
        await asyncio.sleep(0.2)
    if document is None:
        return {}
    headers = await document.all_headers()
    media_type = headers.get("content-type", "text/html").split(";")[0].strip().lower()
    body = None if media_type in ("text/html", "application/xhtml+xml") else await document.body()
    return {"status": document.status, "headers": headers, "body": body}


def _looks_like_challenge(document, content: str) -> bool:
    probe = HtmlResponse(document.url, status=document.status, body=content.encode(),
                         encoding="utf-8")
    return challenge_product(probe) is not None


class BrowserPageMiddleware:
    """Downloader middleware for browser requests: sets up the page (wait for the real page
    behind the challenge), sends robots.txt of browser sites' hosts through the browser too,
    and gives the spider the final document's status and headers."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.timeout = crawler.settings.getfloat("NOTICES_BROWSER_CHALLENGE_TIMEOUT")
        self.hosts = {urlsplit(url).netloc for site in registry_from_settings(crawler.settings)
                      .values() if site.browser for url in _site_urls(site)}
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("NOTICES_BROWSER"):
            raise NotConfigured
        return cls(crawler)

    def spider_opened(self, spider) -> None:
        start_url = getattr(spider, "start_url", None)
        if start_url:  # an ad-hoc crawl: all of it goes through the browser, robots.txt too
            self.hosts.add(urlsplit(start_url).netloc)
        executable = self.crawler.settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS").get(
            "executable_path")
        if not executable:
            logger.error("NOTICES_BROWSER is on but no Chromium is on PATH (%s): install it "
                         "(apt-get install chromium) or set NOTICES_BROWSER_EXECUTABLE; the "
                         "browser sites' requests will fail", ", ".join(CHROMIUM_NAMES))
        elif not os.access(executable, os.X_OK):
            logger.error("NOTICES_BROWSER is on but there is no browser at %s: install Chromium "
                         "(apt-get install chromium) or set NOTICES_BROWSER_EXECUTABLE; the "
                         "browser sites' requests will fail", executable)
        else:
            logger.info("browser download handler on (%s)", executable)

    def process_request(self, request, spider=None):
        parts = urlsplit(request.url)
        if (request.meta.get("dont_obey_robotstxt") and parts.path == "/robots.txt"
                and parts.netloc in self.hosts and "target" not in request.meta):
            request.meta["playwright"] = True
        if not request.meta.get("playwright"):
            return None
        request.meta["dont_merge_cookies"] = True  # the browser keeps the site's cookies
        request.meta.setdefault("playwright_page_goto_kwargs", {"wait_until": "commit"})
        request.meta.setdefault("playwright_page_init_callback",
                                "crawler.browser.watch_documents")
        request.meta["playwright_page_methods"] = [
            PageMethod(wait_for_real_page, self.timeout)]
        return None

    def process_response(self, request, response, spider=None) -> Response:
        if "playwright" not in response.flags:
            return response
        self.crawler.stats.inc_value("notices/browser_page_count")
        methods = request.meta.get("playwright_page_methods") or []
        final = methods[0].result if methods and isinstance(methods[0].result, dict) else {}
        if not final:
            return response
        headers = Headers(final["headers"])
        headers.pop("Content-Encoding", None)
        body = final["body"] if final["body"] is not None else response.body
        cls = responsetypes.from_args(headers=headers, url=response.url, body=body)
        kwargs = {"encoding": response.encoding} if final["body"] is None else {}
        return cls(url=response.url, status=final["status"], headers=headers, body=body,
                   request=request, flags=response.flags, ip_address=response.ip_address,
                   **kwargs)


def _site_urls(site: Site) -> list[str]:
    return [site.base_url, *(c.url for c in site.columns), *site.sample_notice_urls]

