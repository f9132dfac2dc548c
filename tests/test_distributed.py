"""Distributed crawls against a real `redis-server` on a loopback port.

Workers are real `scrapy crawl` processes switched to distributed mode by
`NOTICES_REDIS_URL`; `scrapy seed` puts the start requests into Redis. The site is generated
into the test's folder (500 notices on 25 list pages) and served on loopback.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from scrapy.settings import Settings

from crawler import settings as project_settings
from crawler.browser import HANDLER as BROWSER_HANDLER
from crawler.browser import BrowserAddon, chromium_executable
from crawler.distributed import DistributedAddon, RedisKeys, redis_problem
from crawler.distributed.state import ALREADY_MINE, CLAIMED, HELD_ELSEWHERE, RedisCrawlState
from crawler.state import Known
from fixtures.server import FixtureServer
from tests.conftest import FAST, PRODUCTION, REPO
from tests.sitegen import build_site, notice_path, write_registry

COUNT = 500
HTTP11 = "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"
# Workers notice new work within 0.2 s, close 1 s after all is done, count as dead 1.5 s after
# their last heartbeat.
WORKER = {"NOTICES_REDIS_HEARTBEAT": "0.2", "NOTICES_REDIS_IDLE_CLOSE": "1",
          "NOTICES_REDIS_WORKER_TTL": "1.5", "ROBOTSTXT_OBEY": "False"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of its own on a free loopback port, to be stopped and started again
    (same port, same data folder)."""

    def __init__(self, workdir: Path, *options: str):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            pytest.fail("redis-server is not installed; the distributed tests need a real one "
                        "(`make test` installs it with apt-get, or: apt-get install "
                        "redis-server)")
        self.port = free_port()
        self.workdir = workdir
        self.options = options or ("--save", "", "--appendonly", "no")
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self, password: str | None = None) -> RedisServer:
        auth = ("--requirepass", password) if password else ()
        self.proc = subprocess.Popen([self.binary, "--port", str(self.port), "--bind",
                                      "127.0.0.1", "--dir", str(self.workdir), *self.options,
                                      *auth],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, password=password)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return self
            except (redis.ConnectionError, redis.exceptions.BusyLoadingError):
                assert self.proc.poll() is None, "redis-server exited at start"
                assert time.monotonic() < deadline, "redis-server did not answer within 10 s"
                time.sleep(0.05)

    def stop(self) -> None:
        self.proc.terminate()  # SIGTERM: redis-server flushes its append-only file and exits
        self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A redis-server of its own on a free loopback port, nothing saved to disk."""
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server.url
    server.stop()


@pytest.fixture
def db(redis_url):
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    client.flushall()
    return client


FIRST_LIST = "/list/index.html"


class TimedFixtureServer(FixtureServer):
    """The fixture server, also noting when each request came.

    It can hold the answer to the first list page until `first_list_released` is set, so a
    test can have every worker join before there is any work to share.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.times: list[tuple[float, str, str]] = []  # (time, site id, path)
        self.first_list_released = threading.Event()
        self.first_list_released.set()

    def record(self, site_id: str, method: str, path: str, user_agent: str = "") -> int:
        with self._lock:
            self.times.append((time.monotonic(), site_id, path))
        if path == FIRST_LIST:
            self.first_list_released.wait(timeout=90)
        return super().record(site_id, method, path, user_agent)


def serve_site(folder: Path, count: int, per_page: int, registry_extra: str = "",
               names: tuple[str, ...] = ("gen",)):
    for name in names:
        build_site(folder / "sites" / name / "root", count=count, per_page=per_page)
    server = TimedFixtureServer(list(names), sites_dir=folder / "sites")
    server.start()
    registry = write_registry(folder / "sites.toml", server, extra=registry_extra)
    return server, registry


@pytest.fixture(scope="module")
def big_site(tmp_path_factory):
    server, registry = serve_site(tmp_path_factory.mktemp("big"), COUNT, per_page=20)
    yield server, registry
    server.stop()


def notice_fetches(server, count: int = COUNT) -> int:
    return sum(server.request_count("gen", notice_path(n)) for n in range(1, count + 1))


