"""A distributed worker's life: heartbeat, the Redis crawl state, closing once all is done.

`DistributedWorker` (extension, on when `NOTICES_REDIS_URL` is set):

- installs `RedisCrawlState` as the crawl's state (the incremental middleware and the state
  pipeline pick it up) and commits it whenever a feed file is moved into place;
- every `NOTICES_REDIS_HEARTBEAT` seconds writes the worker's key (spider, host, pid, busy or
  idle), which expires `NOTICES_REDIS_WORKER_TTL` seconds after the last beat — a killed
  worker's claims die with it;
- keeps the spider open while idle (scrapy-redis workers never close on their own) and lets
  it close once the shared queue has been empty and no other worker of the spider busy for
  `NOTICES_REDIS_IDLE_CLOSE` seconds (Scrapy looks at an idle spider every 5 s).
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

from crawler.distributed import distributed_mode, keys_from_settings, redis_client
from crawler.distributed.state import RedisCrawlState
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
        self.state = RedisCrawlState(server, keys, run_id,
                                     crawler.settings.getint("NOTICES_REDIS_SEEN_TTL"))

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not distributed_mode(settings):
            raise NotConfigured
        server = redis_client(settings)
        server.ping()  # fail now, with the URL in the error, rather than mid-crawl
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
        """Write the heartbeat; start on queued requests when idle, or close when all is done."""
        engine = self.crawler.engine
        if engine is None or engine.scheduler is None:  # not open yet, or closed
            return
        busy = not engine.spider_is_idle()
        self.write_heartbeat(busy)
        if busy and not engine.downloader.active and self.queue_length():
            self.wake(engine)
        elif not busy and not self.closing and self.may_close():
            self.closing = True
            deferred_from_coro(engine.close_spider_async(reason="finished"))

    def write_heartbeat(self, busy: bool) -> None:
        record = {"spider": self.crawler.spider.name, "host": socket.gethostname(),
                  "pid": os.getpid(), "busy": busy, "started_at": self.started_at,
                  "beat_at": time.time()}
        try:
            self.server.set(self.keys.worker(self.run_id), json.dumps(record),
                            px=int(self.ttl * 1000))
            self.state.keep_alive()
        except Exception as exc:  # Redis away for a moment: the next beat tries again
            logger.warning("heartbeat to Redis failed: %s", exc)

    def wake(self, engine) -> None:
        """Start on requests other workers queued while this one was idle.

        An idle engine looks at its scheduler only every 5 s; crawling one request makes it
        pull again now. The request has passed the seen-set once already, hence dont_filter.
        """
        request = engine.scheduler.next_request()
        if request is not None:
            engine.crawl(request.replace(dont_filter=True))

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
        """Has the queue been empty, and every other worker idle, for the idle-close time?"""
        now = time.monotonic()
        if self.queue_length() or self.busy_workers():
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
        self.write_heartbeat(busy=False)
        if not self.may_close():
            raise DontCloseSpider

    # --- state ----------------------------------------------------------------------------
    def feed_committed(self, path: str) -> None:
        count = self.state.commit()
        self.crawler.stats.inc_value("notices/state_committed_count", count)
        logger.info("crawl state (Redis): %d notices recorded as exported (feed %s)",
                    count, path)

    def spider_closed(self, spider, reason):
        if self.loop is not None and self.loop.running:
            self.loop.stop()

    def engine_stopped(self):
        self.state.close()
        self.server.delete(self.keys.worker(self.run_id))
