"""Removed notices across runs of the real engine against a loopback site that changes.

Between runs the site's files are rewritten as a real site changes: a notice taken off its list
and its page deleted (404), redirected to the home page, replaced by a "page not found" page
(a soft 404), or only taken off the list; later put back.
"""

from __future__ import annotations

import csv
import gzip
import re
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from pipelines.corpus.removals import read_removals
from tests.conftest import REPO, run_crawl
from tests.sitegen import build_site, notice_path, serve, title_of

COUNT, PER_PAGE = 8, 3
HOME = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>县纪委监委</title></head>"
        "<body><h1>县纪委监委</h1><ul><li><a href=\"/list/index.html\">巡察整改</a></li></ul>"
        "<p>" + "工作动态，信息公开，巡察工作，党风政风监督。" * 20 + "</p></body></html>")
SOFT_404 = ("<html><head><meta charset=\"utf-8\"><title>提示信息</title></head><body>"
            "<p>对不起，您访问的页面不存在或已被删除！</p><a href=\"/\">返回首页</a></body></html>")


class Site:
    """A generated site, its crawls (one state and one raw archive), and the runs' ids."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.server, self.root = serve(tmp_path, count=COUNT, per_page=PER_PAGE)
        (self.root / "index.html").write_text(HOME, encoding="utf-8")
        self.state_dir = tmp_path / "state"
        self.warc_dir = tmp_path / "warc"
        self.start = self.server.base_urls["gen"] + "list/index.html"

    def crawl(self, *args: str, **settings: str):
        out = self.tmp_path / "out"
        out.mkdir(exist_ok=True)
        result = run_crawl(out, "notices", f"start_url={self.start}", *args, settings={
            "NOTICES_STATE_PATH": str(self.state_dir / "{site_id}.sqlite"),
            "WARC_DIR": str(self.warc_dir), **settings})
        assert result.returncode == 0, result.log[-3000:]
        return result

    def url(self, n: int) -> str:
        return self.server.base_urls["gen"].rstrip("/") + notice_path(n)

    def publish(self, left_out=()) -> None:
        build_site(self.root, count=COUNT, per_page=PER_PAGE, left_out=left_out)

    def page(self, n: int) -> Path:
        return self.root / "list" / f"n{n:03d}.html"

    def redirect_home(self, n: int) -> dict:
        route = {"path": notice_path(n), "handler": "redirect", "location": "/"}
        self.server.sites[0].routes.append(route)
        return route

    def fetches(self, n: int) -> int:
        return self.server.request_count("gen", notice_path(n))

    def removals(self) -> dict[str, dict]:
        """The latest removal row of each URL."""
        return {row["url"]: row for row in read_removals(self.state_dir)}


@pytest.fixture
def site(tmp_path):
    made = Site(tmp_path)
    yield made
    made.server.stop()


def run_id(result) -> str:
    """The crawl state's run id, as the removal log lines name it."""
    [found] = set(re.findall(r"; run ([0-9a-f]{32}) \[removed\]", result.log))
    return found


def archived_body(copy: str) -> bytes:
    path, offset = copy.rsplit("#", 1)
    with open(path, "rb") as fh:
        fh.seek(int(offset))
        record = next(iter(ArchiveIterator(fh)))
        assert record.http_headers.get_statuscode() == "200"
        body = record.content_stream().read()
    return gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body