def expected_urls(server, count: int = COUNT) -> set[str]:
    base = server.base_urls["gen"].rstrip("/")
    return {base + notice_path(n) for n in range(1, count + 1)}


def settings_args(redis_url: str, registry: Path, extra: dict | None = None) -> list[str]:
    settings = {**FAST, **WORKER, "NOTICES_REDIS_URL": redis_url,
                "NOTICES_REGISTRY_PATH": str(registry), **(extra or {})}
    return [arg for key, value in settings.items() for arg in ("-s", f"{key}={value}")]


def seed(redis_url: str, registry: Path, *args: str) -> dict:
    sites = () if "--sites" in args else ("--sites", "gen")
    proc = subprocess.run([sys.executable, "-m", "scrapy", "seed", *sites, *args,
                           *settings_args(redis_url, registry)],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


STARTED: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def no_worker_outlives_its_test():
    """A test that fails halfway leaves no worker process behind."""
    yield
    while STARTED:
        proc = STARTED.pop()
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def start_worker(tmp_path: Path, redis_url: str, registry: Path, name: str,
                 extra: dict | None = None) -> subprocess.Popen:
    """`scrapy crawl notices` as worker `name`, its feed `out/notices-<name>.jsonl`."""
    command = [sys.executable, "-m", "scrapy", "crawl", "notices", "-a", f"worker={name}",
               "-o", str(tmp_path / "out" / "%(name)s-%(worker)s.jsonl"),
               *settings_args(redis_url, registry, extra)]
    with (tmp_path / f"{name}.log").open("w") as log:
        proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=log)
    STARTED.append(proc)
    return proc


def start_workers(server: TimedFixtureServer, db, tmp_path: Path, redis_url: str,
                  registry: Path, names: tuple[str, ...],
                  extra: dict | None = None) -> dict[str, subprocess.Popen]:
    """Start the workers, the first list page held until every one has written a heartbeat.

    Without the hold, a worker slow to start on a loaded machine could find the crawl over.
    """
    server.first_list_released.clear()
    try:
        workers = {name: start_worker(tmp_path, redis_url, registry, name, extra)
                   for name in names}
        wait_for(lambda: len(db.keys("notices:worker:*")) == len(names),
                 "every worker's first heartbeat")
    finally:
        server.first_list_released.set()
    return workers


def finish(proc: subprocess.Popen, tmp_path: Path, name: str) -> str:
    returncode = proc.wait(timeout=120)
    log = (tmp_path / f"{name}.log").read_text()
    assert returncode == 0, log[-3000:]
    return log


def feed_urls(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line)["url"] for line in fh]


