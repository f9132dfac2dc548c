"""Platforms are units: discovered modules, each with a replica site whose records match their
goldens; the README's platform table and the registry's names come from the modules; what is
specific to a platform is written only in its module.

A new module and its fixture site (a fixture-registry entry and a golden file) are picked up
here with no edit to this file (docs/adding-a-platform.md).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from scrapy.http import HtmlResponse, Request

from crawler.platforms import (
    PLATFORM_NAMES,
    PLATFORMS,
    Platform,
    detect_platform,
    platform_named,
    platform_table,
)
from crawler.registry import RegistryError, load_registry
from tests.conftest import FIXTURE_REGISTRY, GOLDEN, fixture_settings, run_crawl

REPO = Path(__file__).resolve().parents[1]
SITES = REPO / "fixtures" / "sites"
REGISTRY = load_registry(FIXTURE_REGISTRY)
# Replica sites: fixture-registry entries with a golden file of their records.
REPLICAS = sorted(site_id for site_id in REGISTRY
                  if (GOLDEN / "sites" / f"{site_id}.jsonl").is_file())
# Those a crawl from their column URL alone reads the same (a JSON API site needs its entry).
START_URL_REPLICAS = [site_id for site_id in REPLICAS if not REGISTRY[site_id].api]
# Fields that change per run; a golden without `notice` leaves that stage's field out too.
VOLATILE = ("crawled_at", "hit_count_observed_at")
PAGE_FIELDS = ("url", "title", "source", "published_at", "hit_count", "author", "editor",
               "body_text", "attachments", "content_sha1")
# Strings only a platform module may write (counter paths, list and body markers).
PLATFORM_STRINGS = ("dynclicks", "count.php", "articlehits", "ViewClick", "createPageHTML",
                    "jpage", "TRS_Editor", "_showDynClicks", "vsb_content", "v_news_content",
                    "UCAP-CONTENT", "/module/visitcount/", "op=count", "ContentStart",
                    "begineditable", "<datastore>", "/system/resource/", "/e/public/",
                    "/plus/")


def golden(site_id: str) -> list[dict]:
    with (GOLDEN / "sites" / f"{site_id}.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def comparable(records: list[dict], server) -> list[dict]:
    """Records sorted by URL, volatile fields dropped, fixture hosts replaced by their site id."""
    text = json.dumps(sorted(records, key=lambda r: r["url"]), ensure_ascii=False)
    for site_id, base_url in server.base_urls.items():
        text = text.replace(base_url, f"http://{site_id}.fixture/")
    return [{k: v for k, v in r.items() if k not in VOLATILE} for r in json.loads(text)]


def served_file(site_id: str, url: str) -> Path:
    """The file a replica serves at a URL (`dir/` serves `dir/index.html`)."""
    path = urlsplit(url).path.lstrip("/")
    return SITES / site_id / "root" / (path + "index.html" if path.endswith("/") or not path
                                       else path)


def replica_response(site_id: str, url: str) -> HtmlResponse:
    body = served_file(site_id, url).read_bytes()
    return HtmlResponse(url=url, body=body, encoding="utf-8", request=Request(url))


# --- the modules ------------------------------------------------------------------------
def test_every_module_is_discovered_in_declared_order():
    modules = sorted(path.stem for path in (REPO / "crawler" / "platforms").glob("*.py")
                     if path.stem not in ("__init__", "base"))
    assert sorted(type(p).__module__.rsplit(".", 1)[1] for p in PLATFORMS) == modules
    assert [p.priority for p in PLATFORMS] == sorted(p.priority for p in PLATFORMS)
    assert PLATFORMS[-1].name == "generic" and len(set(PLATFORM_NAMES)) == len(PLATFORMS)


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.name)
def test_module_declares_itself(platform):
    assert type(platform) is not Platform and platform.name and platform.label
    assert platform.list_walk
    assert all(script.platform == platform.name for script in platform.counters)


def test_registry_accepts_exactly_the_module_names(tmp_path):
    entry = ('[[site]]\nid = "x"\nname = "x"\nbase_url = "http://x.invalid/"\nfixture = true\n'
             'columns = [{ name = "x", url = "http://x.invalid/list.html" }]\n')
    for name in PLATFORM_NAMES:
        path = tmp_path / f"{name}.toml"
        path.write_text(entry + f'platform = "{name}"\n' + (
            'api = { list = "/api" }\n' if name == "custom" else ""), encoding="utf-8")
        assert load_registry(path)["x"].platform == name
    path = tmp_path / "unknown.toml"
    path.write_text(entry + 'platform = "nosuchcms"\n', encoding="utf-8")
    with pytest.raises(RegistryError, match="unknown platform 'nosuchcms'"):
        load_registry(path)


def test_readme_platform_table_is_the_modules():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- platforms:[^>]*-->\n(.*?)\n<!-- /platforms -->", readme, re.S)
    assert match, "README.md has no platform table between <!-- platforms --> markers"
    assert match.group(1) == platform_table(), (
        "README.md's platform table differs from the modules; replace it with:\n"
        + platform_table())
    assert len(platform_table().splitlines()) <= 14


def test_platform_strings_only_in_platform_modules():
    """Counter paths and list and body markers are written in crawler/platforms/ only."""
    outside = [path for folder in ("crawler", "pipelines")
               for path in sorted((REPO / folder).rglob("*.py"))
               if (REPO / "crawler" / "platforms") not in path.parents]
    found = [(path.relative_to(REPO).as_posix(), marker) for path in outside
             for marker in PLATFORM_STRINGS if marker in path.read_text(encoding="utf-8")]
    assert found == []
    inside = "".join(path.read_text(encoding="utf-8")
                     for path in (REPO / "crawler" / "platforms").glob("*.py"))
    assert [marker for marker in PLATFORM_STRINGS if marker not in inside] == []


def test_every_module_has_a_replica_site():
    replicated = {REGISTRY[site_id].platform for site_id in REPLICAS}
    assert [name for name in PLATFORM_NAMES if name not in replicated] == []


# --- each replica site ------------------------------------------------------------------
@pytest.fixture(scope="module")
def replicas_crawl(fixture_server, tmp_path_factory):
    return run_crawl(tmp_path_factory.mktemp("replicas"), "notices",
                     "sites=" + ",".join(REPLICAS), settings=fixture_settings(fixture_server))


@pytest.mark.parametrize("site_id", REPLICAS)
def test_replica_records_match_golden(replicas_crawl, fixture_server, site_id):
    assert replicas_crawl.returncode == 0
    records = comparable([r for r in replicas_crawl.records if r["site_id"] == site_id],
                         fixture_server)
    expected = golden(site_id)
    assert [r["url"] for r in records] == [r["url"] for r in expected]
    assert [{k: r.get(k) for k in g} for r, g in zip(records, expected, strict=True)] == expected


@pytest.mark.parametrize("site_id", START_URL_REPLICAS)
def test_replica_from_its_column_url_alone(fixture_server, tmp_path, site_id):
    [column] = REGISTRY[site_id].columns
    start = fixture_server.base_urls[site_id] + urlsplit(column.url).path.lstrip("/")
    result = run_crawl(tmp_path, "notices", f"start_url={start}")
    assert result.returncode == 0
    got = [{k: r[k] for k in PAGE_FIELDS} for r in comparable(result.records, fixture_server)]
    assert got == [{k: r[k] for k in PAGE_FIELDS} for r in golden(site_id)]


@pytest.mark.parametrize("site_id", START_URL_REPLICAS)
def test_replica_pages_are_read_by_kind(site_id):
    """Its entry's platform takes the column page for a list and each notice page for a
    notice; a notice page of a platform module shows that module's markers."""
    site = REGISTRY[site_id]
    platform = platform_named(site.platform)
    [column] = site.columns
    assert platform.is_list_page(replica_response(site_id, column.url))
    for record in golden(site_id):
        response = replica_response(site_id, record["url"])
        assert not platform.is_list_page(response), record["url"]
        if site.platform != "generic":
            assert detect_platform(response).name == site.platform, record["url"]


def test_platform_named_knows_every_module():
    assert [platform_named(name) for name in PLATFORM_NAMES] == list(PLATFORMS)
    assert platform_named("nosuchcms") is None
