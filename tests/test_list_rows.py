"""List rows by layout (tests/fixture_sites/lists/): every notice with its own list date, no
other link taken, undated rows kept, pinned rows not ending a `since` walk. Page objects first,
then real crawls of the same pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse

from crawler.pages.jsondata import JsonListPage
from crawler.pages.listing import scripted_next_page
from crawler.platforms import detect_platform, platform_named
from fixtures.pagecases import load_cases
from fixtures.server import FixtureServer
from pipelines.dates import to_iso_date
from tests.conftest import TEST_SITES, run_crawl

ROOT = TEST_SITES / "lists" / "root"
BASE = "http://lists.example/"
# Each list page's notices (info/N.html) in list order, with the date printed beside each.
LAYOUTS = {
    "td-br.html": [(1, "2022-06-15"), (2, "2022-05-30"), (3, "2022-04-08"), (4, "2021-12-21")],
    "div-br.html": [(5, "2022-09-01"), (6, "2022-08-19"), (7, "2022-07-05")],
    "date-first-br.html": [(8, "2022-03-01"), (9, "2022-02-14"), (10, "2021-11-30")],
    "table-cells.html": [(11, "2022-10-12"), (12, "2022-09-28"), (13, "2022-09-01"),
                         (14, "2022-08-16")],
    "li-span.html": [(1, "2022-11-02"), (2, "2022年10月14日"), (3, "2022/09/20")],
    "date-first.html": [(4, "2022-07-11"), (5, "2022-06-02"), (6, "2022-05-18")],
    # The day in one box over the year and month in another, before the title and a summary.
    "date-box.html": [(10, "2022-06-15"), (11, "2022-05-03"), (12, "2022-04-28")],
    # Each row one link holding a heading, a summary and the date.
    "row-links.html": [(13, "2022-08-30"), (14, "2022-08-02"), (15, "2022-07-19")],
    # One table per row inside the rows of an outer table (old ASP templates).
    "nested-tables.html": [(16, "2022-06-30"), (17, "2022-06-21"), (18, "2022-05-09")],
    # Search results of two kinds in one container: undated service rows (a title= holding
    # <em> highlights, buttons), dated news rows (a badge in the title link, a source link,
    # `发布时间：` after a summary; 15's summary names another date).
    "results.html": [(11, None), (12, None), (13, "2022-11-05"), (14, "2022-10-31"),
                     (15, "2022-09-03")],
    "several-links.html": [(7, "2022-04-21"), (8, "2022-03-09"), (9, "2022-01-26")],
    # 14 rows, 6 undated: 2, 4, 5, 8, 10 with an empty date cell, 12 with none.
    "column.html": [(1, "2022-12-30"), (2, None), (3, "2022-11-18"), (4, None), (5, None),
                    (6, "2022-08-08"), (7, "2022-07-27"), (8, None), (9, "2022-05-13"),
                    (10, None), (11, "2022-03-03"), (12, None), (13, "2021-12-24"),
                    (14, "2021-11-11")],
    "titles.html": [(15, None), (16, None), (17, None), (18, None), (19, None)],
    # Two notices to a row, each with its date, after a column tag.
    "two-per-row.html": [(1, "2022-06-15"), (2, "2022-06-02"), (3, "2022-05-20"),
                         (4, "2022-05-11"), (5, "2022-04-28"), (6, "2022-04-07")],
}


# Undated titles beside a dated sidebar list, on two pages; the last holds two rows.
TITLES_BESIDE_SIDEBAR = {"titles-sidebar.html": [6, 7, 8], "titles-sidebar_2.html": [9, 10]}


def response_of(path: Path, url: str) -> HtmlResponse:
    return HtmlResponse(url=url, body=path.read_bytes(), encoding="utf-8", request=Request(url))


def list_response(name: str) -> HtmlResponse:
    return response_of(ROOT / name, BASE + name)


def notice_title(number: int) -> str:
    html = (ROOT / "info" / f"{number}.html").read_text(encoding="utf-8")
    return re.search(r"<h1>(.*?)</h1>", html).group(1)


def read(name: str):
    response = list_response(name)
    platform = detect_platform(response)
    return platform, response, platform.list_page(response)


# --- page objects -------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "expected"), LAYOUTS.items(), ids=list(LAYOUTS))
def test_each_row_gives_its_notice_and_its_own_date(name, expected):
    _, _, page = read(name)
    assert [(e.url, e.date) for e in page.entries] == [
        (f"{BASE}info/{n}.html", date) for n, date in expected]


@pytest.mark.parametrize(("name", "numbers"), TITLES_BESIDE_SIDEBAR.items())
def test_the_list_beside_the_pager_wins_over_a_dated_sidebar(name, numbers):
    _, _, page = read(name)
    assert [(e.url, e.date) for e in page.entries] == [(f"{BASE}info/{n}.html", None)
                                                       for n in numbers]


@pytest.mark.parametrize("name", ["table-cells.html", "several-links.html", "column.html",
                                  "row-links.html", "results.html", "two-per-row.html"])
def test_titles_are_whole(name):
    """`title=` holds what the list text cuts with `…`; the row's other links are no title; a
    row-wide link's title is its heading, without the summary and the date; a badge before the
    title and markup in `title=` are no part of it."""
    _, _, page = read(name)
    assert [e.title for e in page.entries] == [notice_title(n) for n, _ in LAYOUTS[name]]


@pytest.mark.parametrize("name", LAYOUTS)
def test_list_pages_are_lists(name):
    platform, response, _ = read(name)
    assert platform.is_list_page(response)


@pytest.mark.parametrize("number", [1, 15, 20])
def test_notice_pages_are_no_lists(number):
    response = response_of(ROOT / "info" / f"{number}.html", f"{BASE}info/{number}.html")
    assert not detect_platform(response).is_list_page(response)


def test_a_row_without_a_readable_link_is_reported():
    _, _, page = read("column.html")
    assert [(row.reason, row.url, row.text) for row in page.skipped] == [
        ("no_title_link", None, "该信息已撤回")]


def test_a_dated_sidebar_list_is_not_the_page_list():
    _, _, page = read("table-cells.html")
    assert [(row.reason, row.url) for row in page.skipped] == [
        ("outside_list", f"{BASE}info/19.html"), ("outside_list", f"{BASE}info/20.html")]


def test_pinned_rows_are_marked():
    _, _, page = read("pinned.html")
    assert [(e.url.rsplit("/", 1)[1], e.date, e.pinned) for e in page.entries] == [
        ("15.html", "2019-06-01", True),  # `[置顶]` in its text, `class="top"`
        ("16.html", "2023-05-10", True),  # a `top.gif` icon
        ("17.html", "2023-04-02", False), ("18.html", "2023-03-15", False)]
    assert page.entries[0].title == notice_title(15)


# --- crawls -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lists_server():
    with FixtureServer(["lists"], sites_dir=TEST_SITES) as server:
        yield server


@pytest.mark.parametrize(("name", "expected"), LAYOUTS.items(), ids=list(LAYOUTS))
def test_crawl_from_a_list_yields_every_notice_with_its_date(lists_server, tmp_path, name,
                                                             expected):
    base = lists_server.base_urls["lists"]
    result = run_crawl(tmp_path, "notices", f"start_url={base}{name}")
    assert result.returncode == 0
    assert " ERROR: " not in result.log
    records = {r["url"]: (r["published_at"], r["title"]) for r in result.records}
    assert records == {f"{base}info/{n}.html": (to_iso_date(date), notice_title(n))
                       for n, date in expected}


def test_crawl_walks_an_undated_list_to_its_last_page(lists_server, tmp_path):
    base = lists_server.base_urls["lists"]
    before = lists_server.request_count("lists", "/info/19.html")
    result = run_crawl(tmp_path, "notices", f"start_url={base}titles-sidebar.html")
    assert " ERROR: " not in result.log
    assert sorted(r["url"] for r in result.records) == sorted(
        f"{base}info/{n}.html" for numbers in TITLES_BESIDE_SIDEBAR.values() for n in numbers)
    assert lists_server.request_count("lists", "/info/19.html") == before


def test_crawl_takes_no_other_link(lists_server, tmp_path):
    """Sidebar notices, column tags, PDFs and buttons beside the titles are not fetched."""
    base = lists_server.base_urls["lists"]
    paths = ("/info/19.html", "/info/20.html", "/news/", "/dflz/", "/files/", "/ywsb/")
    before = {path: lists_server.request_count("lists", path) for path in paths}
    for name in ("table-cells.html", "several-links.html", "results.html", "two-per-row.html"):
        run_crawl(tmp_path, "notices", f"start_url={base}{name}")
    assert {path: lists_server.request_count("lists", path) for path in paths} == before


def test_crawl_logs_and_counts_a_skipped_row(lists_server, tmp_path):
    base = lists_server.base_urls["lists"]
    result = run_crawl(tmp_path, "notices", f"start_url={base}column.html")
    assert result.stat("notices/list_row_skipped_count/no_title_link") == 1
    assert f"list page {base}column.html: 1 row(s) not followed: no_title_link (1): 该信息已撤回" \
        in result.log


def test_pinned_old_entry_does_not_end_a_since_walk(lists_server, tmp_path):
    """Pages 1 and 2 hold notices since 2023-01-01 under two pinned rows (one from 2019, one
    newer); page 3's unpinned rows are all older, so page 4 is never asked for."""
    base = lists_server.base_urls["lists"]
    paths = ("/pinned_3.html", "/pinned_4.html", "/info/15.html")
    before = {path: lists_server.request_count("lists", path) for path in paths}
    result = run_crawl(tmp_path, "notices", f"start_url={base}pinned.html", "since=2023-01-01")
    asked = {path: lists_server.request_count("lists", path) - before[path] for path in paths}
    assert sorted(int(r["url"].rsplit("/", 1)[1].split(".")[0]) for r in result.records) == [
        16, 17, 18, 19, 20]
    assert asked == {"/pinned_3.html": 1, "/pinned_4.html": 0, "/info/15.html": 0}
    # 15 on pages 1-3, 1 on page 2, 2 and 3 on page 3.
    assert result.stat("notices/list_row_skipped_count/older") == 6


