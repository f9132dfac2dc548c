"""Crawl throughput end to end: a generated site of 5,000 notices on 250 list pages, served on
loopback with politeness off, crawled by `scrapy crawl notices -a start_url=…` (every record
through the whole pipeline into a JSON Lines feed), next to `scrapy bench` run just before.

Rates are over the engine's own elapsed time (Scrapy's `elapsed_time_seconds`, the figure
`scrapy bench` is read by); the process wall time, start-up included, is shown beside.

    python -m bench.crawl [--notices N] [--per-page N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench._harness import POLITENESS_OFF, SUMMARY, count_lines, scrapy_bench, scrapy_crawl
from tests.sitegen import serve_sites

TARGET_SHARE = 0.6  # of scrapy bench's pages/s
TARGET_RSS_MB = 300


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=5000)
    parser.add_argument("--per-page", type=int, default=20)
    args = parser.parse_args(argv if argv is not None else [])
    anchor = scrapy_bench()
    anchor_rate = anchor.stat("response_received_count") / anchor.elapsed
    with tempfile.TemporaryDirectory() as folder:
        server = serve_sites(Path(folder), {
            "gen": {"count": args.notices, "per_page": args.per_page}})
        try:
            out = Path(folder) / "notices.jsonl"
            run = scrapy_crawl("notices", out, {
                "start_url": f"{server.base_urls['gen']}list/index.html",
                "max_pages": str(args.notices)}, POLITENESS_OFF)
            records = count_lines(out)
        finally:
            server.stop()
    pages = run.stat("response_received_count")
    rate = pages / run.elapsed
    lists = -(-args.notices // args.per_page)
    print(f"generated site: {args.notices} notices on {lists} list pages, loopback, "
          "politeness off; scrapy bench: 10 s against its own server")
    print(f"  {'':<22}{'records':>9}{'pages':>8}{'elapsed s':>11}{'wall s':>8}"
          f"{'pages/s':>9}{'notices/s':>11}{'peak RSS':>10}")
    print(f"  {'jiwei-notices':<22}{records:>9}{pages:>8.0f}{run.elapsed:>11.1f}"
          f"{run.wall_seconds:>8.1f}{rate:>9.0f}{records / run.elapsed:>11.0f}"
          f"{run.peak_rss_mb:>8.0f}MB")
    print(f"  {'scrapy bench':<22}{'-':>9}{anchor.stat('response_received_count'):>8.0f}"
          f"{anchor.elapsed:>11.1f}{anchor.wall_seconds:>8.1f}{anchor_rate:>9.0f}{'-':>11}"
          f"{anchor.peak_rss_mb:>8.0f}MB")
    share = rate / anchor_rate
    print(f"  pages/s: {share:.2f}x scrapy bench (target ≥ {TARGET_SHARE})")
    if records != args.notices:
        print(f"  MISSING RECORDS: {records} of {args.notices}")
    SUMMARY.add("crawl", "pages/s vs scrapy bench", f"{rate:.0f} / {anchor_rate:.0f} = "
                f"{share:.2f}x", f"≥ {TARGET_SHARE}x", share >= TARGET_SHARE)
    SUMMARY.add("crawl", f"peak RSS, {args.notices} notices", f"{run.peak_rss_mb:.0f} MB",
                f"< {TARGET_RSS_MB} MB", run.peak_rss_mb < TARGET_RSS_MB)
    return 0 if records == args.notices else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
