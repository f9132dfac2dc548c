"""What the browser download handler costs: the same generated site (30 notices on 3 list
pages) crawled by real `scrapy crawl` processes through Scrapy's own handler, through headless
Chromium, and through Chromium behind a 加速乐 challenge (fixtures/handlers.py `jsl_gate`);
also Scrapy's handler with the browser handler installed (NOTICES_BROWSER on) for a site that
does not use it.

Wall time per crawl includes process start and, for the browser, its launch. Needs the system
Chromium (found on PATH, `crawler.browser.chromium_executable`).

    python -m bench.browser [--repeat N]
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

from crawler.browser import CHROMIUM_NAMES, chromium_executable
from fixtures.server import FixtureServer
from tests.sitegen import build_site, list_page_name, notice_path

REPO = Path(__file__).resolve().parents[1]
COUNT, PER_PAGE = 30, 10
SITES = {  # registry id: (fixture site, browser = true)
    "plain": ("open", False),
    "browser": ("open", True),
    "browser_challenge": ("gated", True),
}
VARIANTS = {  # label: (registry id, NOTICES_BROWSER)
    "scrapy": ("plain", False),
    "scrapy, handler on": ("plain", True),
    "chromium": ("browser", True),
    "chromium+challenge": ("browser_challenge", True),
}


def gate_routes() -> str:
    paths = ["/robots.txt", *(f"/list/{list_page_name(page)}" for page in range(COUNT // PER_PAGE)),
             *(notice_path(n) for n in range(1, COUNT + 1))]
    return "".join(f'[[routes]]\npath = "{path}"\nhandler = "jsl_gate"\n' for path in paths)


def registry_text() -> str:
    return "\n".join(
        f'[[site]]\nid = "{site_id}"\nname = "{site_id}县纪委监委"\n'
        f'base_url = "http://{site_id}.invalid/"\nplatform = "generic"\nfixture = true\n'
        f'browser = {"true" if browser else "false"}\n'
        f'columns = [{{ name = "巡察整改", url = "http://{site_id}.invalid/list/index.html" }}]\n'
        for site_id, (_, browser) in SITES.items())


def crawl(folder: Path, site_id: str, browser: bool,
          base_urls: dict[str, str]) -> tuple[float, int]:
    out = folder / f"{site_id}-{browser}.jsonl"
    command = [sys.executable, "-m", "scrapy", "crawl", "notices", "-a", f"sites={site_id}",
               "-O", str(out)]
    settings = {"NOTICES_REGISTRY_PATH": str(folder / "sites.toml"),
                "NOTICES_BASE_URLS": json.dumps(base_urls), "NOTICES_BROWSER": str(browser),
                "NOTICES_LOOPBACK_ONLY": "True", "DOWNLOAD_DELAY": "0",
                "AUTOTHROTTLE_ENABLED": "False", "NOTICES_REPORT_ENABLED": "False",
                "LOG_LEVEL": "WARNING"}
    for key, value in settings.items():
        command += ["-s", f"{key}={value}"]
    start = time.perf_counter()
    subprocess.run(command, cwd=REPO, capture_output=True, check=True)
    seconds = time.perf_counter() - start
    return seconds, sum(1 for _ in out.open(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if not chromium_executable():
        print(f"no Chromium on PATH ({', '.join(CHROMIUM_NAMES)}): apt-get install chromium",
              file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        build_site(folder / "sites" / "open" / "root", count=COUNT, per_page=PER_PAGE)
        build_site(folder / "sites" / "gated" / "root", count=COUNT, per_page=PER_PAGE,
                   site_toml=gate_routes())
        (folder / "sites.toml").write_text(registry_text(), encoding="utf-8")
        with FixtureServer(["open", "gated"], sites_dir=folder / "sites") as server:
            base_urls = {site_id: server.base_urls[site]
                         for site_id, (site, _) in SITES.items()}
            times: dict[str, list[float]] = {label: [] for label in VARIANTS}
            records: dict[str, int] = {}
            for _ in range(args.repeat):  # interleaved, so load changes hit every variant
                for label, (site_id, browser) in VARIANTS.items():
                    seconds, records[label] = crawl(folder, site_id, browser, base_urls)
                    times[label].append(seconds)
    base = statistics.median(times["scrapy"])
    print(f"{COUNT} notices, {COUNT // PER_PAGE} list pages; median of {args.repeat} crawls")
    print(f"{'fetched by':<20} {'records':>7} {'crawl s':>8} {'vs scrapy':>9} {'s/page':>7}")
    pages = COUNT + COUNT // PER_PAGE
    for label, runs in times.items():
        median = statistics.median(runs)
        print(f"{label:<20} {records[label]:>7} {median:>8.2f} {median / base:>8.1f}× "
              f"{median / pages:>7.3f}")
    return 0 if all(n == COUNT for n in records.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
