"""Regression tests on real government pages (``fixtures/realpages/``): detail fields per page,
notice links and next page per list page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse

from crawler.platforms import detect_platform
from crawler.platforms.trs import trs_pager
from fixtures.pagecases import extract_detail, load_cases
from tests.conftest import REALPAGES

REAL = REALPAGES
CASES = [case for case in load_cases("detail") if case.name.startswith("real_")]
LIST_CASES = [case for case in load_cases("list") if case.name.startswith("real_")]


def real_response(name: str, url: str, cls=HtmlResponse):
    return cls(url=url, body=(REAL / name).read_bytes(), encoding="utf-8", request=Request(url))


def test_every_real_detail_page_has_a_case():
    pages = {path.name for path in REAL.glob("*detail*.html")}
    assert pages and pages == {case.input_path.name for case in CASES}


@pytest.mark.parametrize(("case", "field"),
                         [(case, field) for case in CASES for field in case.fields],
                         ids=lambda value: getattr(value, "name", value))
def test_real_detail_field(case, field):
    assert extract_detail(case)[field] == case.expected[field]


@pytest.mark.parametrize(("name", "platform"), [
    ("trs_detail_shanxi_gov_gne.html", "trs"),
    ("vsb_detail_sxmu_jijian_gne.html", "vsb"),
    ("custom_detail_neixiangxian_county.html", "generic"),
    ("trs_list_yuanzhou_county_createpagehtml.html", "trs"),
])
def test_real_page_platform_and_kind(name, platform):
    response = real_response(name, "http://www.example.gov.cn/col/" + name)
    detected = detect_platform(response)
    assert detected.name == platform
    assert detected.is_list_page(response) == ("_list_" in name)


def test_every_real_list_page_has_a_case():
    pages = {path.name for path in REAL.iterdir()
             if "_list_" in path.name or "_jpage_" in path.name}
    assert pages and pages == {case.input_path.name for case in LIST_CASES}


@pytest.mark.parametrize("case", LIST_CASES, ids=lambda case: case.name)
def test_real_list_notice_links(case):
    response = case.response()
    platform = detect_platform(response)
    entries = platform.list_page(response).entries
    assert [entry.url for entry in entries] == case.expected["notice_links"]


@pytest.mark.parametrize("case", LIST_CASES, ids=lambda case: case.name)
def test_real_list_next_page(case):
    response = case.response()
    platform = detect_platform(response)
    requests = platform.next_page_requests(response, platform.list_page(response))
    assert (requests[0].url if requests else None) == case.expected["next_page"]


def test_vsb_real_page_shows_its_count_and_counter():
    response = real_response("vsb_detail_sxmu_jijian_gne.html",
                             "http://jijian.sxmu.edu.cn/info/1021/1081.htm")
    page = detect_platform(response).notice_page(response)
    assert page.hit_count == 2168  # the browser-rendered span after the counter script
    assert page.counter_url == ("http://jijian.sxmu.edu.cn/system/resource/code/news/click/"
                                "dynclicks.jsp?clickid=1081&owner=1412614994&clicktype=wbnews")


def test_trs_real_list_links_and_pages():
    url = "http://www.yzq.gov.cn/zwgk/gzdt/index.html"
    response = real_response("trs_list_yuanzhou_county_createpagehtml.html", url)
    platform = detect_platform(response)
    entries = platform.list_page(response).entries
    assert len(entries) == 25
    assert entries[0].url == "http://www.yzq.gov.cn/zwgk/gzdt/201710/t20171020_398361.html"
    assert entries[0].date == "2017-10-20"
    assert all(urlsplit(e.url).path.startswith("/zwgk/gzdt/2017") for e in entries)
    assert trs_pager(response.text, url) == (120, 0, "index", "html")
    [next_page] = platform.next_page_requests(response, platform.list_page(response))
    assert next_page.url == "http://www.yzq.gov.cn/zwgk/gzdt/index_1.html"


def test_hanweb_real_datastore_records():
    url = "http://www.dingxi.gov.cn/col/col12377/index.html"
    response = real_response("hanweb_jpage_datastore_dingxi_zwgk.xml", url, TextResponse)
    platform = detect_platform(response)
    assert platform.name == "hanweb" and platform.is_list_page(response)
    entries = platform.list_page(response).entries
    assert len(entries) == 45
    assert not any(e.title.endswith("...") for e in entries)  # full titles from title=
    assert all(e.date for e in entries)
    assert entries[0].title == "定西市“春节”文明祭祀倡议书"
    offsite = [e.url for e in entries if urlsplit(e.url).netloc != "www.dingxi.gov.cn"]
    assert offsite == ["http://zwgk.dingxi.gov.cn/art/2021/11/4/art_12480_1461862.html"]
