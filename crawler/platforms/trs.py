"""TRS WCM: `index.html`, `index_1.html` … lists paged by a JS `createPageHTML` call (or
`countPage`/`currentPage` variables), articles `./YYYYMM/tYYYYMMDD_ID.html`, body `.TRS_Editor`.

Quirk: an article of several pages is `tYYYYMMDD_ID.html`, `tYYYYMMDD_ID_1.html` … with the
same `createPageHTML` pager as the lists (the shared base joins them into one record)."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from scrapy import Request

from crawler.platforms.base import Platform

# createPageHTML(count, current, "index", "html") and the 6-argument
# createPageHTML('div', count, current, 'index', 'shtml', total); a definition has no numbers.
_CREATE_PAGE_RE = re.compile(
    r"createPageHTML\(\s*(?:['\"][\w-]*['\"]\s*,\s*)?(\d+)\s*,\s*(\d+)\s*,\s*"
    r"['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]")
_COUNT_VAR_RE = re.compile(r"\bvar\s+countPage\s*=\s*['\"]?(\d+)")
_CURRENT_VAR_RE = re.compile(r"\bvar\s+currentPage\s*=\s*['\"]?(\d+)")
_PAGE_NAME_RE = re.compile(r"/([\w-]+?)(?:_\d+)?\.(s?html?)$")
_ARTICLE_PAGE_RE = re.compile(r"/([\w-]+)\.(s?html?)$")


class TRS(Platform):
    name = "trs"
    label = "TRS WCM"
    list_walk = "`index_N.html` pages counted by the `createPageHTML` pager"
    priority = 20
    # Case-sensitive, and no `\b` before the first word: the regex engine then skips ahead to
    # the markers' first characters (the whole page source is searched).
    markers = re.compile(r"createPageHTML|TRS_Editor|countPage\b|/t\d{8}_\d+\.s?html?")
    notice_urls = re.compile(r"/t\d{8}_\d+(?:_\d+)?\.s?html?$")
    body_selectors = (".TRS_Editor",)

    def article_pager(self, response) -> tuple[int, int, str, str] | None:
        return trs_pager(response.text, response.url, article=True)

    def next_page_requests(self, response, list_page) -> list[Request]:
        pager = trs_pager(response.text, response.url)
        if pager is None:
            return super().next_page_requests(response, list_page)
        count, current, name, extension = pager
        if current + 1 >= count:
            return []
        return [Request(urljoin(response.url, f"{name}_{current + 1}.{extension}"))]


def trs_pager(text: str, url: str, article: bool = False) -> tuple[int, int, str, str] | None:
    """(page count, current page from 0, first page's name, extension) of a TRS list page,
    or with `article` of an article's pager: when only `countPage`/`currentPage` variables
    give it, the name is this page's, its `_N` dropped after page 0."""
    match = _CREATE_PAGE_RE.search(text)
    if match:
        return int(match.group(1)), int(match.group(2)), match.group(3), match.group(4)
    count, current = _COUNT_VAR_RE.search(text), _CURRENT_VAR_RE.search(text)
    if not (count and current):
        return None
    number = int(current.group(1))
    path = urlsplit(url).path
    if article:
        page = _ARTICLE_PAGE_RE.search(path)
        if page is None:
            return None
        name, extension = page.groups()
        name = name.removesuffix(f"_{number}") if number else name
    else:
        page = _PAGE_NAME_RE.search(path)
        name, extension = page.groups() if page else ("index", "html")
    return int(count.group(1)), number, name, extension
