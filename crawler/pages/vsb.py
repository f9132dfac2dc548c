"""VSB 博达 article pages: the title sits in the template's editable block named 标题."""

from __future__ import annotations

import re

from lxml import html as lxml_html

from crawler.pages.blocks import element_text
from crawler.pages.detail import NoticePage

_TITLE_BLOCK_RE = re.compile(
    r"<!--#begineditable\s+name=\"标题\"[^>]*-->(.*?)<!--#endeditable-->", re.S)


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
