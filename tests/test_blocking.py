"""Blocked and broken sites: one ERROR line and a counter each, no retry loop, others finish."""

from __future__ import annotations

import re

import pytest

from tests.conftest import run_crawl
from tests.sitegen import serve_sites, write_registry


def list_route(handler: str) -> str:
    return f'[[routes]]\npath = "/list/index.html"\nhandler = "{handler}"\n'


SITES = {
    "open": {},
    "rs": {"site_toml": list_route("challenge")},
    "jsl": {"site_toml": list_route("jsl_challenge")},
    "waf": {"site_toml": list_route("waf360")},
    "blank": {"site_toml": list_route("empty")},
    "down": {"site_toml": list_route("status") + "status = 503\n"},
}


@pytest.fixture(scope="module")
def blocked_crawl(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("blocking")
    server = serve_sites(tmp_path, SITES)
    registry = write_registry(tmp_path / "sites.toml", server)
    result = run_crawl(tmp_path, "notices", "sites=all",
                       settings={"NOTICES_REGISTRY_PATH": str(registry),
                                 "NOTICES_RETRY_BACKOFF": "0"})
    yield result, server
    server.stop()


def error_lines(log: str, site: str) -> list[str]:
    return [line for line in log.splitlines() if f" ERROR: site {site}:" in line]


def test_other_sites_finish(blocked_crawl):
    result, _ = blocked_crawl
    assert result.returncode == 0
    assert len([r for r in result.records if r["site_id"] == "open"]) == 12
    assert {r["site_id"] for r in result.records} == {"open"}
    assert error_lines(result.log, "open") == []


@pytest.mark.parametrize(("site", "status", "product"), [
    ("rs", 412, "瑞数"), ("jsl", 521, "加速乐"), ("waf", 200, "360"),
])
def test_challenge_is_one_error_line_and_no_retry(blocked_crawl, site, status, product):
    result, server = blocked_crawl
    [line] = error_lines(result.log, site)
    assert f"anti-bot challenge: {server.base_urls[site]}list/index.html (HTTP {status})" in line
    assert product in line and line.endswith("[challenge]")
    assert result.stat(f"notices/error_count/challenge/{site}") == 1
    assert server.request_count(site, "/list/") == 1


def test_challenges_counted(blocked_crawl):
    result, _ = blocked_crawl
    assert result.stat("notices/error_count/challenge") == 3
    assert result.stat("notices/challenge_count/瑞数") == 1


def test_empty_body(blocked_crawl):
    result, _ = blocked_crawl
    [line] = error_lines(result.log, "blank")
    assert re.search(r"cannot read: \S+/list/index.html \(HTTP 200\): .*\[empty_body\]$", line)
    assert result.stat("notices/error_count/empty_body/blank") == 1


def test_http_error_after_retries(blocked_crawl):
    result, server = blocked_crawl
    [line] = error_lines(result.log, "down")
    assert "request failed:" in line and "(HTTP 503)" in line and line.endswith("[http_error]")
    assert result.stat("notices/error_count/http_error/down") == 1
    assert server.request_count("down", "/list/") == 3  # RETRY_TIMES=2: three tries in all
