"""scrapy-redis's scheduler and dupefilter, fitted to Scrapy 2.19 and to several workers.

scrapy-redis 0.9.1 works with Scrapy 2.19's engine except that it passes `spider=` to the
stats collector and logs through `Spider.log()` (both deprecated); `RedisScheduler` does
neither. (Its `RedisSpider` is not used: it starts through `start_requests()`; our spiders'
`start()` yields nothing in a worker, `scrapy seed` queues the start requests.) Its seen-set never
expires; `ExpiringDupeFilter` gives it an expiry (`NOTICES_REDIS_SEEN_TTL`, renewed with every
new request) and `scrapy seed` empties it, so each seeded crawl starts with a fresh set.
"""

from __future__ import annotations

import logging

from scrapy.utils.misc import load_object
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

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


class RedisScheduler(Scheduler):
    """The scrapy-redis scheduler without the calls Scrapy 2.19 deprecates."""

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

    def next_request(self):
        request = self.queue.pop(self.idle_before_close)
        if request and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request
