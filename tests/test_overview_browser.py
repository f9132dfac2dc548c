"""The overview report as a reader sees it: opened in headless Chromium (Playwright) at a laptop
and a narrow window, on a corpus of more sites and units than the charts show."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import sync_playwright

from crawler.browser import CHROMIUM_NAMES, chromium_executable
from crawler.state import REMOVED, UNLISTED, CrawlState
from pipelines.corpus.overview import MAX_ROWS, write_overview
from pipelines.corpus.removals import read_removals
from tests.corpus_factory import make_corpus

CHROMIUM = chromium_executable()
LAUNCH_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORTS = ({"width": 1280, "height": 900}, {"width": 600, "height": 900})
# every element's right edge and the page's scroll width, against the viewport
LAYOUT = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > width + 0.5)
    .map(e => e.tagName + ' ' + Math.round(e.getBoundingClientRect().right));
  return {width, scroll: document.documentElement.scrollWidth, wide};
}"""
IMAGES = """() => [...document.images].map(i => ({complete: i.complete, width: i.naturalWidth,
  shown: i.getBoundingClientRect().width}))"""


def _many_sites(records: list[dict], sites: int) -> list[dict]:
    """The records spread over `sites` sites, so that the charts must leave some out."""
    return [{**record, "site_id": f"site{index % sites:02d}",
             "site_name": f"第{index % sites}县纪委监委"} for index, record in enumerate(records)]


REMOVALS = MAX_ROWS + 5
LIST_URL = "http://127.0.0.1:8080/col/col4711/index.html"


def _state_with_removals(folder) -> list[dict]:
    """A crawl state where a second run found the notices of the first gone from their list,
    through the store's own methods; long titles and unbroken URLs, as on real sites."""
    template = str(folder / "{site_id}.sqlite")
    first, second = CrawlState(template, "1" * 32), CrawlState(template, "2" * 32)
    notices = [(f"site{n % 3}", f"http://127.0.0.1:8080/art/2023/{n}/{'0123456789' * 9}.html",
                f"中共某县委第{n}轮巡察关于县直单位党组织集中整改进展情况的通报" * 2)
               for n in range(REMOVALS)]
    for site_id, url, title in notices:
        first.stage(site_id, url, "sha1", 0)
        first.record_listed(site_id, LIST_URL, [(url, title)])
    first.commit()
    for site_id in sorted({site_id for site_id, _, _ in notices}):
        for n, missing in enumerate(second.missing(site_id, LIST_URL, REMOVALS)):
            status, how = (UNLISTED, "answers") if n % 4 == 3 else (REMOVED, "404")
            second.record_removal(site_id, missing, status, how, f"HTTP 404 at {missing.url}")
            if status == REMOVED:
                second.record_archived_copy(
                    site_id, missing.url, f"{folder}/notices-{'x' * 60}-00000.warc.gz#1234",
                    missing.last_exported_at)
        second.record_returned(site_id, missing.url, "listed")
    first.close()
    second.close()
    return read_removals(folder)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    records = _many_sites(make_corpus(40, seed=8).records, MAX_ROWS + 12)
    removals = _state_with_removals(tmp_path_factory.mktemp("state"))
    path = write_overview(records, tmp_path_factory.mktemp("overview") / "overview.html",
                          removals=removals)
    return path, records


@pytest.fixture(scope="module")
def pages(report):
    """For each viewport: the layout, the images and the console errors of the loaded page."""
    assert CHROMIUM and os.access(CHROMIUM, os.X_OK), (
        f"no Chromium on PATH ({', '.join(CHROMIUM_NAMES)}): install it with "
        "`apt-get install -y chromium` (`make test` does so when it is missing)")
    path, _ = report
    seen = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_FLAGS)
        try:
            for viewport in VIEWPORTS:
                page = browser.new_page(viewport=viewport)
                errors = []
                page.on("console", lambda m, errors=errors: m.type == "error"
                        and errors.append(m.text))
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                page.goto(path.as_uri(), wait_until="load")
                # the folded full tables too, as a reader opening them sees them
                page.evaluate("() => document.querySelectorAll('details')"
                              ".forEach(d => d.open = true)")
                page.screenshot(path=str(path.with_name(f"shot-{viewport['width']}.png")),
                                full_page=True)
                seen.append((viewport, page.evaluate(LAYOUT), page.evaluate(IMAGES), errors))
                page.close()
        finally:
            browser.close()
    return seen


def test_no_element_is_wider_than_the_viewport(pages):
    for viewport, layout, _, _ in pages:
        assert layout["wide"] == [], viewport
        assert layout["scroll"] <= layout["width"], viewport


def test_every_chart_is_loaded_and_scaled_to_the_page(pages):
    for viewport, layout, images, _ in pages:
        assert len(images) >= 8
        assert all(i["complete"] and i["width"] > 0 for i in images), viewport
        assert all(i["shown"] <= layout["width"] for i in images), viewport


def test_no_console_errors(pages):
    assert [errors for *_, errors in pages] == [[] for _ in VIEWPORTS]


def test_charts_say_what_they_leave_out(report):
    path, records = report
    page = path.read_text(encoding="utf-8")
    sites = len({r["site_id"] for r in records})
    assert f"top {MAX_ROWS} of {sites} sites, all in the Sites table" in page
    assert f'<h2 id="sites">Sites ({sites})</h2>' in page


def test_removals_are_listed(report):
    path, _ = report
    page = path.read_text(encoding="utf-8")
    assert f'<h2 id="removals">Notices removed from their lists ({REMOVALS})</h2>' in page
    assert f"The first {MAX_ROWS} of {REMOVALS}:" in page
    assert "<th>first run missing</th>" in page and "(run 22222222)" in page
    assert "returned (listed)" in page and "<td>unlisted</td>" in page
