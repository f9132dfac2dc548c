"""`scrapy reparse WARC... -o out.jsonl`: rebuild the records of an archived crawl, offline.

The crawl is run again as it was (the spider, its arguments and the command-line `NOTICES_*`
settings named in the files' `warcinfo` records) with a download handler that answers every
request from the WARC files instead of the network. Spider, platforms, page objects and item
pipelines are the current code, so records are those the crawl would give today; `crawled_at`
and `hit_count_observed_at` are when the page or counter answer was archived.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from crawler.warc import INFO_ARGUMENTS, INFO_SETTINGS, INFO_SPIDER, read_warcinfo

logger = logging.getLogger(__name__)

REPLAY_HANDLER = "crawler.warc.WarcReplayHandler"
CMDLINE = 40  # settings priority of `-s`: archived values give way to the user's


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[options] WARC [WARC ...]"

    def short_desc(self) -> str:
        return "Rebuild the records of an archived crawl from its WARC files (no network)"

    def long_desc(self) -> str:
        return (__doc__ or "").strip() + (
            "\n\nWrite the crawl with `scrapy crawl ... -s WARC_DIR=DIR`, then "
            "`scrapy reparse DIR/*.warc.gz -O out.jsonl`. `-a` and `-s` override the "
            "archived spider arguments and settings.")

    def process_options(self, args: list[str], opts) -> None:
        super().process_options(args, opts)
        if not args:
            raise UsageError("give the WARC files of one crawl", print_help=True)
        paths = [Path(arg) for arg in args]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise UsageError(f"no such WARC file: {', '.join(missing)}", print_help=False)
        crawls = {}
        for path in paths:
            info = read_warcinfo(path)
            if INFO_SPIDER not in info:
                raise UsageError(f"{path}: no warcinfo record naming the spider (not written "
                                 f"with WARC_DIR?)", print_help=False)
            crawls.setdefault((info[INFO_SPIDER], info.get(INFO_ARGUMENTS, "{}"),
                               info.get(INFO_SETTINGS, "{}")), []).append(path)
        if len(crawls) > 1:
            raise UsageError(f"the WARC files hold {len(crawls)} different crawls (spider, "
                             f"arguments or settings differ): re-parse one at a time",
                             print_help=False)
        [(spider, arguments, settings)] = crawls
        self.spider_name = spider
        opts.spargs = {**json.loads(arguments), **opts.spargs}
        replay = {
            **json.loads(settings),
            "NOTICES_REPLAY_WARCS": [str(p) for p in paths],
            "DOWNLOAD_HANDLERS": {"http": REPLAY_HANDLER, "https": REPLAY_HANDLER},
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
        }
        for name, value in replay.items():
            if (self.settings.getpriority(name) or 0) < CMDLINE or name in (
                    "NOTICES_REPLAY_WARCS", "DOWNLOAD_HANDLERS"):
                self.settings.set(name, value, priority="cmdline")

    def run(self, args: list[str], opts) -> None:
        logger.info("re-parsing the %s crawl %s from %d WARC file(s)", self.spider_name,
                    opts.spargs, len(args))
        self.crawler_process.crawl(self._create_crawler(self.spider_name), **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
