"""The generic notices spider: one list or notice URL, or registry sites.

    scrapy crawl notices -a start_url=URL [-a since=YYYY-MM-DD] [-a max_pages=N]
    scrapy crawl notices -a sites=wuhuxian_jw,jingxian_jw  (or sites=all: every entry but
                                                           placeholders at `.invalid` hosts)
    scrapy crawl jingxian                                (one spider per registry site)

It follows links and yields items; page objects read the fields, `pipelines/` normalizes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

import scrapy
from scrapy.http import HtmlResponse
from scrapy.settings import SETTINGS_PRIORITIES

from crawler.browser import browser_enabled, switch_on_for_sites
from crawler.distributed import distributed_mode
from crawler.health import column_answered
from crawler.hits import parse_counter_answer
from crawler.middlewares.blocking import FailureReported, failure_class, report_failure
from crawler.pages.listing import ListEntry, is_attachment_url
from crawler.platforms import counter_script, detect_platform, platform_named
from crawler.platforms.base import Platform
from crawler.registry import Site, registry_from_settings
from crawler.settings import user_agent
from crawler.warc import fetched_at
from pipelines.dates import to_iso_date

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Target:
    """Where a crawl starts and what it knows of the site there."""

    url: str
    site_id: str
    site_name: str | None = None
    column: str | None = None
    region: dict | None = None
    platform: str | None = None
    api: dict | None = None  # custom JSON sites: the registry's `api` table


def start_url_target(url: str) -> Target:
    """The target of a `start_url` crawl; its site id is the host, with `_PORT` appended when
    the URL names a port (`http://127.0.0.1:8080/x` -> `127.0.0.1_8080`)."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("http") or not parts.hostname:
        raise ValueError(f"start_url must be an http(s) URL, got {url!r}")
    return Target(url=url, site_id=f"{parts.hostname}_{parts.port}" if parts.port
                  else parts.hostname)


