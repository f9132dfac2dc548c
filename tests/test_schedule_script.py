"""The cron script: one run per site at a time, one feed per run, incremental between runs."""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import FAST, REPO
from tests.sitegen import serve, write_registry

SCRIPT = REPO / "scripts" / "crawl-site.sh"


def run_script(home: Path, registry: Path, base_url: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "NOTICES_HOME": str(home),
           "SCRAPY": str(Path(sys.executable).with_name("scrapy"))}
    settings = {**FAST, "NOTICES_REGISTRY_PATH": str(registry)}
    args = [arg for key, value in settings.items() for arg in ("-s", f"{key}={value}")]
    return subprocess.run([str(SCRIPT), "gen", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_script_crawls_incrementally_and_holds_a_lock(tmp_path):
    server, _ = serve(tmp_path, count=5, per_page=5)
    try:
        registry = write_registry(tmp_path / "sites.toml", server)
        home = tmp_path / "home"
        first = run_script(home, registry, server.base_urls["gen"])
        assert first.returncode == 0, first.stderr
        with (home / "locks" / "gen.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            locked = run_script(home, registry, server.base_urls["gen"])
        second = run_script(home, registry, server.base_urls["gen"])
    finally:
        server.stop()
    assert locked.returncode == 75 and "still running" in locked.stderr
    assert second.returncode == 0, second.stderr
    feeds = sorted((home / "output" / "gen").glob("*.jsonl"))
    assert len(feeds) in (1, 2)  # the second run may fall in the same second as the first
    records = [json.loads(line) for feed in feeds for line in feed.read_text().splitlines()]
    assert len(records) == 5 and {r["change"] for r in records} == {"new"}
    assert list((home / "state").glob("*.sqlite"))
    assert list((home / "logs" / "gen").glob("*.log"))


def test_script_keeps_its_files_out_of_the_repository_by_default(tmp_path):
    server, _ = serve(tmp_path, count=2, per_page=2)
    working = ("locks", "state", "jobs", "logs", "output")
    before = {name for name in working if (REPO / name).exists()}
    try:
        registry = write_registry(tmp_path / "sites.toml", server)
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "user"),
               "SCRAPY": str(Path(sys.executable).with_name("scrapy"))}
        args = [arg for key, value in {**FAST, "NOTICES_REGISTRY_PATH": str(registry)}.items()
                for arg in ("-s", f"{key}={value}")]
        done = subprocess.run([str(SCRIPT), "gen", *args], env=env, capture_output=True,
                              text=True, timeout=120)
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr
    home = tmp_path / "user" / ".local" / "share" / "jiwei-notices"
    assert {p.name for p in home.iterdir()} == set(working)
    assert len(list((home / "output" / "gen").glob("*.jsonl"))) == 1
    assert {name for name in working if (REPO / name).exists()} == before


def test_working_files_in_the_repository_are_git_ignored():
    """Where NOTICES_HOME is the repository, or Scrapyd runs in it (scrapyd.conf)."""
    paths = ["locks/gen.lock", "state/gen.sqlite", "jobs/gen/requests.seen", "logs/gen/x.log",
             "output/gen/x.jsonl", "items/jiwei-notices/notices/x.jl", "dbs/jiwei-notices.db",
             "eggs/jiwei-notices/1.egg", "out.jsonl.123.part"]
    done = subprocess.run(["git", "check-ignore", "--no-index", *paths], cwd=REPO,
                          capture_output=True, text=True)
    assert sorted(done.stdout.split()) == sorted(paths)
