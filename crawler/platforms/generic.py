"""The fallback for sites whose markup matches no platform rule."""

from __future__ import annotations

import re

from crawler.platforms.base import Platform


class Generic(Platform):
    """`下一页` links, dated rows, platform body containers or the text-density fallback."""

    name = "generic"
    label = "any other site"
    list_walk = "`下一页` links, else page-number links"
    # Tried last: every page shows it.
    priority = 1000
    # News publishing systems' article URLs (`/2006-11/22/content_8591622.htm`).
    notice_urls = re.compile(r"/content_\d+\.html?$")

    def detect(self, response) -> bool:
        return True
