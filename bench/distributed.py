"""Distributed crawls: notices per second with politeness off, and a politeness-bound crawl.

Part 1, one generated 500-notice site. A real redis-server on a loopback port, the site
served on loopback with politeness off,
`scrapy seed` then N `scrapy crawl notices` workers, next to one plain crawl without Redis
(`-a sites=gen`, the same site and settings). Two figures per run:
crawl rate — notices over the span from the site's first request to its last (what the
workers do once running) — and wall rate — notices over the time from starting the workers
to the last one exiting (process start-up and the idle close included). Medians of RUNS
runs, and the 2-worker/1-worker ratio. On a 2-core machine the site, Redis and both
workers share the cores.

Part 2, politeness-bound: 50 generated sites of 9 notices on one list page each, seeded
together, crawled by 1, 2 and 3 workers with the project's politeness defaults (1 s delay per
site shared by all workers, AutoThrottle, robots.txt). Its lower bound is the busiest site's
requests one delay apart, (requests - 1) × delay; the crawl span is the time from the first
request any site received to the last, and the smallest gap between two requests of one site
shows the shared pace holding. More workers cannot beat the bound; they should not fall
behind it either. Median of POLITE_RUNS runs.
"""

from __future__ import annotations

import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import redis

from crawler import settings as defaults
from fixtures.server import FixtureServer
from tests.sitegen import build_site, notice_path, write_registry

REPO = Path(__file__).resolve().parents[1]
COUNT = 500
RUNS = 3
POLITE_SITES, POLITE_NOTICES, POLITE_RUNS = 50, 9, 3
# The project's defaults but for the loopback guard and a short idle close (printed apart).
POLITE_SETTINGS = {"NOTICES_LOOPBACK_ONLY": "True", "NOTICES_REDIS_IDLE_CLOSE": "1",
                   "NOTICES_PROGRESS_INTERVAL": "0", "LOG_LEVEL": "WARNING"}
SETTINGS = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "ROBOTSTXT_OBEY": "False",
            "NOTICES_LOOPBACK_ONLY": "True", "NOTICES_REDIS_HEARTBEAT": "0.2",
            "NOTICES_REDIS_IDLE_CLOSE": "1", "NOTICES_PROGRESS_INTERVAL": "0",
            "LOG_LEVEL": "WARNING"}


