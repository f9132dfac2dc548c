"""The Site health page of `jiwei-overview --state DIR`, from the crawl state of real crawls of
two loopback sites (one loses its dates after the first run), opened in headless Chromium."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import REPO, run_crawl
from tests.sitegen import build_site, serve_sites, write_registry
from tests.test_health import DATE_ON_LIST, DATE_ON_PAGE
from tests.test_overview_browser import CHROMIUM, IMAGES, LAUNCH_FLAGS, LAYOUT

RUNS = 3


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory):
    """Three runs over sites `steady` and `undated`, each run publishing 3 new notices;
    `undated` shows no dates from the second run on."""
    tmp = tmp_path_factory.mktemp("health")
    server = serve_sites(tmp, {"steady": {"count": 6, "per_page": 3},
                               "undated": {"count": 6, "per_page": 3}})
    settings = {"NOTICES_REGISTRY_PATH": str(write_registry(tmp / "sites.toml", server)),
                "NOTICES_STATE_PATH": str(tmp / "state" / "{site_id}.sqlite")}
    try:
        for run in range(RUNS):
            if run:
                for name in ("steady", "undated"):
                    build_site(tmp / "sites" / name / "root", count=6 + 3 * run, per_page=3)
                for page in (tmp / "sites" / "undated" / "root" / "list").glob("*.html"):
                    text = page.read_text(encoding="utf-8")
                    page.write_text(DATE_ON_PAGE.sub("", DATE_ON_LIST.sub("", text)),
                                    encoding="utf-8")
            result = run_crawl(tmp, "notices", "sites=steady,undated", settings=settings)
            assert result.returncode == 0, result.log[-2000:]
    finally:
        server.stop()
    return tmp / "state"


def overview(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelines.corpus", "overview", *args],
                          cwd=REPO, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def page(state_dir, tmp_path_factory):
    path = tmp_path_factory.mktemp("page") / "health.html"
    done = overview("--state", str(state_dir), "-o", str(path))
    assert done.returncode == 0, done.stderr
    assert f"site health of 2 sites written to {path}" in done.stderr
    return path


@pytest.fixture(scope="module")
def loaded(page):
    """The page in headless Chromium: layout, images, console errors, section headings."""
    assert CHROMIUM and os.access(CHROMIUM, os.X_OK), "no Chromium on PATH"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_FLAGS)
        try:
            view = browser.new_page(viewport={"width": 1280, "height": 900})
            errors = []
            view.on("console", lambda m: m.type == "error" and errors.append(m.text))
            view.on("pageerror", lambda e: errors.append(str(e)))
            view.goto(page.as_uri(), wait_until="load")
            view.screenshot(path=str(page.with_name("site-health.png")), full_page=True)
            seen = (view.evaluate(LAYOUT), view.evaluate(IMAGES), errors,
                    view.evaluate("() => [...document.querySelectorAll('h3')]"
                                  ".map(h => h.textContent)"))
        finally:
            browser.close()
    return seen


def test_every_site_chart_is_rendered(loaded):
    layout, images, _, headings = loaded
    assert len(images) == len(headings) == 2
    assert all(i["complete"] and i["width"] > 0 for i in images)
    assert all(i["shown"] <= layout["width"] for i in images)
    assert layout["wide"] == []


def test_no_console_errors(loaded):
    assert loaded[2] == []


def test_flagged_sites_come_first(loaded, page):
    assert loaded[3] == ["undated (flagged)", "steady"]
    text = page.read_text(encoding="utf-8")
    assert "Site health (2 sites, 1 flagged)" in text
    assert re.search(r"<li>coverage\.date: date coverage fell from 100% to 0% of 3 notices "
                     r"\(since [0-9T:+-]+\)</li>", text)


def test_health_section_follows_the_corpus_overview(state_dir, tmp_path):
    feeds = sorted(state_dir.parent.glob("notices-*.jsonl"))
    path = tmp_path / "both.md"
    done = overview(*map(str, feeds), "--state", str(state_dir), "-o", str(path))
    assert done.returncode == 0, done.stderr
    text = path.read_text(encoding="utf-8")
    assert text.index("## Sites (2)") < text.index("## Site health (2 sites, 1 flagged)")
    for site in ("undated", "steady"):
        assert (path.parent / "both_charts" / f"health-{site}.png").stat().st_size > 1000


def test_state_option_errors(tmp_path):
    done = overview("--state", str(tmp_path / "missing"), "-o", str(tmp_path / "h.html"))
    assert done.returncode == 2
    assert done.stderr.strip() == (f"jiwei-overview: error: --state {tmp_path / 'missing'}: "
                                   "not a folder")
    done = overview("-o", str(tmp_path / "h.html"))
    assert done.returncode == 2 and "give crawl outputs, --state DIR, or both" in done.stderr
