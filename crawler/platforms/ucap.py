"""开普云 UCAP: templates that mark the article with `<ucaptitle>`, `<publishtime>` and
`<ucapcontent>` (inside `#zoomcon`; older templates `#UCAP-CONTENT`), declare the manuscript in a
script (`var websiteId = "…", webSiteCode = "…", manuscriptId = "…"`), and print the visit
count as `访问量：<b id="view">N</b>`. Notices live at `/{siteCode}/{channel}/{YYYYMM}/{32 hex}
.shtml`, column lists at `/{siteCode}/{channel}/list.shtml`, then `list_2.shtml` …
Where each shape comes from: docs/platforms.md."""

from __future__ import annotations

import re

from crawler.platforms.base import Platform


class Ucap(Platform):
    """Lists walked by their `下一页` link (`list_N.shtml`); the count is printed, no counter
    request is known."""

    name = "ucap"
    label = "开普云 UCAP"
    list_walk = "`list.shtml`, then `list_N.shtml` by the `下一页` link"
    priority = 70
    # The article tags, and the page script's 32-hex site and manuscript ids. Not
    # `#UCAP-CONTENT` alone: gov.cn's 国务院公报 pages (a TRS site) use that id too.
    markers = re.compile(
        r"<ucap(?:title|content)\b|\b(?:websiteId|manuscriptId)\s*=\s*[\"'][0-9a-f]{32}[\"']",
        re.I)
    notice_urls = re.compile(r"/\d{6}/[0-9a-f]{32}\.shtml$", re.I)
    body_selectors = ("ucapcontent", "#UCAP-CONTENT")
    title_selectors = ("ucaptitle",)
