"""What the crawl benchmarks share: `scrapy crawl` and `scrapy bench` subprocesses measured
(wall time, peak RSS, final stats), and the summary of targets that
`bench/run.py` prints after every table.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Politeness off (loopback fixture sites only): no delay, no AutoThrottle, the global
# concurrency for the one site. robots.txt is still fetched and obeyed.
POLITENESS_OFF = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False",
                  "CONCURRENT_REQUESTS": "16", "CONCURRENT_REQUESTS_PER_DOMAIN": "16"}
LOOPBACK = {"NOTICES_LOOPBACK_ONLY": "True", "NOTICES_PROGRESS_INTERVAL": "0"}


@dataclass
class Run:
    """One measured subprocess."""

    returncode: int
    wall_seconds: float
    cpu_seconds: float  # user + system
    peak_rss_mb: float
    log: str

    def stat(self, key: str) -> float:
        """A number from the stats dump at the end of the log (0 when absent)."""
        match = re.search(rf"'{re.escape(key)}': ([\d.]+)", self.log)
        return float(match.group(1)) if match else 0.0

    @property
    def elapsed(self) -> float:
        """Seconds from the engine's start to its stop (Scrapy's `elapsed_time_seconds`)."""
        return self.stat("elapsed_time_seconds")

    def check(self, what: str) -> None:
        """Fail on a non-zero exit or a traceback before the spider closed; one logged after it
        (Scrapy's HTTP/1.1 handler timing out its own connection close on a loaded machine:
        `AlreadyCalledError`) is named and the run kept."""
        crawl, _, after = self.log.partition("] INFO: Spider closed (")
        if self.returncode != 0 or "Traceback" in crawl:
            tail = "\n".join(self.log.splitlines()[-30:])
            raise RuntimeError(f"{what} failed (exit {self.returncode}):\n{tail}")
        if "Traceback" in after:
            error = [line for line in after.splitlines() if line.strip()][-1]
            print(f"  note: {what}: after the spider closed: {error}")


def run_measured(command: list[str], cwd: Path) -> Run:
    """Run a command to its end; its wall and CPU time, peak resident set size and stderr."""
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as log:
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=log)
        done = threading.Event()
        peak_kb = [0]
        watcher = threading.Thread(target=_watch_peak_rss, args=(proc.pid, done, peak_kb))
        watcher.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        watcher.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        return Run(proc.returncode, wall, usage.ru_utime + usage.ru_stime, peak_kb[0] / 1024,
                   log.read())


def _watch_peak_rss(pid: int, done: threading.Event, peak_kb: list[int]) -> None:
    """Keep the process's peak RSS (VmHWM) up to date until it ends. (`ru_maxrss` of a child
    will not do on Linux: it carries over the peak of the parent it was forked from.)"""
    status = Path(f"/proc/{pid}/status")
    while not done.is_set():
        try:
            match = _VMHWM_RE.search(status.read_text())
        except OSError:
            return
        if match:
            peak_kb[0] = max(peak_kb[0], int(match.group(1)))
        done.wait(0.05)


_VMHWM_RE = re.compile(r"^VmHWM:\s+(\d+) kB", re.M)


def scrapy_crawl(spider: str, out: Path, args: dict[str, str] | None = None,
                 settings: dict[str, str] | None = None) -> Run:
    """`scrapy crawl SPIDER -O OUT` of this project, measured."""
    command = [sys.executable, "-m", "scrapy", "crawl", spider, "-O", str(out)]
    for key, value in (args or {}).items():
        command += ["-a", f"{key}={value}"]
    for key, value in {**LOOPBACK, **(settings or {})}.items():
        command += ["-s", f"{key}={value}"]
    run = run_measured(command, REPO)
    run.check(f"scrapy crawl {spider}")
    return run


def scrapy_bench(seconds: int = 10) -> Run:
    """Scrapy's own `scrapy bench` (its link-following spider against its local server), run
    outside this project so that only Scrapy's defaults apply."""
    with tempfile.TemporaryDirectory() as folder:
        run = run_measured([sys.executable, "-m", "scrapy", "bench",
                            "-s", f"CLOSESPIDER_TIMEOUT={seconds}"], Path(folder))
    run.check("scrapy bench")
    return run


def count_lines(path: Path) -> int:
    with path.open(encoding="utf-8") as fh:
        return sum(1 for _ in fh)


# --- the summary of targets -------------------------------------------------------------------
@dataclass
class TargetRow:
    benchmark: str
    measure: str
    figure: str
    target: str
    met: bool


@dataclass
class Summary:
    rows: list[TargetRow] = field(default_factory=list)

    def add(self, benchmark: str, measure: str, figure: str, target: str, met: bool) -> None:
        self.rows.append(TargetRow(benchmark, measure, figure, target, met))

    def print(self) -> None:
        if not self.rows:
            return
        print("== targets")
        width = max(len(r.benchmark) + len(r.measure) for r in self.rows) + 3
        for row in self.rows:
            name = f"{row.benchmark}: {row.measure}"
            print(f"  {name:<{width}}{row.figure:>28}   target {row.target:<18}"
                  f"{'met' if row.met else 'MISSED'}")


SUMMARY = Summary()
