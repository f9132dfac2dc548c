"""An article of several pages (TRS `t…_ID_N.html`, a pager's `下一页`) is one record: every
page fetched once, every page's text in order, a lost page logged and counted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request

from crawler.platforms import platform_named
from crawler.platforms.trs import trs_pager
from tests.conftest import fixture_settings, run_crawl

SITES = Path(__file__).resolve().parents[1] / "fixtures" / "sites"
TRS_FOLDER = "xxgk/xcgz/202301/"
TRS_PAGES = ["t20230110_6001.html", "t20230110_6001_1.html", "t20230110_6001_2.html"]
PAGER_FOLDER = "news/2023/"
PAGER_PAGES = ["88.html", "88-p2.html", "88-p3.html"]
LOST_PAGE = "xxgk/xcgz/202302/t20230215_6002_1.html"


def page_paragraphs(site: str, path: str, container: str) -> list[str]:
    """The <p> texts inside the page file's text container (read from the file itself)."""
    html = (SITES / site / "root" / path).read_text(encoding="utf-8")
    block = re.search(rf'<div class="{container}">(.*?)</div>', html, re.S).group(1)
    return re.findall(r"<p>(.*?)</p>", block)


def trs_text(*names: str, folder: str = TRS_FOLDER) -> str:
    return "\n".join(p for name in names
                     for p in page_paragraphs("trs_pages", folder + name, "TRS_Editor"))


def pager_text(*names: str) -> str:
    return "\n".join(p for name in names
                     for p in page_paragraphs("pager_demo", PAGER_FOLDER + name, "news-text"))


@pytest.fixture(scope="module")
def multipage_crawl(fixture_server, tmp_path_factory):
    paths = [("trs_pages", f"/{TRS_FOLDER}{name}") for name in TRS_PAGES] + [
        ("pager_demo", f"/{PAGER_FOLDER}{name}") for name in PAGER_PAGES] + [
        ("trs_pages", f"/{LOST_PAGE}")]
    before = {path: fixture_server.request_count(*path) for path in paths}
    result = run_crawl(tmp_path_factory.mktemp("multipage"), "notices",
                       "sites=trs_pages,pager_demo", settings=fixture_settings(fixture_server))
    result.fetches = {path[1]: fixture_server.request_count(*path) - before[path]
                      for path in paths}
    return result


def record_ending(result, tail: str) -> dict:
    [record] = [r for r in result.records if r["url"].endswith(tail)]
    return record


def test_trs_article_of_three_pages_is_one_record(multipage_crawl):
    assert multipage_crawl.returncode == 0
    record = record_ending(multipage_crawl, TRS_PAGES[0])
    assert record["body_text"] == trs_text(*TRS_PAGES)
    assert not [r for r in multipage_crawl.records if re.search(r"_\d\.html$", r["url"])]
    assert record["published_at"].startswith("2023-01-10")
    assert [multipage_crawl.fetches[f"/{TRS_FOLDER}{name}"] for name in TRS_PAGES] == [1, 1, 1]


def test_pager_next_page_links_join_into_one_record(multipage_crawl):
    record = record_ending(multipage_crawl, PAGER_PAGES[0])
    assert record["body_text"] == pager_text(*PAGER_PAGES)
    assert record["hit_count"] == 731 and record["published_at"] == "2023-04-12"
    assert [multipage_crawl.fetches[f"/{PAGER_FOLDER}{name}"] for name in PAGER_PAGES] == [
        1, 1, 1]
    assert record_ending(multipage_crawl, "87.html")["body_text"] == pager_text("87.html")


def test_lost_page_is_logged_and_counted_and_the_first_page_kept(multipage_crawl):
    assert multipage_crawl.fetches[f"/{LOST_PAGE}"] == 1
    assert multipage_crawl.stat("notices/article_page_failed_count") == 1
    [line] = [line for line in multipage_crawl.log.splitlines() if "article page lost" in line]
    assert LOST_PAGE in line and "HTTP 404" in line
    record = record_ending(multipage_crawl, "t20230215_6002.html")
    assert record["body_text"] == trs_text("t20230215_6002.html",
                                           folder="xxgk/xcgz/202302/")
    assert multipage_crawl.stat("notices/article_page_count") == 4
    assert multipage_crawl.stat("notices/notice_page_count") == len(multipage_crawl.records) == 5


def test_start_url_on_a_multipage_article(fixture_server, tmp_path):
    start = f"{fixture_server.base_urls['trs_pages']}{TRS_FOLDER}{TRS_PAGES[0]}"
    result = run_crawl(tmp_path, "notices", f"start_url={start}")
    [record] = result.records
    assert record["body_text"] == trs_text(*TRS_PAGES)