def wait_for(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_two_workers_share_a_crawl_and_a_reseeded_crawl_emits_nothing_again(
        big_site, db, redis_url, tmp_path):
    server, registry = big_site
    before = notice_fetches(server)
    assert seed(redis_url, registry) == {"spider": "notices", "seeded": 1, "already_seen": 0,
                                         "taken_back": 0, "queued": 1, "freed_claims": 0}
    workers = start_workers(server, db, tmp_path, redis_url, registry, ("w1", "w2"))
    logs = {name: finish(proc, tmp_path, name) for name, proc in workers.items()}

    per_worker = {name: feed_urls(tmp_path / "out" / f"notices-{name}.jsonl")
                  for name in workers}
    union = Counter(url for urls in per_worker.values() for url in urls)
    assert set(union) == expected_urls(server)
    assert max(union.values()) == 1
    assert all(per_worker.values()), {name: len(urls) for name, urls in per_worker.items()}
    assert notice_fetches(server) - before == COUNT  # the shared seen-set: no page twice
    for log in logs.values():
        assert "drained and no worker busy" in log
    # Redis after the crawl: queue drained, workers gone, nothing claimed, all exported.
    assert db.zcard("notices:notices:requests") == 0
    assert db.keys("notices:worker:*") == [] and db.keys("notices:claims:*") == []
    assert db.hlen("notices:known:gen") == COUNT
    assert 0 < db.ttl("notices:notices:seen") <= 7 * 24 * 3600

    # Seeding the same site again adds nothing: its list page was seen in this pass.
    assert seed(redis_url, registry)["already_seen"] == 1
    assert db.zcard("notices:notices:requests") == 0
    # A new pass (--reset): the shared crawl state knows every notice.
    assert seed(redis_url, registry, "--reset")["seeded"] == 1
    again = start_worker(tmp_path, redis_url, registry, "w3")
    finish(again, tmp_path, "w3")
    assert feed_urls(tmp_path / "out" / "notices-w3.jsonl") == []
    assert notice_fetches(server) - before == COUNT


def test_a_killed_workers_work_is_taken_back_and_finished_by_the_others(
        big_site, db, redis_url, tmp_path):
    server, registry = big_site
    before = notice_fetches(server)
    seed(redis_url, registry)
    # A short delay (shared by the workers) keeps the crawl going long enough to kill one.
    slow = {"DOWNLOAD_DELAY": "0.01"}
    workers = start_workers(server, db, tmp_path, redis_url, registry, ("w1", "w2", "w3"),
                            slow)
    doomed = workers.pop("w1")
    wait_for(lambda: notice_fetches(server) - before >= 150, "150 notice pages")
    assert doomed.poll() is None and all(proc.poll() is None for proc in workers.values())
    held = db.hlen(next(iter(db.keys("notices:taken:notices:*")), "none"))
    doomed.send_signal(signal.SIGKILL)
    assert doomed.wait(timeout=10) == -signal.SIGKILL
    # No re-seed: once its heartbeat lapses, the others take its requests back.
    logs = {name: finish(proc, tmp_path, name) for name, proc in workers.items()}

    assert held > 0
    assert not (tmp_path / "out" / "notices-w1.jsonl").exists()
    assert list((tmp_path / "out").glob("notices-w1.jsonl.*.part"))
    urls = Counter(url for name in workers
                   for url in feed_urls(tmp_path / "out" / f"notices-{name}.jsonl"))
    assert set(urls) == expected_urls(server)
    assert max(urls.values()) == 1
    assert any("requests of dead workers into the queue" in log for log in logs.values())
    reports = [json.loads((tmp_path / "out" / f"notices-{name}.report.json").read_text())
               for name in workers]
    assert sum(r["distributed"].get("taken_back_count", 0) for r in reports) > 0
    assert db.hlen("notices:known:gen") == COUNT
    assert db.keys("notices:claims:*") == [] and db.keys("notices:taken:*") == []


def test_a_redis_outage_is_waited_out_and_loses_nothing(big_site, tmp_path):
    """redis-server stopped mid-crawl for 5 s, longer than a worker's TTL (3 s here, so that a
    worker slowed by a loaded machine is not taken for dead), then started again with its data
    (append-only file, synced on every write)."""
    server, registry = big_site
    store = RedisServer(tmp_path / "redis-data", "--save", "", "--appendonly", "yes",
                        "--appendfsync", "always")
    (tmp_path / "redis-data").mkdir()
    store.start()
    try:
        db = redis.Redis.from_url(store.url, decode_responses=True)
        before = notice_fetches(server)
        seed(store.url, registry)
        slow = {"DOWNLOAD_DELAY": "0.01", "NOTICES_REDIS_WORKER_TTL": "3"}
        workers = start_workers(server, db, tmp_path, store.url, registry, ("w1", "w2"), slow)
        wait_for(lambda: notice_fetches(server) - before >= 100, "100 notice pages")
        store.stop()
        outage_began = notice_fetches(server)
        time.sleep(5)
        assert all(proc.poll() is None for proc in workers.values()), "a worker gave up"
        store.start()
        logs = {name: finish(proc, tmp_path, name) for name, proc in workers.items()}
        assert outage_began - before < COUNT  # the outage came before the end
        known = db.hlen("notices:known:gen")
    finally:
        store.stop()

    urls = Counter(url for name in workers
                   for url in feed_urls(tmp_path / "out" / f"notices-{name}.jsonl"))
    assert set(urls) == expected_urls(server)  # 0 lost
    assert max(urls.values()) == 1  # 0 twice
    assert known == COUNT
    for name, log in logs.items():
        assert "Redis unreachable" in log and "Redis answers again" in log, log[-3000:]
        assert "Spider error" not in log and "Traceback" not in log, log[-3000:]
        report = json.loads((tmp_path / "out" / f"notices-{name}.report.json").read_text())
        assert report["finish_reason"] == "finished"
        assert report["distributed"]["redis_outage_count"] >= 1
        assert report["sites"]["gen"]["errors"]["network_error"] == 0
        assert report["sites"]["gen"]["new"] == report["sites"]["gen"]["emitted"]


def refusal(redis_url: str, registry: Path, tmp_path: Path, *args: str) -> str:
    """The stderr of a worker that must refuse to start: exit status 2, one refusal line."""
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "notices", *args,
                           *settings_args(redis_url, registry)],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    [line] = [line for line in proc.stderr.splitlines() if "refused" in line]
    assert proc.stderr.rstrip().endswith(line)
    return line


