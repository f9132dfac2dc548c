"""Job directories (`-s JOBDIR=…`) that survive a crash.

Scrapy keeps a paused crawl's queue and seen-request fingerprints in JOBDIR, written as it
goes. After SIGKILL they are inconsistent: the fingerprints name requests whose items never
reached a committed feed, so resuming would silently skip those notices. This extension
leaves a marker in JOBDIR while a crawl runs and removes it when the crawl closes (finished,
or paused with SIGINT). A crawl that finds the marker of a dead process moves the directory
aside (`JOBDIR.crashed-<time>`) and starts afresh; the crawl state then skips the notices
already exported.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)
MARKER = "notices-running.pid"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class JobDirGuard:
    def __init__(self, jobdir: Path):
        self.jobdir = jobdir

    @classmethod
    def from_crawler(cls, crawler):
        jobdir = crawler.settings.get("JOBDIR")
        if not jobdir:
            raise NotConfigured
        guard = cls(Path(jobdir))
        guard.recover()
        crawler.signals.connect(guard.spider_closed, signal=signals.spider_closed)
        return guard

    @property
    def marker(self) -> Path:
        return self.jobdir / MARKER

    def recover(self) -> None:
        """Move a crashed crawl's job directory aside; mark this crawl as running."""
        if self.marker.exists():
            text = self.marker.read_text().strip()
            pid = int(text) if text.isdigit() else 0
            if pid and pid != os.getpid() and pid_alive(pid):
                raise RuntimeError(f"JOBDIR {self.jobdir} is in use by process {pid}")
            aside = self.jobdir.with_name(
                f"{self.jobdir.name}.crashed-{time.strftime('%Y%m%dT%H%M%S')}")
            self.jobdir.rename(aside)
            logger.warning("JOBDIR %s was left by a crawl that did not close (process %s); "
                           "moved to %s, starting afresh", self.jobdir, text or "?", aside)
        self.jobdir.mkdir(parents=True, exist_ok=True)
        self.marker.write_text(str(os.getpid()))

    def spider_closed(self):
        self.marker.unlink(missing_ok=True)