def test_page_cap_stops_the_article_with_a_log_line(fixture_server, tmp_path):
    before = fixture_server.request_count("pager_demo", f"/{PAGER_FOLDER}{PAGER_PAGES[2]}")
    start = f"{fixture_server.base_urls['pager_demo']}{PAGER_FOLDER}{PAGER_PAGES[0]}"
    result = run_crawl(tmp_path, "notices", f"start_url={start}",
                       settings={"NOTICES_MAX_ARTICLE_PAGES": "2"})
    [record] = result.records
    assert record["body_text"] == pager_text(*PAGER_PAGES[:2])
    assert result.stat("notices/article_page_limit_count") == 1
    assert "stopped at the page limit (2 pages)" in result.log
    assert fixture_server.request_count("pager_demo", f"/{PAGER_FOLDER}{PAGER_PAGES[2]}") == before


def page(url: str, body: str) -> HtmlResponse:
    html = f"<html><body><div class='text'><p>正文</p></div>{body}</body></html>"
    return HtmlResponse(url, body=html.encode("utf-8"), encoding="utf-8", request=Request(url))


FIRST = "http://www.example.gov.cn/a/xcgz/2023/0101/99.html"


@pytest.mark.parametrize(("url", "links", "expected"), [
    # DedeCMS numbers further pages from 2: 99.html, 99_2.html, 99_3.html
    (FIRST, '<a href="99_2.html">2</a>', "http://www.example.gov.cn/a/xcgz/2023/0101/99_2.html"),
    ("http://www.example.gov.cn/a/xcgz/2023/0101/99_2.html",
     '<a href="99.html">1</a> <a href="99_3.html">3</a>',
     "http://www.example.gov.cn/a/xcgz/2023/0101/99_3.html"),
    # a pager's 下一页 within the article's folder; 下一篇 (the next article) is no page of
    # this one, nor is a 下一页 outside a page-number pager
    (FIRST, '<div><b>1</b> <a href="99-2.html">2</a> <a href="99-2.html">[下一页]</a></div>',
     "http://www.example.gov.cn/a/xcgz/2023/0101/99-2.html"),
    (FIRST, '<div><a href="99-2.html">2</a> <span><a href="99-2.html">下一页</a></span></div>',
     "http://www.example.gov.cn/a/xcgz/2023/0101/99-2.html"),
    (FIRST, '<a href="100.html">下一篇</a>', None),
    (FIRST, '<div class="near"><a href="100.html">下一页</a></div>', None),
    (FIRST, '<div><a href="../../list_12_2.html">2</a> <a href="../../list_12_2.html">下一页</a>'
     "</div>", None),
    (FIRST, '<div><a href="http://other.example.gov.cn/a/xcgz/2023/0101/99-2.html">2</a> '
     '<a href="http://other.example.gov.cn/a/xcgz/2023/0101/99-2.html">下一页</a></div>', None),
    # a sibling article's URL with a following number is not taken for a page of this one
    (FIRST, '<a href="100.html">关于……的通报</a>', None),
])
def test_next_article_page_from_links(url, links, expected):
    assert platform_named("generic").next_article_page(page(url, links), FIRST) == expected


@pytest.mark.parametrize(("script", "url", "expected"), [
    ('createPageHTML(3, 1, "t20230110_6001", "html");',
     "http://a/x/202301/t20230110_6001_1.html", (3, 1, "t20230110_6001", "html")),
    ("var currentPage = 0;\nvar countPage = 2\n", "http://a/x/202301/t20230110_6001.html",
     (2, 0, "t20230110_6001", "html")),
    ("var currentPage = 1;\nvar countPage = 2\n", "http://a/x/202301/t20230110_6001_1.html",
     (2, 1, "t20230110_6001", "html")),
])
def test_trs_article_pager_forms(script, url, expected):
    assert trs_pager(script, url, article=True) == expected


def test_trs_article_pager_of_another_page_is_not_followed():
    """A list pager drawn beside the article (`index`) counts no page of the article."""
    url = "http://a/x/202301/t20230110_6001.html"
    response = page(url, '<script>createPageHTML(5, 0, "index", "html");</script>')
    assert platform_named("trs").next_article_page(response, url) is None
    last = page("http://a/x/202301/t20230110_6001_2.html",
                '<script>createPageHTML(3, 2, "t20230110_6001", "html");</script>')
    assert platform_named("trs").next_article_page(last, url) is None
