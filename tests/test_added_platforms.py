"""The platforms added as one module each (Hanweb JPaaS, 开普云 UCAP, 方正 Founder): their
replicas crawl to exactly their notices (goldens), from the registry and from a start URL,
and their list walks make the requests the real sites answer."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest

from crawler.platforms import detect_platform
from fixtures.pagecases import load_cases
from tests.conftest import fixture_settings, run_crawl
from tests.test_platform_sites import comparable, golden

ADDED_SITES = ("hanweb_jpaas_demo", "ucap_demo", "founder_demo")
START_PAGES = {
    "hanweb_jpaas_demo": "col/col1229000001/index.html",
    "ucap_demo": "dlxrmzf/xcgz/list.shtml",
    "founder_demo": "xcgz/index.html",
}
PAGE_FIELDS = ("url", "title", "source", "published_at", "hit_count", "author", "editor",
               "body_text", "attachments", "content_sha1")


@pytest.fixture(scope="module")
def added_sites_crawl(fixture_server, tmp_path_factory):
    return run_crawl(tmp_path_factory.mktemp("added"), "notices",
                     "sites=" + ",".join(ADDED_SITES),
                     settings=fixture_settings(fixture_server))


def test_added_sites_crawl_cleanly(added_sites_crawl):
    assert added_sites_crawl.returncode == 0
    assert " ERROR: " not in added_sites_crawl.log
    assert added_sites_crawl.stat("notices/page_error_count") == 0
    assert added_sites_crawl.stat("notices/notice_page_count") == len(added_sites_crawl.records)


@pytest.mark.parametrize("site_id", ADDED_SITES)
def test_site_records_match_golden(added_sites_crawl, fixture_server, site_id):
    records = [r for r in added_sites_crawl.records if r["site_id"] == site_id]
    assert comparable(records, fixture_server) == golden(site_id)


@pytest.mark.parametrize("site_id", sorted(START_PAGES))
def test_start_url_alone_reads_the_same_notices(fixture_server, tmp_path, site_id):
    start = fixture_server.base_urls[site_id] + START_PAGES[site_id]
    result = run_crawl(tmp_path, "notices", f"start_url={start}")
    assert result.returncode == 0
    expected = [{k: r[k] for k in PAGE_FIELDS} for r in golden(site_id)]
    got = [{k: r[k] for k in PAGE_FIELDS} for r in comparable(result.records, fixture_server)]
    assert got == expected


def test_jpaas_unit_pages_follow_the_pager(fixture_server, tmp_path):
    """Pages 2 and 3 (of 7 items, 3 a page) come from the unit API with the column's
    queryData and paramJson; the pager's count stops the walk before a page 4."""
    unit = "/api-gateway/jpaas-publish-server/front/page/build/unit"
    before = len(fixture_server.arrivals)
    start = fixture_server.base_urls["hanweb_jpaas_demo"] + START_PAGES["hanweb_jpaas_demo"]
    assert run_crawl(tmp_path, "notices", f"start_url={start}").returncode == 0
    asked = [dict(parse_qsl(urlsplit(path).query))
             for _, site, path in fixture_server.arrivals[before:]
             if site == "hanweb_jpaas_demo" and path.startswith(unit)]
    assert [json.loads(q["paramJson"]) for q in asked] == [
        {"pageNo": 2, "pageSize": 3}, {"pageNo": 3, "pageSize": 3}]
    assert all(q["pageId"] == "1229000001" and q["tagId"] == "信息列表" for q in asked)


@pytest.mark.parametrize(("case_name", "platform", "body_rule"), [
    ("real_ucap_wanzai_county_2015", "ucap", "body_selector"),
    ("real_ucap_wanzai_county_2022", "ucap", "body_selector"),
    ("real_ucap_yichun_city_2022", "ucap", "body_selector"),
    ("real_ucap_yichun_jiangxi_2022", "ucap", "body_selector"),
    ("real_founder_kepu_politics", "founder", "founder_content_markers"),
    # gov.cn's 国务院公报 page shares UCAP's `#UCAP-CONTENT` id but none of its markers.
    ("real_trs_govcn_gongbao", "generic", None),
])
def test_real_pages_of_the_added_platforms(case_name, platform, body_rule):
    [case] = [c for c in load_cases("detail") if c.name == case_name]
    response = case.response()
    detected = detect_platform(response)
    assert detected.name == platform
    assert not detected.is_list_page(response)
    if body_rule:
        assert detected.notice_page(response).field_rules["body"] == body_rule
