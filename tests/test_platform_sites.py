"""Every platform replica crawls to exactly its notices, each field right (golden files), from
the registry and, with no configuration, from its list page."""

from __future__ import annotations

import json

import pytest

from crawler.registry import load_registry
from tests.conftest import FIXTURE_REGISTRY, GOLDEN, fixture_settings, run_crawl

PLATFORM_SITES = ("hanweb_demo", "trs_demo", "vsb_demo", "phpcms_demo", "empirecms_demo",
                  "ajax_demo", "unknown_markup")
# Fields that change per run or that another stage fills.
UNCOMPARED = ("crawled_at", "hit_count_observed_at", "notice")
# What an ad-hoc crawl (`-a start_url=`) must read exactly as the registry crawl does.
PAGE_FIELDS = ("url", "title", "source", "published_at", "hit_count", "author", "editor",
               "body_text", "attachments", "content_sha1")
START_PAGES = {
    "hanweb_demo": "col/col1234/index.html",
    "trs_demo": "xxgk/xcgz/index.html",
    "vsb_demo": "xcgz.htm",
    "phpcms_demo": "html/xcgz/index.html",
    "empirecms_demo": "xcgz/index.html",
    "unknown_markup": "news/list.htm",
}


def comparable(records: list[dict], server) -> list[dict]:
    """Records sorted by URL, volatile fields dropped, fixture hosts replaced by their site id."""
    text = json.dumps(sorted(records, key=lambda r: r["url"]), ensure_ascii=False)
    for site_id, base_url in server.base_urls.items():
        text = text.replace(base_url, f"http://{site_id}.fixture/")
    return [{k: v for k, v in r.items() if k not in UNCOMPARED} for r in json.loads(text)]


def golden(site_id: str) -> list[dict]:
    with (GOLDEN / "sites" / f"{site_id}.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def all_sites_crawl(fixture_server, tmp_path_factory):
    return run_crawl(tmp_path_factory.mktemp("platforms"), "notices",
                     "sites=" + ",".join(PLATFORM_SITES),
                     settings=fixture_settings(fixture_server))


def of_site(records, site_id):
    return [r for r in records if r["site_id"] == site_id]


def test_all_sites_crawl_cleanly(all_sites_crawl):
    assert all_sites_crawl.returncode == 0
    assert " ERROR: " not in all_sites_crawl.log
    assert all_sites_crawl.stat("notices/page_error_count") == 0
    assert all_sites_crawl.stat("notices/hit_counter_failed_count") == 0
    # Hanweb's PDF record and TRS's listed PDF; Hanweb's record on another host.
    assert all_sites_crawl.stat("notices/attachment_link_count") == 2
    assert all_sites_crawl.stat("notices/offsite_link_count") == 1
    assert all_sites_crawl.stat("notices/notice_page_count") == len(all_sites_crawl.records)


def test_every_replica_is_a_fixture_site_of_the_registry(all_sites_crawl):
    registry = load_registry(FIXTURE_REGISTRY)
    assert all(registry[site_id].fixture for site_id in PLATFORM_SITES)
    assert {r["site_id"] for r in all_sites_crawl.records} == set(PLATFORM_SITES)


@pytest.mark.parametrize("site_id", PLATFORM_SITES)
def test_site_records_match_golden(all_sites_crawl, fixture_server, site_id):
    records = comparable(of_site(all_sites_crawl.records, site_id), fixture_server)
    assert records == golden(site_id)


@pytest.mark.parametrize("site_id", sorted(START_PAGES))
def test_start_url_alone_reads_the_same_notices(fixture_server, tmp_path, site_id):
    start = fixture_server.base_urls[site_id] + START_PAGES[site_id]
    result = run_crawl(tmp_path, "notices", f"start_url={start}")
    assert result.returncode == 0
    expected = [{k: r[k] for k in PAGE_FIELDS} for r in golden(site_id)]
    got = [{k: r[k] for k in PAGE_FIELDS} for r in comparable(result.records, fixture_server)]
    assert got == expected


def test_hanweb_proxy_paging_and_max_pages(fixture_server, tmp_path):
    before = fixture_server.request_count("hanweb_demo", "/module/web/jpage/", "POST")
    start = fixture_server.base_urls["hanweb_demo"] + START_PAGES["hanweb_demo"]
    result = run_crawl(tmp_path, "notices", f"start_url={start}", "max_pages=1")
    assert sorted(r["url"].rsplit("_", 1)[1] for r in result.records) == ["106.html", "107.html"]
    assert fixture_server.request_count("hanweb_demo", "/module/web/jpage/", "POST") == before


def test_trs_stops_at_its_last_page(all_sites_crawl, fixture_server):
    assert fixture_server.request_count("trs_demo", "/xxgk/xcgz/index_2.html") >= 1
    assert fixture_server.request_count("trs_demo", "/xxgk/xcgz/index_3.html") == 0


def test_since_stops_the_walk(fixture_server, tmp_path):
    start = fixture_server.base_urls["vsb_demo"] + START_PAGES["vsb_demo"]
    result = run_crawl(tmp_path, "notices", f"start_url={start}", "since=2018-01-01")
    assert sorted(r["published_at"] for r in result.records) == ["2018-04-02", "2018-05-17"]


def test_counter_requests_off_keep_printed_counts(fixture_server, tmp_path):
    before = fixture_server.request_count("empirecms_demo", "/e/public/ViewClick/")
    start = fixture_server.base_urls["empirecms_demo"] + START_PAGES["empirecms_demo"]
    result = run_crawl(tmp_path, "notices", f"start_url={start}",
                       settings={"NOTICES_HIT_COUNTS": "False"})
    counts = {r["url"].rsplit("/", 1)[1]: r["hit_count"] for r in result.records}
    assert counts == {"45.html": None, "44.html": 4767, "43.html": None}
    observed = {r["url"].rsplit("/", 1)[1]: r["hit_count_observed_at"] for r in result.records}
    assert observed["44.html"] is not None and observed["45.html"] is None
    assert fixture_server.request_count("empirecms_demo", "/e/public/ViewClick/") == before


@pytest.mark.parametrize(("site_id", "path", "hit_count"), [
    ("hanweb_demo", "art/2022/9/20/art_1234_107.html", 356),
    ("vsb_demo", "info/1021/3004.htm", 2168),
])
def test_start_url_on_one_notice_page(fixture_server, tmp_path, site_id, path, hit_count):
    result = run_crawl(tmp_path, "notices", f"start_url={fixture_server.base_urls[site_id]}{path}")
    [record] = result.records
    [expected] = [r for r in golden(site_id) if r["url"].endswith(path)]
    assert record["list_url"] is None and record["hit_count"] == hit_count
    assert {k: record[k] for k in ("title", "source", "body_text")} == {
        k: expected[k] for k in ("title", "source", "body_text")}