def test_a_worker_refuses_a_feed_placeholder_it_cannot_fill(big_site, db, redis_url,
                                                             tmp_path):
    server, registry = big_site
    seed(redis_url, registry)
    line = refusal(redis_url, registry, tmp_path,
                   "-o", str(tmp_path / "out" / "%(name)s-%(worker)s.jsonl"))
    assert "%(worker)s" in line and "-a worker=" in line
    assert db.zcard("notices:notices:requests") == 1  # the queue left to the other workers
    assert not (tmp_path / "out").exists()


def test_a_worker_refuses_a_redis_it_cannot_use(big_site, tmp_path):
    _, registry = big_site
    feed = ("-a", "worker=w1", "-o", str(tmp_path / "out" / "%(worker)s.jsonl"))
    locked = RedisServer(tmp_path).start(password="s3cret")
    try:
        base = f"127.0.0.1:{locked.port}"
        assert redis_problem(f"redis://:s3cret@{base}/0") is None  # the right password
        for url, why in [(f"redis://:wrong@{base}/0", "refuses the credentials"),
                         (f"redis://{base}/0", "refuses the credentials"),
                         (f"redis://:s3cret@{base}/99", "DB index is out of range"),
                         (f"redis://:s3cret@{base}/zero", "must be a database number"),
                         (f"{base}/0", "has no scheme"),
                         (f"redis://127.0.0.1:{free_port()}/0", "cannot reach Redis")]:
            assert why in refusal(url, registry, tmp_path, *feed), url
    finally:
        locked.stop()
    open_redis = RedisServer(tmp_path).start()  # no password set: one given is refused
    try:
        line = refusal(f"redis://:guess@127.0.0.1:{open_redis.port}/0", registry, tmp_path,
                       *feed)
        assert "without any password configured" in line
    finally:
        open_redis.stop()
    assert not (tmp_path / "out").exists()


def smallest_gaps(server) -> dict[str, float]:
    """Per site, the smallest gap between two requests it received."""
    gaps = {}
    for site in {site for _, site, _ in server.times}:
        times = sorted(t for t, where, _ in server.times if where == site)
        gaps[site] = min(b - a for a, b in zip(times, times[1:], strict=False))
    return gaps


def test_a_sites_delay_holds_across_workers(db, redis_url, tmp_path):
    delay = 0.4
    server, registry = serve_site(tmp_path, count=12, per_page=12,
                                  registry_extra=f"politeness = {{ download_delay = {delay} }}\n")
    try:
        seed(redis_url, registry)
        workers = start_workers(server, db, tmp_path, redis_url, registry, ("w1", "w2"))
        for name, proc in workers.items():
            finish(proc, tmp_path, name)
    finally:
        server.stop()
    per_worker = [feed_urls(tmp_path / "out" / f"notices-{name}.jsonl") for name in workers]
    # Both workers fetch from the first list page on, within the one pace of the site.
    assert all(per_worker) and sum(map(len, per_worker)) == 12, list(map(len, per_worker))
    assert len(server.times) == 13  # the list page and 12 notices
    assert smallest_gaps(server)["gen"] >= delay - 0.05, server.times


