"""Politeness: robots.txt in GBK is obeyed, 5xx answers are retried after a back-off."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.conftest import run_crawl
from tests.sitegen import serve

GBK_ROBOTS = "# 本站robots协议：内部资料请勿抓取\nUser-agent: *\nDisallow: /内部资料/\n"
HIDDEN = "/内部资料/n100.html"
ROUTES = ('[[routes]]\npath = "/robots.txt"\nhandler = "static"\nfile = "robots.txt"\n'
          'encoding = "gb18030"\ncharset_header = ""\n\n'
          '[[routes]]\npath = "/list/n005.html"\nhandler = "fail_once"\n')


@pytest.fixture
def site(tmp_path):
    server, root = serve(tmp_path, site_toml=ROUTES)
    (root / "robots.txt").write_text(GBK_ROBOTS, encoding="utf-8")  # GB18030 on the wire
    index = root / "list" / "index.html"
    row = f'<li><a href="{HIDDEN}" title="内部通报">内部通报</a><span>2023-05-05</span></li>'
    index.write_text(index.read_text(encoding="utf-8").replace("</ul>", row + "</ul>"),
                     encoding="utf-8")
    yield server
    server.stop()


def crawl(tmp_path, server, **settings):
    return run_crawl(tmp_path, "notices", f"start_url={server.base_urls['gen']}list/index.html",
                     settings={"NOTICES_RETRY_BACKOFF": "0.2", **settings})


def hidden_fetches(server) -> int:
    return server.request_count("gen", quote(HIDDEN))


def test_gbk_robots_txt_is_obeyed(site, tmp_path):
    result = crawl(tmp_path, site)
    assert result.returncode == 0
    assert site.request_count("gen", "/robots.txt") == 1
    assert hidden_fetches(site) == 0
    assert result.stat("robotstxt/forbidden") == 1
    assert len(result.records) == 12


def test_scrapy_parser_alone_misses_the_gbk_rule(site, tmp_path):
    """The reason for the project's parser: Scrapy's own ignores the GBK-encoded rule."""
    crawl(tmp_path, site, ROBOTSTXT_PARSER="scrapy.robotstxt.ProtegoRobotParser")
    assert hidden_fetches(site) == 1


def test_5xx_is_retried_after_a_backoff(site, tmp_path):
    result = crawl(tmp_path, site)
    assert any(r["url"].endswith("/list/n005.html") for r in result.records)
    assert site.request_count("gen", "/list/n005.html") == 2
    assert result.stat("retry/count") == 1
    assert result.stat("notices/retry_backoff_count") == 1
