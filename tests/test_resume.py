"""Crawls stopped by real signals and run again: nothing lost, nothing twice.

SIGINT pauses a crawl cleanly (its feed is committed; with JOBDIR the queue is kept);
SIGKILL leaves only a `.part` file: the next run takes its complete records into its own feed
and emits the rest again. A finished job directory is never resumed.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from crawler.extensions.jobdir import pid_alive
from tests.conftest import FAST, REPO, log_stat
from tests.sitegen import build_site, notice_path, serve

COUNT = 30


@pytest.fixture
def site(tmp_path):
    server, _ = serve(tmp_path, count=COUNT, per_page=5)
    yield server
    server.stop()


def notice_fetches(server) -> int:
    return sum(server.request_count("gen", notice_path(n)) for n in range(1, COUNT + 1))


def start_crawl(tmp_path, server, out_name: str, jobdir: bool = False, state: bool = True,
                log_name: str | None = None, **settings: str) -> subprocess.Popen:
    """A slow crawl (0.1 s between requests) writing `out/<out_name>` (with -O), its log to
    `<log_name or out_name>.log`."""
    settings = {**FAST, "DOWNLOAD_DELAY": "0.1", "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
                **settings}
    if state:
        settings["NOTICES_STATE_PATH"] = str(tmp_path / "state" / "{site_id}.sqlite")
    if jobdir:
        settings["JOBDIR"] = str(tmp_path / "job")
    command = [sys.executable, "-m", "scrapy", "crawl", "notices", "-a",
               f"start_url={server.base_urls['gen']}list/index.html",
               "-O", str(tmp_path / "out" / out_name)]
    for key, value in settings.items():
        command += ["-s", f"{key}={value}"]
    log = (tmp_path / f"{log_name or out_name}.log").open("w")
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=log)


def stop_after(proc, server, fetched: int, sig: signal.Signals) -> None:
    """Send `sig` once the server has answered `fetched` notice pages; wait for the exit."""
    deadline = time.monotonic() + 60
    while notice_fetches(server) < fetched:
        assert proc.poll() is None, "the crawl ended before it could be stopped"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(sig)
    proc.wait(timeout=60)


def finish(proc) -> None:
    assert proc.wait(timeout=120) == 0


def urls_in_outputs(tmp_path) -> Counter[str]:
    urls: Counter[str] = Counter()
    for path in sorted((tmp_path / "out").glob("*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            urls.update(json.loads(line)["url"] for line in fh)
    return urls


def expected_urls(server) -> set[str]:
    base = server.base_urls["gen"].rstrip("/")
    return {base + notice_path(n) for n in range(1, COUNT + 1)}


def test_sigint_then_sigkill_then_rerun_loses_and_duplicates_nothing(site, tmp_path):
    paused = start_crawl(tmp_path, site, "1.jsonl")
    stop_after(paused, site, 6, signal.SIGINT)
    first = urls_in_outputs(tmp_path)
    assert 0 < len(first) < COUNT  # committed on the clean stop
    killed = start_crawl(tmp_path, site, "2.jsonl")
    stop_after(killed, site, notice_fetches(site) + 6, signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL
    assert not (tmp_path / "out" / "2.jsonl").exists()
    [part] = (tmp_path / "out").glob("2.jsonl.*.part")
    complete, broken = records_in_part(part)
    assert complete  # 6 records are more than the file buffer holds
    finish(start_crawl(tmp_path, site, "3.jsonl"))
    urls = urls_in_outputs(tmp_path)
    assert set(urls) == expected_urls(site)
    assert max(urls.values()) == 1
    # The part's complete records were taken into 3.jsonl, not fetched again; then deleted.
    assert not list((tmp_path / "out").glob("*.part"))
    log = (tmp_path / "3.jsonl.log").read_text()
    assert log_stat(log, "feeds/part_record_recovered_count") == len(complete)
    assert log_stat(log, "feeds/part_record_broken_count") == broken
    lines = set((tmp_path / "out" / "3.jsonl").read_text(encoding="utf-8").splitlines())
    assert set(complete) <= lines
    base = site.base_urls["gen"].rstrip("/")
    for line in complete:
        assert site.request_count("gen", json.loads(line)["url"].removeprefix(base)) == 1


def records_in_part(part) -> tuple[list[str], int]:
    """The complete JSON lines of a dead crawl's part file, and 1 if its last line is cut."""
    *whole, tail = part.read_text(encoding="utf-8", errors="replace").split("\n")
    return [line for line in whole if line.strip()], int(bool(tail.strip()))



def test_jobdir_pause_and_resume(site, tmp_path):
    paused = start_crawl(tmp_path, site, "1.jsonl", jobdir=True)
    stop_after(paused, site, 8, signal.SIGINT)
    assert paused.returncode == 0
    assert 0 < len(urls_in_outputs(tmp_path)) < COUNT
    assert (tmp_path / "job" / "requests.queue").is_dir()
    finish(start_crawl(tmp_path, site, "2.jsonl", jobdir=True))
    urls = urls_in_outputs(tmp_path)
    assert set(urls) == expected_urls(site)
    assert max(urls.values()) == 1
    assert notice_fetches(site) == COUNT  # the resumed crawl fetched no page twice


