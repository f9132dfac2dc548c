"""Memory of a long crawl: peak RSS of `scrapy crawl` over generated sites of 1,000 and 5,000
notices (20 to a list page), politeness off, with JOBDIR (the request queue on disk).

A crawl whose memory grew with the notices seen would show it between the two sizes.

    python -m bench.memory [--sizes 1000,5000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench._harness import POLITENESS_OFF, SUMMARY, count_lines, scrapy_crawl
from tests.sitegen import serve_sites

TARGET_RSS_MB = 300
TARGET_GROWTH = 0.30


def crawl_size(notices: int, per_page: int) -> tuple[int, float, float]:
    """(records, peak RSS in MB, elapsed seconds) of a JOBDIR crawl of a generated site."""
    with tempfile.TemporaryDirectory() as folder:
        server = serve_sites(Path(folder), {"gen": {"count": notices, "per_page": per_page}})
        try:
            out = Path(folder) / "notices.jsonl"
            run = scrapy_crawl("notices", out, {
                "start_url": f"{server.base_urls['gen']}list/index.html",
                "max_pages": str(notices)}, {**POLITENESS_OFF, "JOBDIR": f"{folder}/job"})
            return count_lines(out), run.peak_rss_mb, run.elapsed
        finally:
            server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000", help="notice counts, smallest first")
    parser.add_argument("--per-page", type=int, default=20)
    args = parser.parse_args(argv if argv is not None else [])
    sizes = [int(n) for n in args.sizes.split(",")]
    results = {n: crawl_size(n, args.per_page) for n in sizes}
    print("peak RSS of JOBDIR crawls of generated sites, politeness off")
    print(f"  {'notices':>9}{'records':>9}{'elapsed s':>11}{'peak RSS':>10}")
    for n, (records, rss, elapsed) in results.items():
        print(f"  {n:>9}{records:>9}{elapsed:>11.1f}{rss:>8.0f}MB")
    small, large = sizes[0], sizes[-1]
    growth = results[large][1] / results[small][1] - 1
    print(f"  growth from {small} to {large} notices: {growth * 100:+.1f}% "
          f"(target < {TARGET_GROWTH * 100:.0f}%)")
    SUMMARY.add("memory", f"peak RSS at {large} notices (JOBDIR)",
                f"{results[large][1]:.0f} MB", f"< {TARGET_RSS_MB} MB",
                results[large][1] < TARGET_RSS_MB)
    SUMMARY.add("memory", f"RSS growth {small} -> {large}", f"{growth * 100:+.1f}%",
                f"< {TARGET_GROWTH * 100:.0f}%", growth < TARGET_GROWTH)
    complete = all(records == n for n, (records, _, _) in results.items())
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
