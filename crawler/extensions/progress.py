"""A periodic progress line: notices emitted so far, per minute, per site.

Every `NOTICES_PROGRESS_INTERVAL` seconds (0 switches it off), e.g.

    progress: 120 notices in 4.0 min (30.0/min); jingxian 80, longting 40
"""

from __future__ import annotations

import logging
import time
from collections import Counter

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

logger = logging.getLogger(__name__)


class ProgressLine:
    def __init__(self, interval: float):
        self.interval = interval
        self.emitted: Counter[str] = Counter()
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler):
        interval = crawler.settings.getfloat("NOTICES_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        progress = cls(interval)
        crawler.signals.connect(progress.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(progress.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(progress.item_scraped, signal=signals.item_scraped)
        return progress

    def spider_opened(self):
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.log)
        self.loop.start(self.interval, now=False)

    def item_scraped(self, item):
        self.emitted[item.get("site_id") or "?"] += 1

    def line(self) -> str:
        minutes = max(time.monotonic() - self.started, 1e-9) / 60
        total = sum(self.emitted.values())
        sites = ", ".join(f"{site} {n}" for site, n in self.emitted.most_common())
        return (f"progress: {total} notices in {minutes:.1f} min ({total / minutes:.1f}/min)"
                + (f"; {sites}" if sites else ""))

    def log(self):
        logger.info(self.line())

    def spider_closed(self):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