def test_jobdir_after_sigkill_starts_afresh(site, tmp_path):
    killed = start_crawl(tmp_path, site, "1.jsonl", jobdir=True)
    stop_after(killed, site, 8, signal.SIGKILL)
    finish(start_crawl(tmp_path, site, "2.jsonl", jobdir=True))
    log = (tmp_path / "2.jsonl.log").read_text()
    assert "was left by a crawl that did not close" in log
    [crashed] = tmp_path.glob("job.crashed-*")
    urls = urls_in_outputs(tmp_path)
    assert set(urls) == expected_urls(site)
    assert max(urls.values()) == 1
    # Kept for NOTICES_JOBDIR_CRASHED_DAYS (7 by default), deleted once that old.
    finish(start_crawl(tmp_path, site, "3.jsonl", jobdir=True))
    assert crashed.is_dir()
    finish(start_crawl(tmp_path, site, "4.jsonl", jobdir=True, NOTICES_JOBDIR_CRASHED_DAYS="0"))
    assert not crashed.exists()
    assert f"deleted {crashed}" in (tmp_path / "4.jsonl.log").read_text()


@pytest.mark.parametrize("state", [True, False], ids=["with-state", "without-state"])
def test_pause_with_overwrite_and_resume_lose_nothing(site, tmp_path, state):
    """The same `-O out.jsonl` command paused and run again: the resume appends."""
    paused = start_crawl(tmp_path, site, "out.jsonl", jobdir=True, state=state, log_name="1")
    stop_after(paused, site, 8, signal.SIGINT)
    first = urls_in_outputs(tmp_path)
    assert 0 < len(first) < COUNT
    finish(start_crawl(tmp_path, site, "out.jsonl", jobdir=True, state=state, log_name="2"))
    assert "appending to it instead of overwriting" in (tmp_path / "2.log").read_text()
    urls = urls_in_outputs(tmp_path)
    assert set(urls) == expected_urls(site)
    assert max(urls.values()) == 1


def test_finished_job_directory_is_not_resumed(tmp_path):
    """A re-run with the JOBDIR of a finished crawl fetches the lists again and finds what is
    new (an old seen set would filter its start request)."""
    server, root = serve(tmp_path, count=8, per_page=3)
    try:
        finish(start_crawl(tmp_path, server, "1.jsonl", jobdir=True))
        assert len(urls_in_outputs(tmp_path)) == 8
        assert not (tmp_path / "job" / "requests.seen").exists()
        build_site(root, count=9, per_page=3)
        finish(start_crawl(tmp_path, server, "2.jsonl", jobdir=True))
        second = (tmp_path / "out" / "2.jsonl").read_text(encoding="utf-8").splitlines()
        assert [json.loads(line)["url"].rsplit("/", 1)[1] for line in second] == ["n009.html"]
        assert "dupefilter/filtered" not in (tmp_path / "2.jsonl.log").read_text()
    finally:
        server.stop()


def test_sigkill_while_appending_then_rerun_keeps_one_file_without_duplicates(site, tmp_path):
    """One feed file for every run: a killed run's part starts with a copy of that file, and
    only the records after the copy are taken in."""
    paused = start_crawl(tmp_path, site, "all.jsonl", log_name="1")
    stop_after(paused, site, 6, signal.SIGINT)
    assert 0 < len(urls_in_outputs(tmp_path)) < COUNT
    killed = start_crawl(tmp_path, site, "all.jsonl", log_name="2")
    stop_after(killed, site, notice_fetches(site) + 8, signal.SIGKILL)
    [part] = (tmp_path / "out").glob("all.jsonl.*.part")
    kept = set((tmp_path / "out" / "all.jsonl").read_text(encoding="utf-8").splitlines())
    complete, _ = records_in_part(part)
    assert kept <= set(complete)  # the copy of the feed the killed run appended to
    finish(start_crawl(tmp_path, site, "all.jsonl", log_name="3"))
    urls = urls_in_outputs(tmp_path)
    assert set(urls) == expected_urls(site)
    assert max(urls.values()) == 1
    recovered = log_stat((tmp_path / "3.log").read_text(), "feeds/part_record_recovered_count")
    assert recovered == len(set(complete) - kept) > 0


def test_a_killed_crawl_not_yet_reaped_holds_no_job_directory():
    """A child that has exited but was not waited for (a zombie) is not alive; a running one is."""
    running = subprocess.Popen(["sleep", "30"])
    exited = subprocess.Popen(["true"])
    try:
        deadline = time.monotonic() + 10
        while Path(f"/proc/{exited.pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z":
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert pid_alive(running.pid) and not pid_alive(exited.pid)
    finally:
        running.kill()
        running.wait()
        exited.wait()
