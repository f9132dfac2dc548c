"""Hostile servers: crawl traps, bad redirects, stalls, huge bodies, lying charsets and media
types, soft 404s. The crawl finishes, the good notices come out intact, and every fault is one
ERROR naming its URL and reason, counted in the stats."""

from __future__ import annotations

import re

import pytest
from scrapy.http import HtmlResponse, Request, Response

from crawler.middlewares.charset import CharsetMiddleware, UnreadableBody, choose_charset
from crawler.middlewares.redirects import RedirectGuardMiddleware, RedirectRefused
from crawler.middlewares.soft404 import soft404_reason
from crawler.pages.urls import same_site
from tests.conftest import TEST_SITES, run_crawl

ROOT = TEST_SITES / "hostile" / "root"
# Short limits keep the stalls short; size limits are the project's own.
HOSTILE = {"DOWNLOAD_TIMEOUT": "2", "RETRY_TIMES": "1", "CONCURRENT_REQUESTS_PER_DOMAIN": "8"}
# URL path -> file of the notice it must yield.
GOOD = {
    "good-1.html": "good-1.html",
    "good-2.html": "good-2.html",
    "good-3.html": "good-3.html",  # reached through a same-site 301 from old-3.html
    "charset/gbk-header-utf8.html": "notice-gbk-meta.html",
    "charset/utf8-meta-gb2312.html": "notice-utf8-meta-gb2312.html",
    "charset/gbk-undeclared.html": "notice-gbk-nometa.html",
    "content/8": "notice-octet.html",
}
# URL path (as linked) -> what its ERROR line says.
FAULTS = {
    "charset/mixed.html": "unreadable page: the body mixes UTF-8 with another encoding",
    "binary-pdf.html": "unreadable page: the body is a PDF document, not a page",
    "binary-noise.html": "unreadable page: the body is binary data (NUL bytes), not a page",
    "2024/0301/9001.html": "soft 404: the page title says '404 页面'",
    "moved.html": "redirect to another host:",
    "loop-b.html": "redirect loop:",
    "hop.html?n=5": "max redirections reached",
    "slow.html": "took longer than 2.0 seconds",
    "silent.html": "took longer than 2.0 seconds",
    "big.html": "Expected to receive 62914560 bytes which is larger than download max size",
    "big-stream.html": "DownloadCancelledError",
    "bomb.html": "exceeded DOWNLOAD_MAXSIZE (16777216 B) during decompression",
}


def source_page(name: str) -> tuple[str, list[str]]:
    """(title, body paragraphs) of a notice file of the hostile site."""
    text = (ROOT / name).read_text(encoding="utf-8").replace("<!--switch-->", "")
    title = re.search(r"<h1>(.*?)</h1>", text).group(1)
    return title, re.findall(r"<p>(.*?)</p>", text)


@pytest.fixture(scope="module")
def hostile_crawl(hostile_server, tmp_path_factory):
    start = hostile_server.base_urls["hostile"] + "list.html"
    return run_crawl(tmp_path_factory.mktemp("hostile"), "notices", f"start_url={start}",
                     settings=HOSTILE)


def test_crawl_finishes(hostile_crawl):
    assert hostile_crawl.returncode == 0
    assert "'finish_reason': 'finished'" in hostile_crawl.log
    assert "Traceback" not in hostile_crawl.log


def test_good_notices_come_out_intact(hostile_crawl, hostile_server):
    base = hostile_server.base_urls["hostile"]
    by_url = {r["url"]: r for r in hostile_crawl.records}
    assert sorted(by_url) == sorted(base + path for path in GOOD)
    for path, name in GOOD.items():
        title, paragraphs = source_page(name)
        record = by_url[base + path]
        assert record["title"] == title, path
        assert record["body_text"].split("\n") == paragraphs, path
        assert record["source"] == "某县纪委监委", path


def test_wrong_charsets_read_right_never_mojibake(hostile_crawl):
    text = "\n".join(f"{r['title']}\n{r['body_text']}" for r in hostile_crawl.records)
    assert "\ufffd" not in text
    assert "吴喆" in text and "李镕" in text  # GBK-only characters, read as GB18030
    assert hostile_crawl.stat("notices/charset_fixed_count") == 4


