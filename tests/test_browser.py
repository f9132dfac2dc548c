"""Sites behind a JS challenge: crawled through headless Chromium when the registry says so.

The fixture site (tests/fixture_sites/jschallenge/) answers like 加速乐: HTTP 521 and a script
that sets the `__jsl_clearance` cookie and reloads, on every page, until the cookie is right.
The browser crawl needs the system Chromium (`make test` installs it).
"""

from __future__ import annotations

import json
import os

import pytest
from scrapy.settings import Settings

from crawler import settings as project_settings
from crawler.browser import CHROMIUM_NAMES, BrowserAddon, chromium_executable, launch_options
from crawler.registry import RegistryError, load_registry
from crawler.spiderloader import site_spider_class
from fixtures.server import FixtureServer
from tests.conftest import TEST_SITES, run_crawl

REGISTRY = """
[[site]]
id = "jschallenge"
name = "平陆县纪委监委"
base_url = "http://www.pinglu.invalid/"
platform = "generic"
fixture = true
browser = true
region = { province = "山西省", city = "运城市", county = "平陆县", adcode = "140829" }
columns = [{ name = "巡察整改", url = "http://www.pinglu.invalid/xcgz/index.html" }]

[[site]]
id = "jswall"
name = "平陆县纪委监委"
base_url = "http://www.pinglu.invalid/"
platform = "generic"
fixture = true
browser = true
columns = [{ name = "巡察公告", url = "http://www.pinglu.invalid/wall/index.html" }]

[[site]]
id = "plain"
name = "某县纪委监委"
base_url = "http://www.plain.invalid/"
platform = "generic"
fixture = true
columns = [{ name = "巡察整改", url = "http://www.plain.invalid/list/index.html" }]
"""
CHROMIUM = chromium_executable()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The challenge site served on loopback and a registry pointing its two sites there."""
    tmp_path = tmp_path_factory.mktemp("browser")
    registry = tmp_path / "sites.toml"
    registry.write_text(REGISTRY, encoding="utf-8")
    with FixtureServer(["jschallenge"], sites_dir=TEST_SITES) as server:
        url = server.base_urls["jschallenge"]
        settings = {"NOTICES_REGISTRY_PATH": str(registry),
                    "NOTICES_BASE_URLS": json.dumps({"jschallenge": url, "jswall": url})}
        yield server, tmp_path, settings


@pytest.fixture(scope="module")
def plain_crawl(site):
    server, tmp_path, settings = site
    result = run_crawl(tmp_path, "notices", "sites=jschallenge", settings=settings)
    requests = server.request_count("jschallenge")
    return result, requests


@pytest.fixture(scope="module")
def browser_crawl(site, plain_crawl):
    """One crawl, one browser launch: the site the browser passes and the one it cannot."""
    assert CHROMIUM and os.access(CHROMIUM, os.X_OK), (
        f"no Chromium on PATH ({', '.join(CHROMIUM_NAMES)}): install it with "
        "`apt-get install -y chromium` (`make test` does so when it is missing)")
    server, tmp_path, settings = site
    server.requests.clear()
    result = run_crawl(tmp_path, "notices", "sites=jschallenge,jswall",
                       settings={**settings, "NOTICES_BROWSER": "True",
                                 "NOTICES_BROWSER_CHALLENGE_TIMEOUT": "3"})
    return result, server


def error_lines(log: str, site_id: str) -> list[str]:
    return [line for line in log.splitlines() if f" ERROR: site {site_id}:" in line]


def test_without_browser_the_challenge_is_reported(plain_crawl):
    result, requests = plain_crawl
    assert result.returncode == 0
    assert result.records == []
    [line] = error_lines(result.log, "jschallenge")
    # robots.txt, fetched first in the site's own download slot, meets the challenge first
    assert "anti-bot challenge:" in line and "/robots.txt (HTTP 521)" in line
    assert "加速乐" in line and line.endswith("[challenge]")
    assert result.stat("notices/error_count/challenge/jschallenge") == 1
    assert requests == 1  # robots.txt only: nothing of the site after the challenge


def test_without_browser_one_warning_names_the_site(plain_crawl):
    result, _ = plain_crawl
    warnings = [line for line in result.log.splitlines()
                if "needs a browser" in line and " WARNING: " in line]
    assert len(warnings) == 1
    assert "site jschallenge" in warnings[0] and "NOTICES_BROWSER" in warnings[0]


EXPECTED = {
    "/xcgz/202305/t20230512_301.html": {
        "title": "中共平陆县教育科技局党组关于县委巡察反馈意见整改情况的通报",
        "source": "县教育科技局", "published_at": "2023-05-12T09:30:00+08:00", "hit_count": 236,
        "list": "/xcgz/index_1.html",
        "first": "根据县委统一部署，2022年9月6日至11月15日，县委第一巡察组对县教育科技局党组进行"
                 "了巡察。2023年1月10日，县委巡察组向县教育科技局党组反馈了巡察意见。按照巡察工"
                 "作有关要求，现将巡察整改情况予以公布。",
        "last": "欢迎广大干部群众对巡察整改落实情况进行监督。联系电话：0359—3522011。",
        "kind": "rectification", "problem_count": 18, "inspection_body": "县委第一巡察组",
        "contacts": {"phones": ["0359—3522011"], "emails": [], "mailboxes": []},
    },
    "/xcgz/202308/t20230821_318.html": {
        "title": "中共平陆县住房和城乡建设局党组关于县委巡察整改情况的通报",
        "source": "县住建局", "published_at": "2023-08-21T16:05:00+08:00", "hit_count": 187,
        "list": "/xcgz/index.html",
        "first": "根据县委统一部署，2023年3月1日至4月28日，县委第二巡察组对县住房和城乡建设局党组"
                 "开展了常规巡察，并于2023年5月19日反馈了巡察意见。现将整改情况通报如下。",
        "last": "欢迎社会各界监督。电子邮箱：plzjjxczg@163.com。",
        "kind": "rectification", "problem_count": 21, "inspection_body": "县委第二巡察组",
        "contacts": {"phones": [], "emails": ["plzjjxczg@163.com"], "mailboxes": []},
    },
    "/xcgz/202311/t20231107_342.html": {
        "title": "中共平陆县委第三巡察组关于巡察县自然资源局党组整改进展情况的通报",
        "source": "县委巡察办", "published_at": "2023-11-07T10:12:00+08:00", "hit_count": 98,
        "list": "/xcgz/index.html",
        "first": "2023年6月12日至8月10日，县委第三巡察组对县自然资源局党组进行了巡察，2023年9月4日"
                 "反馈巡察意见，指出问题15个。",
        "last": "持续巩固整改成果，建立长效机制。",
        "kind": "rectification", "problem_count": 15, "inspection_body": "平陆县委第三巡察组",
        "contacts": {"phones": [], "emails": [], "mailboxes": []},
    },
}


def test_browser_passes_the_challenge(browser_crawl):
    result, _ = browser_crawl
    assert result.returncode == 0
    errors = [line for line in result.log.splitlines() if " ERROR: " in line]
    assert errors == error_lines(result.log, "jswall")  # the site it cannot pass, nothing else
    assert "needs a browser" not in result.log
    records = {r["url"].split("/", 3)[3]: r for r in result.records}
    assert sorted(f"/{path}" for path in records) == sorted(EXPECTED)
    assert result.stat("notices/browser_page_count") >= 6


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_browser_notice_fields(browser_crawl, path):
    result, server = browser_crawl
    base = server.base_urls["jschallenge"]
    [record] = [r for r in result.records if r["url"] == base + path.lstrip("/")]
    want = EXPECTED[path]
    lines = record["body_text"].split("\n")
    notice = record["notice"]
    got = {
        "title": record["title"], "source": record["source"],
        "published_at": record["published_at"], "hit_count": record["hit_count"],
        "list": "/" + record["list_url"].removeprefix(base), "first": lines[0],
        "last": lines[-1], "kind": notice["kind"], "problem_count": notice["problem_count"],
        "inspection_body": notice["inspection_body"],
        "contacts": notice["contacts"],
    }
    assert got == want
    assert (record["site_id"], record["site_name"], record["column"]) == (
        "jschallenge", "平陆县纪委监委", "巡察整改")
    assert record["region"]["adcode"] == "140829"
    assert "document.cookie" not in record["body_text"]


def test_browser_clears_once_and_identifies_itself(browser_crawl):
    result, server = browser_crawl
    # robots.txt (read through the browser too) met the challenge and was reloaded with the
    # cookie; every other page was fetched once, the clearance cookie kept by the browser.
    assert server.request_count("jschallenge", "/robots.txt") == 2
    assert server.request_count("jschallenge", "/xcgz/") == 5
    # the counter script ran in the page: the count is in the rendered header, no extra request
    assert server.request_count("jschallenge", "/plus/count.php") == 1
    assert result.stat("robotstxt/response_status_count/200") == 1  # the final document's
    assert server.user_agents and all(ua.startswith("jiwei-notices/")
                                      for ua in server.user_agents)


def test_challenge_the_browser_cannot_pass(browser_crawl):
    result, server = browser_crawl
    [line] = error_lines(result.log, "jswall")
    assert "anti-bot challenge:" in line and "/wall/index.html (HTTP 521)" in line
    assert "加速乐" in line and line.endswith("[challenge]")
    assert [r for r in result.records if r["site_id"] == "jswall"] == []
    assert server.request_count("jschallenge", "/wall/") == 1


# --- switching the browser on -----------------------------------------------------------------
def spider_settings(site_id: str, tmp_path, **cmdline) -> Settings:
    registry = tmp_path / "sites.toml"
    registry.write_text(REGISTRY, encoding="utf-8")
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.set("NOTICES_REGISTRY_PATH", str(registry), priority="cmdline")
    for name, value in cmdline.items():
        settings.set(name, value, priority="cmdline")
    site_spider_class(site_id).update_settings(settings)
    return settings


def test_ad_hoc_crawl_goes_through_the_browser_when_asked(site, browser_crawl, tmp_path):
    """`-a start_url=…` of a site the registry does not know, with NOTICES_BROWSER on."""
    server, _, settings = site
    start_url = server.base_urls["jschallenge"] + "xcgz/index.html"
    result = run_crawl(tmp_path, "notices", f"start_url={start_url}",
                       settings={"NOTICES_REGISTRY_PATH": settings["NOTICES_REGISTRY_PATH"],
                                 "NOTICES_BROWSER": "True"})
    assert result.returncode == 0
    assert " ERROR: " not in result.log
    assert sorted("/" + r["url"].split("/", 3)[3] for r in result.records) == sorted(EXPECTED)
    assert result.stat("notices/browser_page_count") >= 6


def test_site_spider_of_a_browser_site_switches_it_on(tmp_path):
    assert spider_settings("jschallenge", tmp_path).getbool("NOTICES_BROWSER") is True
    assert spider_settings("plain", tmp_path).getbool("NOTICES_BROWSER") is False
    off = spider_settings("jschallenge", tmp_path, NOTICES_BROWSER="False")
    assert off.getbool("NOTICES_BROWSER") is False


def test_addon_installs_the_handler_only_when_on(tmp_path):
    handler = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
    for site_id, installed in (("jschallenge", True), ("plain", False)):
        settings = spider_settings(site_id, tmp_path)
        BrowserAddon().update_settings(settings)
        handlers = settings.getdict("DOWNLOAD_HANDLERS")
        assert (handlers.get("http") == handler == handlers.get("https")) is installed
        middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
        assert ("crawler.browser.BrowserPageMiddleware" in middlewares) is installed
    settings_on = spider_settings("jschallenge", tmp_path)
    BrowserAddon().update_settings(settings_on)
    options = settings_on.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    assert options["executable_path"] == CHROMIUM and options["headless"] is True
    assert "--disable-background-networking" in options["args"]
    assert settings_on.get("PLAYWRIGHT_BROWSER_TYPE") == "chromium"


def test_registry_browser_field(tmp_path):
    registry = tmp_path / "sites.toml"
    registry.write_text(REGISTRY.replace("browser = true", 'browser = "yes"', 1),
                        encoding="utf-8")
    with pytest.raises(RegistryError, match="^site #1 \\(jschallenge\\): field 'browser' must "
                                            "be true or false, not 'yes'$"):
        load_registry(registry)
    registry.write_text(REGISTRY, encoding="utf-8")
    sites = load_registry(registry)
    assert sites["jswall"].browser is True and sites["plain"].browser is False


def _executable(folder, name: str) -> str:
    path = folder / name
    path.write_text("#!/bin/sh\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def test_chromium_is_found_on_path_under_its_other_names(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert chromium_executable() is None
    (tmp_path / "chromium").write_text("not executable", encoding="utf-8")
    assert chromium_executable() is None
    ubuntu = _executable(tmp_path, "chromium-browser")
    assert chromium_executable() == ubuntu
    _executable(tmp_path, "google-chrome")
    assert chromium_executable() == ubuntu  # the earlier name in CHROMIUM_NAMES wins


def test_browser_executable_setting_wins_over_path(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    _executable(tmp_path, "chromium")
    own = _executable(tmp_path, "my-chrome")
    assert launch_options(Settings({"NOTICES_BROWSER_EXECUTABLE": own}))["executable_path"] == own
    assert launch_options(Settings())["executable_path"] == str(tmp_path / "chromium")
