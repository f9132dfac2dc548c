"""`scrapy seed`: start a distributed crawl by putting its start requests into Redis.

    scrapy seed --sites all --redis-url redis://10.0.0.5:6379/0
    scrapy seed --start-url http://www.example.gov.cn/xcgz/index.html --redis-url …
    scrapy seed jingxian --redis-url …        (a site spider: that site's columns)

The requests go into the queue of the spider named first (default `notices`), through the
same scrapy-redis scheduler the workers use; workers started with
`scrapy crawl <spider> -s NOTICES_REDIS_URL=…` then take them. Every seed starts a new crawl
generation: the spider's seen-request set is emptied first, so lists are walked again (the
crawl state in Redis still skips notices already exported) and requests lost with a dead
worker are made again. Claims left by workers that are no longer alive are freed.
"""

from __future__ import annotations

import json
import logging

from scrapy.commands import ScrapyCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.utils.conf import arglist_to_dict

from crawler.distributed import apply_distributed_settings, keys_from_settings, redis_client
from crawler.distributed.scheduler import RedisScheduler

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
        parser.add_argument("--start-url", metavar="URL",
                            help="a list page or notice page of any site")
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
        if opts.start_url:
            opts.spargs["start_url"] = opts.start_url
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
        crawler = Crawler(spidercls, self.settings)
        apply_distributed_settings(crawler.settings)
        try:
            spider = spidercls.from_crawler(crawler, **opts.spargs)
        except ValueError as exc:
            raise UsageError(str(exc), print_help=False) from None
        requests = spider.target_requests()
        if not requests:
            raise UsageError(f"nothing to seed for spider {name!r}: give --sites IDS|all or "
                             "--start-url URL", print_help=False)
        result = seed(crawler, spider, requests)
        print(json.dumps(result, ensure_ascii=False))


def seed(crawler, spider, requests) -> dict:
    """Empty the spider's seen-set, enqueue `requests`, free dead workers' claims."""
    scheduler = RedisScheduler.from_settings(crawler.settings)
    scheduler.open(spider)
    scheduler.df.clear()
    added = sum(1 for request in requests if scheduler.enqueue_request(request))
    freed = free_dead_claims(redis_client(crawler.settings), keys_from_settings(crawler.settings))
    return {"spider": spider.name, "seeded": added, "queued": len(scheduler.queue),
            "freed_claims": freed}


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
