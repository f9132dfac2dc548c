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
    Redis outages            every Redis call waits Redis out, retrying with back-off
                             (`WaitOutRetry`); a worker pauses rather than failing requests

Redis keys all start with `NOTICES_REDIS_PREFIX` (default `notices`); `RedisKeys` names them.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from redis.backoff import ExponentialBackoff
from redis.exceptions import AuthenticationError, AuthorizationError, RedisError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)


def distributed_mode(settings) -> bool:
    """Is this crawl a worker of a distributed crawl (`NOTICES_REDIS_URL` set)?"""
    return bool(settings.get("NOTICES_REDIS_URL"))


class RedisOutages:
    """This process's Redis outages: how many, how long waited, when the last one ended."""

    def __init__(self):
        self.count = 0
        self.waited = 0.0
        self.last_error_at = float("-inf")  # time.monotonic()

    def quiet_for(self) -> float:
        """Seconds since Redis last failed to answer this process."""
        return time.monotonic() - self.last_error_at


outages = RedisOutages()


class WaitOutRetry(Retry):
    """Retry Redis connection errors and timeouts until Redis answers again.

    Back-off doubles from 0.05 s to `cap` seconds. Wrong credentials are not retried. The
    outage is logged when it starts and ends, and counted in `outages`.
    """

    def __init__(self, cap: float = 2.0):
        super().__init__(ExponentialBackoff(cap=cap, base=0.05), retries=-1,
                         supported_errors=(RedisConnectionError, RedisTimeoutError))

    def call_with_retry(self, do, fail, is_retryable=None, with_failure_count=False):
        started = None

        def retryable(error) -> bool:
            nonlocal started
            if isinstance(error, AuthenticationError | AuthorizationError):
                return False
            if is_retryable and not is_retryable(error):
                return False
            outages.last_error_at = time.monotonic()
            if started is None:
                started = outages.last_error_at
                outages.count += 1
                logger.warning("Redis unreachable (%s): waiting for it, retrying with back-off",
                               error)
            return True

        try:
            return super().call_with_retry(do, fail, retryable, with_failure_count)
        finally:  # an answer, or an error reply (NOSCRIPT after a restart): Redis is back
            if started is not None:
                waited = time.monotonic() - started
                outages.waited += waited
                logger.warning("Redis answers again after %.1f s: carrying on", waited)


def redis_client(settings, decode_responses: bool = True):
    """A Redis client for `NOTICES_REDIS_URL` that waits out outages (`WaitOutRetry`)."""
    import redis

    return redis.Redis.from_url(settings.get("NOTICES_REDIS_URL"),
                                decode_responses=decode_responses, socket_timeout=30,
                                socket_connect_timeout=10, retry=WaitOutRetry(),
                                retry_on_error=[RedisConnectionError, RedisTimeoutError])


def redis_problem(url: str) -> str | None:
    """Why `url` names no Redis a worker can use (malformed, unreachable, credentials
    refused, no such database), or None. Asks the server once, without retrying."""
    import redis

    shown = _without_password(url)
    parts = urlsplit(url)
    if not parts.scheme:
        return f"Redis URL {shown!r} has no scheme: write redis://HOST:PORT/DB"
    if parts.scheme in ("redis", "rediss") and parts.path.strip("/") and not (
            parts.path.strip("/").isdigit()):
        return f"Redis URL {shown!r}: the path must be a database number, as in /0"
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5,
                                      retry=Retry(ExponentialBackoff(), 0))
    except ValueError as exc:
        return f"malformed Redis URL {shown!r}: {exc}"
    try:
        client.ping()
        if parts.password and not parts.username:
            # Redis without a password accepts any from redis-py (it logs in as `default`);
            # the one-argument AUTH says whether a password is set at all.
            client.execute_command("AUTH", unquote(parts.password))
    except (AuthenticationError, AuthorizationError) as exc:
        return f"Redis at {shown} refuses the credentials: {exc}"
    except (RedisConnectionError, RedisTimeoutError) as exc:
        return f"cannot reach Redis at {shown}: {exc}"
    except RedisError as exc:  # e.g. "DB index is out of range", AUTH without a password set
        return f"Redis at {shown} refuses the connection: {exc}"
    finally:
        client.close()
    return None


@dataclass(frozen=True)
class RedisKeys:
    """The names of every Redis key a distributed crawl uses."""

    prefix: str = "notices"

    def requests(self, spider: str) -> str:
        """The spider's shared request queue (a sorted set, scrapy-redis)."""
        return f"{self.prefix}:{spider}:requests"

    def seen(self, spider: str) -> str:
        """The spider's seen-request fingerprints (a set, emptied by `scrapy seed --reset`)."""
        return f"{self.prefix}:{spider}:seen"

    def taken(self, spider: str, run_id: str) -> str:
        """Requests a run took from the queue since its last commit: data -> queue score.

        They go back into the queue if the run dies (its heartbeat lapses) or closes without
        committing a feed."""
        return f"{self.prefix}:taken:{spider}:{run_id}"

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

    def sent(self, slot: str) -> str:
        """When the last request of a download slot went out, across workers."""
        return f"{self.prefix}:sent:{slot}"


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
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url
