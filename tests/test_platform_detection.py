"""Platform detection from one fetched page, and each platform's pager reading."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request

from crawler.platforms import detect_platform
from crawler.platforms.trs import trs_pager
from crawler.registry import RegistryError, load_registry
from tests.conftest import FIXTURE_REGISTRY

SITES = Path(__file__).resolve().parents[1] / "fixtures" / "sites"


def fixture_response(site: str, path: str, url_path: str | None = None) -> HtmlResponse:
    url = f"http://{site}.example/{url_path or path}"
    body = (SITES / site / "root" / path).read_bytes()
    return HtmlResponse(url=url, body=body, encoding="utf-8", request=Request(url))


@pytest.mark.parametrize(("site", "path", "platform", "is_list"), [
    ("hanweb_demo", "col/col1234/index.html", "hanweb", True),
    ("hanweb_demo", "art/2022/8/3/art_1234_106.html", "hanweb", False),
    ("trs_demo", "xxgk/xcgz/index_2.html", "trs", True),
    ("trs_demo", "xxgk/xcgz/202209/t20220918_5006.html", "trs", False),
    ("vsb_demo", "xcgz.htm", "vsb", True),
    ("vsb_demo", "info/1021/3004.htm", "vsb", False),
    ("phpcms_demo", "html/2021/xcgz_0926/88.html", "phpcms", False),
    ("empirecms_demo", "xcgz/2021-09-10/45.html", "empirecms", False),
    ("jingxian", "a/xcgz/list_12_1.html", "dedecms", True),
    ("unknown_markup", "news/list.htm", "generic", True),
    ("unknown_markup", "news/show_71.htm", "generic", False),
])
def test_detection_and_page_kind(site, path, platform, is_list):
    response = fixture_response(site, path)
    detected = detect_platform(response)
    assert detected.name == platform
    assert detected.is_list_page(response) is is_list


@pytest.mark.parametrize(("text", "url", "expected"), [
    ('createPageHTML(3, 0, "index", "html");', "http://a/x/index.html", (3, 0, "index", "html")),
    ("createPageHTML('page_div', 17, 4, 'index', 'shtml', 250);", "http://a/x/index_4.shtml",
     (17, 4, "index", "shtml")),
    ("var currentPage = 2;\nvar countPage = 3\n", "http://a/x/index_2.htm", (3, 2, "index", "htm")),
    ("function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){}",
     "http://a/x/index.html", None),
])
def test_trs_pager_forms(text, url, expected):
    assert trs_pager(text, url) == expected


def test_trs_last_page_has_no_next():
    response = fixture_response("trs_demo", "xxgk/xcgz/index_2.html")
    platform = detect_platform(response)
    assert platform.next_page_requests(response, platform.list_page(response)) == []


def test_hanweb_column_asks_the_proxy_for_the_next_group():
    response = fixture_response("hanweb_demo", "col/col1234/index.html")
    platform = detect_platform(response)
    [request] = platform.next_page_requests(response, platform.list_page(response))
    assert request.method == "POST"
    assert request.url == ("http://hanweb_demo.example/module/web/jpage/dataproxy.jsp"
                           "?startrecord=4&endrecord=6&perpage=3")
    body = request.body.decode()
    assert "columnid=1234" in body and "unitid=5678" in body and "webid=1" in body
    assert request.headers["X-Requested-With"] == b"XMLHttpRequest"


def test_vsb_counts_down_and_stops():
    newest = fixture_response("vsb_demo", "xcgz.htm")
    platform = detect_platform(newest)
    [request] = platform.next_page_requests(newest, platform.list_page(newest))
    assert request.url == "http://vsb_demo.example/xcgz/1.htm"
    oldest = fixture_response("vsb_demo", "xcgz/1.htm")
    assert platform.next_page_requests(oldest, platform.list_page(oldest)) == []


def test_generic_fallback_follows_page_numbers():
    response = fixture_response("unknown_markup", "news/list.htm")
    platform = detect_platform(response)
    urls = [r.url for r in platform.next_page_requests(response, platform.list_page(response))]
    assert urls == ["http://unknown_markup.example/news/list_p2.htm"]


def test_hanweb_init_data_array_records():
    html = ("<html><body><div id='u1'></div><script>var InitData123=["
            "'<li><a href=\"/art/2020/5/6/art_9_10.html\" "
            "title=\"关于巡察整改情况的通报\">关于巡察…</a><span>2020-05-06</span></li>',"
            "'<li><a href=\"/art/2020/4/1/art_9_8.html\">巡察进驻公告</a>"
            "<span>2020-04-01</span></li>'"
            "];</script><script src='/module/jslib/jquery/jpage/jquery.page.min.js'></script>"
            "</body></html>")
    url = "http://hanweb.example/col/col9/index.html"
    response = HtmlResponse(url=url, body=html.encode(), encoding="utf-8", request=Request(url))
    platform = detect_platform(response)
    assert platform.name == "hanweb" and platform.is_list_page(response)
    assert [(e.url.rsplit("/", 1)[1], e.title, e.date)
            for e in platform.list_page(response).entries] == [
        ("art_9_10.html", "关于巡察整改情况的通报", "2020-05-06"),
        ("art_9_8.html", "巡察进驻公告", "2020-04-01"),
    ]


def test_registry_fixture_and_api_keys():
    sites = load_registry(FIXTURE_REGISTRY)
    assert sites["ajax_demo"].fixture and sites["ajax_demo"].api["page"] == "/detail.html?id={id}"
    assert all(site.api == {} for site_id, site in sites.items() if site_id != "ajax_demo")


def test_registry_refuses_a_non_boolean_fixture(tmp_path):
    path = tmp_path / "sites.toml"
    path.write_text('[[site]]\nid = "a"\nname = "A"\nbase_url = "http://a.invalid/"\n'
                    'platform = "trs"\nfixture = "yes"\n', encoding="utf-8")
    with pytest.raises(RegistryError, match="field 'fixture' must be true or false"):
        load_registry(path)
