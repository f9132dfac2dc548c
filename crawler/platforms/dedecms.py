"""DedeCMS: `list_{typeid}_{page}.html` lists with 下一页 links, `/plus/count.php` counters."""

from __future__ import annotations

import re

from crawler.platforms.base import Platform

_MARKERS_RE = re.compile(r"/plus/count\.php|/list_\d+_\d+\.html|content=\"DedeCMS", re.I)


class DedeCMS(Platform):
    name = "dedecms"

    def detect(self, response) -> bool:
        return bool(_MARKERS_RE.search(response.url) or _MARKERS_RE.search(response.text))