@pytest.mark.parametrize(("link", "is_next"), [
    ('<a href="list_2.html">下一页</a>', True),
    ('<a href="list_2.html">[下一页]</a>', True),
    ('<a href="list_2.html">下一页&gt;&gt;</a>', True),
    ('<a href="list_2.html"> 下页 » </a>', True),
    ('<a href="list_2.html">&gt;</a>', True),
    ('<a href="list_2.html" title="下一页"><img src="next.gif"></a>', True),
    ('<a href="list_9.html">尾页</a>', False),
    ('<a href="show_2.html">下一篇</a>', False),
    ('<a href="list_2.html" title="下一页">关于巡察整改情况的通报</a>', False),
])
def test_next_page_link_forms(link, is_next):
    html = f'<html><body><div class="pages"><a href="list.html">首页</a> {link}</div></body></html>'
    response = HtmlResponse(url=BASE + "list.html", body=html.encode(), encoding="utf-8")
    expected = BASE + link.split('"')[1] if is_next else None
    assert detect_platform(response).list_page(response).next_page_url == expected


def test_a_json_record_without_a_title_is_reported():
    body = '{"data": {"list": [{"id": 7, "title": "关于巡察整改情况的通报"}, {"id": 8}]}}'
    response = TextResponse(url=BASE + "api/list", body=body.encode(), encoding="utf-8")
    page = JsonListPage(response, BASE + "list.html", "detail.html?id={id}")
    assert [e.url for e in page.entries] == [BASE + "detail.html?id=7"]
    assert [(row.reason, row.text) for row in page.skipped] == [("no_title_link", '{"id": 8}')]