class TimedFixtureServer(FixtureServer):
    """The fixture server, also noting when each request came, to which site."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.times: list[tuple[float, str]] = []

    def record(self, site_id: str, method: str, path: str, user_agent: str = "") -> int:
        with self._lock:
            self.times.append((time.monotonic(), site_id))
        return super().record(site_id, method, path, user_agent)

    def span(self) -> float:
        moments = [t for t, _ in self.times]
        return max(moments) - min(moments)


def start_redis(workdir: Path) -> tuple[subprocess.Popen, str]:
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("redis-server is not installed (apt-get install redis-server)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(workdir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(200):
        try:
            redis.Redis.from_url(url).ping()
            return proc, url
        except redis.ConnectionError:
            time.sleep(0.05)
    sys.exit("redis-server did not answer")


def scrapy(*args: str, settings: dict) -> list[str]:
    command = [sys.executable, "-m", "scrapy", *args]
    for key, value in settings.items():
        command += ["-s", f"{key}={value}"]
    return command


def one_run(workers: int, server: TimedFixtureServer, settings: dict, out: Path) -> tuple:
    """One crawl by `workers` distributed workers (0: one plain crawl, no Redis)."""
    if workers:
        redis.Redis.from_url(settings["NOTICES_REDIS_URL"]).flushall()
        subprocess.run(scrapy("seed", "--sites", "gen", settings=settings), cwd=REPO,
                       check=True, capture_output=True)
    server.times.clear()
    fetched = sum(server.request_count("gen", notice_path(n)) for n in range(1, COUNT + 1))
    started = time.monotonic()
    if workers:
        commands = [scrapy("crawl", "notices", "-a", f"worker=w{i}", "-o",
                           str(out / f"run-{started}-w{i}.jsonl"), settings=settings)
                    for i in range(workers)]
    else:
        plain = {k: v for k, v in settings.items() if k != "NOTICES_REDIS_URL"}
        commands = [scrapy("crawl", "notices", "-a", "sites=gen", "-o",
                           str(out / f"run-{started}-w0.jsonl"), settings=plain)]
    procs = [subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for command in commands]
    if any(proc.wait() for proc in procs):
        sys.exit("a worker failed")
    wall = time.monotonic() - started
    emitted = sum(1 for path in out.glob(f"run-{started}-w*.jsonl")
                  for _ in path.open(encoding="utf-8"))
    fetched = sum(server.request_count("gen", notice_path(n))
                  for n in range(1, COUNT + 1)) - fetched
    if emitted != COUNT or fetched != COUNT:
        sys.exit(f"{workers} worker(s) emitted {emitted} and fetched {fetched} of {COUNT}")
    return COUNT / server.span(), COUNT / wall


def polite_run(workers: int, server: TimedFixtureServer, settings: dict, out: Path) -> tuple:
    """One crawl of the 50 sites by `workers` workers: (span, wall, smallest same-site gap,
    busiest site's requests)."""
    redis.Redis.from_url(settings["NOTICES_REDIS_URL"]).flushall()
    subprocess.run(scrapy("seed", "--sites", "all", settings=settings), cwd=REPO, check=True,
                   capture_output=True)
    server.times.clear()
    started = time.monotonic()
    procs = [subprocess.Popen(scrapy("crawl", "notices", "-a", f"worker=w{i}", "-o",
                                     str(out / f"polite-{started}-w{i}.jsonl"),
                                     settings=settings),
                              cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for i in range(workers)]
    if any(proc.wait() for proc in procs):
        sys.exit("a worker failed")
    wall = time.monotonic() - started
    emitted = sum(1 for path in out.glob(f"polite-{started}-w*.jsonl")
                  for _ in path.open(encoding="utf-8"))
    expected = POLITE_SITES * POLITE_NOTICES
    if emitted != expected:
        sys.exit(f"{workers} worker(s) emitted {emitted} of {expected}")
    by_site: dict[str, list[float]] = {}
    for moment, site in server.times:
        by_site.setdefault(site, []).append(moment)
    gaps = [b - a for moments in by_site.values()
            for a, b in zip(sorted(moments), sorted(moments)[1:], strict=False)]
    return server.span(), wall, min(gaps), max(map(len, by_site.values()))


def politeness_bound() -> None:
    names = [f"site{i:02d}" for i in range(POLITE_SITES)]
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        for name in names:
            build_site(tmp_path / "sites" / name / "root", count=POLITE_NOTICES,
                       per_page=POLITE_NOTICES + 1)
        server = TimedFixtureServer(names, sites_dir=tmp_path / "sites")
        server.start()
        redis_proc, url = start_redis(tmp_path)
        try:
            settings = {**POLITE_SETTINGS, "NOTICES_REDIS_URL": url,
                        "NOTICES_REGISTRY_PATH": str(write_registry(tmp_path / "sites.toml",
                                                                    server))}
            results = {}
            for workers in (1, 2, 3):
                runs = [polite_run(workers, server, settings, tmp_path)
                        for _ in range(POLITE_RUNS)]
                results[workers] = tuple(statistics.median(r[i] for r in runs)
                                         for i in range(3)) + (max(r[3] for r in runs),)
        finally:
            redis_proc.terminate()
            redis_proc.wait()
            threading.Thread(target=server.stop, daemon=True).start()
    delay = defaults.DOWNLOAD_DELAY
    print(f"politeness-bound: {POLITE_SITES} sites × {POLITE_NOTICES} notices, default "
          f"politeness (delay {delay:g} s per site shared by all workers, AutoThrottle on), "
          f"median of {POLITE_RUNS} runs")
    print(f"  {'workers':<9}{'busiest site':>14}{'lower bound s':>15}{'span s':>8}"
          f"{'span/bound':>12}{'wall s':>8}{'smallest gap s':>16}")
    for workers, (span, wall, gap, busiest) in results.items():
        bound = (busiest - 1) * delay
        print(f"  {workers:<9}{busiest:>14}{bound:>15.1f}{span:>8.1f}{span / bound:>11.2f}x"
              f"{wall:>8.1f}{gap:>16.3f}")
    print(f"  3 workers / 1 worker: span x{results[3][0] / results[1][0]:.2f}, "
          f"wall x{results[3][1] / results[1][1]:.2f} (wall: start-up and a 1 s idle close)")


def politeness_off() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        build_site(tmp_path / "sites" / "gen" / "root", count=COUNT, per_page=20)
        server = TimedFixtureServer(["gen"], sites_dir=tmp_path / "sites")
        server.start()
        redis_proc, url = start_redis(tmp_path)
        try:
            registry = write_registry(tmp_path / "sites.toml", server)
            settings = {**SETTINGS, "NOTICES_REDIS_URL": url,
                        "NOTICES_REGISTRY_PATH": str(registry)}
            results = {}
            for workers in (0, 1, 2):
                runs = [one_run(workers, server, settings, tmp_path) for _ in range(RUNS)]
                results[workers] = (statistics.median(r[0] for r in runs),
                                    statistics.median(r[1] for r in runs))
        finally:
            redis_proc.terminate()
            redis_proc.wait()
            server.stop()
    print(f"distributed crawl of {COUNT} generated notices, politeness off "
          f"(median of {RUNS} runs)")
    print(f"  {'workers':<10}{'crawl notices/s':>18}{'wall notices/s':>18}")
    for workers, (crawl, wall) in results.items():
        label = str(workers) if workers else "no Redis"
        print(f"  {label:<10}{crawl:>18.1f}{wall:>18.1f}")
    print(f"  1 worker / no Redis: crawl x{results[1][0] / results[0][0]:.2f}, "
          f"wall x{results[1][1] / results[0][1]:.2f}")
    print(f"  2 workers / 1 worker: crawl x{results[2][0] / results[1][0]:.2f}, "
          f"wall x{results[2][1] / results[1][1]:.2f}")


def main() -> int:
    politeness_off()
    politeness_bound()
    return 0


if __name__ == "__main__":
    sys.exit(main())
