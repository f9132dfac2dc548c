"""`scrapy crawl`, refusing at once, in one line, what would only fail once crawling:

- a feed URI naming a placeholder that nothing fills (`%(worker)s` without `-a worker=…`):
  Scrapy would log a `KeyError` when opening the feed and crawl on with no feed;
- in distributed mode, a Redis that cannot be used: a malformed URL, Redis unreachable,
  credentials refused, a database index out of range (`crawler.distributed.redis_problem`).
"""

from __future__ import annotations

import re
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from crawler.distributed import distributed_mode, redis_problem

PLACEHOLDER = re.compile(r"%\((\w+)\)")
# Placeholders Scrapy's feed exporter fills itself; the others come from spider attributes.
FEED_PARAMS = {"time", "batch_time", "batch_id"}


class Command(ScrapyCrawlCommand):
    def run(self, args, opts) -> None:
        problem = self.problem(args[0], opts.spargs) if len(args) == 1 else None
        if problem:
            print(f"scrapy crawl: refused: {problem}", file=sys.stderr)
            self.exitcode = 2
            return
        super().run(args, opts)

    def problem(self, spider_name: str, spider_args: dict) -> str | None:
        """Why this crawl cannot run as asked, or None."""
        try:
            spidercls = self.crawler_process.spider_loader.load(spider_name)
        except KeyError:
            return None  # Scrapy's own message follows
        unfilled = unfilled_placeholders(self.settings, spidercls, spider_args)
        if unfilled:
            uri, name = unfilled
            return (f"the feed URI {uri!r} names %({name})s, which nothing fills: "
                    f"give -a {name}=VALUE")
        if distributed_mode(self.settings):
            return redis_problem(self.settings.get("NOTICES_REDIS_URL"))
        return None


def unfilled_placeholders(settings, spidercls, spider_args: dict) -> tuple[str, str] | None:
    """The first (feed URI, placeholder) that neither Scrapy, a spider argument nor a spider
    attribute fills; None if all are filled (or a URI-params function fills them)."""
    if settings.get("FEED_URI_PARAMS"):
        return None
    for uri, options in settings.getdict("FEEDS").items():
        if (options or {}).get("uri_params"):
            continue
        for name in PLACEHOLDER.findall(str(uri)):
            if name not in FEED_PARAMS and name not in spider_args and not hasattr(spidercls,
                                                                                    name):
                return str(uri), name
    return None
