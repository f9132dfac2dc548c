"""TRS WCM: `index.html`, `index_1.html` … lists paged by a JS `createPageHTML` call (or
`countPage`/`currentPage` variables), articles `./YYYYMM/tYYYYMMDD_ID.html`, body `.TRS_Editor`."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from scrapy import Request

from crawler.platforms.base import Platform

# Case-sensitive, and no `\b` before the first word: the regex engine then skips ahead to
# the markers' first characters (the whole page source is searched).
_MARKERS_RE = re.compile(r"createPageHTML|TRS_Editor|countPage\b|/t\d{8}_\d+\.s?html?")
# createPageHTML(count, current, "index", "html") and the 6-argument
# createPageHTML('div', count, current, 'index', 'shtml', total); a definition has no numbers.
_CREATE_PAGE_RE = re.compile(
    r"createPageHTML\(\s*(?:['\"][\w-]*['\"]\s*,\s*)?(\d+)\s*,\s*(\d+)\s*,\s*"
    r"['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]")
_COUNT_VAR_RE = re.compile(r"\bvar\s+countPage\s*=\s*['\"]?(\d+)")
_CURRENT_VAR_RE = re.compile(r"\bvar\s+currentPage\s*=\s*['\"]?(\d+)")
_PAGE_NAME_RE = re.compile(r"/([\w-]+?)(?:_\d+)?\.(s?html?)$")


class TRS(Platform):
    name = "trs"

    def detect(self, response) -> bool:
        return bool(_MARKERS_RE.search(response.url) or _MARKERS_RE.search(response.text))

    def next_page_requests(self, response, list_page) -> list[Request]:
        pager = trs_pager(response.text, response.url)
        if pager is None:
            return super().next_page_requests(response, list_page)
        count, current, name, extension = pager
        if current + 1 >= count:
            return []
        return [Request(urljoin(response.url, f"{name}_{current + 1}.{extension}"))]


def trs_pager(text: str, url: str) -> tuple[int, int, str, str] | None:
    """(page count, current page from 0, page name, extension) of a TRS list page."""
    match = _CREATE_PAGE_RE.search(text)
    if match:
        return int(match.group(1)), int(match.group(2)), match.group(3), match.group(4)
    count, current = _COUNT_VAR_RE.search(text), _CURRENT_VAR_RE.search(text)
    if not (count and current):
        return None
    name = _PAGE_NAME_RE.search(urlsplit(url).path)
    name, extension = name.groups() if name else ("index", "html")
    return int(count.group(1)), int(current.group(1)), name, extension
