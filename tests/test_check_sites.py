"""`scrapy check-sites` against fixture stand-ins of registry entries, on loopback only."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from datetime import date

import pytest

from crawler.registry import load_registry
from crawler.sitecheck import CLASSES
from fixtures.server import FixtureServer
from tests.conftest import FAST, REPO, TEST_SITES, fixture_settings


def run_check(*args: str, settings: dict | None = None, timeout: float = 120):
    """Run `scrapy check-sites` in a subprocess from the repo root."""
    command = [sys.executable, "-m", "scrapy", "check-sites", *args]
    for key, value in {**FAST, "NOTICES_RETRY_BACKOFF": "0", **(settings or {})}.items():
        command += ["-s", f"{key}={value}"]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=timeout)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def entry(site_id: str, base_url: str, columns: list[str] = (), platform: str = "generic",
          samples: list[str] = (), region: str = "") -> str:
    region = region or JINGXIAN
    lines = [
        "[[site]]", f'id = "{site_id}"', f'name = "{site_id}纪委监委"',
        f'base_url = "{base_url}"',
        f'platform = "{platform}"   # guessed from the URL shapes',
        'source = "http://example.org/where-found.html"', 'last_checked = "never"',
        f"region = {region}",
    ]
    if columns:
        lines.append("columns = [")
        lines += [f'  {{ name = "巡察工作", url = "{base_url}{path}" }},' for path in columns]
        lines.append("]")
    if samples:
        lines.append(f"sample_notice_urls = {json.dumps([base_url + p for p in samples])}")
    return "\n".join(lines) + "\n"


JINGXIAN = '{ province = "安徽省", city = "宣城市", county = "泾县", adcode = "341823" }'
HENAN = '{ province = "河南省", city = "开封市", county = "龙亭区", adcode = "410202" }'


@pytest.fixture(scope="module")
def checks_server():
    with FixtureServer(["checks"], sites_dir=TEST_SITES) as server:
        yield server


@pytest.fixture(scope="module")
def registry_file(tmp_path_factory, fixture_server, checks_server):
    """A registry of stand-ins: each entry is what a real site may have become."""
    jingxian = fixture_server.base_urls["jingxian"]
    checks = checks_server.base_urls["checks"]
    dead = f"http://127.0.0.1:{closed_port()}/"
    head = "# Stand-ins for check-sites: comments and layout must survive --update.\n\n"
    text = head + "\n".join([
        entry("working", jingxian, ["a/xcgz/list_12_1.html"]),
        entry("redirected_inside", checks, ["old-list/index.html"], platform="vsb"),
        entry("moved_gone", checks, ["retired/index.html"]),
        entry("moved_home", checks, ["moved/index.html"]),
        entry("moved_host", checks, ["away/index.html"]),
        entry("moved_refresh", checks, ["refresh.html"]),
        entry("moved_soft404", checks, ["gone-soft.html"]),
        entry("blocked_rs", checks, ["guarded/index.html"]),
        entry("blocked_robots", checks, ["private/index.html"]),
        entry("unrecognised_page", checks, ["plain.html"]),
        entry("unrecognised_notice", checks, ["broken/index.html"]),
        entry("unreachable", dead, ["xcgz/index.html"], region=HENAN),
        entry("sample_only", checks, samples=["lists/n1.html"]),
        entry("partly_moved", checks, ["retired-too/index.html", "lists/index.html"]),
    ])
    path = tmp_path_factory.mktemp("check-registry") / "sites.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def checked(registry_file, tmp_path_factory):
    """One check of every stand-in, with --update on the temporary registry."""
    report_path = tmp_path_factory.mktemp("check-report") / "report.json"
    before = registry_file.read_text(encoding="utf-8")
    proc = run_check("--report", str(report_path), "--update",
                     settings={"NOTICES_REGISTRY_PATH": str(registry_file)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(report_path.read_text(encoding="utf-8"))
    return proc, report, {site["id"]: site for site in report["sites"]}, before


EXPECTED = {
    "working": "working", "redirected_inside": "working", "moved_gone": "moved",
    "moved_home": "moved", "moved_host": "moved", "moved_refresh": "moved",
    "moved_soft404": "moved",
    "blocked_rs": "blocked", "blocked_robots": "blocked", "unrecognised_page": "unrecognised",
    "unrecognised_notice": "unrecognised", "unreachable": "unreachable",
    "sample_only": "working", "partly_moved": "working",
}


@pytest.mark.parametrize(("site_id", "expected"), EXPECTED.items())
def test_each_stand_in_is_classified(checked, site_id, expected):
    _, _, sites, _ = checked
    assert sites[site_id]["class"] == expected, sites[site_id]["checks"]


def test_counts_cover_every_entry(checked):
    _, report, _, _ = checked
    assert report["site_count"] == len(EXPECTED)
    assert report["counts"] == {"working": 4, "moved": 5, "blocked": 2, "unrecognised": 2,
                                "unreachable": 1}


def check_of(sites, site_id, index=0):
    return sites[site_id]["checks"][index]


def test_working_column_counts_links_and_reads_a_notice(checked):
    _, _, sites, _ = checked
    row = check_of(sites, "working")
    assert row["notice_links"] == 3
    assert row["platform_registry"] == "generic" and row["platform_detected"] == "dedecms"
    assert row["notice_title"] and row["notice_url"].endswith(".html")
    assert sites["working"]["platform_detected"] == "dedecms"


def test_redirect_inside_the_site_is_followed(checked):
    _, _, sites, _ = checked
    row = check_of(sites, "redirected_inside")
    assert row["final_url"].endswith("/lists/index.html")
    assert row["notice_links"] == 2  # the listed PDF is not a notice
    assert row["notice_title"] == "关于县委第二巡察组巡察县农业农村局党组反馈意见整改情况的通报"
    # no platform markers: the registry's guess is kept when it reads the page, else generic
    assert row["platform_detected"] in ("vsb", "generic")


@pytest.mark.parametrize(("site_id", "words"), [
    ("moved_gone", "HTTP 404"),
    ("moved_home", "redirected to the home page"),
    ("moved_host", "redirected to another host: http://localhost:9/xcgz/index.html"),
    ("moved_refresh", "redirected to the home page"),
    ("moved_soft404", "soft 404: the page text says '页面不存在'"),
    ("blocked_robots", "robots.txt"),
    ("unrecognised_page", "no notice links"),
    ("unreachable", "ConnectionRefused"),
])
def test_detail_says_why(checked, site_id, words):
    _, _, sites, _ = checked
    assert words in check_of(sites, site_id)["detail"]


def test_challenge_names_the_product(checked, checks_server):
    _, _, sites, _ = checked
    row = check_of(sites, "blocked_rs")
    assert row["status"] == 412 and row["product"].startswith("瑞数")
    assert checks_server.request_count("checks", "/guarded/") == 1  # no retry of a challenge


def test_robots_forbidden_page_is_never_fetched(checked, checks_server):
    assert checks_server.request_count("checks", "/private/") == 0


def test_notice_behind_the_list_must_answer(checked):
    _, _, sites, _ = checked
    row = check_of(sites, "unrecognised_notice")
    assert row["notice_links"] == 1
    assert "first notice" in row["detail"] and "HTTP 404" in row["detail"]


def test_sample_notice_suggests_its_breadcrumb_column(checked):
    _, _, sites, _ = checked
    site = sites["sample_only"]
    assert [row["kind"] for row in site["checks"]] == ["sample_notice", "suggested_column"]
    assert site["checks"][0]["notice_title"] == "关于县委第1巡察组反馈意见整改情况的通报"
    [column] = site["suggested_columns"]
    assert column["name"] == "巡察工作" and column["url"].endswith("/lists/index.html")
    assert column["notice_links"] == 2 and column["class"] == "working"


def test_one_moved_column_of_a_working_site_is_reported(checked):
    _, _, sites, _ = checked
    assert [row["class"] for row in sites["partly_moved"]["checks"]] == ["moved", "working"]


def test_table_is_printed(checked):
    proc, _, _, _ = checked
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:3] == ["site", "class", "platform"]
    assert any(line.startswith("blocked_rs ") and " blocked " in line and "瑞数" in line
               for line in lines)
    assert f"{len(EXPECTED)} sites checked: 4 working, 5 moved, 2 blocked, " \
                        "2 unrecognised, 1 unreachable" in lines


def test_summary_by_province_and_platform(checked):
    proc, report, sites, _ = checked
    by_province = {"安徽省": dict.fromkeys(CLASSES, 0), "河南省": dict.fromkeys(CLASSES, 0)}
    for site_id, cls in EXPECTED.items():
        by_province["河南省" if site_id == "unreachable" else "安徽省"][cls] += 1
    assert report["summary"]["province"] == by_province
    by_platform = {}
    for site in sites.values():
        platform = site["platform_detected"] or site["platform_registry"]
        by_platform.setdefault(platform, dict.fromkeys(CLASSES, 0))[EXPECTED[site["id"]]] += 1
    assert report["summary"]["platform"] == dict(sorted(by_platform.items()))
    # the stand-ins were written as generic (one vsb): the working ones are detected
    assert by_platform["dedecms"]["working"] >= 1 and by_platform["vsb"]["working"] == 1
    lines = [line.split() for line in proc.stdout.splitlines()]
    assert ["province", "sites", *CLASSES] in lines and ["platform", "sites", *CLASSES] in lines
    assert ["河南省", "1", *map(str, by_province["河南省"].values())] in lines
    assert ["安徽省", str(len(EXPECTED) - 1), *map(str, by_province["安徽省"].values())] in lines


def test_update_rewrites_only_working_entries(checked, registry_file):
    _, _, _, before = checked
    after = registry_file.read_text(encoding="utf-8")
    today = date.today().isoformat()
    changed = [(old, new) for old, new in zip(before.splitlines(), after.splitlines(),
                                             strict=True) if old != new]
    working = [site_id for site_id, cls in EXPECTED.items() if cls == "working"]
    assert [new for _, new in changed if "last_checked" in new] == \
        [f'last_checked = "{today}"'] * len(working)
    assert ('platform = "generic"   # guessed from the URL shapes',
            'platform = "dedecms"   # guessed from the URL shapes') in changed
    sites = load_registry(registry_file)
    assert {s.id for s in sites.values() if s.last_checked == today} == set(working)
    assert sites["moved_gone"].platform == "generic"
    assert after.startswith("# Stand-ins for check-sites: comments and layout")


def test_bundled_registry_sites_through_base_urls(fixture_server, tmp_path):
    report_path = tmp_path / "report.json"
    proc = run_check("--sites", "jingxian,longting", "--report", str(report_path),
                     settings=fixture_settings(fixture_server))
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert [(s["id"], s["class"]) for s in report["sites"]] == [
        ("jingxian", "working"), ("longting", "working")]


def test_unknown_site_is_a_usage_error():
    proc = run_check("--sites", "nowhere")
    assert proc.returncode == 2
    assert "unknown site id(s) nowhere" in proc.stderr


def test_all_checks_every_real_entry_and_never_leaves_loopback(tmp_path):
    report_path = tmp_path / "report.json"
    proc = run_check("--report", str(report_path), "-L", "WARNING")
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(report_path.read_text(encoding="utf-8"))
    real = {s.id for s in load_registry().values() if not s.fixture}
    assert {s["id"] for s in report["sites"]} == real
    assert {s["class"] for s in report["sites"]} == {"unreachable"}
    assert all("NOTICES_LOOPBACK_ONLY" in row["detail"] or "non-loopback" in row["detail"]
               for s in report["sites"] for row in s["checks"])

