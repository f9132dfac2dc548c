"""The list page object: notice links with their list-page title and date, and next pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlsplit

from crawler.pages.blocks import element_text
from crawler.pages.detail import ATTACHMENT_TYPES, file_extension
from crawler.pages.urls import link_target, web_url

_DATE_RE = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?")
# Rows of a list: the nearest of these ancestors of a link holds its date.
_ROW_TAGS = ("li", "tr", "dd", "dt", "p", "div", "span")
NEXT_PAGE_TEXTS = ("下一页", "下页", "后页", "下一頁", "下頁", "next", ">")


@dataclass(frozen=True)
class ListEntry:
    url: str
    title: str
    date: str | None
    key: str | None = None  # the record id on JSON lists


class ListPage:
    """Notice entries (links in rows that print a date) and the next page link of a list."""

    def __init__(self, response):
        self.response = response

    @cached_property
    def entries(self) -> list[ListEntry]:
        return entries_in(self.response.xpath("//body//a[@href]"), self.response.url)

    @cached_property
    def next_page_url(self) -> str | None:
        for link in self.response.xpath("//a[@href]"):
            text = element_text(link.root).strip().lower()
            if text in NEXT_PAGE_TEXTS:
                url = web_url(self.response.url, link_target(link.root))
                if url and url != self.response.url:
                    return url
        return None


def entries_in(links, base_url: str) -> list[ListEntry]:
    """Notice entries among link selectors: links whose row prints a date, first one per URL.

    The title is the link's `title=` when present (list texts are often cut with `...`)."""
    seen: dict[str, ListEntry] = {}
    rows: dict = {}  # each ancestor looked at once, however many links it holds
    for link in links:
        url = web_url(base_url, link_target(link.root))
        if url is None:
            continue
        date = _row_date(link.root, rows)
        if date is None:
            continue
        title = link_target(link.root, "title") or element_text(link.root)
        if url not in seen and title:
            seen[url] = ListEntry(url, title, date)
    return list(seen.values())


def page_number_links(response) -> list[str]:
    """URLs of a pager's page-number links (`1 2 3 …`) on the same host, the page itself left
    out; the fallback when a list has no `下一页` link."""
    here = urlsplit(response.url)
    urls: list[str] = []
    for link in response.xpath("//a[@href]"):
        text = element_text(link.root).strip("[] ")
        url = web_url(response.url, link_target(link.root))
        if not (text.isdigit() and len(text) <= 4) or url is None:
            continue
        if urlsplit(url).netloc == here.netloc and url != response.url and url not in urls:
            urls.append(url)
    return urls


def _row_date(link, rows: dict) -> str | None:
    """The date printed in the link's row (outside the link text when possible).

    `rows` keeps what each ancestor said, for the next links of the same list."""
    node = link
    for _ in range(3):
        node = node.getparent()
        if node is None:
            return None
        outcome = rows.get(node, _UNSEEN)
        if outcome is _UNSEEN:
            outcome = rows[node] = _row_outcome(node)
        if outcome is not _LOOK_HIGHER:
            return outcome
    return None


_UNSEEN, _LOOK_HIGHER = object(), object()


def _row_outcome(node):
    """The date an ancestor gives its links, None when it is no row (it holds several links
    and is no `li`/`tr`/`dd`), or _LOOK_HIGHER when the row is further up."""
    if node.tag not in _ROW_TAGS:
        return _LOOK_HIGHER
    if node.tag not in ("li", "tr", "dd") and len(node.findall(".//a[@href]")) > 1:
        return None
    match = _DATE_RE.search(element_text(node))
    return match.group() if match else _LOOK_HIGHER


def is_attachment_url(url: str) -> bool:
    """Whether a link points at a file (pdf, doc …) rather than a page."""
    return file_extension(url) in ATTACHMENT_TYPES
