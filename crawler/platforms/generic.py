"""The fallback for sites whose markup matches no platform rule."""

from __future__ import annotations

from crawler.platforms.base import Platform


class Generic(Platform):
    """`下一页` links, dated rows, platform body containers or the text-density fallback."""

    name = "generic"

    def detect(self, response) -> bool:
        return True
