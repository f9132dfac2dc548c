"""Counter requests are found on the page and their answers read in every form."""

import json

import pytest

from crawler.hits import parse_counter_answer
from crawler.platforms import counter_script
from crawler.platforms import known_counter_url as counter_url
from tests.conftest import fixture_settings, run_crawl

PAGE = "http://site.example/a/xcgz/2022/0225/1234.html"


def test_dedecms_counter_is_asked_to_display():
    assert counter_url(["/plus/count.php?aid=1234&mid=1"], "", PAGE) == \
        "http://site.example/plus/count.php?aid=1234&mid=1&view=yes"


def test_vsb_dynclicks_call_becomes_a_request():
    html = '<script>_showDynClicks("wbnews", 1412614994, 1081)</script>'
    assert counter_url([], html, "http://site.example/info/1021/1081.htm") == (
        "http://site.example/system/resource/code/news/click/dynclicks.jsp"
        "?clickid=1081&owner=1412614994&clicktype=wbnews")


def test_unrelated_scripts_are_not_counters():
    assert counter_url(["/js/jquery.min.js", "/js/share.js"], "", PAGE) is None


@pytest.mark.parametrize(("answer", "count"), [
    ("document.write('28146');", 28146),
    ('document.write("17")', 17),
    ("$('#todaydowns').html('3');$('#weekdowns').html('12');$('#hits').html('1206');", 1206),
    ("2168", 2168),
    ("\ufeff 2168\r\n", 2168),
    ('{"code": 0, "data": {"hits": 55}}', 55),
    ("", None),
    ("<html>error</html>", None),
])
def test_counter_answers(answer, count):
    assert parse_counter_answer(answer) == count


def test_empirecms_counter_is_read_without_counting():
    """ViewClick adds one only when asked to (`addclick=1`) and prints the same count either
    way: the crawler reads it without adding to it."""
    url = counter_url(["/e/public/ViewClick/?classid=3&id=45&addclick=1"], "", PAGE)
    assert url == "http://site.example/e/public/ViewClick/?classid=3&id=45"
    assert counter_script(url).counts_reads is False


@pytest.mark.parametrize(("src", "platform", "counts"), [
    ("/plus/count.php?aid=1&mid=1", "dedecms", True),
    ("/api.php?op=count&id=7&modelid=1", "phpcms", True),
    ("/e/public/ViewClick/?classid=3&id=45", "empirecms", False),
    ("/module/visitcount/articlehits.jsp?colid=1&artid=2", "hanweb", None),
    ("/system/resource/code/news/click/dynclicks.jsp?clickid=1", "vsb", None),
])
def test_each_platforms_counter_says_whether_reading_counts(src, platform, counts):
    script = counter_script("http://site.example" + src)
    assert (script.platform, script.counts_reads) == (platform, counts)


def test_crawl_report_counts_the_counter_reads(fixture_server, tmp_path):
    """DedeCMS (jingxian) counts every read, 帝国CMS (empirecms_demo) none of the crawler's."""
    first = len(fixture_server.arrivals)
    result = run_crawl(tmp_path, "notices", "sites=jingxian,empirecms_demo",
                       settings=fixture_settings(fixture_server))
    assert result.returncode == 0, result.log[-3000:]
    arrivals = fixture_server.arrivals[first:]
    dede = [p for _, site, p in arrivals if site == "jingxian" and "/plus/count.php" in p]
    empire = [p for _, site, p in arrivals
              if site == "empirecms_demo" and "/e/public/ViewClick/" in p]
    assert dede and empire
    assert not any("addclick" in path for path in empire)
    [feed] = tmp_path.glob("*.jsonl")
    report = json.loads(feed.with_name(feed.name.replace(".jsonl", ".report.json")).read_text())
    assert report["sites"]["jingxian"]["counter_reads"] == {
        "total": len(dede), "counted": len(dede), "uncounted": 0, "unknown": 0}
    assert report["sites"]["empirecms_demo"]["counter_reads"] == {
        "total": len(empire), "counted": 0, "uncounted": len(empire), "unknown": 0}
    assert f"{len(dede)} ({len(dede)} counted)" in result.log