def test_removals_between_runs_are_recorded_with_the_run_that_missed_them(site, tmp_path):
    first = site.crawl()
    assert len(first.records) == COUNT and first.stat("notices/removed_count") == 0
    kept_text = {n: site.page(n).read_text(encoding="utf-8") for n in (5, 4, 3)}

    # Off the list: 5 deleted (404), 4 redirected home, 3 a "not found" page, 2 still there.
    site.publish(left_out={5, 4, 3, 2})
    site.page(5).unlink()
    site.redirect_home(4)
    site.page(3).write_text(SOFT_404, encoding="utf-8")
    before = {n: site.fetches(n) for n in range(1, COUNT + 1)}
    second = site.crawl()
    assert second.records == []
    assert second.stat("notices/removed_count") == 3
    assert second.stat("notices/unlisted_count") == 1
    # each missing notice probed once; the listed ones not fetched at all
    assert {n: site.fetches(n) - before[n] for n in before} == {
        1: 0, 2: 1, 3: 1, 4: 1, 5: 1, 6: 0, 7: 0, 8: 0}
    missed_by = run_id(second)

    rows = site.removals()
    assert set(rows) == {site.url(n) for n in (5, 4, 3, 2)}
    expected = {5: ("removed", "404"), 4: ("removed", "redirect"), 3: ("removed", "soft_404"),
                2: ("unlisted", "answers")}
    assert {n: (rows[site.url(n)]["status"], rows[site.url(n)]["how"])
            for n in expected} == expected
    for n in (5, 4, 3, 2):
        row = rows[site.url(n)]
        assert row["missing_run"] == missed_by and row["title"] == title_of(n)
        assert row["list_url"] == site.start
    assert "页面不存在" in rows[site.url(3)]["detail"]
    assert rows[site.url(4)]["detail"] == f"redirects to {site.server.base_urls['gen']}"
    assert rows[site.url(2)]["removed_run"] is None
    # The last good copy: the page as run 1 fetched it, from run 1's WARC file.
    for n in (5, 4, 3):
        row = rows[site.url(n)]
        assert row["removed_run"] == missed_by and row["archived_at"] <= row["last_exported_at"]
        assert archived_body(row["archived_copy"]).decode("utf-8") == kept_text[n]
    assert rows[site.url(2)]["archived_copy"] is None
    assert f"notice removed (404): {site.url(5)}" in second.log

    # Exported as a table.
    out = tmp_path / "removals.csv"
    done = subprocess.run([sys.executable, "-m", "pipelines.corpus", "export", "--removals",
                           "--state", str(site.state_dir), "-o", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8") as fh:
        exported = {row["url"]: row for row in csv.DictReader(fh)}
    assert {url: (row["status"], row["how"], row["missing_run"]) for url, row in exported.items()
            } == {url: (row["status"], row["how"], missed_by) for url, row in rows.items()}

    # Run 3: 5 back on its list and its page restored; 4 answers again, still off the list.
    site.page(5).write_text(kept_text[5], encoding="utf-8")
    site.server.sites[0].routes.clear()
    site.publish(left_out={4, 3, 2})
    third = site.crawl()
    assert third.stat("notices/returned_count") == 2
    assert third.stat("notices/removed_count") == 0
    rows = site.removals()
    assert (rows[site.url(5)]["status"], rows[site.url(5)]["returned_how"]) == (
        "returned", "listed")
    assert (rows[site.url(4)]["status"], rows[site.url(4)]["returned_how"]) == (
        "returned", "answers")
    assert rows[site.url(5)]["returned_run"] not in (None, missed_by)
    assert (rows[site.url(3)]["status"], rows[site.url(3)]["missing_run"]) == (
        "removed", missed_by)
    assert (rows[site.url(2)]["status"], rows[site.url(2)]["missing_run"]) == (
        "unlisted", missed_by)


def test_a_walk_cut_short_declares_nothing(site):
    """A notice off the first list page and deleted is not recorded while the walk does not
    reach the list's end: the page limit, a list page that fails, an early stop after known
    notices. The first complete walk records it."""
    site.crawl()
    site.publish(left_out={8})
    site.page(8).unlink()
    # page 3 (the last) of the list answers 500 (retried, then failed)
    failing = {"path": "/list/index_2.html", "handler": "status", "status": 500}
    for args, settings in ((("max_pages=1",), {}), ((), {"NOTICES_SEEN_RUN": "2"})):
        cut = site.crawl(*args, **settings)
        assert cut.stat("notices/removal_probe_count") == 0, args or settings
    site.server.sites[0].routes.append(failing)
    cut = site.crawl(NOTICES_RETRY_BACKOFF="0.1")
    assert cut.stat("notices/removal_probe_count") == 0
    assert site.fetches(8) == 1  # run 1 only
    assert read_removals(site.state_dir) == []

    site.server.sites[0].routes.clear()
    complete = site.crawl()
    assert complete.stat("notices/removal_probe_count") == 1
    [row] = read_removals(site.state_dir)
    assert (row["url"], row["status"], row["how"]) == (site.url(8), "removed", "404")
    assert row["missing_run"] == run_id(complete)
