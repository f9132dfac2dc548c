"""A real Scrapyd on loopback, configured by the project's scrapyd.conf, runs a fixture crawl."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import FAST, REPO
from tests.sitegen import build_site, serve, write_registry


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(base: str, endpoint: str, data: list[tuple[str, str]] | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(base + endpoint, data=body, timeout=10) as answer:
        return json.loads(answer.read())


@pytest.fixture
def scrapyd(tmp_path):
    """scrapyd started in tmp_path with the project's scrapyd.conf (on a free port) and
    scrapy.cfg, as it is started in the repository."""
    port = free_port()
    config = (REPO / "scrapyd.conf").read_text(encoding="utf-8")
    config = re.sub(r"(?m)^http_port\s*=.*$", f"http_port = {port}", config)
    config = re.sub(r"(?m)^poll_interval\s*=.*$", "poll_interval = 0.2", config)
    (tmp_path / "scrapyd.conf").write_text(config, encoding="utf-8")
    (tmp_path / "scrapy.cfg").write_text((REPO / "scrapy.cfg").read_text(encoding="utf-8"),
                                         encoding="utf-8")
    scrapyd_bin = Path(sys.executable).with_name("scrapyd")
    log = (tmp_path / "scrapyd.log").open("w")
    proc = subprocess.Popen([str(scrapyd_bin)], cwd=tmp_path, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while True:
        try:
            call(base, "daemonstatus.json")
            break
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, "scrapyd did not start"
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=20)


def schedule_and_wait(scrapyd: str, arguments: list[tuple[str, str]]) -> str:
    """Schedule a job of the project through the HTTP API; its id once it has finished."""
    answer = call(scrapyd, "schedule.json", [("project", "jiwei-notices"), *arguments])
    assert answer.get("status") == "ok", answer
    job = answer["jobid"]
    deadline = time.monotonic() + 90
    while not any(j["id"] == job for j in
                  call(scrapyd, "listjobs.json?project=jiwei-notices")["finished"]):
        assert time.monotonic() < deadline, "the job did not finish"
        time.sleep(0.3)
    return job


def job_records(tmp_path: Path, spider: str, job: str) -> list[dict]:
    feed = tmp_path / "items" / "jiwei-notices" / spider / f"{job}.jl"
    return [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]


def test_scrapyd_jobs_on_two_nights_emit_only_what_is_new(scrapyd, tmp_path):
    """A registry site scheduled on two nights with one crawl state (a registry passed as a
    setting has no spider of its own in Scrapy's list: `sites=` names it); the site publishes
    one notice in between."""
    server, root = serve(tmp_path, count=6, per_page=3)
    try:
        registry = write_registry(tmp_path / "sites.toml", server)
        state = tmp_path / "state" / "{site_id}.sqlite"
        arguments = [("spider", "notices"), ("sites", "gen"),
                     ("setting", f"NOTICES_REGISTRY_PATH={registry}"),
                     ("setting", f"NOTICES_STATE_PATH={state}"),
                     *[("setting", f"{k}={v}") for k, v in FAST.items()]]
        first = schedule_and_wait(scrapyd, arguments)
        build_site(root, count=7, per_page=3)
        second = schedule_and_wait(scrapyd, arguments)
    finally:
        server.stop()
    assert sorted(r["url"].rsplit("/", 1)[1] for r in job_records(tmp_path, "notices", first)) == [
        f"n{n:03d}.html" for n in range(1, 7)]
    assert [(r["url"].rsplit("/", 1)[1], r["change"])
            for r in job_records(tmp_path, "notices", second)] == [("n007.html", "new")]


def test_scrapyd_schedules_a_fixture_crawl(scrapyd, tmp_path):
    server, _ = serve(tmp_path, count=6, per_page=3)
    try:
        assert "jiwei-notices" in call(scrapyd, "listprojects.json")["projects"]
        settings = [("setting", f"{k}={v}") for k, v in FAST.items()]
        state = tmp_path / "state" / "{site_id}.sqlite"
        job = schedule_and_wait(scrapyd, [
            ("spider", "notices"), ("start_url", server.base_urls["gen"] + "list/index.html"),
            ("setting", f"NOTICES_STATE_PATH={state}"), *settings])
    finally:
        server.stop()
    records = job_records(tmp_path, "notices", job)
    assert sorted(r["url"].rsplit("/", 1)[1] for r in records) == [
        f"n{n:03d}.html" for n in range(1, 7)]
    assert {r["change"] for r in records} == {"new"}
    assert (tmp_path / "items" / "jiwei-notices" / "notices" / f"{job}.report.json").is_file()
