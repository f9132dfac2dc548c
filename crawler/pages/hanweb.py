"""Hanweb 大汉 JCMS pages: list records kept as data (XML island, data-proxy answer or an
`InitData` array) and articles whose body lies between the ContentStart/ContentEnd markers."""

from __future__ import annotations

import re
from functools import cached_property

from lxml import html as lxml_html
from parsel import Selector

from crawler.pages.detail import NoticePage
from crawler.pages.listing import ListPage, ListReading, read_list

_RECORD_RE = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_INIT_DATA_RE = re.compile(r"var\s+InitData\w*\s*=\s*\[(.*?)\]\s*;", re.S)
_JS_STRING_RE = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"", re.S)
_CONTENT_RE = re.compile(
    r"<meta\s+name=['\"]?ContentStart['\"]?\s*/?>(.*?)<meta\s+name=['\"]?ContentEnd['\"]?\s*/?>",
    re.S | re.I)


class HanwebListPage(ListPage):
    """Entries of the records a column page or a data-proxy answer carries."""

    @cached_property
    def records(self) -> list[str]:
        """The record markup fragments (`<li>…</li>`), in list order."""
        text = self.response.text
        records = _RECORD_RE.findall(text)
        if not records and (array := _INIT_DATA_RE.search(text)):
            records = [a or b for a, b in _JS_STRING_RE.findall(array.group(1))]
        return records

    @cached_property
    def reading(self) -> ListReading:
        if not self.records:
            return super().reading
        fragment = Selector(text="<ul>" + "".join(self.records) + "</ul>")
        return read_list(fragment.root, self.response.url)

    @property
    def next_page_url(self) -> str | None:
        return None if self.records else super().next_page_url


class HanwebNoticePage(NoticePage):
    """Body between `<meta name="ContentStart">` and `<meta name="ContentEnd">` when marked."""

    def body_candidates(self):
        match = _CONTENT_RE.search(self.response.text)
        if match and match.group(1).strip():
            yield "hanweb_content_markers", lxml_html.fragment_fromstring(
                match.group(1), create_parent="div")
        yield from super().body_candidates()
