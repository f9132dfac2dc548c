"""The site registry: sites as data (crawler/sites.toml), loaded into `Site` records."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from pipelines.region import lookup_adcode

# Read through importlib.resources, so that it is found in a zipped Scrapyd egg too.
DEFAULT_REGISTRY_PATH = resources.files("crawler") / "sites.toml"
PLATFORMS = ("hanweb", "trs", "vsb", "dedecms", "phpcms", "empirecms", "custom", "generic")


class RegistryError(ValueError):
    """The registry file is malformed; the message names the entry and the field."""


@dataclass(frozen=True)
class Column:
    name: str
    url: str


@dataclass(frozen=True)
class Politeness:
    download_delay: float | None = None
    concurrency: int | None = None
    obey_robots: bool = True


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    base_url: str
    platform: str
    columns: tuple[Column, ...]
    region: dict = field(default_factory=dict)
    politeness: Politeness = field(default_factory=Politeness)
    source: str | None = None
    last_checked: str = "never"
    # Notice pages known on the site, crawled when no column is known.
    sample_notice_urls: tuple[str, ...] = ()
    # A stand-in whose pages exist only as a replica in fixtures/sites/ (host `.invalid`); such
    # entries live in the fixture registry (fixtures/registry.toml), never in crawler/sites.toml.
    fixture: bool = False
    note: str | None = None
    # Custom JSON sites: where list and notice data come from (see crawler/platforms/custom.py).
    api: dict = field(default_factory=dict)
    # Behind a JS challenge: fetch its pages through the browser (crawler/browser.py).
    browser: bool = False

    @property
    def placeholder(self) -> bool:
        """Still at its placeholder host (`.invalid`, which never resolves): a fixture entry
        that NOTICES_BASE_URLS has not moved to the fixture server."""
        return (urlsplit(self.base_url).hostname or "").endswith(".invalid")

    def with_base_url(self, base_url: str) -> Site:
        """The same site served from another scheme and host (a mirror or a fixture server)."""
        old, new = urlsplit(self.base_url), urlsplit(base_url)

        def move(url: str) -> str:
            parts = urlsplit(url)
            if parts.netloc != old.netloc:
                return url
            return parts._replace(scheme=new.scheme, netloc=new.netloc).geturl()

        columns = tuple(Column(c.name, move(c.url)) for c in self.columns)
        return replace(self, base_url=move(self.base_url), columns=columns,
                       sample_notice_urls=tuple(map(move, self.sample_notice_urls)))


def _site_from_entry(entry: dict, index: int) -> Site:
    where = f"site #{index + 1} ({entry.get('id', '?')})"
    for key in ("id", "name", "base_url", "platform"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise RegistryError(f"{where}: field {key!r} is missing or not a string")
    if entry["platform"] not in PLATFORMS:
        raise RegistryError(f"{where}: unknown platform {entry['platform']!r}")
    columns = []
    for column in entry.get("columns", []):
        if not column.get("url"):
            raise RegistryError(f"{where}: a column has no 'url'")
        columns.append(Column(column.get("name", ""), column["url"]))
    region = {k: entry.get("region", {}).get(k) or None
              for k in ("province", "city", "county", "adcode")}
    polite = entry.get("politeness", {})
    if not isinstance(entry.get("fixture", False), bool):
        raise RegistryError(f"{where}: field 'fixture' must be true or false")
    api = entry.get("api", {})
    if not isinstance(api, dict):
        raise RegistryError(f"{where}: field 'api' must be a table")
    return Site(
        id=entry["id"],
        name=entry["name"],
        base_url=entry["base_url"],
        platform=entry["platform"],
        columns=tuple(columns),
        region=region,
        politeness=Politeness(
            download_delay=polite.get("download_delay"),
            concurrency=polite.get("concurrency"),
            obey_robots=polite.get("obey_robots", True),
        ),
        source=entry.get("source"),
        last_checked=entry.get("last_checked", "never"),
        sample_notice_urls=tuple(entry.get("sample_notice_urls", ())),
        fixture=bool(entry.get("fixture", False)),
        note=entry.get("note"),
        api=dict(api),
        browser=entry.get("browser", False),
    )


def load_registry(path: str | Path | None = None,
                  base_urls: dict[str, str] | None = None) -> dict[str, Site]:
    """Read the registry file; `base_urls` moves chosen sites to another host."""
    path = Path(path) if path else DEFAULT_REGISTRY_PATH
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    sites: dict[str, Site] = {}
    for index, entry in enumerate(data.get("site", [])):
        site = _site_from_entry(entry, index)
        if site.id in sites:
            raise RegistryError(f"site #{index + 1}: duplicate id {site.id!r}")
        sites[site.id] = site
    for site_id, base_url in (base_urls or {}).items():
        if site_id not in sites:
            raise RegistryError(f"NOTICES_BASE_URLS names unknown site {site_id!r}")
        sites[site_id] = sites[site_id].with_base_url(base_url)
    return sites


def registry_from_settings(settings) -> dict[str, Site]:
    """The registry as the crawl's settings configure it."""
    return load_registry(settings.get("NOTICES_REGISTRY_PATH"),
                         settings.getdict("NOTICES_BASE_URLS"))


_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def _is_http_url(url: str | None) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in (url or "")


def site_problems(site: Site) -> list[str]:
    """What is wrong with one entry (empty when nothing): id, URLs, source, date, region."""
    problems = []
    if not _ID_RE.match(site.id):
        problems.append(f"id {site.id!r} is not an ASCII slug")
    urls = [site.base_url, *(c.url for c in site.columns), *site.sample_notice_urls]
    problems += [f"bad URL {url!r}" for url in urls if not _is_http_url(url)]
    if not site.columns and not site.sample_notice_urls:
        problems.append("neither columns nor sample_notice_urls")
    if site.platform == "custom" and not site.api:
        problems.append("platform 'custom' (a JSON API site) without an 'api' table; "
                        "an HTML site of no known platform is 'generic'")
    if not site.fixture and not _is_http_url(site.source):
        problems.append(f"source {site.source!r} is not the URL of a public page")
    if site.last_checked != "never":
        try:
            date.fromisoformat(site.last_checked)
        except ValueError:
            problems.append(f"last_checked {site.last_checked!r} is neither 'never' nor a date")
    if not isinstance(site.browser, bool):
        problems.append(f"browser {site.browser!r} is neither true nor false")
    adcode = site.region.get("adcode")
    if not adcode and not site.fixture:
        problems.append("region has no adcode")
    if adcode:
        known = lookup_adcode(adcode)
        if known is None or known["county"] is None:
            problems.append(f"adcode {adcode} is not a county-level division")
        elif site.region.get("province") not in (None, known["province"]):
            problems.append(f"adcode {adcode} is in {known['province']}, "
                            f"not {site.region['province']}")
    return [f"{site.id}: {problem}" for problem in problems]


def registry_problems(sites: dict[str, Site]) -> list[str]:
    """Every problem of every entry (the registry check run by the tests)."""
    return [problem for site in sites.values() for problem in site_problems(site)]