def test_three_workers_share_three_sites_each_at_its_pace(db, redis_url, tmp_path):
    delay, names = 0.5, ("east", "west", "north")
    server, registry = serve_site(tmp_path, count=10, per_page=10, names=names,
                                  registry_extra=f"politeness = {{ download_delay = {delay} }}\n")
    try:
        assert seed(redis_url, registry, "--sites", ",".join(names))["seeded"] == 3
        workers = start_workers(server, db, tmp_path, redis_url, registry, ("w1", "w2", "w3"))
        for name, proc in workers.items():
            finish(proc, tmp_path, name)
    finally:
        server.stop()
    feeds = {name: feed_urls(tmp_path / "out" / f"notices-{name}.jsonl") for name in workers}
    union = Counter(url for urls in feeds.values() for url in urls)
    assert set(union) == {server.base_urls[site].rstrip("/") + notice_path(n)
                          for site in names for n in range(1, 11)}
    assert max(union.values()) == 1
    assert all(feeds.values()), {name: len(urls) for name, urls in feeds.items()}
    for site, gap in smallest_gaps(server).items():
        # Starts are spaced by the delay (Redis clock); arrival adds the jitter of three
        # workers and the server sharing two cores.
        assert gap >= delay - 0.1, (site, gap)
    for name, urls in feeds.items():
        report = json.loads((tmp_path / "out" / f"notices-{name}.report.json").read_text())
        rows = report["sites"]
        assert sum(row["new"] for row in rows.values()) == len(urls)  # every one new, not null


def queued(redis_url: str) -> list[dict]:
    """The requests in the shared queue, as scrapy-redis serialized them."""
    raw = redis.Redis.from_url(redis_url)  # bytes: the requests are pickled
    return [pickle.loads(data) for data in raw.zrange("notices:notices:requests", 0, -1)]


def test_seed_adds_start_urls_and_sites_together_and_keeps_the_seen_set(db, redis_url,
                                                                        tmp_path):
    server, registry = serve_site(tmp_path, count=4, per_page=4, names=("east", "west"))
    server.stop()  # nothing is fetched: seeding only queues
    west_list = server.base_urls["west"] + "list/index.html"
    east_notice = server.base_urls["east"].rstrip("/") + notice_path(1)
    first = seed(redis_url, registry, "--sites", "east", "--start-url", west_list,
                 "--start-url", east_notice)
    assert (first["seeded"], first["already_seen"], first["queued"]) == (3, 0, 3)
    slots = {(request["url"], request["meta"]["download_slot"])
             for request in queued(redis_url)}
    assert slots == {(server.base_urls["east"] + "list/index.html", "east"),  # registry site
                     (west_list, f"127.0.0.1_{urlsplit(west_list).port}"),
                     (east_notice, f"127.0.0.1_{urlsplit(east_notice).port}")}

    # More work for the running crawl: only the new URL is added, nothing walked again.
    db.delete("notices:notices:requests")  # as if the workers had taken the first three
    west_notice = server.base_urls["west"].rstrip("/") + notice_path(2)
    more = seed(redis_url, registry, "--sites", "east", "--start-url", west_list,
                "--start-url", west_notice)
    assert (more["seeded"], more["already_seen"]) == (1, 2)
    assert [request["url"] for request in queued(redis_url)] == [west_notice]
    # --reset: a new pass, every list walked again.
    again = seed(redis_url, registry, "--reset", "--sites", "east", "--start-url", west_list)
    assert (again["seeded"], again["already_seen"]) == (2, 0)


def test_seed_refuses_without_redis_or_targets(redis_url, tmp_path):
    registry = tmp_path / "sites.toml"
    registry.write_text('[[site]]\nid = "gen"\nname = "gen"\nbase_url = "http://127.0.0.1:9/"\n'
                        'platform = "generic"\nfixture = true\ncolumns = [{ name = "x", '
                        'url = "http://127.0.0.1:9/list/index.html" }]\n', encoding="utf-8")
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    no_redis = subprocess.run([sys.executable, "-m", "scrapy", "seed", "--sites", "gen",
                               "-s", f"NOTICES_REGISTRY_PATH={registry}"],
                              cwd=REPO, capture_output=True, text=True, timeout=60, env=env)
    assert no_redis.returncode != 0 and "no Redis" in no_redis.stderr
    nothing = subprocess.run([sys.executable, "-m", "scrapy", "seed", "--redis-url", redis_url,
                              "-s", f"NOTICES_REGISTRY_PATH={registry}"],
                             cwd=REPO, capture_output=True, text=True, timeout=60, env=env)
    assert nothing.returncode != 0 and "nothing to seed" in nothing.stderr