@pytest.mark.parametrize("path", sorted(FAULTS))
def test_each_fault_is_an_error_naming_url_and_reason(hostile_crawl, hostile_server, path):
    url = hostile_server.base_urls["hostile"] + path
    lines = [line for line in hostile_crawl.log.splitlines()
             if " ERROR: " in line and f"request failed: {url} (" in line]
    assert len(lines) == 1, lines
    assert FAULTS[path] in lines[0]


def test_faults_are_counted(hostile_crawl):
    assert hostile_crawl.stat("notices/request_failed_count") == len(FAULTS)
    assert hostile_crawl.stat("notices/unreadable_count/charset") == 3
    assert hostile_crawl.stat("notices/soft404_count") == 1
    assert hostile_crawl.stat("notices/redirect_refused_count/loop") == 1
    assert hostile_crawl.stat("notices/redirect_refused_count/offsite") == 1
    assert hostile_crawl.stat("notices/page_error_count") == 0


def test_request_loops_are_bounded(hostile_crawl, hostile_server):
    count = hostile_server.request_count
    assert count("hostile", "/loop-a.html") == 1 and count("hostile", "/loop-b.html") == 1
    assert count("hostile", "/hop.html") == 6  # the first request and REDIRECT_MAX_TIMES hops
    assert count("hostile", "/slow.html") == 2 and count("hostile", "/silent.html") == 2
    assert "127.0.0.2:9/elsewhere.html (HTTP" not in hostile_crawl.log  # never requested


def test_size_limits_hold(hostile_crawl):
    assert "Received " in hostile_crawl.log and "larger than download max size" in hostile_crawl.log
    assert hostile_crawl.stat("httpcompression/response_count") == 0  # the bomb never expanded


def _traversal(server, tmp_path, start: str, prefix: str, *args: str,
               settings: dict | None = None):
    """A crawl from `start` and how many requests it made for paths under `prefix`."""
    base = server.base_urls["hostile"]
    before = server.request_count("hostile", prefix)
    result = run_crawl(tmp_path, "notices", f"start_url={base}{start}", *args, settings=settings)
    return result, server.request_count("hostile", prefix) - before


def test_endless_pagination_stops_at_max_pages(hostile_server, tmp_path):
    result, requests = _traversal(hostile_server, tmp_path, "endless/index.html", "/endless/",
                                     "max_pages=5")
    assert requests == 5
    assert result.stat("notices/list_page_count") == 5
    assert result.stat("notices/page_limit_count") == 1
    assert "list traversal stopped at the page limit (5 pages) at http://" in result.log
    assert sorted(r["url"].rsplit("/", 1)[1] for r in result.records) == ["good-1.html",
                                                                         "good-2.html"]


def test_page_limit_setting_applies_without_argument(hostile_server, tmp_path):
    result, requests = _traversal(hostile_server, tmp_path, "endless/index.html", "/endless/",
                                  settings={"NOTICES_MAX_PAGES": "3"})
    assert requests == 3 and result.stat("notices/page_limit_count") == 1


def test_calendar_trap_stops_at_max_pages(hostile_server, tmp_path):
    result, requests = _traversal(hostile_server, tmp_path, "calendar.html?month=2024-01",
                                  "/calendar.html", "max_pages=4")
    assert requests == 4
    assert "list traversal stopped at the page limit (4 pages)" in result.log
    assert len(result.records) == 2


def test_next_link_back_to_page_one_ends_the_walk(hostile_server, tmp_path):
    result, requests = _traversal(hostile_server, tmp_path, "cycle/index.html", "/cycle/")
    assert requests == 2
    assert result.stat("notices/list_page_count") == 2
    assert " ERROR: " not in result.log and len(result.records) == 2


# --- the components alone -------------------------------------------------------------------
GBK_PAGE = '<html><head><meta charset="gb2312"></head><body>巡察整改 吴喆</body></html>'


@pytest.mark.parametrize(("body", "header", "meta", "expected"), [
    (GBK_PAGE.encode("gb18030"), "utf-8", "gb2312", "gb18030"),
    (GBK_PAGE.encode("utf-8"), "gbk", "gb2312", "utf-8"),
    (GBK_PAGE.encode("gb18030"), None, None, "gb18030"),
    (b"\xef\xbb\xbf" + GBK_PAGE.encode("utf-8"), "gbk", None, "utf-8"),
    (b"<html>plain ASCII</html>", "latin-1", None, "utf-8"),
])
def test_choose_charset_reads_the_body(body, header, meta, expected):
    charset, _ = choose_charset(body, header, meta)
    assert charset == expected
    assert "巡察" in body.decode(charset) or b"ASCII" in body


