"""Removed notices across runs of the real engine against a loopback site that changes.

Between runs the site's files are rewritten as a real site changes: a notice taken off its list
and its page deleted (404), redirected to the home page, replaced by a "page not found" page
(a soft 404), or only taken off the list; later put back.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.state import CrawlState
from pipelines.corpus.removals import read_removals
from tests.conftest import REPO, run_crawl
from tests.corpus_factory import make_corpus
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

    # Off the list: 5 deleted (404), 6 gone (410), 4 redirected home, 3 a "not found" page,
    # 2 still there.
    site.publish(left_out={6, 5, 4, 3, 2})
    site.page(5).unlink()
    site.server.sites[0].routes.append(
        {"path": notice_path(6), "handler": "status", "status": 410})
    redirect = site.redirect_home(4)
    site.page(3).write_text(SOFT_404, encoding="utf-8")
    before = {n: site.fetches(n) for n in range(1, COUNT + 1)}
    second = site.crawl()
    assert second.records == []
    assert second.stat("notices/removed_count") == 4
    assert second.stat("notices/unlisted_count") == 1
    # each missing notice probed once; the listed ones not fetched at all
    assert {n: site.fetches(n) - before[n] for n in before} == {
        1: 0, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 0, 8: 0}
    missed_by = run_id(second)

    rows = site.removals()
    assert set(rows) == {site.url(n) for n in (6, 5, 4, 3, 2)}
    expected = {6: ("removed", "410"), 5: ("removed", "404"), 4: ("removed", "redirect"),
                3: ("removed", "soft_404"), 2: ("unlisted", "answers")}
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
    site.server.sites[0].routes.remove(redirect)
    site.publish(left_out={6, 4, 3, 2})
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
    assert (rows[site.url(6)]["status"], rows[site.url(6)]["how"]) == ("removed", "410")


def test_a_walk_cut_short_declares_nothing(site):
    """A notice off the first list page and deleted is not recorded while the walk does not
    reach the list's end: the page limit, a list page that fails, an early stop after known
    notices. The first complete walk records it."""
    site.crawl()
    site.publish(left_out={8, 7})
    site.page(8).unlink()
    site.page(7).unlink()
    # page 2 (the last) of the list answers 500 (retried, then failed)
    failing = {"path": "/list/index_1.html", "handler": "status", "status": 500}
    for args, settings in ((("max_pages=1",), {}), ((), {"NOTICES_SEEN_RUN": "2"})):
        cut = site.crawl(*args, **settings)
        assert cut.stat("notices/removal_probe_count") == 0, args or settings
    site.server.sites[0].routes.append(failing)
    cut = site.crawl(NOTICES_RETRY_BACKOFF="0.1")
    assert cut.stat("notices/removal_probe_count") == 0
    assert site.fetches(8) == site.fetches(7) == 1  # run 1 only
    assert read_removals(site.state_dir) == []

    # Complete walks, one probe a run: the notice not yet probed goes before the open one.
    site.server.sites[0].routes.clear()
    complete = site.crawl(NOTICES_REMOVAL_PROBES="1")
    assert complete.stat("notices/removal_probe_count") == 1
    [row] = read_removals(site.state_dir)
    assert (row["url"], row["status"], row["how"]) == (site.url(7), "removed", "404")
    assert row["missing_run"] == run_id(complete)
    following = site.crawl(NOTICES_REMOVAL_PROBES="1")
    assert following.stat("notices/removal_probe_count") == 1
    rows = {row["url"]: row for row in read_removals(site.state_dir)}
    assert rows[site.url(8)]["missing_run"] == run_id(following)
    assert site.fetches(7) == site.fetches(8) == 2


def state_with_removals(folder: Path) -> Path:
    """A crawl state where a second run found a notice of the first removed."""
    template = str(folder / "{site_id}.sqlite")
    first, second = CrawlState(template, "1" * 32), CrawlState(template, "2" * 32)
    url = "http://127.0.0.1:8080/list/n001.html"
    first.stage("gen", url, "sha1", 0)
    first.record_listed("gen", "http://127.0.0.1:8080/list/", [(url, title_of(1))])
    first.commit()
    [missing] = second.missing("gen", "http://127.0.0.1:8080/list/", 10)
    second.record_removal("gen", missing, "removed", "404", f"HTTP 404 at {url}")
    first.close()
    second.close()
    return folder


def corpus_tool(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelines.corpus", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def test_export_removals_as_parquet_and_in_the_overview(tmp_path):
    state = state_with_removals(tmp_path / "state")
    done = corpus_tool("export", "--removals", "--state", state, "-o", tmp_path / "r.parquet")
    assert done.returncode == 0, done.stderr
    table = pq.read_table(tmp_path / "r.parquet")
    [row] = table.to_pylist()
    assert (row["site_id"], row["status"], row["how"], row["missing_run"]) == (
        "gen", "removed", "404", "2" * 32)
    missing_at = table.schema.field("missing_at").type  # Parquet keeps no seconds unit: ms
    assert pa.types.is_timestamp(missing_at) and missing_at.tz == "UTC"
    assert row["missing_at"] == row["removed_at"]

    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n"
                              for record in make_corpus(5, seed=3).records), encoding="utf-8")
    done = corpus_tool("overview", corpus, "--state", state, "-o", tmp_path / "o.md")
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "o.md").read_text(encoding="utf-8")
    assert "## Notices removed from their lists (1)" in page
    assert f"| gen | {title_of(1)} | http://127.0.0.1:8080/list/n001.html | removed |" in page


@pytest.mark.parametrize(("args", "said"), [
    (("--removals",), "--removals and --state DIR go together"),
    (("--state", "STATE"), "--removals and --state DIR go together"),
    (("--removals", "--state", "EMPTY"), "no crawl state files"),
    (("--removals", "--state", "MISSING"), "not a folder"),
    (("--removals", "--state", "STATE", "-o", "r.xlsx"), "unknown format .xlsx"),
    (("--removals", "--state", "STATE", "corpus.jsonl"), "not crawl outputs"),
])
def test_export_removals_argument_errors_are_one_line(tmp_path, args, said):
    state_with_removals(tmp_path / "STATE")
    (tmp_path / "EMPTY").mkdir()
    done = subprocess.run([sys.executable, "-m", "pipelines.corpus", "export",
                           *[str(tmp_path / a) if a in ("STATE", "EMPTY", "MISSING") else a
                             for a in args]],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert said in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
