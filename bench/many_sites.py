"""Many sites at once: 1,000 generated sites of 25 notices (10 to a list page), one registry,
crawled together by `scrapy crawl notices -a sites=all` with the default politeness
(DOWNLOAD_DELAY 1 s per site, AutoThrottle, 2 requests at a time per site, 100 in all) and the
crawl state on; then crawled again unchanged, from the same state.

The politeness lower bound is the busiest site's requests one delay apart:
(requests - 1) × delay. The crawl's elapsed time is compared with it; the process wall time,
start-up included, and its CPU time are shown (a crawl is one process: it cannot take less
time than its CPU seconds). The re-crawl is measured in requests per site beyond robots.txt.

    python -m bench.many_sites [--sites N] [--notices N] [-s NAME=VALUE]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from pathlib import Path

from bench._harness import SUMMARY, count_lines, scrapy_crawl
from crawler import settings as defaults
from tests.sitegen import serve_sites, write_registry

TARGET_RATIO = 1.2
RECRAWL_TARGET = 2  # requests per site beyond robots.txt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--notices", type=int, default=25, help="notices per site")
    parser.add_argument("--per-page", type=int, default=10)
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a Scrapy setting for the crawl (to compare with the defaults)")
    args = parser.parse_args(argv if argv is not None else [])
    names = [f"site{i:03d}" for i in range(args.sites)]
    with tempfile.TemporaryDirectory() as folder:
        server = serve_sites(Path(folder), {
            name: {"count": args.notices, "per_page": args.per_page} for name in names})
        try:
            registry = write_registry(Path(folder) / "sites.toml", server)
            settings = {"NOTICES_REGISTRY_PATH": str(registry),
                        "NOTICES_STATE_PATH": str(Path(folder) / "state" / "{site_id}.sqlite"),
                        **dict(item.split("=", 1) for item in args.set)}
            out = Path(folder) / "notices.jsonl"
            run = scrapy_crawl("notices", out, {"sites": "all"}, settings)
            records = count_lines(out)
            requests = {name: server.request_count(name) for name in names}
            robots = {name: server.request_count(name, "/robots.txt") for name in names}
            again_out = Path(folder) / "again.jsonl"
            again = scrapy_crawl("notices", again_out, {"sites": "all"}, settings)
            again_records = count_lines(again_out)
            again_requests = {
                name: (server.request_count(name) - requests[name])
                - (server.request_count(name, "/robots.txt") - robots[name]) for name in names}
        finally:
            # each site's server takes up to half a second to stop: not worth waiting for
            threading.Thread(target=server.stop, daemon=True).start()
    delay = defaults.DOWNLOAD_DELAY
    busiest = max(requests.values())
    bound = (busiest - 1) * delay
    ratio = run.elapsed / bound
    expected = args.sites * args.notices
    print(f"{args.sites} generated sites × {args.notices} notices, default politeness "
          f"(delay {delay:g} s, AutoThrottle on, {defaults.CONCURRENT_REQUESTS_PER_DOMAIN} per "
          f"site, {defaults.CONCURRENT_REQUESTS} in all)"
          + (f", with {' '.join(args.set)}" if args.set else ""))
    print(f"  {'crawl':<10}{'records':>9}{'requests':>10}{'busiest site':>14}"
          f"{'lower bound s':>15}{'elapsed s':>11}{'wall s':>8}{'CPU s':>7}{'ratio':>8}"
          f"{'peak RSS':>10}")
    print(f"  {'first':<10}{records:>9}{sum(requests.values()):>10}{busiest:>14}{bound:>15.1f}"
          f"{run.elapsed:>11.1f}{run.wall_seconds:>8.1f}{run.cpu_seconds:>7.1f}{ratio:>7.2f}x"
          f"{run.peak_rss_mb:>8.0f}MB")
    most_again = max(again_requests.values())
    print(f"  {'unchanged':<10}{again_records:>9}{sum(again_requests.values()):>10}"
          f"{most_again:>14}{'':>15}{again.elapsed:>11.1f}{again.wall_seconds:>8.1f}"
          f"{again.cpu_seconds:>7.1f}{'':>8}{again.peak_rss_mb:>8.0f}MB")
    print(f"  first crawl: {run.cpu_seconds / sum(requests.values()) * 1000:.1f} ms CPU per "
          f"request; its CPU time is {run.cpu_seconds / bound:.2f}x the politeness bound. "
          f"Re-crawl: at most {most_again} requests per site beyond robots.txt.")
    if records != expected:
        print(f"  MISSING RECORDS: {records} of {expected}")
    SUMMARY.add("many sites", "elapsed vs lower bound",
                f"{run.elapsed:.1f} / {bound:.1f} s = {ratio:.2f}x", f"≤ {TARGET_RATIO}x",
                ratio <= TARGET_RATIO)
    SUMMARY.add("many sites", "unchanged re-crawl", f"≤ {most_again} requests per site",
                f"≤ {RECRAWL_TARGET}", most_again <= RECRAWL_TARGET)
    return 0 if records == expected and again_records == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