@pytest.mark.parametrize(("body", "reason"), [
    ("巡察整改情况通报".encode() + "巡察整改情况通报".encode("gbk"), "mixes UTF-8"),
    (b"%PDF-1.7\n...", "PDF document"),
    (b"PK\x03\x04rest", "ZIP archive"),
    (b"<html>\x00\x01\x02</html>", "NUL bytes"),
    (b"<html>\x81\x20\xff\xfe\x80</html>", "no charset decodes the body"),
])
def test_choose_charset_refuses_unreadable_bodies(body, reason):
    charset, why = choose_charset(body, "utf-8", "gb2312")
    assert charset is None and reason in why


class _Stats(dict):
    def inc_value(self, key, count=1):
        self[key] = self.get(key, 0) + count


def test_charset_middleware_replaces_the_response_or_drops_it():
    middleware, request = CharsetMiddleware(_Stats()), Request("http://example.gov.cn/a")
    response = Response("http://example.gov.cn/a", body=GBK_PAGE.encode("gb18030"),
                        headers={"Content-Type": "application/octet-stream"})
    fixed = middleware.process_response(request, response)
    assert isinstance(fixed, HtmlResponse) and "吴喆" in fixed.text
    binary = HtmlResponse("http://example.gov.cn/b", body=b"%PDF-1.4 \x00\x01")
    with pytest.raises(UnreadableBody, match="PDF"):
        middleware.process_response(request, binary)
    assert middleware.stats == {"notices/charset_fixed_count": 1,
                                "notices/unreadable_count/charset": 1}


@pytest.mark.parametrize("page", [
    "<html><head><title>404</title></head><body>Not Found</body></html>",
    "<html><body><h3>抱歉，您访问的页面不存在！</h3><a href='/'>返回首页</a></body></html>",
    "<html><body><p>信息已删除</p></body></html>",
    "<html><head><script>location.href='/index.html'</script></head><body>跳转中</body></html>",
])
def test_soft404_pages_are_recognised(page):
    assert soft404_reason(page, "http://example.gov.cn/art/2024/1/1/art_1_2.html")


@pytest.mark.parametrize("page", [
    "<html><head><title>关于巡察整改情况的通报</title></head><body><p>"
    + "县委巡察组反馈的问题已整改完毕，页面不存在的链接已修复。" * 20 + "</p></body></html>",
    "<html><body><p>第404号通报：县委第一巡察组巡察反馈意见整改情况。</p></body></html>",
    "<html><head><title>第404号关于巡察整改情况的通报</title></head><body><p>正文。</p></body></html>",
    "<html><head><script>location.href='/other/x.html'</script></head><body>跳转</body></html>",
])
def test_notices_are_not_soft404(page):
    assert soft404_reason(page, "http://example.gov.cn/a.html") is None


def test_redirect_guard():
    assert same_site("http://example.gov.cn/a", "https://www.example.gov.cn/b")
    assert not same_site("http://example.gov.cn/a", "http://other.gov.cn/a")
    assert not same_site("http://127.0.0.1:8001/", "http://127.0.0.1:8002/")
    guard = RedirectGuardMiddleware(_Stats())
    request = Request("http://example.gov.cn/b", meta={"redirect_urls": ["http://example.gov.cn/a"]})
    back = Response(request.url, status=302, headers={"Location": "/a"})
    with pytest.raises(RedirectRefused, match="redirect loop: .*/a -> .*/b -> .*/a"):
        guard.process_response(request, back)
    away = Response(request.url, status=301, headers={"Location": "http://other.gov.cn/"})
    with pytest.raises(RedirectRefused, match="another host"):
        guard.process_response(request, away)
    onward = Response(request.url, status=302, headers={"Location": "/c"})
    assert guard.process_response(request, onward) is onward
    moved = Request("http://other.gov.cn/x", meta={"redirect_urls": ["http://example.gov.cn/a"]})
    with pytest.raises(RedirectRefused, match="another host"):
        guard.process_request(moved)
