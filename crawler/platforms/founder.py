"""方正 Founder (翔宇) CMS: the article text sits between `<!--enpcontent-->` and
`<!--/enpcontent-->`, followed by an `<!--enpproperty …-->` comment holding the CMS's record
(articleid, date, title, sourcename, url); notices live at
`/{channel}/{YYYY-MM}/{DD}/content_{id}.html`, lists at `/{channel}/index.html`; the page names
its document for the stats script (`<input id="DocIDforCount">`, `…/stat/WebClick.js`).
Where each shape comes from: docs/platforms.md."""

from __future__ import annotations

import re

from lxml import html as lxml_html

from crawler.pages.detail import NoticePage
from crawler.platforms.base import Platform

_CONTENT_RE = re.compile(r"<!--\s*enpcontent\s*-->(.*?)<!--\s*/enpcontent\s*-->", re.S | re.I)


class FounderNoticePage(NoticePage):
    """Body between the `enpcontent` comments when the page has them."""

    def body_candidates(self):
        match = _CONTENT_RE.search(self.response.text)
        if match and match.group(1).strip():
            yield "founder_content_markers", lxml_html.fragment_fromstring(
                match.group(1), create_parent="div")
        yield from super().body_candidates()


class Founder(Platform):
    """Lists walked by their `下一页` link; no counter request is known (WebClick.js is not
    stored anywhere public)."""

    name = "founder"
    label = "方正 Founder"
    list_walk = "`下一页` links"
    priority = 75
    # The article's comments and stats field, and the header's site search (on every page).
    markers = re.compile(
        r"<!--\s*/?enp(?:content|property)\b|\bDocIDforCount\b|/founder/NewSearchServlet\.do",
        re.I)
    notice_urls = re.compile(r"/\d{4}-\d{2}/\d{2}/content_\d+\.html?$", re.I)
    title_selectors = (".detil-new-title > div",)
    notice_page_class = FounderNoticePage