class NoticesSpider(scrapy.Spider):
    name = "notices"
    # Registry sites this spider crawls when run without arguments (set for site spiders).
    site_ids: tuple[str, ...] = ()

    def __init__(self, start_url: str | None = None, sites: str | None = None,
                 since: str | None = None, max_pages: str | None = None, **kwargs):
        super().__init__(**kwargs)
        # The arguments as given (a raw archive keeps them to run the same crawl again).
        self.arguments = {name: value for name, value in (
            ("start_url", start_url), ("sites", sites), ("since", since),
            ("max_pages", max_pages)) if value is not None}
        self.start_url = start_url
        self.requested_sites = sites
        self.since = _parse_since(since)
        self.max_pages_arg = _parse_positive_int("max_pages", max_pages)

    @classmethod
    def update_settings(cls, settings):
        """USER_AGENT names NOTICES_CONTACT_URL unless USER_AGENT itself was set by hand."""
        super().update_settings(settings)
        if settings.getpriority("USER_AGENT") <= SETTINGS_PRIORITIES["project"]:
            settings.set("USER_AGENT", user_agent(settings.get("NOTICES_CONTACT_URL")),
                         priority="spider")
        switch_on_for_sites(settings, cls.site_ids)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.registry = registry_from_settings(crawler.settings)
        spider.max_pages = spider.max_pages_arg or crawler.settings.getint("NOTICES_MAX_PAGES")
        spider.hit_counts = crawler.settings.getbool("NOTICES_HIT_COUNTS")
        spider.max_article_pages = crawler.settings.getint("NOTICES_MAX_ARTICLE_PAGES")
        spider.write_field_rules = crawler.settings.getbool("NOTICES_FIELD_RULES")
        spider.targets = spider._targets()
        spider.use_browser = browser_enabled(crawler.settings,
                                             [target.site_id for target in spider.targets])
        spider._apply_politeness(crawler.settings)
        return spider

    # --- what to crawl --------------------------------------------------------------------
    def _targets(self) -> list[Target]:
        if self.start_url:
            return [start_url_target(self.start_url)]
        ids = list(self.site_ids)
        if self.requested_sites == "all":
            ids = [site.id for site in self.registry.values() if not site.placeholder]
            left_out = len(self.registry) - len(ids)
            if left_out:
                logger.info("sites=all: %d placeholder entries (.invalid hosts) left out",
                            left_out)
        elif self.requested_sites:
            ids = [s.strip() for s in self.requested_sites.split(",") if s.strip()]
        if not ids:
            if distributed_mode(self.settings):
                return []  # a worker: its requests come from Redis (`scrapy seed`)
            raise ValueError("nothing to crawl: give -a start_url=URL or -a sites=ID[,ID|all]")
        unknown = [site_id for site_id in ids if site_id not in self.registry]
        if unknown:
            raise ValueError(f"unknown site id(s) {', '.join(unknown)}; see `scrapy list`")
        return [target for site_id in ids for target in _site_targets(self.registry[site_id])]

    def _apply_politeness(self, settings) -> None:
        """Per-site download slots from the registry's politeness overrides."""
        slots = settings.getdict("DOWNLOAD_SLOTS")
        # A distributed worker may meet any registry site.
        site_ids = {target.site_id for target in self.targets} or set(self.registry)
        for site_id in site_ids:
            site = self.registry.get(site_id)
            if site is None:
                continue
            slot = dict(slots.get(site.id, {}))
            if site.politeness.download_delay is not None:
                slot.setdefault("delay", site.politeness.download_delay)
            if site.politeness.concurrency is not None:
                slot.setdefault("concurrency", site.politeness.concurrency)
            if slot:
                slots[site.id] = slot
        if slots:
            settings.set("DOWNLOAD_SLOTS", slots, priority="spider")

    async def start(self):
        if distributed_mode(self.settings):
            if self.start_url or self.requested_sites:
                logger.warning("distributed worker: start_url/sites are not crawled here; "
                               "queue them with `scrapy seed`")
            logger.info("distributed worker: start requests come from Redis (`scrapy seed`)")
            return
        for request in self.target_requests():
            yield request

    def target_requests(self) -> list[scrapy.Request]:
        """The first request of every target (`scrapy seed` puts these into Redis)."""
        return [self._follow((platform_named(target.platform) or Platform()).first_request(
                    target.url, target.api or {}), target, self.parse_first)
                for target in self.targets]

    def _request(self, url: str, target: Target, callback, **kwargs) -> scrapy.Request:
        meta = {"download_slot": target.site_id, "target": target, **kwargs.pop("meta", {})}
        site = self.registry.get(target.site_id)
        if site is not None and not site.politeness.obey_robots:
            meta["dont_obey_robotstxt"] = True
        # A registry site says whether it needs the browser; an ad-hoc crawl (`start_url`) with
        # NOTICES_BROWSER on sends every request through it.
        if self.use_browser and (site.browser if site is not None else bool(self.start_url)):
            meta["playwright"] = True
        return scrapy.Request(url, callback=callback, errback=self.request_failed, meta=meta,
                              **kwargs)

    def _follow(self, request: scrapy.Request, target: Target, callback, **kwargs):
        """A platform's request (no callback) as a crawl request, its own meta kept."""
        meta = {**request.meta, **kwargs.pop("meta", {})}
        return self._request(request.url, target, callback, method=request.method,
                             body=request.body, headers=request.headers, meta=meta, **kwargs)

    @staticmethod
    def _platform(response) -> Platform:
        """The registry's platform for the site, else the one detected on the crawl's first
        page (carried in meta) unless that was the fallback, else the one this page shows."""
        target: Target = response.meta["target"]
        if target.platform:
            return platform_named(target.platform) or detect_platform(response)
        carried = platform_named(response.meta.get("platform"))
        return carried if carried and carried.name != "generic" else detect_platform(response)

    # --- callbacks ------------------------------------------------------------------------
    def parse_first(self, response):
        self.crawler.signals.send_catch_log(column_answered, target=response.meta["target"],
                                            request=response.request, response=response,
                                            reason=None)
        platform = self._platform(response)
        response.meta["platform"] = platform.name
        if platform.is_list_page(response):
            yield from self.parse_list(response, page_no=1)
        else:
            yield from self.parse_notice(response)

    def parse_list(self, response, page_no: int = 1):
        target: Target = response.meta["target"]
        platform = self._platform(response)
        list_page = platform.list_page(response)
        entries = list_page.entries
        # For the crawl state (crawler/middlewares/incremental.py): a page of a list walk,
        # and why the walk stops here short of the list's end.
        response.meta["list_page"] = True
        if not entries:
            shell = platform.script_list_requests(response) if page_no == 1 else []
            for request in shell:  # rows the page's scripts would load
                yield self._follow(request, target, self.parse_list,
                                   meta={"platform": platform.name}, cb_kwargs={"page_no": 1})
            if not shell:
                self._cut_walk(response, "no_links")
                self._page_error(response, "list page without notice links")
            return
        stats = self.crawler.stats
        stats.inc_value("notices/list_page_count")
        stats.inc_value(f"notices/list_page_count/{target.site_id}")
        stats.inc_value(f"notices/listed_count/{target.site_id}", len(entries))
        if page_no == 1:  # a column's first page: the same length on every run (site health)
            stats.inc_value(f"notices/first_page_listed_count/{target.site_id}", len(entries))
        skipped = [(row.reason, row.url or row.text) for row in list_page.skipped]
        for reason, _ in skipped:
            self.crawler.stats.inc_value(f"notices/list_row_skipped_count/{reason}")
        for entry in entries:
            if _is_older(entry, self.since):
                self.crawler.stats.inc_value("notices/list_row_skipped_count/older")
                skipped.append(("older", entry.url))
                continue
            if is_attachment_url(entry.url):
                self.crawler.stats.inc_value("notices/attachment_link_count")
                skipped.append(("attachment", entry.url))
                continue
            if urlsplit(entry.url).netloc != urlsplit(response.url).netloc:
                self.crawler.stats.inc_value("notices/offsite_link_count")
                skipped.append(("offsite", entry.url))
                continue
            yield self._follow(platform.notice_request(entry, target.api or {}), target,
                               self.parse_notice,
                               meta={"entry": entry, "platform": platform.name,
                                     "list_url": response.meta.get("page_url") or response.url})
        self._report_skipped(response, skipped)
        if _walk_reached_since(entries, self.since):
            self._cut_walk(response, "since")
            return
        # A pager's link back to the first page (DedeCMS `list_N_1.html`) leads nowhere new.
        next_requests = [request for request in platform.next_page_requests(response, list_page)
                         if request.url != target.url]
        if next_requests and page_no >= self.max_pages:
            self._cut_walk(response, "page_limit")
            logger.error("site %s: list traversal stopped at the page limit (%d pages) at %s; "
                         "more pages follow (max_pages / NOTICES_MAX_PAGES)", target.site_id,
                         self.max_pages, response.url)
            self.crawler.stats.inc_value("notices/page_limit_count")
            return
        for request in next_requests:
            yield self._follow(request, target, self.parse_list, meta={"platform": platform.name},
                               cb_kwargs={"page_no": page_no + 1})

    def _cut_walk(self, response, reason: str) -> None:
        """The list walk stops at this page short of the list's end (`since`, `page_limit`,
        `no_links`): for the crawl state (crawler/middlewares/incremental.py) and site health."""
        response.meta["walk_cut"] = reason
        self.crawler.stats.inc_value(
            f"notices/list_walk_cut_count/{reason}/{response.meta['target'].site_id}")

    def _report_skipped(self, response, skipped: list[tuple[str, str]]) -> None:
        """One log line per list page for the rows and links it does not follow."""
        if not skipped:
            return
        reasons: dict[str, list[str]] = {}
        for reason, what in skipped:
            reasons.setdefault(reason, []).append(what)
        logger.info("list page %s: %d row(s) not followed: %s", response.url, len(skipped),
                    "; ".join(f"{reason} ({len(items)}): {', '.join(items[:5])}"
                              + (" …" if len(items) > 5 else "")
                              for reason, items in reasons.items()))

    def parse_notice(self, response):
        target: Target = response.meta["target"]
        entry: ListEntry | None = response.meta.get("entry")
        try:
            item = self._notice_item(response, target, entry)
        except Exception as exc:  # a broken page must not stop the crawl
            self._page_error(response, f"{type(exc).__name__}: {exc}")
            return
        if not item["body_text"] and not item["attachments"]:
            self._page_error(response, "notice page without body text", "empty_body")
            return
        if _is_older_date(item["published_at"], self.since):
            return
        yield from self._continue_article(response, item, (response.url,))

    def _continue_article(self, response, item: dict, pages: tuple[str, ...]):
        """The request for the next page of the article (pages: those fetched, the first
        first), or the finished record when the article has no more pages."""
        target: Target = response.meta["target"]
        following = (self._platform(response).next_article_page(response, pages[0])
                     if isinstance(response, HtmlResponse) else None)
        if following in pages:
            following = None  # a pager leading back to a page already read
        if following is not None and len(pages) >= self.max_article_pages:
            logger.warning("site %s: article %s: stopped at the page limit (%d pages) before %s "
                           "(NOTICES_MAX_ARTICLE_PAGES)", target.site_id, pages[0],
                           self.max_article_pages, following)
            self.crawler.stats.inc_value("notices/article_page_limit_count")
            following = None
        if following is None:
            yield from self._finish_notice(item, target)
            return
        # Not filtered as a duplicate: the record travels with the request (the pages
        # already fetched stop a loop).
        yield self._request(following, target, self.parse_article_page, dont_filter=True,
                            meta={"article": item, "article_pages": (*pages, following),
                                  "platform": response.meta.get("platform")})

    def parse_article_page(self, response):
        """A further page of a multi-page article: its text and files join the record."""
        item, pages = response.meta["article"], response.meta["article_pages"]
        try:
            page = self._platform(response).notice_page(response)
            text, attachments = page.body_text, [a.asdict() for a in page.attachments]
        except Exception as exc:  # a broken page must not lose the pages before it
            self._article_page_failed(response.meta["target"], response.url, response.status,
                                      "unexpected_structure", f"{type(exc).__name__}: {exc}")
            yield from self._finish_notice(item, response.meta["target"])
            return
        item["body_text"] = "\n".join(t for t in (item["body_text"], text) if t)
        known = {a["url"] for a in item["attachments"]}
        item["attachments"] += [a for a in attachments if a["url"] not in known]
        self.crawler.stats.inc_value("notices/article_page_count")
        yield from self._continue_article(response, item, pages)

    def _article_page_failed(self, target: Target, url: str, status: int | None,
                             error_class: str, reason: str) -> None:
        report_failure(self.crawler, target.site_id, url, status, error_class,
                       "article page lost", reason)
        self.crawler.stats.inc_value("notices/article_page_failed_count")

    def _finish_notice(self, item: dict, target: Target):
        """The record, or the request for its hit count first."""
        self.crawler.stats.inc_value("notices/notice_page_count")
        self.crawler.stats.inc_value(f"notices/notice_page_count/{target.site_id}")
        rules = item.pop("_field_rules")
        for field, rule in rules.items():
            self.crawler.stats.inc_value(f"notices/field_rule_count/{field}/{rule}")
        if self.write_field_rules:
            item["field_rules"] = rules
        counter = item.pop("_counter_url")
        if counter and self.hit_counts and item["hit_count"] is None:
            self._note_counter_read(target.site_id, counter)
            yield self._request(counter, target, self.parse_hit_count, dont_filter=True,
                                meta={"item": item, "handle_httpstatus_all": True})
        else:
            yield item

    def _note_counter_read(self, site_id: str, url: str) -> None:
        """Count a counter request, and whether it raises the count it reads (crawl report)."""
        script = counter_script(url)
        counts = "unknown" if script is None or script.counts_reads is None else (
            "counted" if script.counts_reads else "uncounted")
        self.crawler.stats.inc_value(f"notices/hit_counter_read_count/{site_id}")
        self.crawler.stats.inc_value(f"notices/hit_counter_{counts}_read_count/{site_id}")

    def parse_hit_count(self, response):
        item = response.meta["item"]
        count = parse_counter_answer(response.text) if response.status == 200 else None
        if count is None:
            logger.warning("hit counter %s gave no count (HTTP %s) for %s", response.url,
                           response.status, item["url"])
            self.crawler.stats.inc_value("notices/hit_counter_failed_count")
        else:
            item["hit_count"] = count
            item["hit_count_observed_at"] = fetched_at(response)
            self.crawler.stats.inc_value("notices/field_rule_count/hit_count/counter_request")
            if "field_rules" in item:
                item["field_rules"]["hit_count"] = "counter_request"
        yield item

    def _notice_item(self, response, target: Target, entry: ListEntry | None) -> dict:
        page = self._platform(response).notice_page(response)
        rules = page.field_rules
        title = best_title(page.title, entry.title if entry else None)
        if entry and title != page.title:
            rules["title"] = "list_page"
        published_at = page.published_at
        if published_at is None and entry and entry.date:
            published_at, rules["published_at"] = entry.date, "list_page"
        hit_count = page.hit_count
        return {
            "url": response.meta.get("page_url") or response.url,
            "site_id": target.site_id,
            "site_name": target.site_name or page.site_name,
            "column": target.column,
            "list_url": response.meta.get("list_url"),
            "title": title,
            "source": page.source,
            "published_at": published_at,
            "hit_count": hit_count,
            "hit_count_observed_at": fetched_at(response) if hit_count is not None else None,
            "author": page.author,
            "editor": page.editor,
            "body_text": page.body_text,
            "attachments": [a.asdict() for a in page.attachments],
            "crawled_at": fetched_at(response),
            "region": target.region,
            "_counter_url": page.counter_url,
            "_field_rules": rules,
        }

    # --- failures -------------------------------------------------------------------------
    def request_failed(self, failure):
        request = failure.request
        if "item" in request.meta:  # a counter request: keep the notice without its count
            self.crawler.stats.inc_value("notices/hit_counter_failed_count")
            return request.meta["item"]
        if "article" in request.meta:  # an article's further page: keep the pages before it
            if failure.check(FailureReported):  # its ERROR line written already
                self.crawler.stats.inc_value("notices/article_page_failed_count")
            else:
                response = getattr(failure.value, "response", None)
                self._article_page_failed(request.meta["target"], request.url,
                                          response.status if response is not None else None,
                                          failure_class(failure),
                                          failure.getErrorMessage() or failure.type.__name__)
            return self._finish_notice(request.meta["article"], request.meta["target"])
        if request.callback == self.parse_first:  # a column (or notice) the crawl starts at
            self.crawler.signals.send_catch_log(
                column_answered, target=request.meta["target"], request=request,
                response=getattr(failure.value, "response", None),
                reason=failure.getErrorMessage() or failure.type.__name__)
        if failure.check(FailureReported):  # already logged and counted
            return None
        self.crawler.stats.inc_value("notices/request_failed_count")
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else None
        site = request.meta.get("target").site_id if request.meta.get("target") else "?"
        report_failure(self.crawler, site, request.url, status, failure_class(failure),
                       "request failed", failure.getErrorMessage() or failure.type.__name__)
        return None

    def _page_error(self, response, reason: str,
                    error_class: str = "unexpected_structure") -> None:
        report_failure(self.crawler, response.meta["target"].site_id, response.url,
                       response.status, error_class, "cannot read", reason)
        self.crawler.stats.inc_value("notices/page_error_count")


