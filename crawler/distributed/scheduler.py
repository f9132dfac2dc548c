"""scrapy-redis's scheduler and dupefilter, fitted to Scrapy 2.19 and to several workers.

scrapy-redis 0.9.1 works with Scrapy 2.19's engine except that it passes `spider=` to the
stats collector and logs through `Spider.log()` (both deprecated); `RedisScheduler` does
neither. (Its `RedisSpider` is not used: it starts through `start_requests()`; our spiders'
`start()` yields nothing in a worker, `scrapy seed` queues the start requests.) Its seen-set never
expires; `ExpiringDupeFilter` gives it an expiry (`NOTICES_REDIS_SEEN_TTL`, renewed with every
new request) and `scrapy seed` empties it, so each seeded crawl starts with a fresh set.

A scrapy-redis worker takes requests from the shared queue until its downloader holds
`CONCURRENT_REQUESTS` of them, although a site's slot downloads only a couple at a time: one
worker would hoard a one-site crawl while the others stand idle, and a killed worker would
take everything it held with it. `RedisScheduler` takes a request only when fewer than
`NOTICES_REDIS_PREFETCH` of its own already wait for that request's download slot; the
others stay in the shared queue for another worker. A back-off retry waits in the worker that
met the failure (`HoldsEarlyRequests`), not in the shared queue.
"""

from __future__ import annotations

import logging
from collections import Counter

from scrapy.utils.misc import load_object
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from crawler.scheduler import HoldsEarlyRequests

logger = logging.getLogger(__name__)


class ExpiringDupeFilter(RFPDupeFilter):
    """The shared seen-request set, expiring `ttl` seconds after its last addition."""

    def __init__(self, server, key, debug=False, ttl: int = 0):
        super().__init__(server, key, debug)
        self.ttl = ttl

    @classmethod
    def from_spider(cls, spider):
        df = super().from_spider(spider)
        df.ttl = spider.settings.getint("NOTICES_REDIS_SEEN_TTL")
        return df

    def request_seen(self, request) -> bool:
        fingerprint = self.request_fingerprint(request)
        with self.server.pipeline(transaction=False) as pipe:
            pipe.sadd(self.key, fingerprint)
            if self.ttl > 0:
                pipe.expire(self.key, self.ttl)
            added = pipe.execute()[0]
        return added == 0


class SlotAwareQueue(PriorityQueue):
    """scrapy-redis's priority queue, with a pop that can pass over requests."""

    def pop_first(self, accept, scan: int):
        """Remove and return the first of the `scan` best requests that `accept` takes.

        Those passed over stay queued; a request another worker removed first is skipped.
        """
        for data in self.server.zrange(self.key, 0, scan - 1):
            request = self._decode_request(data)
            if accept(request) and self.server.zrem(self.key, data):
                return request
        return None


class SharedQueueScheduler(Scheduler):
    """The scrapy-redis scheduler without the calls Scrapy 2.19 deprecates, and no hoarding."""

    crawler = None
    prefetch = 0
    scan = 32  # queued requests looked at for one with room in its slot

    @classmethod
    def from_crawler(cls, crawler):
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.prefetch = crawler.settings.getint("NOTICES_REDIS_PREFETCH")
        return scheduler

    def open(self, spider):
        self.spider = spider
        self.queue = load_object(self.queue_cls)(
            server=self.server, spider=spider, key=self.queue_key % {"spider": spider.name},
            serializer=self.serializer)
        if not self.df:
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        if self.flush_on_start:
            self.flush()
        if len(self.queue):
            logger.info("resuming the crawl: %d requests in %s", len(self.queue), self.queue.key)

    def enqueue_request(self, request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def waiting_by_slot(self) -> Counter[str]:
        """This worker's requests not yet being transferred (in the downloader middlewares
        or a slot's queue), by download slot."""
        downloader = self.crawler.engine.downloader
        transferring = {request for slot in downloader.slots.values()
                        for request in slot.transferring}
        return Counter(downloader.get_slot_key(request) for request in downloader.active
                       if request not in transferring)

    def next_request(self):
        engine = self.crawler.engine if self.crawler else None
        if self.prefetch > 0 and engine is not None and isinstance(self.queue, SlotAwareQueue):
            waiting = self.waiting_by_slot()
            request = self.queue.pop_first(
                lambda queued: waiting[engine.downloader.get_slot_key(queued)] < self.prefetch,
                self.scan)
        else:
            request = self.queue.pop(self.idle_before_close)
        if request and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request


class RedisScheduler(HoldsEarlyRequests, SharedQueueScheduler):
    """The shared-queue scheduler, holding back-off retries in this worker until they are due
    (crawler/scheduler.py); a worker that closes queues the ones it holds in Redis."""