def test_claims_pass_only_from_dead_workers_and_commit_frees_them(db):
    keys = RedisKeys()
    first, second = (RedisCrawlState(db, keys, "notices", run, 60) for run in ("first", "second"))
    db.set(keys.worker("first"), "{}")
    db.set(keys.worker("second"), "{}")
    assert first.claim("s", "u1") == CLAIMED
    # Claimed again before it is staged: a claim retried after Redis lost the answer.
    assert first.claim("s", "u1") == CLAIMED
    assert second.claim("s", "u1") == HELD_ELSEWHERE
    first.stage("s", "u1", "f" * 40, 0)
    assert first.claim("s", "u1") == ALREADY_MINE  # emitted by this run already
    first.walk_finished("s", "list")
    assert second.known("s", "u1") is None and not second.walk_complete("s", "list")
    assert first.commit() == 1
    assert second.known("s", "u1") == Known("f" * 40, 0) and second.walk_complete("s", "list")
    assert db.hlen(keys.claims("s")) == 0
    assert second.claim("s", "u1") == CLAIMED  # exported now: the pipeline drops it unchanged

    assert first.claim("s", "u2") == CLAIMED
    db.delete(keys.worker("first"))  # its heartbeat lapsed
    assert second.claim("s", "u2") == CLAIMED
    first.close(give_back=False)  # the dead run's leftovers go, the claim taken over stays
    assert db.hget(keys.claims("s"), "u2") == "second"
    assert db.keys("notices:staged*") == []


def test_two_workers_with_the_browser_keep_a_sites_pace(db, redis_url, tmp_path):
    """NOTICES_BROWSER on and the production politeness (AutoThrottle, 1 s delay): the shared
    pace sits in front of the browser's download handler, so two workers together come no
    closer than one worker alone may (the site's delay less Scrapy's ±50% jitter)."""
    chromium = chromium_executable()
    assert chromium and os.access(chromium, os.X_OK), "no Chromium on PATH (`make chromium`)"
    delay = 1.5
    server, registry = serve_site(
        tmp_path, count=8, per_page=10,
        registry_extra=f"browser = true\npoliteness = {{ download_delay = {delay} }}\n")
    try:
        seed(redis_url, registry)
        extra = {**PRODUCTION, "NOTICES_BROWSER": "True", "CONCURRENT_REQUESTS": "2"}
        workers = start_workers(server, db, tmp_path, redis_url, registry, ("w1", "w2"), extra)
        logs = [finish(proc, tmp_path, name) for name, proc in workers.items()]
    finally:
        server.stop()
    per_worker = [feed_urls(tmp_path / "out" / f"notices-{name}.jsonl") for name in workers]
    assert all(per_worker) and sum(map(len, per_worker)) == 8
    assert all("'notices/browser_page_count'" in log for log in logs)
    times = sorted(t for t, _, path in server.times if path.startswith("/list/"))
    assert len(times) == 9  # the list page and 8 notices, each fetched once
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert min(gaps) >= delay * 0.5 - 0.05, gaps


def test_the_shared_pace_wraps_the_browser_handler():
    """The add-ons in their ADDONS order: the browser's handler, then the pace in front of it."""
    for browser, wrapped in (("False", HTTP11), ("True", BROWSER_HANDLER)):
        settings = Settings()
        settings.setmodule(project_settings, priority="project")
        settings.set("NOTICES_REDIS_URL", "redis://127.0.0.1:1/0", priority="cmdline")
        settings.set("NOTICES_BROWSER", browser, priority="cmdline")
        BrowserAddon().update_settings(settings)
        DistributedAddon().update_settings(settings)
        handlers = settings.getdict("DOWNLOAD_HANDLERS")
        assert handlers["http"] == handlers["https"] == (
            "crawler.distributed.politeness.SharedPaceDownloadHandler")
        assert settings.get("NOTICES_REDIS_PACED_HANDLER") == wrapped
        assert settings.get("SCHEDULER") == "crawler.distributed.scheduler.RedisScheduler"
