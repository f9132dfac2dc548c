"""`scrapy seed`: add a crawl's start requests to the shared queue in Redis.

    scrapy seed --sites all --redis-url redis://10.0.0.5:6379/0
    scrapy seed --start-url http://www.example.gov.cn/xcgz/index.html --start-url … --sites a,b
    scrapy seed jingxian --redis-url …        (a site spider: that site's columns)

The requests go into the queue of the spider named first (default `notices`), through the
same scrapy-redis scheduler the workers use; workers started with
`scrapy crawl <spider> -s NOTICES_REDIS_URL=…` then take them. The spider's seen-request set
is kept, so seeding more work into a running crawl walks only what is new; `--reset` empties
it first and starts a new pass (lists walked again; the crawl state in Redis still skips
notices already exported). Work held by workers that are no longer alive goes back into the
queue and their claims are freed.
"""

from __future__ import annotations

import json
import logging

from scrapy.commands import ScrapyCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.utils.conf import arglist_to_dict

from crawler.distributed import (
    apply_distributed_settings,
    keys_from_settings,
    redis_client,
    redis_problem,
)
from crawler.distributed.scheduler import RedisScheduler
from crawler.distributed.state import take_back_from_dead
from crawler.spiders.notices import start_url_target

logger = logging.getLogger(__name__)


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[options] [SPIDER]"

    def short_desc(self) -> str:
        return "Put a crawl's start requests into Redis for distributed workers"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--sites", metavar="IDS",
                            help="registry site ids, comma-separated, or `all`")
        parser.add_argument("--start-url", metavar="URL", action="append", default=[],
                            help="a list page or notice page of any site (may be repeated)")
        parser.add_argument("--reset", action="store_true",
                            help="empty the seen-request set first: a new pass over every list")
        parser.add_argument("--redis-url", metavar="URL",
                            help="the Redis of the crawl (default: NOTICES_REDIS_URL)")
        parser.add_argument("-a", dest="spargs", action="append", default=[],
                            metavar="NAME=VALUE", help="spider argument (may be repeated)")

    def process_options(self, args, opts) -> None:
        super().process_options(args, opts)
        try:
            opts.spargs = arglist_to_dict(opts.spargs)
        except ValueError:
            raise UsageError("Invalid -a value, use -a NAME=VALUE", print_help=False) from None
        if opts.sites:
            opts.spargs["sites"] = opts.sites
        if opts.redis_url:
            self.settings.set("NOTICES_REDIS_URL", opts.redis_url, priority="cmdline")
        if not self.settings.get("NOTICES_REDIS_URL"):
            raise UsageError("no Redis: give --redis-url URL (or -s NOTICES_REDIS_URL=URL)")

    def run(self, args, opts) -> None:
        if len(args) > 1:
            raise UsageError("at most one spider name")
        name = args[0] if args else "notices"
        from scrapy.spiderloader import get_spider_loader

        try:
            spidercls = get_spider_loader(self.settings).load(name)
        except KeyError:
            raise UsageError(f"unknown spider {name!r}; see `scrapy list`") from None
        problem = redis_problem(self.settings.get("NOTICES_REDIS_URL"))
        if problem:
            raise UsageError(problem, print_help=False)
        crawler = Crawler(spidercls, self.settings)
        apply_distributed_settings(crawler.settings)
        try:
            spider = spidercls.from_crawler(crawler, **opts.spargs)
            # Start URLs beside the spider's own targets (registry sites, or none).
            spider.targets += [start_url_target(url) for url in opts.start_url]
        except ValueError as exc:
            raise UsageError(str(exc), print_help=False) from None
        requests = spider.target_requests()
        if not requests:
            raise UsageError(f"nothing to seed for spider {name!r}: give --sites IDS|all or "
                             "--start-url URL", print_help=False)
        result = seed(crawler, spider, requests, reset=opts.reset)
        print(json.dumps(result, ensure_ascii=False))


def seed(crawler, spider, requests, reset: bool = False) -> dict:
    """Enqueue `requests` not seen yet (all of them, the seen-set emptied, with `reset`);
    put dead workers' work back into the queue and free their claims."""
    scheduler = RedisScheduler.from_settings(crawler.settings)
    scheduler.open(spider)
    if reset:
        scheduler.df.clear()
    added = sum(1 for request in requests if scheduler.enqueue_request(request))
    server, keys = redis_client(crawler.settings), keys_from_settings(crawler.settings)
    taken_back = freed = 0
    # Just after a Redis restart every heartbeat has lapsed: live workers would look dead.
    if float(server.info("server")["uptime_in_seconds"]) > crawler.settings.getfloat(
            "NOTICES_REDIS_WORKER_TTL"):
        taken_back = take_back_from_dead(server, keys, spider.name)
        freed = free_dead_claims(server, keys)
    return {"spider": spider.name, "seeded": added, "already_seen": len(requests) - added,
            "taken_back": taken_back, "queued": len(scheduler.queue), "freed_claims": freed}


# KEYS[1]: a claims hash; ARGV[1]: the worker-key prefix. Returns how many claims it freed.
FREE_DEAD = """
local rows, freed = redis.call('HGETALL', KEYS[1]), 0
for i = 1, #rows, 2 do
  if redis.call('EXISTS', ARGV[1] .. rows[i + 1]) == 0 then
    freed = freed + redis.call('HDEL', KEYS[1], rows[i])
  end
end
return freed
"""


def free_dead_claims(server, keys) -> int:
    """Remove claims whose worker has no heartbeat any more; returns how many."""
    free = server.register_script(FREE_DEAD)
    return sum(int(free(keys=[claims], args=[keys.worker("")]))
               for claims in server.scan_iter(keys.claims("*"), count=1000))
