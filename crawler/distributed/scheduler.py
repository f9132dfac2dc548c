"""scrapy-redis's scheduler and dupefilter, fitted to Scrapy 2.19 and to several workers.

scrapy-redis 0.9.1 works with Scrapy 2.19's engine except that it passes `spider=` to the
stats collector and logs through `Spider.log()` (both deprecated); `RedisScheduler` does
neither. (Its `RedisSpider` is not used: it starts through `start_requests()`; our spiders'
`start()` yields nothing in a worker, `scrapy seed` queues the start requests.) Its seen-set never
expires; `ExpiringDupeFilter` gives it an expiry (`NOTICES_REDIS_SEEN_TTL`, renewed with every
new request); `scrapy seed --reset` empties it.

Every step that changes the queue is one Lua script, so a step retried after Redis went away
(`WaitOutRetry`) neither loses nor doubles a request: a new request is marked seen and queued
together, and a request taken from the queue is recorded in the run's taken-hash
(`RedisKeys.taken`) in the same step. The taken-hash is what goes back into the queue when the
run dies or closes without committing its feed (`crawler.distributed.state`).

A scrapy-redis worker takes requests from the shared queue until its downloader holds
`CONCURRENT_REQUESTS` of them, although a site's slot downloads only a couple at a time: one
worker would hoard a one-site crawl while the others stand idle, and a killed worker would
take everything it held with it. `RedisScheduler` takes a request only when fewer than
`NOTICES_REDIS_PREFETCH` of its own already wait for that request's download slot — one, for
a site with a delay, whose pace all workers share — looking past the requests of slots it
holds enough of (up to 256 deep); the others stay in the shared queue for another worker. A
back-off retry waits in the worker that met the failure (`HoldsEarlyRequests`), not in the
shared queue.
"""

from __future__ import annotations

import logging
from collections import Counter

from scrapy.utils.misc import load_object
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from crawler.distributed import keys_from_settings, redis_client
from crawler.scheduler import HoldsEarlyRequests

logger = logging.getLogger(__name__)

DECODED_KEPT = 4096  # passed-over requests kept decoded

# KEYS: seen set, queue; ARGV: fingerprint, score, request data, seen-set ttl (s).
PUSH_UNSEEN = """
local added = redis.call('SADD', KEYS[1], ARGV[1])
if tonumber(ARGV[4]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[4]) end
if added == 1 then redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3]) end
return added
"""

# KEYS: queue, the run's taken-hash; ARGV: request data, score. 1 if the request is this run's.
TAKE = """
if redis.call('ZREM', KEYS[1], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
  return 1
end
return redis.call('HEXISTS', KEYS[2], ARGV[1])
"""


class ExpiringDupeFilter(RFPDupeFilter):
    """The shared seen-request set, expiring `ttl` seconds after its last addition (the
    scheduler adds to it with the request, `SlotAwareQueue.push_unseen`)."""

    def __init__(self, server, key, debug=False, ttl: int = 0):
        super().__init__(server, key, debug)
        self.ttl = ttl


class SlotAwareQueue(PriorityQueue):
    """scrapy-redis's priority queue, with a pop that can pass over requests and records
    what it takes, and a push that checks the seen-set in the same step."""

    taken_key: str | None = None  # the run's taken-hash (None: nothing recorded)

    def register_scripts(self) -> None:
        # Requests passed over, decoded: a worker looks at the same part of the queue again
        # and again while its slots are full.
        self._decoded: dict[bytes, object] = {}
        self._push_unseen = self.server.register_script(PUSH_UNSEEN)
        self._take = self.server.register_script(TAKE)

    def push_unseen(self, request, fingerprint: str, seen_key: str, ttl: int) -> bool:
        """Queue `request` unless its fingerprint is in the seen-set; True if queued."""
        return bool(self._push_unseen(keys=[seen_key, self.key],
                                      args=[fingerprint, -request.priority,
                                            self._encode_request(request), ttl]))

    def pop_first(self, accept, scan: int, pages: int = 1):
        """Remove and return the first request that `accept` takes among the best
        `scan` × `pages`, looked at `scan` at a time.

        Those passed over stay queued (kept decoded, to be looked at again); a request
        another worker removed first is skipped.
        """
        for page in range(pages):
            rows = self.server.zrange(self.key, page * scan, (page + 1) * scan - 1,
                                      withscores=True)
            for data, score in rows:
                request = self._decoded.pop(data, None) or self._decode_request(data)
                if not accept(request):
                    if len(self._decoded) >= DECODED_KEPT:
                        self._decoded.clear()
                    self._decoded[data] = request
                elif self._taken(data, score):
                    return request
            if len(rows) < scan:
                break
        return None

    def _taken(self, data: bytes, score: float) -> bool:
        if self.taken_key is None:
            return bool(self.server.zrem(self.key, data))
        return bool(self._take(keys=[self.key, self.taken_key], args=[data, score]))


class SharedQueueScheduler(Scheduler):
    """The scrapy-redis scheduler without the calls Scrapy 2.19 deprecates, and no hoarding."""

    crawler = None
    prefetch = 0
    scan, scan_pages = 32, 8  # queued requests looked at, 32 at a time, for one with room

    @classmethod
    def from_settings(cls, settings):
        scheduler = super().from_settings(settings)
        scheduler.server = redis_client(settings, decode_responses=False)
        return scheduler

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
        self.queue.register_scripts()
        state = getattr(self.crawler, "notices_state", None) if self.crawler else None
        if state is not None:  # a worker: what it takes is recorded until it commits
            self.queue.taken_key = keys_from_settings(spider.settings).taken(spider.name,
                                                                             state.run_id)
        if not self.df:
            self.df = load_object(self.dupefilter_cls)(
                self.server, self.dupefilter_key % {"spider": spider.name},
                spider.settings.getbool("DUPEFILTER_DEBUG"),
                spider.settings.getint("NOTICES_REDIS_SEEN_TTL"))
        if self.flush_on_start:
            self.flush()
        if len(self.queue):
            logger.info("resuming the crawl: %d requests in %s", len(self.queue), self.queue.key)

    def enqueue_request(self, request) -> bool:
        if request.dont_filter:
            self.queue.push(request)
        elif not self.queue.push_unseen(request, self.df.request_fingerprint(request),
                                        self.df.key, self.df.ttl):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def prefetch_for(self, slot: str) -> int:
        """How many of a slot's requests this worker may hold waiting: `prefetch`, or one for
        a site with a delay — its pace is shared, so more would only keep them from the
        other workers."""
        downloader = self.crawler.engine.downloader
        if slot in downloader.slots:
            delay = downloader.slots[slot].delay
        else:
            config = self.crawler.settings.getdict("DOWNLOAD_SLOTS").get(slot) or {}
            delay = config.get("delay", self.crawler.settings.getfloat("DOWNLOAD_DELAY"))
        return 1 if delay > 0 else self.prefetch

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
        if self.prefetch > 0 and engine is not None:
            waiting = self.waiting_by_slot()

            def room(queued) -> bool:
                slot = engine.downloader.get_slot_key(queued)
                return waiting[slot] < self.prefetch_for(slot)

            request = self.queue.pop_first(room, self.scan, self.scan_pages)
        else:
            request = self.queue.pop_first(lambda queued: True, 1)
        if request and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request


class RedisScheduler(HoldsEarlyRequests, SharedQueueScheduler):
    """The shared-queue scheduler, holding back-off retries in this worker until they are due
    (crawler/scheduler.py); a worker that closes queues the ones it holds in Redis."""
