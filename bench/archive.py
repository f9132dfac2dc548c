"""Cost of the raw archive and of attachments, and re-parse time next to crawl time.

    python -m bench.archive [--repeats N]      (also run by `make bench`)

Crawls the `attachments_demo` and `jingxian` fixture sites (real `scrapy crawl` processes on
loopback, politeness off) as a plain crawl, with `WARC_DIR`, with `NOTICES_ATTACHMENTS_DIR`,
with both, and re-parses the last one's WARC files with `scrapy reparse`; prints the median
wall time of each (process start included) and its ratio to the plain crawl, then the text
extraction rate of the fixture PDF and DOCX in process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fixtures.attachments.make_files import OUT as UPLOADS
from fixtures.server import REGISTRY_PATH, FixtureServer
from pipelines.attachment_text import DOCX, PDF, extract_text

REPO = Path(__file__).resolve().parents[1]
SITES = ["attachments_demo", "jingxian"]
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING"]


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=REPO, check=True, capture_output=True)
    return time.perf_counter() - start


def crawl_times(base_urls: dict[str, str], repeats: int) -> dict[str, list[float]]:
    variants = {
        "plain crawl": [],
        "crawl + WARC": ["WARC"],
        "crawl + attachments": ["ATTACHMENTS"],
        "crawl + WARC + attachments": ["WARC", "ATTACHMENTS"],
    }
    times: dict[str, list[float]] = {name: [] for name in [*variants, "reparse of that WARC"]}
    for _ in range(repeats):
        for name, parts in variants.items():
            with tempfile.TemporaryDirectory() as tmp:
                command = [sys.executable, "-m", "scrapy", "crawl", "notices",
                           "-a", "sites=" + ",".join(SITES), "-O", f"{tmp}/out.jsonl",
                           "-s", f"NOTICES_REGISTRY_PATH={REGISTRY_PATH}",
                           "-s", "NOTICES_BASE_URLS=" + json.dumps(base_urls), *FAST]
                if "WARC" in parts:
                    command += ["-s", f"WARC_DIR={tmp}/warc"]
                if "ATTACHMENTS" in parts:
                    command += ["-s", f"NOTICES_ATTACHMENTS_DIR={tmp}/store"]
                times[name].append(timed(command))
                if parts == ["WARC", "ATTACHMENTS"]:
                    warcs = [str(p) for p in sorted(Path(tmp, "warc").iterdir())]
                    times["reparse of that WARC"].append(timed(
                        [sys.executable, "-m", "scrapy", "reparse", *warcs,
                         "-O", f"{tmp}/re.jsonl", "-s", "LOG_LEVEL=WARNING"]))
    return times


def extraction_rates(repeats: int) -> list[tuple[str, float, float]]:
    rows = []
    for name, media_type in (("report.pdf", PDF), ("report.docx", DOCX)):
        data = (UPLOADS / name).read_bytes()
        runs = []
        for _ in range(repeats):
            start = time.perf_counter()
            for _ in range(20):
                extract_text(data, media_type)
            runs.append((time.perf_counter() - start) / 20)
        median = statistics.median(runs)
        rows.append((name, median * 1000, len(data) / median / 1e6))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv or [])
    with FixtureServer(SITES) as server:
        times = crawl_times(server.base_urls, args.repeats)
    plain = statistics.median(times["plain crawl"])
    print(f"crawl of {', '.join(SITES)} (7 notices, 9 attachments), median of {args.repeats}:")
    for name, runs in times.items():
        median = statistics.median(runs)
        print(f"  {name:28s} {median:6.2f} s   x{median / plain:4.2f}")
    print("text extraction, median per file:")
    for name, millis, rate in extraction_rates(args.repeats):
        print(f"  {name:28s} {millis:6.1f} ms  {rate:5.2f} MB/s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
