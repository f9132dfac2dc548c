"""Nights of `scripts/crawl-site.sh` over a loopback site that publishes between them.

Each night is a real run of the cron script (a real `scrapy crawl` with its job directory,
crawl state and feed in NOTICES_HOME); the site is rewritten between nights as a real site
changes: new notices on top of its list, revised texts, a night killed halfway.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import FAST, REPO, log_stat
from tests.sitegen import build_site, default_date, notice_path, serve, write_notice, write_registry

SCRIPT = REPO / "scripts" / "crawl-site.sh"
TODAY = datetime.now(UTC).date()
PER_PAGE = 3


def every_other_day_until(last: int):
    """Notice `last` published today, each earlier one two days before the next: with the
    default 7-day re-check window, the newest four are re-checked every night."""
    return lambda n: TODAY - timedelta(days=2 * (last - n))


class Nights:
    """A fixture site with a registry entry, the script's NOTICES_HOME, and its nights."""

    def __init__(self, tmp_path: Path, count: int, dated=default_date, **settings: str):
        self.dated = dated
        self.server, self.root = serve(tmp_path, count=count, per_page=PER_PAGE, dated=dated)
        self.registry = write_registry(tmp_path / "sites.toml", self.server)
        self.home = tmp_path / "home"
        self.settings = {**FAST, "NOTICES_REGISTRY_PATH": str(self.registry), **settings}
        self.seen_lines: set[str] = set()

    def command(self, *args: str) -> tuple[list[str], dict]:
        env = {"PATH": "/usr/bin:/bin", "NOTICES_HOME": str(self.home),
               "SCRAPY": str(Path(sys.executable).with_name("scrapy"))}
        options = [a for key, value in self.settings.items() for a in ("-s", f"{key}={value}")]
        return [str(SCRIPT), "gen", *options, *args], env

    def night(self, *args: str) -> list[dict]:
        """Run the script once; the records it added to the feeds."""
        command, env = self.command(*args)
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr
        return self.new_records()

    def new_records(self) -> list[dict]:
        lines = set(self.feed_lines())
        new = [json.loads(line) for line in sorted(lines - self.seen_lines)]
        self.seen_lines = lines
        return new

    def feed_lines(self) -> list[str]:
        return [line for feed in sorted((self.home / "output" / "gen").glob("*.jsonl"))
                for line in feed.read_text(encoding="utf-8").splitlines()]

    def publish(self, count: int) -> None:
        """The site now lists `count` notices, the newest first."""
        build_site(self.root, count=count, per_page=PER_PAGE, dated=self.dated)

    def revise(self, n: int, body: str) -> None:
        write_notice(self.root, n, body=body, dated=self.dated)

    def url(self, n: int) -> str:
        return self.server.base_urls["gen"].rstrip("/") + notice_path(n)

    def latest_log(self) -> str:
        return sorted((self.home / "logs" / "gen").glob("*.log"))[-1].read_text()

    def stop(self) -> None:
        self.server.stop()


@pytest.fixture
def nights_factory(tmp_path):
    made: list[Nights] = []

    def make(count: int, **kwargs) -> Nights:
        made.append(Nights(tmp_path, count, **kwargs))
        return made[-1]

    yield make
    for nights in made:
        nights.stop()


def names(records: list[dict]) -> list[tuple[str, str, int]]:
    return sorted((r["url"].rsplit("/", 1)[1], r["change"], r["revision"]) for r in records)


def test_four_nights_emit_each_new_notice_once(nights_factory):
    """One notice published before each of nights 2, 3 and 4: they emit 5, 1, 1 and 1."""
    nights = nights_factory(5, dated=every_other_day_until(8))
    emitted = [nights.night()]
    for count in (6, 7, 8):
        nights.publish(count)
        emitted.append(nights.night())
    assert [len(records) for records in emitted] == [5, 1, 1, 1]
    assert [names(records) for records in emitted[1:]] == [
        [("n006.html", "new", 0)], [("n007.html", "new", 0)], [("n008.html", "new", 0)]]
    urls = Counter(json.loads(line)["url"] for line in nights.feed_lines())
    assert urls == Counter({nights.url(n): 1 for n in range(1, 9)})
    # Night 4 fetched again, unchanged, the known notices listed within the 7-day window.
    window = [n for n in range(1, 8) if nights.dated(n) >= TODAY - timedelta(days=7)]
    assert log_stat(nights.latest_log(), "notices/rechecked_count/gen") == len(window) == 3
    assert not (nights.home / "jobs" / "gen" / "requests.seen").exists()


def test_revised_notice_within_the_recheck_window_is_a_revision(nights_factory):
    nights = nights_factory(5, dated=every_other_day_until(5))
    assert len(nights.night()) == 5
    nights.revise(5, "整改情况已更新：第5巡察组反馈的问题已全部整改到位。")  # published today
    nights.revise(1, "整改情况已更新：第1巡察组反馈的问题已全部整改到位。")  # 8 days ago
    [revised] = nights.night()
    assert names([revised]) == [("n005.html", "revised", 1)]
    assert "已全部整改到位" in revised["body_text"]


def test_weekly_full_pass_after_several_nights(nights_factory):
    """Nightly runs leave an old notice's revision to the weekly `full=1` pass, which emits
    that revision alone; the night after emits nothing."""
    nights = nights_factory(5, dated=every_other_day_until(8))
    assert len(nights.night()) == 5
    nights.publish(6)
    assert names(nights.night()) == [("n006.html", "new", 0)]
    nights.publish(7)
    nights.revise(2, "整改情况已更新：第2巡察组反馈的问题已全部整改到位。")  # 12 days old
    assert names(nights.night()) == [("n007.html", "new", 0)]
    assert names(nights.night("-a", "full=1")) == [("n002.html", "revised", 1)]
    assert nights.night() == []


def test_night_killed_halfway_then_the_next_night(nights_factory):
    """A night with 15 new notices is killed (SIGKILL to the script and scrapy) after 8 of
    them; the next night emits the rest and the killed night's complete records, once."""
    nights = nights_factory(5, DOWNLOAD_DELAY="0.1", CONCURRENT_REQUESTS_PER_DOMAIN="1")
    assert len(nights.night()) == 5
    nights.publish(20)
    before = notice_fetches(nights)
    command, env = nights.command()
    killed = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while notice_fetches(nights) < before + 8:
        assert killed.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait(timeout=30)
    wait_for_exit_of_scrapy(nights.home)
    assert nights.new_records() == []  # nothing reached a feed under its final name
    assert list((nights.home / "output" / "gen").glob("*.part"))

    nights.publish(21)
    third = nights.night()
    urls = Counter(json.loads(line)["url"] for line in nights.feed_lines())
    assert urls == Counter({nights.url(n): 1 for n in range(1, 22)})
    assert sorted(r["url"] for r in third) == [nights.url(n) for n in range(6, 22)]
    assert not list((nights.home / "output" / "gen").glob("*.part"))
    assert list((nights.home / "jobs").glob("gen.crashed-*"))
    log = nights.latest_log()
    assert "was left by a crawl that died" in log
    assert "was left by a crawl that did not close" in log



def notice_fetches(nights: Nights) -> int:
    return sum(nights.server.request_count("gen", notice_path(n)) for n in range(1, 40))


def wait_for_exit_of_scrapy(home: Path) -> None:
    """The lock file is free once the killed crawl's processes are gone."""
    deadline = time.monotonic() + 30
    with (home / "locks" / "gen.lock").open("w") as lock:
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                assert time.monotonic() < deadline, "the killed crawl still holds its lock"
                time.sleep(0.1)
