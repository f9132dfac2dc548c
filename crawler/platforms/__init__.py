"""CMS platforms: detection from a fetched page, list traversal and the notice page object.

Each module here defines one `Platform` subclass (crawler/platforms/base.py); they are
discovered, so a new module needs no edit elsewhere. `PLATFORMS` holds them in detection
order (their declared `priority`), the generic fallback last.
"""

from __future__ import annotations

from crawler.platforms.base import Platform, counter_script, known_counter_url, platforms

PLATFORMS: tuple[Platform, ...] = platforms()
PLATFORM_NAMES: tuple[str, ...] = tuple(platform.name for platform in PLATFORMS)
_BY_NAME = {platform.name: platform for platform in PLATFORMS}

__all__ = ["PLATFORMS", "PLATFORM_NAMES", "Platform", "counter_script", "detect_platform",
           "known_counter_url", "platform_named", "platform_table"]


def detect_platform(response) -> Platform:
    """The first platform whose markers the page shows (the generic one otherwise)."""
    return next(p for p in PLATFORMS if p.detect(response))


def platform_named(name: str | None) -> Platform | None:
    """The platform a registry entry names, or None when the name has no module."""
    return _BY_NAME.get(name or "")


def platform_table() -> str:
    """The README's platform table (Markdown), one row per module in detection order."""
    rows = ["| platform | CMS | lists walked by | hit counter |", "|---|---|---|---|"]
    rows += [f"| `{p.name}` | {p.label} | {p.list_walk} | {_counter_words(p)} |"
             for p in PLATFORMS]
    return "\n".join(rows)


def _counter_words(platform: Platform) -> str:
    counts = {script.counts_reads for script in platform.counters}
    if not counts:
        return "-"
    return "; ".join({True: "each read counts", False: "read without counting",
                      None: "read; whether it counts is unknown"}[c]
                     for c in sorted(counts, key=str))
