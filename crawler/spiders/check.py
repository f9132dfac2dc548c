"""The site check spider: does each registry entry still work, and on which platform?

Per entry it fetches each column page (an entry without columns: its first sample notice, then
the column that notice's breadcrumb links to, reported as a suggested column), detects the
platform, counts the notice links on the first page and follows one notice. Each checked URL
becomes a `CheckRow` (crawler/sitecheck.py) in `spider.rows`; no items are yielded.

    scrapy check-sites [--sites ID,ID|all] [--report PATH] [--update]   (prints the report)
    scrapy crawl check_sites -a sites=ID,ID                              (logs the checks)

Requests keep the registry's politeness (download slot per site, robots.txt, delays); answers
of every status reach the callbacks, and redirects are followed here, so that a redirect to
another host or to the home page can be told from one inside the site.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.response import get_meta_refresh

from crawler.pages.breadcrumb import breadcrumb_links
from crawler.pages.listing import ListEntry, is_attachment_url
from crawler.pages.urls import same_site
from crawler.platforms import detect_platform, platform_named
from crawler.platforms.base import Platform
from crawler.sitecheck import (
    BLOCKED,
    UNREACHABLE,
    UNRECOGNISED,
    WORKING,
    CheckRow,
    Verdict,
    answer_verdict,
    failure_verdict,
    is_home_page,
    redirect_verdict,
)
from crawler.spiders.notices import NoticesSpider, Target, best_title

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 5
# A meta refresh this quick (seconds) is a redirect.
META_REFRESH_MAX_DELAY = 5


class SiteCheckSpider(NoticesSpider):
    """Checks registry entries (`sites`, default all but placeholders) or one `start_url`."""

    name = "check_sites"
    custom_settings = {
        "ITEM_PIPELINES": {},
        "NOTICES_REPORT_ENABLED": False,
        "NOTICES_PROGRESS_INTERVAL": 0,
        "NOTICES_STATE_PATH": None,
        # answers are judged here, soft 404s included (crawler.sitecheck.answer_verdict)
        "NOTICES_SOFT404_CHECK": False,
    }

    def __init__(self, sites: str | None = None, start_url: str | None = None, **kwargs):
        super().__init__(start_url=start_url, sites=sites or (None if start_url else "all"),
                         **kwargs)
        self.rows: list[CheckRow] = []

    async def start(self):
        for target in self.targets:
            site = self.registry.get(target.site_id)
            if site is None:
                kind = "page"
            else:
                kind = "column" if target.column is not None else "sample_notice"
            row = self._row(target, kind)
            platform = platform_named(target.platform) or Platform()
            request = (platform.first_request(target.url, target.api or {}) if kind == "column"
                       else Request(target.url))
            yield self._check(request, target, row, self.check_first)

    def _row(self, target: Target, kind: str) -> CheckRow:
        row = CheckRow(site_id=target.site_id, kind=kind, url=target.url, column=target.column,
                       platform_registry=target.platform)
        self.rows.append(row)
        return row

    def _check(self, request: Request, target: Target, row: CheckRow, callback, **meta):
        return self._follow(request, target, callback, dont_filter=True,
                            meta={"row": row, "handle_httpstatus_all": True,
                                  "dont_redirect": True, **meta})

    # --- answers --------------------------------------------------------------------------
    def _judge(self, response) -> Verdict | Request | None:
        """A verdict on the answer, a request following its redirect, or None (a page)."""
        location = _redirect_location(response)
        if location:
            site = self.registry.get(response.meta["target"].site_id)
            moved = redirect_verdict(response.url, location, site.base_url if site else None)
            if moved:
                return moved
            hops = response.meta.get("redirect_hops", 0) + 1
            if hops > MAX_REDIRECTS:
                return Verdict(UNRECOGNISED, f"more than {MAX_REDIRECTS} redirects")
            meta = {**response.request.meta, "redirect_hops": hops}
            if response.status in (307, 308):
                return response.request.replace(url=location, meta=meta)
            return response.request.replace(url=location, method="GET", body=b"", meta=meta)
        return answer_verdict(response)

    def check_first(self, response):
        """A column, sample notice or start page: classify the answer, then read it."""
        row: CheckRow = response.meta["row"]
        target: Target = response.meta["target"]
        judged = self._judge(response)
        if isinstance(judged, Request):
            yield judged
            return
        row.status, row.final_url = response.status, response.url
        if judged:
            row.finish(judged.check_class, judged.detail, judged.product)
            return
        if row.kind == "sample_notice" or (
                row.kind == "page" and not detect_platform(response).is_list_page(response)):
            yield from self._check_notice_page(response, row, target)
        else:
            yield from self._check_list_page(response, row, target)

    def _check_list_page(self, response, row: CheckRow, target: Target):
        platform, entries = _read_list(response, target)
        row.platform_detected = platform.name
        links = [entry for entry in entries if not is_attachment_url(entry.url)
                 and urlsplit(entry.url).netloc == urlsplit(response.url).netloc]
        row.notice_links = len(links)
        if not links:
            others = len(entries) - len(links)
            row.finish(UNRECOGNISED, "no notice links on the page" + (
                f" ({others} dated links to files or other hosts)" if others else ""))
            return
        entry = links[0]
        yield self._check(platform.notice_request(entry, target.api or {}), target, row,
                          self.check_notice, entry=entry, platform=platform.name)

    def check_notice(self, response):
        """The first notice of a column: a title and a body make the column `working`."""
        row: CheckRow = response.meta["row"]
        judged = self._judge(response)
        if isinstance(judged, Request):
            yield judged
            return
        url = response.meta.get("page_url") or response.url
        row.notice_url = url
        if judged:
            check_class = (judged.check_class if judged.check_class in (BLOCKED, UNREACHABLE)
                           else UNRECOGNISED)
            row.finish(check_class, f"first notice {url}: {judged.detail}", judged.product)
            return
        platform = platform_named(response.meta["platform"])
        title, body = _read_notice(platform, response, response.meta.get("entry"))
        _finish_with_notice(row, title, body, "first notice", url)

    def _check_notice_page(self, response, row: CheckRow, target: Target):
        platform, title, body = _read_notice_any(response, target)
        row.platform_detected = platform.name
        row.notice_url = response.url
        _finish_with_notice(row, title, body, "notice", response.url)
        site = self.registry.get(target.site_id)
        column = suggested_column(response, site.base_url if site else None)
        if column:
            name, url = column
            suggested = replace(target, url=url, column=name)
            yield self._check(Request(url), suggested, self._row(suggested, "suggested_column"),
                              self.check_first)

    def request_failed(self, failure):
        row: CheckRow = failure.request.meta["row"]
        verdict = failure_verdict(failure)
        detail = verdict.detail
        if "entry" in failure.request.meta:
            row.notice_url = failure.request.url
            detail = f"first notice {failure.request.url}: {detail}"
        row.finish(verdict.check_class, detail, verdict.product)

    def closed(self, reason):
        for row in self.rows:
            check_class = row.check_class or "unfinished"
            self.crawler.stats.inc_value(f"notices/site_check_count/{check_class}")


def _redirect_location(response) -> str | None:
    """Where a 3xx answer or a quick meta refresh sends the client, else None."""
    if 300 <= response.status < 400 and response.headers.get("Location"):
        return urljoin(response.url, response.headers["Location"].decode("latin-1").strip())
    if response.status == 200 and isinstance(response, HtmlResponse):
        delay, url = get_meta_refresh(response)
        if url and url != response.url and delay is not None and delay <= META_REFRESH_MAX_DELAY:
            return url
    return None


def _candidates(response, target: Target) -> list[Platform]:
    """The platform the page's markers name; without markers, the registry's, then generic."""
    detected = detect_platform(response)
    named = platform_named(target.platform)
    if detected.name == "generic" and named is not None and named is not detected:
        return [named, detected]
    return [detected]


def _read_list(response, target: Target) -> tuple[Platform, list[ListEntry]]:
    candidates = _candidates(response, target)
    for platform in candidates:
        try:
            entries = platform.list_page(response).entries
        except Exception as exc:  # a page a platform cannot read is a finding, not a crash
            logger.info("%s cannot read %s as a list: %s", platform.name, response.url, exc)
            continue
        if entries:
            return platform, entries
    return candidates[-1], []


def _read_notice(platform: Platform, response, entry: ListEntry | None
                 ) -> tuple[str | None, str]:
    try:
        page = platform.notice_page(response)
        return best_title(page.title, entry.title if entry else None), page.body_text
    except Exception as exc:  # a page a platform cannot read is a finding, not a crash
        logger.info("%s cannot read %s as a notice: %s", platform.name, response.url, exc)
        return None, ""


def _read_notice_any(response, target: Target) -> tuple[Platform, str | None, str]:
    candidates = _candidates(response, target)
    for platform in candidates:
        title, body = _read_notice(platform, response, None)
        if title and body:
            return platform, title, body
    return candidates[-1], title, body


def _finish_with_notice(row: CheckRow, title: str | None, body: str, what: str,
                        url: str) -> None:
    row.notice_title = title
    if title and body:
        row.finish(WORKING, f"{what} read: {len(body)} characters of text")
    else:
        missing = "title" if not title else "body text"
        row.finish(UNRECOGNISED, f"{what} {url} has no {missing}")


def suggested_column(response, base_url: str | None) -> tuple[str, str] | None:
    """(name, URL) of the deepest breadcrumb link on the page's host that is neither the home
    page nor the page itself: the column the page is filed under."""
    links = [(text, url) for text, url in breadcrumb_links(response)
             if same_site(url, response.url) and url != response.url
             and not is_home_page(url, base_url) and not is_attachment_url(url)]
    return links[-1] if links else None