PAGER_SCRIPT = """$(".pagination").pagination({totalPage: 54, callBack: function (currPage) {
    var i=currPage; if(i==1) location.href='index.html'; else location.href='index_'+i+'.html';
}});"""


@pytest.mark.parametrize(("url", "script", "expected"), [
    (BASE + "yqtb/index.html", PAGER_SCRIPT, BASE + "yqtb/index_2.html"),
    (BASE + "yqtb/index_2.html", PAGER_SCRIPT, BASE + "yqtb/index_3.html"),
    (BASE + "yqtb/index_54.html", PAGER_SCRIPT, None),
    # Page i at `list_{i-1}.htm`: list_1.htm is page 2.
    (BASE + "list_1.htm", 'function go(p){ window.location.href = "list_" + (p - 1) + ".htm"; }',
     BASE + "list_2.htm"),
    (BASE + "list.htm", "var total = 3;", None),
])
def test_scripted_pager(url, script, expected):
    assert scripted_next_page(url, script) == expected


@pytest.mark.parametrize("kind", ["detail", "list"])
def test_real_pages_are_read_as_their_kind(kind):
    """Every saved real notice page is no list page, every real list page is one."""
    wrong = []
    for case in load_cases(kind):
        response = case.response()
        platform = platform_named(case.platform) or detect_platform(response)
        if platform.is_list_page(response) != (kind == "list"):
            wrong.append(case.name)
    assert wrong == []
