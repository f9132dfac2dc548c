"""A distributed worker's life: heartbeat, the Redis crawl state, closing once all is done.

`DistributedWorker` (extension, on when `NOTICES_REDIS_URL` is set):

- installs `RedisCrawlState` as the crawl's state (the incremental middleware and the state
  pipeline pick it up) and commits it whenever a feed file is moved into place;
- every `NOTICES_REDIS_HEARTBEAT` seconds writes the worker's key (spider, host, pid, busy or
  idle), which expires `NOTICES_REDIS_WORKER_TTL` seconds after the last beat, and takes back
  the work of workers whose key has expired (requests into the queue, claims freed) — but
  only once Redis has answered this worker, and been up, for that long, so that an outage
  is never mistaken for deaths;
- wakes the engine when requests wait in the queue (an idle engine looks only every 5 s);
- keeps the spider open while idle (scrapy-redis workers never close on their own) and lets
  it close once the shared queue has been empty, no other worker of the spider busy and no
  dead worker's work left to take back for `NOTICES_REDIS_IDLE_CLOSE` seconds;
- records in the stats (`distributed/…`) the Redis outages it waited out and the requests it
  took back or gave back, for the crawl report.

Redis calls wait out outages (`crawler.distributed.WaitOutRetry`); a heartbeat that fails
anyway is logged and the next one runs.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from crawler.distributed import distributed_mode, keys_from_settings, outages, redis_client
from crawler.distributed.state import RedisCrawlState, dead_runs, take_back_from_dead
from crawler.state import feed_committed

logger = logging.getLogger(__name__)


class DistributedWorker:
    def __init__(self, crawler, server, keys, run_id: str, heartbeat: float, ttl: float,
                 idle_close: float):
        self.crawler = crawler
        self.server = server
        self.keys = keys
        self.run_id = run_id
        self.heartbeat = heartbeat
        self.ttl = ttl
        self.idle_close = idle_close
        self.idle_since: float | None = None
        self.closing = False
        self.started_at = time.time()
        self.loop: task.LoopingCall | None = None
        self.state = RedisCrawlState(server, keys, crawler.spidercls.name, run_id,
                                     crawler.settings.getint("NOTICES_REDIS_SEEN_TTL"))
        self.committed = False
        # A file feed is expected to commit; without one there is nothing durable to wait for.
        self.file_feeds = any(not str(uri).startswith("stdout:")
                              for uri in crawler.settings.getdict("FEEDS"))

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not distributed_mode(settings):
            raise NotConfigured
        server = redis_client(settings)
        worker = cls(crawler, server, keys_from_settings(settings), uuid.uuid4().hex,
                     settings.getfloat("NOTICES_REDIS_HEARTBEAT"),
                     settings.getfloat("NOTICES_REDIS_WORKER_TTL"),
                     settings.getfloat("NOTICES_REDIS_IDLE_CLOSE"))
        crawler.notices_state = worker.state  # see crawler.state.state_from_crawler
        crawler.signals.connect(worker.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(worker.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(worker.request_reached_downloader,
                                signal=signals.request_reached_downloader)
        crawler.signals.connect(worker.feed_committed, signal=feed_committed)
        crawler.signals.connect(worker.spider_closed, signal=signals.spider_closed)
        # After spider_closed, when the feeds have been stored (and the state committed).
        crawler.signals.connect(worker.engine_stopped, signal=signals.engine_stopped)
        return worker

    # --- heartbeat ------------------------------------------------------------------------
    def spider_opened(self, spider):
        self.write_heartbeat(busy=True)
        self.loop = task.LoopingCall(self.beat)
        self.loop.start(self.heartbeat, now=False)
        logger.info("distributed worker %s of spider %s: %d requests queued in Redis",
                    self.run_id, spider.name, self.queue_length())

    def beat(self) -> None:
        """One heartbeat; whatever fails is logged, and the next beat runs all the same."""
        try:
            self._beat()
        except Exception:
            logger.exception("heartbeat failed; the next one follows in %.1f s", self.heartbeat)

    def _beat(self) -> None:
        """Write the heartbeat, take back dead workers' work, start on queued requests when
        idle, or close when all is done."""
        engine = self.crawler.engine
        if engine is None or engine.scheduler is None or engine._slot is None:  # not open
            return
        busy = not engine.spider_is_idle()
        self.write_heartbeat(busy)
        self.take_back()
        self.record_outages()
        if self.queue_length():
            engine._slot.nextcall.schedule()  # pull from the queue now, not in 5 s
        elif not busy and not self.closing and self.may_close():
            self.closing = True
            deferred_from_coro(engine.close_spider_async(reason="finished"))

    def write_heartbeat(self, busy: bool) -> None:
        record = {"spider": self.crawler.spider.name, "host": socket.gethostname(),
                  "pid": os.getpid(), "busy": busy, "started_at": self.started_at,
                  "beat_at": time.time()}
        self.server.set(self.keys.worker(self.run_id), json.dumps(record),
                        px=int(self.ttl * 1000))
        self.state.keep_alive()

    def may_take_back(self) -> bool:
        """Has every live worker had the time to beat since Redis last failed or restarted?"""
        if outages.quiet_for() <= self.ttl:
            return False
        return float(self.server.info("server")["uptime_in_seconds"]) > self.ttl

    def take_back(self) -> int:
        """Put dead workers' requests back into the queue; returns how many."""
        if not self.may_take_back():
            return 0
        back = take_back_from_dead(self.server, self.keys, self.state.spider)
        if back:
            self.crawler.stats.inc_value("distributed/taken_back_count", back)
            logger.warning("took back %d requests of dead workers into the queue", back)
        return back

    def record_outages(self) -> None:
        stats = self.crawler.stats
        if outages.count:
            stats.set_value("distributed/redis_outage_count", outages.count)
            stats.set_value("distributed/redis_waited_seconds", round(outages.waited, 1))

    # --- idle close -----------------------------------------------------------------------
    def request_reached_downloader(self, request, spider=None):
        self.idle_since = None

    def queue_length(self) -> int:
        return int(self.server.zcard(self.keys.requests(self.crawler.spider.name)))

    def busy_workers(self) -> list[str]:
        """Other live workers of this spider that are fetching or parsing."""
        names = [key for key in self.server.scan_iter(self.keys.worker("*"), count=1000)
                 if key != self.keys.worker(self.run_id)]
        records = [json.loads(value) for value in (self.server.mget(names) if names else [])
                   if value]
        return [f"{record['host']}:{record['pid']}" for record in records
                if record.get("busy") and record.get("spider") == self.crawler.spider.name]

    def may_close(self) -> bool:
        """Has the queue been empty, every other worker idle and no dead worker's work left
        to take back, for the idle-close time?"""
        now = time.monotonic()
        if (self.queue_length() or self.busy_workers()
                or dead_runs(self.server, self.keys, self.state.spider)):
            self.idle_since = now  # more may come: wait the whole idle time from now on
            return False
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.idle_close:
            return False
        logger.info("queue %s drained and no worker busy for %.0f s: closing",
                    self.keys.requests(self.crawler.spider.name), now - self.idle_since)
        return True

    def spider_idle(self, spider):
        try:
            self.write_heartbeat(busy=False)
            closing = self.may_close()
        except Exception:
            logger.exception("cannot tell whether the shared crawl is done; staying open")
            closing = False
        if not closing:
            raise DontCloseSpider

    # --- state ----------------------------------------------------------------------------
    def feed_committed(self, path: str) -> None:
        self.committed = True
        count = self.state.commit()
        self.crawler.stats.inc_value("notices/state_committed_count", count)
        logger.info("crawl state (Redis): %d notices recorded as exported (feed %s)",
                    count, path)

    def spider_closed(self, spider, reason):
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.record_outages()

    def engine_stopped(self):
        """Free this run's claims; requests it took but no committed feed holds go back."""
        back = self.state.close(give_back=self.file_feeds and not self.committed)
        if back:
            self.crawler.stats.inc_value("distributed/given_back_count", back)
            logger.warning("no feed committed: %d requests given back to the queue for the "
                           "next worker", back)
        self.server.delete(self.keys.worker(self.run_id))
