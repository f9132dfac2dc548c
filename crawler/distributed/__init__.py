"""Distributed crawling on Redis (scrapy-redis), switched on by one setting.

With `NOTICES_REDIS_URL` set (`-s NOTICES_REDIS_URL=redis://host:6379/0`) the add-on
`DistributedAddon` rewires a crawl as a worker of a shared crawl:

    scheduler + dupefilter   scrapy-redis: one request queue and one seen-set per spider name,
                             shared by every worker (`scheduler.py`)
    start requests           put into that queue by `scrapy seed` (crawler/commands/seed.py);
                             a worker's own start() yields nothing
    crawl state              the exported-notice set in Redis, claimed per notice
                             (`state.py`: same interface as crawler/state.py)
    idle close               a worker closes once the queue is drained and no worker is busy
                             (`worker.py`)
    politeness               a site's delay spaces its requests across all workers
                             (`politeness.py`, a download handler in front of the HTTP or
                             the browser handler)

Redis keys all start with `NOTICES_REDIS_PREFIX` (default `notices`); `RedisKeys` names them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)


def distributed_mode(settings) -> bool:
    """Is this crawl a worker of a distributed crawl (`NOTICES_REDIS_URL` set)?"""
    return bool(settings.get("NOTICES_REDIS_URL"))


def redis_client(settings):
    """A Redis client (text replies) for `NOTICES_REDIS_URL`."""
    import redis

    return redis.Redis.from_url(settings.get("NOTICES_REDIS_URL"), decode_responses=True,
                                socket_timeout=30, socket_connect_timeout=10,
                                retry_on_timeout=True)


@dataclass(frozen=True)
class RedisKeys:
    """The names of every Redis key a distributed crawl uses."""

    prefix: str = "notices"

    def requests(self, spider: str) -> str:
        """The spider's shared request queue (a sorted set, scrapy-redis)."""
        return f"{self.prefix}:{spider}:requests"

    def seen(self, spider: str) -> str:
        """The spider's seen-request fingerprints (a set, reset by every `scrapy seed`)."""
        return f"{self.prefix}:{spider}:seen"

    def worker(self, run_id: str) -> str:
        """A live worker's heartbeat (expires when the worker stops beating)."""
        return f"{self.prefix}:worker:{run_id}"

    def known(self, site_id: str) -> str:
        """Exported notices of a site: url -> "content_sha1 revision"."""
        return f"{self.prefix}:known:{site_id}"

    def walks(self, site_id: str) -> str:
        """List walks of a site that reached their end (committed)."""
        return f"{self.prefix}:walks:{site_id}"

    def claims(self, site_id: str) -> str:
        """Notices of a site being exported by a worker now: url -> run id."""
        return f"{self.prefix}:claims:{site_id}"

    def staged(self, run_id: str) -> str:
        """A run's emitted, not yet committed notices: "site<US>url" -> "sha1 revision"."""
        return f"{self.prefix}:staged:{run_id}"

    def staged_walks(self, run_id: str) -> str:
        return f"{self.prefix}:staged-walks:{run_id}"

    def claimed(self, run_id: str) -> str:
        """Every "site<US>url" a run has claimed (released when it commits or closes)."""
        return f"{self.prefix}:claimed:{run_id}"

    def pace(self, slot: str) -> str:
        """When the next request of a download slot (site) may start, across workers."""
        return f"{self.prefix}:pace:{slot}"


def keys_from_settings(settings) -> RedisKeys:
    return RedisKeys(settings.get("NOTICES_REDIS_PREFIX") or "notices")


def apply_distributed_settings(settings) -> None:
    """Rewire `settings` for a distributed worker (the add-on's work; `scrapy seed` uses it)."""
    from crawler.distributed.state import DistributedStatePipeline
    from crawler.distributed.worker import DistributedWorker
    from crawler.state import CrawlStatePipeline

    keys = keys_from_settings(settings)
    # In place of the project's own scheduler (settings.py), not of one given on the command line.
    settings.set("SCHEDULER", "crawler.distributed.scheduler.RedisScheduler", priority="project")
    for name, value in {
        "SCHEDULER_QUEUE_CLASS": "crawler.distributed.scheduler.SlotAwareQueue",
        "DUPEFILTER_CLASS": "crawler.distributed.scheduler.ExpiringDupeFilter",
        # Workers share the queue: one closing must not flush it (scrapy-redis flushes by default).
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_QUEUE_KEY": keys.requests("%(spider)s"),
        "SCHEDULER_DUPEFILTER_KEY": keys.seen("%(spider)s"),
        "REDIS_URL": settings.get("NOTICES_REDIS_URL"),
    }.items():
        settings.set(name, value, priority="addon")
    pipelines = settings.getdict("ITEM_PIPELINES")
    if any(_is(path, CrawlStatePipeline) for path in pipelines):
        settings.replace_in_component_priority_dict("ITEM_PIPELINES", CrawlStatePipeline,
                                                    DistributedStatePipeline)
    else:
        settings.set_in_component_priority_dict("ITEM_PIPELINES", DistributedStatePipeline, 950)
    settings.set_in_component_priority_dict("EXTENSIONS", DistributedWorker, 0)
    # The shared pace in front of the http/https handler configured so far (the browser's
    # when BrowserAddon, which comes first in ADDONS, installed it): one handler chain.
    handlers = settings.getdict("DOWNLOAD_HANDLERS")
    paced = handlers.get("https") or settings.getdict("DOWNLOAD_HANDLERS_BASE")["https"]
    if handlers.get("http", paced) != paced:
        logger.warning("distributed worker: http and https have different download handlers; "
                       "both go through %s", paced)
    settings.set("NOTICES_REDIS_PACED_HANDLER", paced, priority="addon")
    handlers.update({scheme: "crawler.distributed.politeness.SharedPaceDownloadHandler"
                     for scheme in ("http", "https")})
    settings.set("DOWNLOAD_HANDLERS", handlers, priority=settings.getpriority("DOWNLOAD_HANDLERS"))


def _is(path_or_cls, cls) -> bool:
    from scrapy.utils.misc import load_object

    return load_object(path_or_cls) is cls


class DistributedAddon:
    """Scrapy add-on: a distributed worker when `NOTICES_REDIS_URL` is set, else nothing."""

    def update_settings(self, settings) -> None:
        if distributed_mode(settings):
            apply_distributed_settings(settings)
            logger.info("distributed worker: requests, seen-set and crawl state in Redis %s",
                        _without_password(settings.get("NOTICES_REDIS_URL")))


def _without_password(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url
