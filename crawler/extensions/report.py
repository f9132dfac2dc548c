"""The crawl report: a per-site table logged at the end of every crawl, and written as JSON.

Per site: list pages, notice pages, notices emitted (new / revised / unchanged, from the crawl
state when `NOTICES_STATE_PATH` is set), errors by class, field coverage (share of emitted
notices with a publish date, source, hit count, body and notice kind) and the hit-counter
requests made, by whether each raised the site's count (`counted`: the platform's counter adds
one per read, see docs/platforms.md). A distributed worker's report adds `distributed`: the
Redis outages it waited out and the requests it took back from dead workers (stats
`distributed/…`). With site health on, `health` lists this run's findings (docs/health.md).

The JSON goes next to each file feed once the feed is in place (`out.jsonl` ->
`out.report.json`) and to `NOTICES_REPORT_PATH` when that is set. Off with
`NOTICES_REPORT_ENABLED = False`.
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.distributed import distributed_mode
from crawler.state import feed_committed
from pipelines.dates import utc_now_iso

logger = logging.getLogger(__name__)

ERROR_CLASSES = ("http_error", "network_error", "challenge", "empty_body", "unexpected_structure")
# Hit-counter reads by their effect: one added to the count, none, not known (docs/platforms.md).
COUNTER_READ_KINDS = ("counted", "uncounted", "unknown")
# Coverage name -> whether a record has it.
COVERAGE = {
    "date": lambda r: bool(r.get("published_at")),
    "source": lambda r: bool(r.get("source")),
    "hit_count": lambda r: r.get("hit_count") is not None,
    "body": lambda r: bool(r.get("body_text")),
    "kind": lambda r: bool((r.get("notice") or {}).get("kind")),
}


def report_path_for_feed(feed_path: str) -> Path:
    """`out/x.jsonl` -> `out/x.report.json`."""
    path = Path(feed_path)
    return path.with_name(f"{path.name.split('.')[0]}.report.json")


class CrawlReport:
    def __init__(self, crawler, path: str | None):
        self.crawler = crawler
        self.path = path
        self.emitted: Counter[str] = Counter()
        self.covered: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.started_at = utc_now_iso()
        self.finish_reason: str | None = None

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("NOTICES_REPORT_ENABLED"):
            raise NotConfigured
        report = cls(crawler, crawler.settings.get("NOTICES_REPORT_PATH"))
        crawler.signals.connect(report.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(report.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(report.feed_committed, signal=feed_committed)
        return report

    def item_scraped(self, item):
        site_id = item.get("site_id") or "?"
        self.emitted[site_id] += 1
        for name, has in COVERAGE.items():
            if has(item):
                self.covered[site_id][name] += 1

    def build(self) -> dict:
        """The report as a JSON-ready dict."""
        stats = self.crawler.stats.get_stats()
        spider = self.crawler.spider
        sites = {t.site_id for t in getattr(spider, "targets", [])} | set(self.emitted)
        sites |= {key.rsplit("/", 1)[1] for key in stats
                  if key.startswith(("notices/error_count/", "notices/list_page_count/"))
                  and key.count("/") == 3}
        # The SQLite crawl state, or a distributed worker's state in Redis.
        state_on = (bool(self.crawler.settings.get("NOTICES_STATE_PATH"))
                    or distributed_mode(self.crawler.settings))

        def stat(key):
            return stats.get(key, 0)

        table = {}
        for site_id in sorted(sites):
            emitted = self.emitted[site_id]
            table[site_id] = {
                "list_pages": stat(f"notices/list_page_count/{site_id}"),
                "notice_pages": stat(f"notices/notice_page_count/{site_id}"),
                "emitted": emitted,
                "new": stat(f"notices/emitted_count/new/{site_id}") if state_on else None,
                "revised": stat(f"notices/emitted_count/revised/{site_id}") if state_on else None,
                "unchanged": stat(f"notices/unchanged_count/{site_id}") if state_on else None,
                "errors": {c: stat(f"notices/error_count/{c}/{site_id}") for c in ERROR_CLASSES},
                # Hit-counter requests, and how many of them raised the count they read.
                "counter_reads": {
                    "total": stat(f"notices/hit_counter_read_count/{site_id}"),
                    **{kind: stat(f"notices/hit_counter_{kind}_read_count/{site_id}")
                       for kind in COUNTER_READ_KINDS}},
                "coverage": {name: (round(self.covered[site_id][name] / emitted, 3)
                                    if emitted else None) for name in COVERAGE},
            }
        report = {"spider": spider.name if spider else None, "started_at": self.started_at,
                  "finished_at": utc_now_iso(), "finish_reason": self.finish_reason,
                  "sites": table}
        health = getattr(self.crawler, "notices_health", None)
        if health is not None:  # site health findings (crawler/extensions/health.py)
            report["health"] = [finding.asdict() for finding in health.findings()]
        if distributed_mode(self.crawler.settings):  # faults met, and what was done about them
            report["distributed"] = {key.split("/", 1)[1]: value for key, value in stats.items()
                                     if key.startswith("distributed/")}
        return report

    def spider_closed(self, reason):
        self.finish_reason = reason
        report = self.build()
        logger.info("crawl report (%s):\n%s", reason, format_table(report["sites"]))
        if report.get("distributed"):
            logger.info("distributed crawl: %s", ", ".join(
                f"{name}={value}" for name, value in sorted(report["distributed"].items())))
        if self.path:
            self.write(Path(self.path), report)

    def feed_committed(self, path):
        self.write(report_path_for_feed(path), self.build())

    def write(self, path: Path, report: dict) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        logger.info("crawl report written to %s", path)


def format_table(sites: dict) -> str:
    """The per-site report as an aligned text table."""
    header = ["site", "lists", "notices", "emitted", "new", "revised", "unchanged", "errors",
              *(f"%{name}" for name in COVERAGE), "counter_reads"]
    rows = [header]
    for site_id, row in sites.items():
        errors = ",".join(f"{c}={n}" for c, n in row["errors"].items() if n) or "-"
        rows.append([site_id, row["list_pages"], row["notice_pages"], row["emitted"],
                     _cell(row["new"]), _cell(row["revised"]), _cell(row["unchanged"]), errors,
                     *(_percent(row["coverage"][name]) for name in COVERAGE),
                     _counter_reads(row["counter_reads"])])
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(header))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in rows)


def _counter_reads(reads: dict) -> str:
    """`12 (12 counted)`: counter requests and how many raised the count (or are not known to)."""
    if not reads["total"]:
        return "-"
    kinds = ", ".join(f"{reads[kind]} {kind}" for kind in COUNTER_READ_KINDS if reads[kind])
    return f"{reads['total']} ({kinds})"


def _cell(value) -> str:
    return "-" if value is None else str(value)


def _percent(share) -> str:
    return "-" if share is None else f"{share * 100:.0f}"
