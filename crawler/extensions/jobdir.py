"""Job directories (`-s JOBDIR=…`): one per crawl, resumed only after a pause.

Scrapy keeps a crawl's queue and seen-request fingerprints in JOBDIR. What carries over
between runs is the crawl state (`crawler/state.py`), never a job directory, so a new run
starts with an empty one and its start requests cannot be filtered by an old seen set:

- a crawl that **finished** clears its job files when it stops;
- a crawl that was **paused** (SIGINT, or any other close reason than `finished`) leaves a
  `notices-paused` marker: the next run with the same JOBDIR resumes its queue;
- a crawl that **died** (SIGKILL, power loss) leaves its running marker: its fingerprints name
  requests whose items never reached a committed feed, so the next run moves the directory
  aside (`JOBDIR.crashed-<time>`) and starts afresh; such directories are deleted once they
  are `NOTICES_JOBDIR_CRASHED_DAYS` old;
- a job directory with neither marker (left by an older version) is cleared.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)
RUNNING_MARKER = "notices-running.pid"
PAUSED_MARKER = "notices-paused"
# What Scrapy keeps in a job directory (the scheduler's queue and seen set, spider.state).
JOB_FILES = ("requests.queue", "requests.seen", "spider.state")
CRASHED_STAMP = "%Y%m%dT%H%M%S"


def pid_alive(pid: int) -> bool:
    """Whether the process runs; a killed one not yet reaped by its parent (a zombie) does not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: the signal test is all there is
    return stat.rpartition(")")[2].split()[0] != "Z"


def job_resumed(crawler) -> bool:
    """Whether this crawl continues a paused one from its job directory."""
    return getattr(crawler, "notices_job_resumed", False)


class JobDirGuard:
    def __init__(self, jobdir: Path, crashed_days: float):
        self.jobdir = jobdir
        self.crashed_days = crashed_days
        self.finished = False

    @classmethod
    def from_crawler(cls, crawler):
        jobdir = crawler.settings.get("JOBDIR")
        if not jobdir:
            raise NotConfigured
        guard = cls(Path(jobdir), crawler.settings.getfloat("NOTICES_JOBDIR_CRASHED_DAYS"))
        guard.prune_crashed()
        crawler.notices_job_resumed = guard.open()
        crawler.signals.connect(guard.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(guard.engine_stopped, signal=signals.engine_stopped)
        return guard

    @property
    def running_marker(self) -> Path:
        return self.jobdir / RUNNING_MARKER

    @property
    def paused_marker(self) -> Path:
        return self.jobdir / PAUSED_MARKER

    def open(self) -> bool:
        """Prepare the job directory for this crawl; True when it resumes a paused one."""
        resumed = False
        if self.running_marker.exists():
            self._move_crashed_aside()
        elif self.paused_marker.exists():
            reason = self.paused_marker.read_text().strip() or "?"
            self.paused_marker.unlink()
            logger.info("JOBDIR %s: resuming the crawl paused there (closed: %s)", self.jobdir,
                        reason)
            resumed = True
        elif self.clear():
            logger.info("JOBDIR %s held a crawl that was not paused; cleared, starting afresh "
                        "(the crawl state carries over between runs)", self.jobdir)
        self.jobdir.mkdir(parents=True, exist_ok=True)
        self.running_marker.write_text(str(os.getpid()))
        return resumed

    def _move_crashed_aside(self) -> None:
        text = self.running_marker.read_text().strip()
        pid = int(text) if text.isdigit() else 0
        if pid and pid != os.getpid() and pid_alive(pid):
            raise RuntimeError(f"JOBDIR {self.jobdir} is in use by process {pid}")
        aside = self.jobdir.with_name(
            f"{self.jobdir.name}.crashed-{time.strftime(CRASHED_STAMP, time.gmtime())}")
        self.jobdir.rename(aside)
        logger.warning("JOBDIR %s was left by a crawl that did not close (process %s); "
                       "moved to %s, starting afresh", self.jobdir, text or "?", aside)

    def clear(self) -> bool:
        """Remove Scrapy's job files (nothing else) from the job directory; True if any."""
        found = False
        for name in (*JOB_FILES, PAUSED_MARKER):
            path = self.jobdir / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
            else:
                continue
            found = True
        return found

    def prune_crashed(self) -> None:
        """Delete this job directory's crashed copies older than NOTICES_JOBDIR_CRASHED_DAYS."""
        cutoff = datetime.now(UTC) - timedelta(days=self.crashed_days)
        prefix = f"{self.jobdir.name}.crashed-"
        parent = self.jobdir.parent
        for aside in sorted(parent.glob(f"{prefix}*")) if parent.is_dir() else ():
            try:
                moved = datetime.strptime(aside.name[len(prefix):][:15], CRASHED_STAMP)
            except ValueError:
                continue
            if moved.replace(tzinfo=UTC) <= cutoff and aside.is_dir():
                shutil.rmtree(aside)
                logger.info("JOBDIR %s: deleted %s (crashed job directories are kept %g days)",
                            self.jobdir, aside, self.crashed_days)

    def spider_closed(self, reason: str):
        self.finished = reason == "finished"
        if not self.finished:
            self.paused_marker.write_text(reason)
        self.running_marker.unlink(missing_ok=True)

    def engine_stopped(self):
        """A finished crawl leaves nothing to resume (after SpiderState wrote its file)."""
        if self.finished:
            self.clear()