def _site_targets(site: Site) -> list[Target]:
    """A site's columns, or its known notice pages when no column is known."""
    pages = [(column.url, column.name) for column in site.columns] or [
        (url, None) for url in site.sample_notice_urls]
    return [Target(url=url, site_id=site.id, site_name=site.name, column=column,
                   region=dict(site.region), platform=site.platform, api=dict(site.api))
            for url, column in pages]


_TITLE_SUFFIX_SEPARATORS = tuple("_-－—|｜:：·")


def best_title(page_title: str | None, list_title: str | None) -> str | None:
    """The page's own title unless the list's `title=` is fuller (a truncated or short one);
    a title that only adds a site suffix to the other (`X_网站名`, `X - 网站名`) gives way to it."""
    candidates = [t.strip() for t in (page_title, list_title) if t and t.strip()]
    pool = [t for t in candidates if not t.endswith(("...", "…", "．．．"))] or candidates
    if not pool:
        return None
    longest = max(pool, key=len)
    prefixes = [t for t in pool if t != longest and longest.startswith(t) and len(t) >= 4
                and longest[len(t):].lstrip()[:1] in _TITLE_SUFFIX_SEPARATORS]
    return prefixes[0] if prefixes else longest


def _parse_since(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"since must be YYYY-MM-DD, got {value!r}") from None


def _parse_positive_int(name: str, value: str | None) -> int | None:
    if value is None:
        return None
    if not str(value).isdigit() or int(value) < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _walk_reached_since(entries: list[ListEntry], since: date | None) -> bool:
    """Whether a list walk ends at this page: its dated entries not pinned (置顶) are all older
    than `since`. A pinned old entry, and undated ones, decide nothing."""
    dated = [entry for entry in entries if not entry.pinned and since and entry.date
             and to_iso_date(entry.date)]
    return bool(dated) and all(_is_older(entry, since) for entry in dated)


def _is_older(entry: ListEntry, since: date | None) -> bool:
    return _is_older_date(entry.date, since)


def _is_older_date(raw: str | None, since: date | None) -> bool:
    iso = to_iso_date(raw) if since and raw else None
    return bool(iso) and date.fromisoformat(iso[:10]) < since
