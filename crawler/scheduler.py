"""The scheduler: Scrapy's, holding each request that must not start before a given time.

A retry after a back-off (`BackoffRetryMiddleware`) carries `meta["not_before"]` (a Unix
time). Waiting for it inside the downloader would keep the request among the
`CONCURRENT_REQUESTS` in progress: when many sites fail at once, their waiting retries fill
the downloader and every other site stalls with them. The scheduler instead keeps such a
request aside, out of the downloader and out of its queues, and hands it to the engine
(`engine.crawl`) when its time comes; other sites' requests go on meanwhile. A crawl that
stops while requests are held queues them as usual (JOBDIR keeps them).
"""

from __future__ import annotations

import time

from scrapy.core.scheduler import Scheduler as ScrapyScheduler
from scrapy.utils.asyncio import CallLaterResult, call_later

# Request meta: the Unix time before which the request must not be downloaded.
NOT_BEFORE = "not_before"


class HoldsEarlyRequests:
    """Scheduler mixin: a request whose `not_before` lies ahead waits aside until then."""

    def open(self, spider):
        self.held: dict = {}  # request -> its timer
        return super().open(spider)

    def enqueue_request(self, request) -> bool:
        wait = request.meta.get(NOT_BEFORE, 0) - time.time()
        if wait <= 0:
            return super().enqueue_request(request)
        self.held[request] = call_later(wait, self._release, request)
        return True

    def _release(self, request) -> None:
        del self.held[request]
        request.meta.pop(NOT_BEFORE, None)
        self.crawler.engine.crawl(request)

    def has_pending_requests(self) -> bool:
        return bool(self.held) or super().has_pending_requests()

    def close(self, reason):
        timers: dict[object, CallLaterResult] = self.held
        self.held = {}
        for request, timer in timers.items():
            timer.cancel()
            super().enqueue_request(request)
        return super().close(reason)


class Scheduler(HoldsEarlyRequests, ScrapyScheduler):
    """Scrapy's scheduler with requests held until their `not_before` time."""
