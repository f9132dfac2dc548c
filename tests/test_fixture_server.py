"""The fixture server imitates platform behaviour over real HTTP on loopback."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest


def fetch(url: str, data: bytes | None = None):
    try:
        with urllib.request.urlopen(url, data=data, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture()
def base(behaviours_server):
    return behaviours_server.base_urls["behaviours"]


def test_gbk_body_without_charset_header(base):
    status, headers, body = fetch(base + "gbk-no-charset.html")
    assert status == 200
    assert headers["Content-Type"] == "text/html"
    assert "喆 镕".encode("gb18030") in body
    assert b'charset=gb2312' in body


def test_declared_charset_header(base):
    _, headers, body = fetch(base + "gbk-declared.html")
    assert headers["Content-Type"] == "text/html; charset=gbk"
    assert body.decode("gbk").count("泾县纪委") == 1


def test_one_time_503(behaviours_server, base):
    first = fetch(base + "flaky.html?probe=server-test")
    second = fetch(base + "flaky.html?probe=server-test")
    assert (first[0], second[0]) == (503, 200)


def test_counter_displays_only_with_view_yes(base):
    assert fetch(base + "count.php?id=1&view=yes")[2] == b"document.write('4767');"
    assert fetch(base + "count.php?id=1")[2] == b""


def test_counter_among_other_calls(base):
    body = fetch(base + "api.php?op=count&id=2")[2].decode()
    assert "$('#hits').html('1206');" in body and body.startswith("$('#todaydowns')")


def test_gov_404_page(base):
    status, _, body = fetch(base + "gone.html")
    assert status == 404
    assert "页面不存在" in body.decode()
    assert fetch(base + "no/such/page.html")[0] == 404


def test_412_challenge(base):
    status, headers, body = fetch(base + "challenge.html")
    assert status == 412
    assert "$_ts" in body.decode() and "r='m'" in body.decode()
    assert headers["Set-Cookie"].split("=")[0].endswith("S")


def test_post_endpoint_picks_file_from_form(base):
    status, _, body = fetch(base + "dataproxy.jsp?startrecord=1", data=b"page=2&col=1")
    assert status == 200 and "第二页记录" in body.decode()
    assert fetch(base + "dataproxy.jsp", data=b"col=1")[0] == 400
    assert fetch(base + "dataproxy.jsp")[0] == 404  # GET is not routed: a plain missing file


def test_requests_are_recorded(behaviours_server, base):
    before = behaviours_server.request_count("behaviours", "/count.php")
    fetch(base + "count.php?id=2&view=yes")
    assert behaviours_server.request_count("behaviours", "/count.php") == before + 1
