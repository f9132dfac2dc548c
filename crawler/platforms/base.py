"""The platform interface every CMS module implements.

A platform answers four questions about a site it recognises: is this page a list or a notice,
which notices does a list show, which request fetches the next list page, and which page
object reads a notice. Requests are returned without callbacks; the spider wires them.
"""

from __future__ import annotations

import re

from scrapy import Request

from crawler.pages.detail import NoticePage
from crawler.pages.listing import ListEntry, ListPage, is_attachment_url, page_number_links
from crawler.pages.urls import url_shape

# URL shapes of notice pages on the common platforms.
NOTICE_URL_RE = re.compile(
    r"/t\d{8}_\d+(?:_\d+)?\.s?html?$|/art/\d{4}/\d+/\d+/art_\d+_\d+\.html$|/info/\d+/\d+\.htm$"
    r"|/\d{4}/\d{4}/\d+\.html$|[?&]a=show\b|ShowInfo\.php|/content_\d+\.html?$",
    re.I,
)
# A page is a list when its entries carry at least this share of the page's main text.
_LIST_TEXT_SHARE = 0.5


class Platform:
    """Generic behaviour; platform modules override what differs on their CMS."""

    name = "generic"

    def detect(self, response) -> bool:
        """Whether the page shows this platform's markers."""
        return False

    def first_request(self, url: str, api: dict) -> Request:
        """The request for a column's (or a start URL's) first page."""
        return Request(url)

    def list_page(self, response) -> ListPage:
        return ListPage(response)

    def notice_page(self, response) -> NoticePage:
        return NoticePage(response)

    def notice_request(self, entry: ListEntry, api: dict) -> Request:
        """The request that fetches a listed notice (its page, or its data on JSON sites)."""
        return Request(entry.url)

    def is_list_page(self, response) -> bool:
        """A list page (notice links) rather than a notice page."""
        if NOTICE_URL_RE.search(response.url):
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
