"""What is particular to the platforms added as one module each (Hanweb JPaaS, 开普云 UCAP,
方正 Founder): their replicas crawl without an error, their list walks make the requests the
real sites answer, and the saved real pages of each family read as it. Goldens and start-URL
crawls of every replica: tests/test_platform_modules.py."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlsplit
from urllib.request import urlopen

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse

from crawler.platforms import detect_platform, platform_named
from fixtures.pagecases import load_cases
from fixtures.server import SITES_DIR
from tests.conftest import fixture_settings, run_crawl
from tests.test_platform_modules import golden

ADDED_SITES = ("hanweb_jpaas_demo", "ucap_demo", "founder_demo")
START_PAGES = {
    "hanweb_jpaas_demo": "col/col1229000001/index.html",
    "ucap_demo": "dlxrmzf/xcgz/list.shtml",
    "founder_demo": "xcgz/index.html",
}


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


def test_jpaas_shell_column_gets_its_first_page_from_the_unit_api(fixture_server, tmp_path):
    """A column page with no rows built in (col1229000002) is a list: its first page comes
    from the unit API (pageNo 1, 15 rows as no pager names its size), with no error."""
    unit = "/api-gateway/jpaas-publish-server/front/page/build/unit"
    base = fixture_server.base_urls["hanweb_jpaas_demo"]
    before = len(fixture_server.arrivals)
    result = run_crawl(tmp_path, "notices", f"start_url={base}col/col1229000002/index.html")
    assert result.returncode == 0 and " ERROR: " not in result.log
    asked = [dict(parse_qsl(urlsplit(path).query))
             for _, site, path in fixture_server.arrivals[before:]
             if site == "hanweb_jpaas_demo" and path.startswith(unit)]
    assert [(q["pageId"], json.loads(q["paramJson"])) for q in asked] == [
        ("1229000002", {"pageNo": 1, "pageSize": 15})]
    records_file = SITES_DIR / "hanweb_jpaas_demo" / "data" / "records-1229000002.txt"
    listed = re.findall(r'href="([^"]+)" title="([^"]+)"', records_file.read_text("utf-8"))
    assert sorted((r["url"], r["title"]) for r in result.records) == sorted(
        (base + href.lstrip("/"), title) for href, title in listed)


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


def _jpaas_answer(html: str, meta: dict) -> TextResponse:
    url = "http://www.example.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit?x=1"
    body = json.dumps({"roles": None, "permissions": None, "code": "200", "success": True,
                       "data": {"html": html}}, ensure_ascii=False).encode()
    return TextResponse(url=url, body=body, encoding="utf-8", request=Request(url, meta=meta))


_UNIT = {"url": "http://www.example.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit",
         "query": {"webId": "1", "pageId": "7", "tagId": "右侧内容"}, "rows": 3, "page_no": 2,
         "referer": "http://www.example.gov.cn/col/col7/index.html"}


def _rows(count: int) -> str:
    return "".join(f'<li class="cf"><a class="fl" href="/col/col7/art/2026/art_{n:032x}.html" '
                   f'title="关于巡察整改情况的通报{n}">关于巡察整改情况的通报{n}</a>'
                   f'<span class="fr">2026-05-{10 + n}</span></li>' for n in range(count))


@pytest.mark.parametrize(("listed", "follows"), [(3, True), (2, False)])
def test_jpaas_unit_without_a_count_walks_while_pages_are_full(listed, follows):
    """A unit that prints no pager count (工信部's `div#右侧内容`): a full page asks for the
    next one, a short page ends the list."""
    html = f'<div id="右侧内容"><div class="page-content"><ul>{_rows(listed)}</ul></div></div>'
    response = _jpaas_answer(html, {"jpaas_unit": _UNIT, "page_url": _UNIT["referer"]})
    platform = platform_named("hanweb_jpaas")
    page = platform.list_page(response)
    assert platform.is_list_page(response)
    assert [e.url for e in page.entries][:1] == [
        "http://www.example.gov.cn/col/col7/art/2026/art_" + "0" * 32 + ".html"]
    requests = platform.next_page_requests(response, page)
    assert [json.loads(dict(parse_qsl(urlsplit(r.url).query))["paramJson"]) for r in requests] == (
        [{"pageNo": 3, "pageSize": 3}] if follows else [])


def test_jpaas_failed_answer_lists_nothing():
    url = "http://www.example.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit"
    failed = '{"success":false,"code":"200","message":"参数错误"}'.encode()
    response = TextResponse(url=url, body=failed, encoding="utf-8",
                            request=Request(url, meta={"jpaas_unit": _UNIT}))
    platform = platform_named("hanweb_jpaas")
    assert not platform.is_list_page(response)
    assert platform.list_page(response).entries == []


def test_jpaas_column_page_takes_its_list_unit_not_the_footer_unit():
    column = "http://www.example.gov.cn/col/col7/index.html"
    unit = "/api-gateway/jpaas-publish-server/front/page/build/unit"
    html = (f'<html><body><div id="右侧内容"><div class="page-content"><ul>{_rows(3)}</ul></div>'
            f'</div><div id="页脚"></div>'
            f'<script src="/AuthorizedRead/unitbuild.js" url="{unit}" '
            f'queryData="{{\'webId\':\'1\',\'pageId\':\'7\',\'tagId\':\'页脚\'}}"></script>'
            f'<script src="/AuthorizedRead/unitbuild.js" url="{unit}" '
            f'queryData="{{\'webId\':\'1\',\'pageId\':\'7\',\'tagId\':\'右侧内容\'}}"></script>'
            f'</body></html>')
    response = HtmlResponse(url=column, body=html.encode(), encoding="utf-8",
                            request=Request(column))
    platform = detect_platform(response)
    assert platform.name == "hanweb_jpaas" and platform.is_list_page(response)
    [request] = platform.next_page_requests(response, platform.list_page(response))
    query = dict(parse_qsl(urlsplit(request.url).query))
    assert query["tagId"] == "右侧内容"
    assert json.loads(query["paramJson"]) == {"pageNo": 2, "pageSize": 3}


@pytest.mark.parametrize("site_id", ADDED_SITES)
def test_replica_pages_are_detected_as_their_platform(fixture_server, site_id):
    """The column page reads as a list of the site's platform, every notice page as a
    notice page of it (what an ad-hoc `start_url` crawl relies on)."""
    platform = {"hanweb_jpaas_demo": "hanweb_jpaas", "ucap_demo": "ucap",
                "founder_demo": "founder"}[site_id]
    base = fixture_server.base_urls[site_id]
    pages = [(base + START_PAGES[site_id], True)] + [
        (r["url"].replace(f"http://{site_id}.fixture/", base), False) for r in golden(site_id)]
    for url, is_list in pages:
        with urlopen(url) as answer:  # noqa: S310 - a loopback fixture URL
            response = HtmlResponse(url=url, body=answer.read(), encoding="utf-8",
                                    request=Request(url))
        detected = detect_platform(response)
        assert (detected.name, detected.is_list_page(response)) == (platform, is_list), url
