"""VSB 博达: lists count down (`xcgz.htm` newest, then `xcgz/N-1.htm` … `xcgz/1.htm`) with a
`span.p_next` 下页 link, articles `/info/{tree}/{id}.htm` with the body in `#vsb_content` or
`.v_news_content`, `_showDynClicks` counters.

Quirk: the article's <title> carries a column suffix; the template's editable block named
标题 holds the title alone."""

from __future__ import annotations

import re
from urllib.parse import urlencode, urljoin

from lxml import html as lxml_html
from scrapy import Request

from crawler.hits import CounterScript
from crawler.pages.blocks import element_text
from crawler.pages.detail import NoticePage
from crawler.pages.urls import web_url
from crawler.platforms.base import Platform

_TITLE_BLOCK_RE = re.compile(
    r"<!--#begineditable\s+name=\"标题\"[^>]*-->(.*?)<!--#endeditable-->", re.S)
# VSB prints the counter as a call, not a script URL.
_DYNCLICKS_CALL_RE = re.compile(r"_showDynClicks\(\s*[\"'](\w+)[\"']\s*,\s*(\d+)\s*,\s*(\d+)\s*\)")
_COUNTER_PATH = "/system/resource/code/news/click/dynclicks.jsp"


class VsbNoticePage(NoticePage):
    """Title from the 标题 block when the page has one (its <title> carries a column suffix)."""

    def title_rules(self):
        return [("meta", lambda: self.meta("title")), ("vsb_title_block", self._title_block),
                *super().title_rules()[1:]]

    def _title_block(self) -> str | None:
        match = _TITLE_BLOCK_RE.search(self.response.text)
        if match and match.group(1).strip():
            text = element_text(lxml_html.fragment_fromstring(match.group(1),
                                                              create_parent="div"))
            if 2 <= len(text) <= 200:
                return text
        return None


class VSB(Platform):
    name = "vsb"
    label = "VSB 博达"
    list_walk = "`span.p_next` 下页 links, counting down to `1.htm`"
    priority = 30
    markers = re.compile(r"_showDynClicks|/system/resource/|vsb_content|v_news_content|"
                         r"class=\"?p_next|/info/\d+/\d+\.htm", re.I)
    notice_urls = re.compile(r"/info/\d+/\d+\.htm$")
    body_selectors = ("#vsb_content", ".v_news_content")
    counters = (CounterScript(re.compile(re.escape(_COUNTER_PATH), re.I), None),)
    notice_page_class = VsbNoticePage

    def counter_call_url(self, page_html: str, page_url: str) -> str | None:
        match = _DYNCLICKS_CALL_RE.search(page_html)
        if match is None:
            return None
        clicktype, owner, clickid = match.groups()
        query = urlencode({"clickid": clickid, "owner": owner, "clicktype": clicktype})
        return urljoin(page_url, f"{_COUNTER_PATH}?{query}")

    def next_page_requests(self, response, list_page) -> list[Request]:
        href = response.css("span.p_next a::attr(href), a.Next::attr(href)").get()
        url = web_url(response.url, (href or "").strip())
        if url:
            return [Request(url)]
        return super().next_page_requests(response, list_page)
