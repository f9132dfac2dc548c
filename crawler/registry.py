"""The site registry: sites as data (crawler/sites.toml), loaded into `Site` records."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from crawler.platforms import PLATFORM_NAMES
from pipelines.region import lookup_adcode

# Read through importlib.resources, so that it is found in a zipped Scrapyd egg too.
DEFAULT_REGISTRY_PATH = resources.files("crawler") / "sites.toml"


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


def _check_types(entry: dict, where: str) -> None:
    """Refuse a field of the wrong TOML type (`browser = "no"`, `download_delay = "3"`)."""
    def fail(name: str, wanted: str) -> None:
        raise RegistryError(f"{where}: field {name!r} must be {wanted}, "
                            f"not {entry_value(name)!r}")

    def entry_value(name: str):
        head, _, tail = name.partition(".")
        return entry[head][tail] if tail else entry[name]

    for key in ("id", "name", "base_url", "platform"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise RegistryError(f"{where}: field {key!r} is missing or not a string")
    for key in ("source", "last_checked", "note"):
        if key in entry and not isinstance(entry[key], str):
            fail(key, "a string")
    for key in ("fixture", "browser"):
        if key in entry and not isinstance(entry[key], bool):
            fail(key, "true or false")
    for key in ("region", "politeness", "api"):
        if key in entry and not isinstance(entry[key], dict):
            fail(key, "a table")
    for key, value in entry.get("region", {}).items():
        if not isinstance(value, str):
            fail(f"region.{key}", "a string")
    polite = entry.get("politeness", {})
    delay = polite.get("download_delay")
    if delay is not None and (isinstance(delay, bool) or not isinstance(delay, int | float)
                              or delay < 0):
        fail("politeness.download_delay", "a number of seconds >= 0")
    concurrency = polite.get("concurrency")
    if concurrency is not None and (isinstance(concurrency, bool)
                                    or not isinstance(concurrency, int) or concurrency < 1):
        fail("politeness.concurrency", "a whole number >= 1")
    if not isinstance(polite.get("obey_robots", True), bool):
        fail("politeness.obey_robots", "true or false")
    columns = entry.get("columns", [])
    if not isinstance(columns, list) or not all(isinstance(c, dict) for c in columns):
        fail("columns", "a list of tables {name, url}")
    for column in columns:
        if not isinstance(column.get("url"), str) or not column["url"]:
            raise RegistryError(f"{where}: field 'columns': a column has no 'url'")
        if not isinstance(column.get("name", ""), str):
            raise RegistryError(f"{where}: field 'columns': name {column['name']!r} "
                                "is not a string")
    samples = entry.get("sample_notice_urls", [])
    if not isinstance(samples, list) or not all(isinstance(u, str) for u in samples):
        fail("sample_notice_urls", "a list of URL strings")


def _site_from_entry(entry: dict, index: int) -> Site:
    where = f"site #{index + 1} ({entry.get('id', '?')})"
    _check_types(entry, where)
    if entry["platform"] not in PLATFORM_NAMES:
        raise RegistryError(f"{where}: unknown platform {entry['platform']!r}")
    columns = [Column(column.get("name", ""), column["url"])
               for column in entry.get("columns", [])]
    region = {k: entry.get("region", {}).get(k) or None
              for k in ("province", "city", "county", "adcode")}
    polite = entry.get("politeness", {})
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
        fixture=entry.get("fixture", False),
        note=entry.get("note"),
        api=dict(entry.get("api", {})),
        browser=entry.get("browser", False),
    )


def load_registry(path: str | Path | None = None,
                  base_urls: dict[str, str] | None = None,
                  check: bool = True) -> dict[str, Site]:
    """Read the registry file and refuse a bad entry; `base_urls` moves chosen sites.

    With `check` (the default) every entry must also pass `registry_problems`: the first
    problem is raised as one line naming the entry and the field.
    """
    path = Path(path) if path else DEFAULT_REGISTRY_PATH
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    sites: dict[str, Site] = {}
    for index, entry in enumerate(data.get("site", [])):
        site = _site_from_entry(entry, index)
        if site.id in sites:
            raise RegistryError(f"site #{index + 1}: duplicate id {site.id!r}")
        sites[site.id] = site
    problems = registry_problems(sites) if check else []
    if problems:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise RegistryError(f"{path}: {problems[0]}{more}")
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
    """What is wrong with one entry (empty when nothing), each problem naming its field."""
    problems = []
    if not _ID_RE.match(site.id):
        problems.append(f"field 'id': {site.id!r} is not an ASCII slug")
    urls = [("base_url", site.base_url), *(("columns", c.url) for c in site.columns),
            *(("sample_notice_urls", url) for url in site.sample_notice_urls)]
    problems += [f"field {key!r}: {url!r} is not an http(s) URL"
                 for key, url in urls if not _is_http_url(url)]
    if not site.columns and not site.sample_notice_urls:
        problems.append("field 'columns': neither columns nor sample_notice_urls")
    if site.platform == "custom" and not site.api:
        problems.append("field 'api': platform 'custom' (a JSON API site) without an 'api' "
                        "table; an HTML site of no known platform is 'generic'")
    if not site.fixture and not _is_http_url(site.source):
        problems.append(f"field 'source': {site.source!r} is not the URL of a public page")
    if site.last_checked != "never":
        try:
            date.fromisoformat(site.last_checked)
        except ValueError:
            problems.append(f"field 'last_checked': {site.last_checked!r} is neither "
                            "'never' nor a date")
    adcode = site.region.get("adcode")
    if not adcode and not site.fixture:
        problems.append("field 'region': no adcode")
    if adcode:
        known = lookup_adcode(adcode)
        if known is None or known["county"] is None:
            problems.append(f"field 'region': adcode {adcode} is not a county-level division")
        else:
            problems += [f"field 'region': adcode {adcode} is {known[key]}, not {site.region[key]}"
                         for key in ("province", "county")
                         if site.region.get(key) not in (None, known[key])]
    return [f"{site.id}: {problem}" for problem in problems]


def _column_key(url: str) -> tuple[str, str]:
    """Host (with its port) and path of a column URL, `www.`, `index.html` and scheme aside."""
    parts = urlsplit(url)
    path = re.sub(r"/(?:index|default)\.(?:s?html?|jsp|php|aspx?)$", "/", parts.path or "/",
                  flags=re.I)
    return parts.netloc.lower().removeprefix("www."), path + (f"?{parts.query}"
                                                                 if parts.query else "")


def registry_problems(sites: dict[str, Site]) -> list[str]:
    """Every problem of every entry, and any host and column that two entries share."""
    problems = [problem for site in sites.values() for problem in site_problems(site)]
    owners: dict[tuple[str, str], str] = {}
    for site in sites.values():
        keys = ({_column_key(c.url) for c in site.columns} if site.columns
                else {(_column_key(site.base_url)[0], "(no column)")})
        for key in sorted(keys):
            if key in owners:
                problems.append(f"{site.id}: field 'columns': host {key[0]} and column "
                                f"{key[1]} are already entry {owners[key]!r}")
            owners.setdefault(key, site.id)
    return problems


def counts_table(sites: dict[str, Site]) -> str:
    """Markdown tables of the real entries (fixtures aside): by province, then by platform."""
    real = [site for site in sites.values() if not site.fixture]
    out = []
    for title, key in (("province", lambda s: s.region.get("province") or "-"),
                       ("platform", lambda s: s.platform)):
        rows: dict[str, list[int]] = {}
        for site in real:
            row = rows.setdefault(key(site), [0, 0])
            row[0] += 1
            row[1] += bool(site.columns)
        out += [f"| {title} | sites | with a column |", "|---|---:|---:|"]
        out += [f"| {name} | {n} | {c} |" for name, (n, c) in
                sorted(rows.items(), key=lambda item: (-item[1][0], item[0]))]
        out += [f"| all {len(rows)} | {len(real)} | {sum(bool(s.columns) for s in real)} |", ""]
    return "\n".join(out).rstrip("\n")


if __name__ == "__main__":
    print(counts_table(load_registry()))
