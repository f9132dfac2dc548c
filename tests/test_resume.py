"""Crawls stopped by real signals and run again: nothing lost, nothing twice.

SIGINT pauses a crawl cleanly (its feed is committed; with JOBDIR the queue is kept);
SIGKILL leaves only a `.part` file, whose notices the next run emits again.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from tests.conftest import FAST, REPO
from tests.sitegen import notice_path, serve

COUNT = 30


@pytest.fixture
def site(tmp_path):
    server, _ = serve(tmp_path, count=COUNT, per_page=5)
    yield server
    server.stop()


def notice_fetches(server) -> int:
    return sum(server.request_count("gen", notice_path(n)) for n in range(1, COUNT + 1))


def start_crawl(tmp_path, server, out_name: str, jobdir: bool = False) -> subprocess.Popen:
    """A slow crawl (0.1 s between requests) writing `out/<out_name>`."""
    settings = {**FAST, "DOWNLOAD_DELAY": "0.1", "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
                "NOTICES_STATE_PATH": str(tmp_path / "state" / "{site_id}.sqlite")}
    if jobdir:
        settings["JOBDIR"] = str(tmp_path / "job")
    command = [sys.executable, "-m", "scrapy", "crawl", "notices", "-a",
               f"start_url={server.base_urls['gen']}list/index.html",
               "-O", str(tmp_path / "out" / out_name)]
    for key, value in settings.items():
        command += ["-s", f"{key}={value}"]
    log = (tmp_path / f"{out_name}.log").open("w")
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
    assert list((tmp_path / "out").glob("2.jsonl.*.part"))
    finish(start_crawl(tmp_path, site, "3.jsonl"))
    urls = urls_in_outputs(tmp_path)
    assert set(urls) == expected_urls(site)
    assert max(urls.values()) == 1


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
    assert list(tmp_path.glob("job.crashed-*"))
    urls = urls_in_outputs(tmp_path)
    assert set(urls) == expected_urls(site)
    assert max(urls.values()) == 1
