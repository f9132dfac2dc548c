"""The platform interface, the behaviour every CMS module shares, and discovery of the modules.

A platform module (`crawler/platforms/<name>.py`) defines one `Platform` subclass and declares
on it what the project knows about the CMS: detection markers and their priority, notice URL
shapes, template selectors, hit counters, list walking and quirks (see
docs/adding-a-platform.md). Requests are returned without callbacks; the spider wires them.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import replace
from functools import cache
from urllib.parse import urljoin, urlsplit

from scrapy import Request

from crawler.hits import CounterScript, counter_request_url
from crawler.pages.detail import NoticePage, Templates
from crawler.pages.listing import ListEntry, ListPage, is_attachment_url, page_number_links
from crawler.pages.urls import link_target, url_shape, web_url

# A page is a list when its entries carry at least this share of the page's main text.
_LIST_TEXT_SHARE = 0.5
# Page files of a multi-page article: `<name>.<ext>`, then `<name>_1.<ext>` (or `_2`) …
_PAGE_NAME_RE = re.compile(r"^(?P<name>[\w-]+)\.(?P<ext>s?html?)$", re.I)
# The text of an article pager's `下一页` link, brackets and arrows aside; the links that may
# show it.
_ARTICLE_NEXT_RE = re.compile(r"^\W*下一?[页頁]\W*$")
_NEXT_WORD_LINKS = "//a[@href][contains(., '下')]"


class Platform:
    """Generic behaviour; platform modules declare what their CMS marks and override what
    their CMS does differently."""

    # The registry's name for the platform (`platform = "…"` in crawler/sites.toml).
    name = "generic"
    # What the README's platform table says: the CMS and how its lists are walked.
    label = ""
    list_walk = ""
    # Detection order: platforms are tried by ascending priority, the first whose markers a
    # page shows is taken.
    priority = 50
    # Markers searched in a page's URL and source; None: never detected from a page.
    markers: re.Pattern[str] | None = None
    # URL shapes of its notice pages (a URL of such a shape is never a list page).
    notice_urls: re.Pattern[str] | None = None
    # Containers of the notice text in its templates. Every page tries the containers of
    # every platform, by platform priority, before the generic ones (pages/detail.py).
    body_selectors: tuple[str, ...] = ()
    # Title elements of its templates, tried before the generic ones on its own pages.
    title_selectors: tuple[str, ...] = ()
    # Its hit-counter scripts (crawler/hits.py `CounterScript`).
    counters: tuple[CounterScript, ...] = ()
    # The page objects that read its pages.
    notice_page_class: type[NoticePage] = NoticePage
    list_page_class: type[ListPage] = ListPage

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.counters = tuple(replace(script, platform=cls.name) for script in cls.counters)

    def detect(self, response) -> bool:
        """Whether the page shows this platform's markers (in its URL or its source)."""
        return self.markers is not None and bool(
            self.markers.search(response.url) or self.markers.search(response.text))

    def counter_call_url(self, page_html: str, page_url: str) -> str | None:
        """The counter request of a page that prints its counter as a script call rather
        than a script URL (None: the platform's counters are script URLs)."""
        return None

    def first_request(self, url: str, api: dict) -> Request:
        """The request for a column's (or a start URL's) first page."""
        return Request(url)

    def list_page(self, response) -> ListPage:
        return self.list_page_class(response)

    def notice_page(self, response) -> NoticePage:
        return self.notice_page_class(response, Templates(
            body_selectors=known_body_selectors(), title_selectors=self.title_selectors,
            counter_url=known_counter_url))

    def notice_request(self, entry: ListEntry, api: dict) -> Request:
        """The request that fetches a listed notice (its page, or its data on JSON sites)."""
        return Request(entry.url)

    def is_list_page(self, response) -> bool:
        """A list page (notice links) rather than a notice page."""
        if is_notice_url(response.url):
            return False
        notice = self.notice_page(response)
        if notice.meta("title"):
            return False
        entries = self.list_page(response).entries
        if not entries:
            return False
        if notice.header_line and all(is_attachment_url(e.url) for e in entries):
            return False  # a notice whose text is short beside its attached files
        # A page whose URL has its entries' shape is one of them: a notice with related links.
        shape = url_shape(response.url)
        if sum(url_shape(e.url) == shape for e in entries) * 2 > len(entries):
            return False
        listed = sum(len(e.title) + len(e.date or "") for e in entries)
        return listed >= _LIST_TEXT_SHARE * len(notice.body_text)

    def next_page_requests(self, response, list_page: ListPage) -> list[Request]:
        """Requests for the following list page(s): the `下一页` link, else page-number links
        (the crawl's duplicate filter and page cap keep numbered pages from looping)."""
        url = list_page.next_page_url
        if url:
            return [Request(url)]
        return [Request(link) for link in page_number_links(response)]

    def script_list_requests(self, response) -> list[Request]:
        """Requests for the first page of a list that a column page leaves to its scripts (a
        shell with no rows built in): none, unless the platform knows where the list lives."""
        return []

    # --- multi-page articles ------------------------------------------------------------
    def article_pager(self, response) -> tuple[int, int, str, str] | None:
        """The pager of a multi-page article as the page's script draws it: (page count,
        this page's number from 0, the first page's name, extension); None when the page
        draws none (its links then decide)."""
        return None

    def next_article_page(self, response, first_url: str) -> str | None:
        """The URL of the next page of the article whose first page is `first_url`, or None:
        from the article's pager, else the numbered page the page links to (`<name>_1.<ext>`
        or `_2` after `<name>.<ext>`, `<name>_<N+1>` after `<name>_<N>`), else the `下一页`
        link of its page-number pager to a page in the same folder."""
        folder, _, filename = urlsplit(response.url).path.rpartition("/")
        pager = self.article_pager(response)
        if pager is not None:
            count, current, name, extension = pager
            if re.fullmatch(rf"{re.escape(name)}(?:_\d+)?\.{re.escape(extension)}", filename):
                following = current + 1
                return (urljoin(response.url, f"{name}_{following}.{extension}")
                        if following < count else None)
        root = response.selector.root
        followers = _numbered_followers(first_url, response.url)
        names = {url.rpartition("/")[2] for url in followers}
        linked = {web_url(response.url, href.strip()) for href in root.xpath("//a/@href")
                  if any(name in href for name in names)}
        numbered = next((url for url in followers if url in linked), None)
        if numbered:
            return numbered
        for link in root.xpath(_NEXT_WORD_LINKS):
            url = web_url(response.url, link_target(link))
            if (url and url != response.url
                    and _ARTICLE_NEXT_RE.match(" ".join(link.text_content().split()))
                    and _in_pager(link)
                    and urlsplit(url).netloc == urlsplit(response.url).netloc
                    and urlsplit(url).path.rpartition("/")[0] == folder):
                return url
        return None


