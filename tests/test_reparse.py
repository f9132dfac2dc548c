"""`scrapy reparse`: crawls written to WARC files are rebuilt with the fixture server stopped, and
the records equal the crawl's."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from fixtures.server import REGISTRY_PATH as FIXTURE_REGISTRY
from fixtures.server import FixtureServer
from tests.conftest import REPO, TEST_SITES, CrawlResult, run_crawl

VOLATILE = ("crawled_at", "hit_count_observed_at")


def run_reparse(out: Path, *args: str) -> CrawlResult:
    """`scrapy reparse ARGS -O out` in a subprocess; records read from `out`."""
    command = [sys.executable, "-m", "scrapy", "reparse", *args, "-O", str(out)]
    proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    records = []
    if out.exists():
        with out.open(encoding="utf-8") as fh:
            records = [json.loads(line) for line in fh]
    return CrawlResult(records, proc.stderr, proc.returncode)


def comparable(records: list[dict]) -> list[dict]:
    return sorted(({k: v for k, v in r.items() if k not in VOLATILE} for r in records),
                  key=lambda r: r["url"])


@pytest.fixture(scope="module")
def archived_crawls(tmp_path_factory):
    """Two archived crawls of fixture sites whose server is gone when the tests run."""
    tmp = tmp_path_factory.mktemp("reparse")
    with FixtureServer(["attachments_demo", "jingxian"]) as server:
        attachments = run_crawl(tmp, "attachments_demo", settings={
            "NOTICES_REGISTRY_PATH": str(FIXTURE_REGISTRY),
            "NOTICES_BASE_URLS": json.dumps({"attachments_demo":
                                             server.base_urls["attachments_demo"]}),
            "NOTICES_ATTACHMENTS_DIR": str(tmp / "store"), "WARC_DIR": str(tmp / "warc-a")})
        jingxian = run_crawl(tmp, "notices",
                             f"start_url={server.base_urls['jingxian']}a/xcgz/list_12_1.html",
                             settings={"WARC_DIR": str(tmp / "warc-j"),
                                       "WARC_MAX_FILE_SIZE": "20000"})
    attachments.files = sorted((tmp / "warc-a").iterdir())
    jingxian.files = sorted((tmp / "warc-j").iterdir())
    attachments.tmp = jingxian.tmp = tmp
    return attachments, jingxian


def test_archived_crawls_ran(archived_crawls):
    attachments, jingxian = archived_crawls
    assert attachments.returncode == jingxian.returncode == 0
    assert len(attachments.records) == 2 and len(jingxian.records) == 5
    assert len(jingxian.files) >= 2  # rotated


def test_reparse_gives_the_crawl_records(archived_crawls, tmp_path):
    attachments, _ = archived_crawls
    store = tmp_path / "store"
    result = run_reparse(tmp_path / "out.jsonl", *map(str, attachments.files),
                         "-s", f"NOTICES_ATTACHMENTS_DIR={store}")
    assert result.returncode == 0, result.log[-2000:]
    assert " ERROR: " not in result.log
    assert comparable(result.records) == comparable(attachments.records)
    texts = [a["text"] for r in result.records for a in r["attachments"] if a["text"]]
    assert len(texts) == 4
    assert {p.name for p in store.rglob("*.pdf")} == {
        Path(a["local_path"]).name for r in attachments.records for a in r["attachments"]
        if (a["local_path"] or "").endswith(".pdf")}


def test_reparse_keeps_the_archived_fetch_time(archived_crawls, tmp_path):
    _, jingxian = archived_crawls
    result = run_reparse(tmp_path / "out.jsonl", *map(str, jingxian.files))
    archived = {}
    for path in jingxian.files:
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "response":
                    archived[record.rec_headers.get_header("WARC-Target-URI")] = (
                        record.rec_headers.get_header("WARC-Date"))
    def iso(warc_date: str) -> str:
        return datetime.fromisoformat(warc_date.replace("Z", "+00:00")).isoformat(
            timespec="seconds")

    for record in result.records:
        assert record["crawled_at"] == iso(archived[record["url"]])
    # Hit counts were read when the page or its counter answer was archived, not now.
    observed = [r["hit_count_observed_at"] for r in result.records if r["hit_count"] is not None]
    assert observed and set(observed) <= {iso(date) for date in archived.values()}
    crawled = {r["url"]: datetime.fromisoformat(r["crawled_at"]) for r in jingxian.records}
    for record in result.records:
        delta = datetime.fromisoformat(record["crawled_at"]) - crawled[record["url"]]
        assert abs(delta.total_seconds()) <= 2


def test_reparse_of_rotated_files_with_hit_counters(archived_crawls, tmp_path):
    _, jingxian = archived_crawls
    result = run_reparse(tmp_path / "out.jsonl", *map(str, jingxian.files))
    assert result.returncode == 0
    assert " ERROR: " not in result.log
    assert comparable(result.records) == comparable(jingxian.records)
    assert all(r["hit_count"] is not None for r in result.records)


def test_reparse_applies_current_settings(archived_crawls, tmp_path):
    attachments, _ = archived_crawls
    result = run_reparse(tmp_path / "out.jsonl", *map(str, attachments.files),
                         "-s", f"NOTICES_ATTACHMENTS_DIR={tmp_path / 'store'}",
                         "-s", "NOTICES_ATTACHMENT_MAX_NESTING=8")
    [nested] = [a for r in result.records for a in r["attachments"]
                if a["url"].endswith("/nested.zip")]
    assert "a zip bomb" in nested["error"]  # unpacked this time, refused for its ratio


def test_request_missing_from_archive_is_an_error_and_the_crawl_goes_on(archived_crawls,
                                                                         tmp_path):
    _, jingxian = archived_crawls
    result = run_reparse(tmp_path / "out.jsonl", str(jingxian.files[0]))
    assert result.returncode == 0
    assert "is not in the archive" in result.log
    assert result.stat("notices/request_failed_count") >= 1
    assert len(result.records) < len(jingxian.records)


def test_repeated_request_answered_in_fetch_order(tmp_path):
    """A page that failed once (HTTP 503) and was retried: the re-parse meets the 503 first,
    retries like the crawl did, and gets the page."""
    with FixtureServer(["behaviours"], sites_dir=TEST_SITES) as server:
        start = server.base_urls["behaviours"] + "flaky.html"
        crawl = run_crawl(tmp_path, "notices", f"start_url={start}", settings={
            "WARC_DIR": str(tmp_path / "warc"), "NOTICES_RETRY_BACKOFF": "0"})
    assert crawl.stat("retry/count") == 1 and len(crawl.records) == 1
    result = run_reparse(tmp_path / "out.jsonl", *map(str, (tmp_path / "warc").iterdir()),
                         "-s", "NOTICES_RETRY_BACKOFF=0")
    assert result.stat("retry/count") == 1
    assert comparable(result.records) == comparable(crawl.records)


def test_files_of_different_crawls_are_refused(archived_crawls, tmp_path):
    attachments, jingxian = archived_crawls
    result = run_reparse(tmp_path / "out.jsonl", str(attachments.files[0]),
                         str(jingxian.files[0]))
    assert result.returncode != 0
    assert "2 different crawls" in result.log
    assert result.records == []


def test_file_that_is_no_archive_is_refused(tmp_path):
    missing = run_reparse(tmp_path / "out.jsonl", str(tmp_path / "none.warc.gz"))
    assert missing.returncode != 0 and "no such WARC file" in missing.log
    plain = tmp_path / "plain.warc.gz"
    plain.write_bytes(b"")
    result = run_reparse(tmp_path / "out.jsonl", str(plain))
    assert result.returncode != 0 and "no warcinfo record" in result.log
