"""帝国CMS (EmpireCMS): `/e/public/ViewClick/` counters, `index_N.html` lists with 下一页."""

from __future__ import annotations

import re

from crawler.platforms.base import Platform

_MARKERS_RE = re.compile(r"/e/public/ViewClick|EmpireCMS|/e/action/ListInfo", re.I)


class EmpireCMS(Platform):
    name = "empirecms"

    def detect(self, response) -> bool:
        return bool(_MARKERS_RE.search(response.url) or _MARKERS_RE.search(response.text))
