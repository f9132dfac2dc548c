"""Counter requests are found on the page and their answers read in every form."""

import pytest

from crawler.hits import counter_url, parse_counter_answer

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
