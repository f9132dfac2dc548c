"""CMS platforms: detection from a fetched page, list traversal and the notice page object.

A platform module defines one `Platform` subclass; `PLATFORMS` lists them in detection order,
the generic fallback last.
"""

from __future__ import annotations

from crawler.platforms.base import Platform
from crawler.platforms.custom import CustomJson
from crawler.platforms.dedecms import DedeCMS
from crawler.platforms.empirecms import EmpireCMS
from crawler.platforms.generic import Generic
from crawler.platforms.hanweb import Hanweb
from crawler.platforms.hanweb_jpaas import HanwebJpaas
from crawler.platforms.phpcms import PHPCMS
from crawler.platforms.trs import TRS
from crawler.platforms.vsb import VSB

PLATFORMS: tuple[Platform, ...] = (
    HanwebJpaas(), Hanweb(), TRS(), VSB(), DedeCMS(), PHPCMS(), EmpireCMS(), CustomJson(), Generic(),
)
_BY_NAME = {platform.name: platform for platform in PLATFORMS}


def detect_platform(response) -> Platform:
    """The first platform whose markers the page shows (the generic one otherwise)."""
    return next(p for p in PLATFORMS if p.detect(response))


def platform_named(name: str | None) -> Platform | None:
    """The platform a registry entry names, or None when the name has no module."""
    return _BY_NAME.get(name or "")
