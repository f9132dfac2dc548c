"""PHPCMS v9: `/api.php?op=count` hit counters filling `#hits`, 下一页 list links."""

from __future__ import annotations

import re

from crawler.platforms.base import Platform

_MARKERS_RE = re.compile(r"/api\.php\?op=count|content=\"PHPCMS|[?&]m=content&c=index", re.I)


class PHPCMS(Platform):
    name = "phpcms"

    def detect(self, response) -> bool:
        return bool(_MARKERS_RE.search(response.url) or _MARKERS_RE.search(response.text))
