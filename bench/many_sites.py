"""Many sites at once: 200 generated sites of 25 notices (10 to a list page), one registry,
crawled together by `scrapy crawl notices -a sites=all` with the default politeness
(DOWNLOAD_DELAY 1 s per site, AutoThrottle, 2 requests at a time per site).

The lower bound is the busiest site's requests one delay apart: (requests - 1) × delay. The
crawl's elapsed time is compared with it; the process wall time, start-up included, is shown.

    python -m bench.many_sites [--sites N] [--notices N]
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

TARGET_RATIO = 1.5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=200)
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
            out = Path(folder) / "notices.jsonl"
            run = scrapy_crawl("notices", out, {"sites": "all"},
                               {"NOTICES_REGISTRY_PATH": str(registry),
                                **dict(item.split("=", 1) for item in args.set)})
            records = count_lines(out)
            requests = {name: server.request_count(name) for name in names}
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
          f"site, {defaults.CONCURRENT_REQUESTS} in all)")
    print(f"  {'records':>9}{'requests':>10}{'busiest site':>14}{'lower bound s':>15}"
          f"{'elapsed s':>11}{'wall s':>8}{'CPU s':>7}{'ratio':>8}{'peak RSS':>10}")
    print(f"  {records:>9}{sum(requests.values()):>10}{busiest:>14}{bound:>15.1f}"
          f"{run.elapsed:>11.1f}{run.wall_seconds:>8.1f}{run.cpu_seconds:>7.1f}{ratio:>7.2f}x"
          f"{run.peak_rss_mb:>8.0f}MB")
    if records != expected:
        print(f"  MISSING RECORDS: {records} of {expected}")
    SUMMARY.add("many sites", "elapsed vs lower bound",
                f"{run.elapsed:.1f} / {bound:.1f} s = {ratio:.2f}x", f"≤ {TARGET_RATIO}x",
                ratio <= TARGET_RATIO)
    return 0 if records == expected else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
