"""Per-site politeness across workers: a site's delay spaces its requests over all of them.

Each worker's download slot keeps its own delay, so N workers alone would hit a site N times
as often. In a distributed crawl the http/https download handler is
`SharedPaceDownloadHandler`, in front of the handler that would download otherwise (Scrapy's
HTTP/1.1 one, or the browser's): it first reserves the request's start time in Redis — the
later of now and the site's next free time, which then moves on by the site's delay — and
waits until then; when its turn comes it goes out only if the site's last request went out
a delay ago or more (a worker that woke late from its wait would otherwise send two close
together), else it waits the rest. It is the last step before the network, after the local
slot's delay, so the spacing holds whatever each worker's slot does; one worker alone runs
as before. The clock is the Redis server's, so machines with skewed clocks share one
schedule. A site without a delay costs nothing.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from urllib.parse import urlsplit

from scrapy.utils.defer import ensure_awaitable
from scrapy.utils.misc import build_from_crawler, load_object

from crawler.distributed import keys_from_settings, redis_client

logger = logging.getLogger(__name__)

# Request meta: scrapy-playwright's hook called once the page is open, before it navigates.
PAGE_INIT = "playwright_page_init_callback"

# KEYS[1]: the site's pace key; ARGV[1]: the delay in ms. Returns how long to wait, in ms.
RESERVE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local start = math.max(t, tonumber(redis.call('GET', KEYS[1]) or '0'))
local after = start + tonumber(ARGV[1])
redis.call('SET', KEYS[1], after, 'PX', after - t + 60000)
return start - t
"""

# KEYS[1]: when the site's last request went out; ARGV[1]: the delay in ms. A request whose
# turn has come goes out now (0) unless a late one went out less than a delay ago: then it
# waits the rest (ms). Starts stay a delay apart even when a worker wakes late from its wait.
SEND = """
local now = redis.call('TIME')
local t = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local last = redis.call('GET', KEYS[1])
if last and t < tonumber(last) + tonumber(ARGV[1]) then return tonumber(last) + ARGV[1] - t end
redis.call('SET', KEYS[1], t, 'PX', tonumber(ARGV[1]) + 60000)
return 0
"""


def slot_of(request) -> str:
    """The download slot a request goes through (the site id for registry sites)."""
    return request.meta.get("download_slot") or urlsplit(request.url).hostname or ""


class SitePacer:
    """Start times of each site's requests, shared through Redis."""

    def __init__(self, server, keys, default_delay: float, slot_delays: dict[str, float]):
        self.keys = keys
        self.default_delay = default_delay
        self.slot_delays = slot_delays
        self.reserve = server.register_script(RESERVE)
        self.send = server.register_script(SEND)

    @classmethod
    def from_settings(cls, settings) -> SitePacer:
        slot_delays = {slot: float(config["delay"])
                       for slot, config in settings.getdict("DOWNLOAD_SLOTS").items()
                       if isinstance(config, dict) and "delay" in config}
        return cls(redis_client(settings), keys_from_settings(settings),
                   settings.getfloat("DOWNLOAD_DELAY"), slot_delays)

    def delay(self, slot: str) -> float:
        return self.slot_delays.get(slot, self.default_delay)

    async def wait_turn(self, request) -> None:
        slot = slot_of(request)
        delay = self.delay(slot)
        if delay <= 0:
            return
        delay_ms = int(delay * 1000)
        wait_ms = int(self.reserve(keys=[self.keys.pace(slot)], args=[delay_ms]))
        while True:
            if wait_ms > 0:
                await asyncio.sleep(wait_ms / 1000)
            wait_ms = int(self.send(keys=[self.keys.sent(slot)], args=[delay_ms]))
            if wait_ms <= 0:
                return


class SharedPaceDownloadHandler:
    """The http/https download handler of a worker: each request waits for its site's turn,
    then goes to the handler this one wraps (`NOTICES_REDIS_PACED_HANDLER`: Scrapy's HTTP/1.1
    handler, or the browser's with NOTICES_BROWSER on), so the shared pace holds whichever
    handler downloads."""

    lazy = False  # the wrapped handler may need to be there when the engine starts (browser)

    def __init__(self, crawler):
        self.pacer = SitePacer.from_settings(crawler.settings)
        wrapped = load_object(crawler.settings["NOTICES_REDIS_PACED_HANDLER"])
        self.handler = build_from_crawler(wrapped, crawler)

    @classmethod
    def from_crawler(cls, crawler) -> SharedPaceDownloadHandler:
        return cls(crawler)

    async def download_request(self, request):
        if not request.meta.get("playwright"):
            await self.pacer.wait_turn(request)
            return await self.handler.download_request(request)
        # The browser first opens a page (and launches Chromium the first time, seconds): the
        # turn is taken after that, from scrapy-playwright's page init callback, just before
        # the page navigates.
        opened = request.meta.get(PAGE_INIT)
        request.meta[PAGE_INIT] = partial(self._turn_after, opened)
        try:
            return await self.handler.download_request(request)
        finally:  # the request as it came (its meta may go back to the shared queue)
            if opened is None:
                del request.meta[PAGE_INIT]
            else:
                request.meta[PAGE_INIT] = opened

    async def _turn_after(self, opened, page, request) -> None:
        if opened:
            await load_object(opened)(page, request)
        await self.pacer.wait_turn(request)

    async def close(self) -> None:
        await ensure_awaitable(self.handler.close())
