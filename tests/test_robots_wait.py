"""robots.txt also binds the requests made while it is still being fetched."""

from __future__ import annotations

from tests.conftest import run_crawl
from tests.sitegen import serve_sites, write_registry

SLOW_ROBOTS = '[[routes]]\npath = "/robots.txt"\nhandler = "slow"\nseconds = 0.5\n'


def test_requests_waiting_for_robots_txt_obey_it(tmp_path):
    sites = {name: {"site_toml": SLOW_ROBOTS} for name in ("first", "second")}
    server = serve_sites(tmp_path, sites)
    try:
        for name in sites:
            (tmp_path / "sites" / name / "root" / "robots.txt").write_text(
                "User-agent: *\nDisallow: /list/\n", encoding="utf-8")
        registry = write_registry(tmp_path / "sites.toml", server)
        # Both sites on one host name: their first requests wait for the same robots.txt.
        text = registry.read_text(encoding="utf-8")
        first, second = server.base_urls["first"], server.base_urls["second"]
        registry.write_text(text.replace(f'url = "{second}list/index.html',
                                         f'url = "{first}list/index_1.html'), encoding="utf-8")
        result = run_crawl(tmp_path, "notices", "sites=all",
                           settings={"NOTICES_REGISTRY_PATH": str(registry)})
        assert result.returncode == 0
        assert result.records == []
        assert server.request_count("first", "/list/") == 0
        assert result.stat("robotstxt/forbidden") == 2
    finally:
        server.stop()
