"""`scrapy check-sites`: check registry entries against their live sites and report.

    scrapy check-sites [--sites ID,ID|all] [--report PATH] [--update]

Prints a table (site, class, platform in the registry → detected, notice links on the first
page, URL, detail) and a summary by province and by platform, writes the JSON report (with
the same summary) to PATH, and with --update writes today's date to
`last_checked` and the detected platform of every working entry into the registry file.
The checks themselves run in `crawler/spiders/check.py`.
"""

from __future__ import annotations

import logging
from datetime import date

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.registry import DEFAULT_REGISTRY_PATH, RegistryError, registry_from_settings
from crawler.registry_edit import update_registry_file
from crawler.sitecheck import (
    build_report,
    format_summary,
    format_table,
    platform_updates,
    write_report,
)
from crawler.spiders.check import SiteCheckSpider
from pipelines.dates import utc_now_iso

logger = logging.getLogger(__name__)


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[--sites ID,ID|all] [--report PATH] [--update]"

    def short_desc(self) -> str:
        return "Check registry sites: working, moved, blocked, unrecognised or unreachable"

    def add_options(self, parser) -> None:
        super().add_options(parser)
        parser.add_argument("--sites", default="all", metavar="ID,ID|all",
                            help="registry ids to check (default: all but placeholders)")
        parser.add_argument("--report", metavar="PATH", help="write the JSON report here")
        parser.add_argument("--update", action="store_true",
                            help="write last_checked and the detected platform of working "
                                 "entries into the registry file")

    def run(self, args: list[str], opts) -> None:
        if args:
            raise UsageError(f"unexpected arguments {' '.join(args)}; use --sites ID,ID")
        try:
            sites = registry_from_settings(self.settings)
        except (OSError, RegistryError) as exc:
            raise UsageError(f"cannot read the registry: {exc}") from None
        wanted = [s.strip() for s in opts.sites.split(",") if s.strip()]
        unknown = [site_id for site_id in wanted if site_id != "all" and site_id not in sites]
        if unknown:
            raise UsageError(f"unknown site id(s) {', '.join(unknown)}; see `scrapy list`")
        crawler = self.crawler_process.create_crawler(SiteCheckSpider)
        self.crawler_process.crawl(crawler, sites=",".join(wanted))
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed or crawler.spider is None:
            self.exitcode = 1
            return
        registry_path = self.settings.get("NOTICES_REGISTRY_PATH") or DEFAULT_REGISTRY_PATH
        report = build_report(crawler.spider.rows, sites, utc_now_iso(), str(registry_path))
        print(format_table(report), flush=True)
        print(f"\n{format_summary(report)}", flush=True)
        if opts.report:
            write_report(report, opts.report)
            logger.info("check report written to %s", opts.report)
        if opts.update:
            today = date.today().isoformat()
            updates = {site_id: {"last_checked": today, **({"platform": platform}
                                                           if platform else {})}
                       for site_id, platform in platform_updates(report).items()}
            update_registry_file(registry_path, updates)
            print(f"{len(updates)} working entries updated in {registry_path}", flush=True)
