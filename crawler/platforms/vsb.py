"""VSB 博达: lists count down (`xcgz.htm` newest, then `xcgz/N-1.htm` … `xcgz/1.htm`) with a
`span.p_next` 下页 link, articles `/info/{tree}/{id}.htm`, `_showDynClicks` counters."""

from __future__ import annotations

import re

from scrapy import Request

from crawler.pages.urls import web_url
from crawler.pages.vsb import VsbNoticePage
from crawler.platforms.base import Platform

_MARKERS_RE = re.compile(r"_showDynClicks|/system/resource/|vsb_content|v_news_content|"
                         r"class=\"?p_next|/info/\d+/\d+\.htm", re.I)


class VSB(Platform):
    name = "vsb"

    def detect(self, response) -> bool:
        return bool(_MARKERS_RE.search(response.url) or _MARKERS_RE.search(response.text))

    def notice_page(self, response) -> VsbNoticePage:
        return VsbNoticePage(response)

    def next_page_requests(self, response, list_page) -> list[Request]:
        href = response.css("span.p_next a::attr(href), a.Next::attr(href)").get()
        url = web_url(response.url, (href or "").strip())
        if url:
            return [Request(url)]
        return super().next_page_requests(response, list_page)
