"""End to end: the real Scrapy engine crawls the two seed-site replicas on the fixture server."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from tests.conftest import GOLDEN, SEEDS, fixture_settings, run_crawl

VOLATILE = ("crawled_at", "hit_count_observed_at")
SEED_003 = SEEDS / "003_92f2aa7ef420e78b.txt"
SEED_000 = SEEDS / "000_6864e2fd695aa2e9.txt"


def seed_paragraphs(path, skip: int) -> list[str]:
    """A seed's non-empty lines after the first `skip` ones, whitespace collapsed."""
    lines = [" ".join(line.split()) for line in path.read_text(encoding="utf-8").split("\n")]
    return [line for line in lines if line][skip:]


def comparable(records: list[dict], server) -> list[dict]:
    """Records sorted by URL, volatile fields dropped, fixture hosts replaced by their site id."""
    text = json.dumps(sorted(records, key=lambda r: r["url"]), ensure_ascii=False)
    for site_id, base_url in server.base_urls.items():
        text = text.replace(base_url, f"http://{site_id}.fixture/")
    return [{k: v for k, v in r.items() if k not in VOLATILE} for r in json.loads(text)]


@pytest.fixture(scope="module")
def all_sites_crawl(fixture_server, tmp_path_factory):
    return run_crawl(tmp_path_factory.mktemp("crawl"), "notices", "sites=jingxian,longting",
                     settings=fixture_settings(fixture_server))


def by_site(records, site_id):
    return [r for r in records if r["site_id"] == site_id]


def test_crawl_finishes_without_errors(all_sites_crawl):
    assert all_sites_crawl.returncode == 0
    assert " ERROR: " not in all_sites_crawl.log
    assert all_sites_crawl.stat("notices/list_page_count") == 4


@pytest.mark.parametrize("site_id", ["jingxian", "longting"])
def test_site_records_match_golden(all_sites_crawl, fixture_server, site_id):
    golden = GOLDEN / "sites" / f"{site_id}.jsonl"
    with golden.open(encoding="utf-8") as fh:
        expected = [json.loads(line) for line in fh]
    assert comparable(by_site(all_sites_crawl.records, site_id), fixture_server) == expected


def test_hit_count_observed_when_counted(all_sites_crawl):
    for record in all_sites_crawl.records:
        assert (record["hit_count"] is None) == (record["hit_count_observed_at"] is None)


def test_seed_003_page(all_sites_crawl):
    [record] = [r for r in all_sites_crawl.records if r["url"].endswith("/0225/1234.html")]
    assert record["title"] == ("中共泾县城管执法局党组关于县委第二巡察组"
                               "巡察反馈意见整改进展情况的通报")
    assert record["source"] == "泾县纪委"
    assert record["published_at"] == "2022-02-25"
    assert record["hit_count"] == 28146
    assert record["body_text"].split("\n") == seed_paragraphs(SEED_003, skip=1)


def test_seed_000_page(all_sites_crawl):
    [record] = [r for r in all_sites_crawl.records if r["url"].endswith("t20221014_1001.html")]
    title_lines = seed_paragraphs(SEED_000, skip=0)[:3]
    assert record["title"] == "".join(title_lines)
    assert record["published_at"] == "2022-10-14"  # from the list page: the page has no header
    assert record["source"] is None and record["hit_count"] is None
    assert record["body_text"].split("\n") == seed_paragraphs(SEED_000, skip=3)


def test_registry_site_spider(fixture_server, tmp_path):
    result = run_crawl(tmp_path, "jingxian",
                       settings=fixture_settings(fixture_server))
    assert result.returncode == 0
    assert sorted(r["url"].rsplit("/", 1)[1] for r in result.records) == [
        "1062.html", "1105.html", "1180.html", "1234.html", "1240.html"]
    assert {r["site_id"] for r in result.records} == {"jingxian"}


def test_generic_spider_from_list_page(fixture_server, tmp_path):
    start = fixture_server.base_urls["longting"] + "xxgk/xczg/index.html"
    result = run_crawl(tmp_path, "notices", f"start_url={start}")
    assert result.returncode == 0
    assert len(result.records) == 4
    port = urlsplit(start).port  # the site id keeps the port: two sites on one host differ
    assert {r["site_id"] for r in result.records} == {f"127.0.0.1_{port}"}
    assert {r["site_name"] for r in result.records} == {"龙亭区人民政府"}  # from <meta SiteName>


def test_generic_spider_from_one_notice_page(fixture_server, tmp_path):
    start = fixture_server.base_urls["jingxian"] + "a/xcgz/2022/0225/1234.html"
    result = run_crawl(tmp_path, "notices", f"start_url={start}")
    [record] = result.records
    assert record["hit_count"] == 28146
    assert record["list_url"] is None
    assert record["body_text"].split("\n") == seed_paragraphs(SEED_003, skip=1)


def test_since_and_max_pages(fixture_server, tmp_path):
    start = fixture_server.base_urls["jingxian"] + "a/xcgz/list_12_1.html"
    since = run_crawl(tmp_path, "notices", f"start_url={start}", "since=2022-01-01")
    assert sorted(r["published_at"] for r in since.records) == ["2022-02-25", "2022-03-10"]
    one_page = run_crawl(tmp_path, "notices", f"start_url={start}", "max_pages=1")
    assert len(one_page.records) == 3