def _in_pager(link) -> bool:
    """Whether a link sits in a pager: its parent or grandparent holds a page-number link (a
    `下一页` alone may lead to the next article)."""
    parent = link.getparent()
    for element in (parent, parent.getparent() if parent is not None else None):
        if element is not None and any(a.text_content().strip().isdigit()
                                       for a in element.iter("a")):
            return True
    return False


def _numbered_followers(first_url: str, url: str) -> list[str]:
    """The URLs the numbered page after `url` may have in the article that starts at
    `first_url` (`<name>.<ext>`): `<name>_1` or `<name>_2` after the first page,
    `<name>_<N+1>` after `<name>_<N>`."""
    match = _PAGE_NAME_RE.match(urlsplit(first_url).path.rpartition("/")[2])
    if match is None:
        return []
    name, extension = match.group("name"), match.group("ext")
    if url == first_url:
        return [urljoin(url, f"{name}_{n}.{extension}") for n in (1, 2)]
    here = re.fullmatch(rf"{re.escape(name)}_(\d+)\.{re.escape(extension)}",
                        urlsplit(url).path.rpartition("/")[2])
    return [urljoin(url, f"{name}_{int(here.group(1)) + 1}.{extension}")] if here else []


def is_notice_url(url: str) -> bool:
    """Whether the URL has the shape of some platform's notice pages."""
    return bool(_notice_url_re().search(url))


@cache
def _notice_url_re() -> re.Pattern[str]:
    shapes = [p.notice_urls for p in platforms() if p.notice_urls is not None]
    return re.compile("|".join(f"(?:{shape.pattern})" for shape in shapes), re.I)


@cache
def known_body_selectors() -> tuple[str, ...]:
    """The body containers of every platform's templates, in detection order."""
    return tuple(s for p in platforms() for s in p.body_selectors)


def counter_script(url: str) -> CounterScript | None:
    """The known counter script a counter URL calls, if any."""
    return next((script for p in platforms() for script in p.counters
                 if script.pattern.search(url)), None)


def known_counter_url(script_srcs: list[str], page_html: str, page_url: str) -> str | None:
    """Absolute URL of the request that answers the page's displayed hit count, if any: the
    first script the page loads that is a known counter, else a counter printed as a call."""
    for src in script_srcs:
        url = urljoin(page_url, src.strip())
        script = counter_script(url)
        if script is not None:
            return counter_request_url(url, script)
    return next((url for p in platforms() if (url := p.counter_call_url(page_html, page_url))),
                None)


@cache
def platforms() -> tuple[Platform, ...]:
    """One instance of every platform class defined in a module of `crawler.platforms`, in
    detection order (priority, then name)."""
    package = importlib.import_module("crawler.platforms")
    found = []
    for module_info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        found += [value() for value in vars(module).values()
                  if isinstance(value, type) and issubclass(value, Platform)
                  and value is not Platform and value.__module__ == module.__name__]
    return tuple(sorted(found, key=lambda p: (p.priority, p.name)))
