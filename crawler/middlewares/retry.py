"""Retries of 5xx answers and timeouts with exponential back-off (Scrapy retries at once).

The n-th retry of a request waits `NOTICES_RETRY_BACKOFF * 2**(n-1)` seconds (at most
`NOTICES_RETRY_BACKOFF_MAX`) before it is downloaded again; `RETRY_TIMES`, `RETRY_HTTP_CODES`
and `RETRY_EXCEPTIONS` keep their Scrapy meaning.

The retry goes back to the scheduler with `meta["not_before"]`, and the project's scheduler
(crawler/scheduler.py) holds it until then: the wait occupies no place among the
`CONCURRENT_REQUESTS`, so a failing site slows no other. A request fetched by a component
through `engine.download` (robots.txt, attachments: `callback=NO_CALLBACK`) never meets the
scheduler; its retry waits here, as do all retries under a scheduler without the hold.
"""

from __future__ import annotations

import asyncio
import logging
import time

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.misc import load_object

from crawler.scheduler import NOT_BEFORE, HoldsEarlyRequests

logger = logging.getLogger(__name__)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's `RetryMiddleware`, waiting longer before each retry of a request."""

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff = settings.getfloat("NOTICES_RETRY_BACKOFF")
        self.backoff_max = settings.getfloat("NOTICES_RETRY_BACKOFF_MAX")
        self.scheduler_holds = issubclass(load_object(settings["SCHEDULER"]), HoldsEarlyRequests)

    async def process_response(self, request, response, spider=None):
        return await self._after_backoff(super().process_response(request, response))

    async def process_exception(self, request, exception, spider=None):
        return await self._after_backoff(super().process_exception(request, exception))

    async def _after_backoff(self, result):
        if isinstance(result, Request) and self.backoff > 0:
            attempt = result.meta.get("retry_times", 1)
            delay = min(self.backoff * 2 ** (attempt - 1), self.backoff_max)
            self.crawler.stats.inc_value("notices/retry_backoff_count")
            logger.debug("retry %d of %s in %.1f s", attempt, result.url, delay)
            if self.scheduler_holds and result.callback is not NO_CALLBACK:
                result.meta[NOT_BEFORE] = time.time() + delay
            else:
                await asyncio.sleep(delay)
        return result
