"""Notice parser cost next to page extraction, on every notice page of the seed-site replicas.

Prints pages per second for extraction (page object + normalization), for the notice parser
alone, and the parser's share of the per-page time (target: it adds under 20%).
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from scrapy.http import HtmlResponse

from crawler.pages.detail import NoticePage
from fixtures.server import SITES_DIR, FixtureSite
from pipelines.normalize import normalize_record
from pipelines.notice import parse_notice

REPO = Path(__file__).resolve().parents[1]
GOLDEN_SITES = REPO / "tests" / "golden" / "sites"
REPEATS = 7


def notice_responses() -> list[HtmlResponse]:
    """Every notice page named by the seed-site goldens, as the fixture server would send it."""
    responses = []
    for golden in sorted(GOLDEN_SITES.glob("*.jsonl")):
        site = FixtureSite.load(SITES_DIR / golden.stem)
        with golden.open(encoding="utf-8") as fh:
            for line in fh:
                url = json.loads(line)["url"]
                page_file = site.root / url.split(".fixture", 1)[1].lstrip("/")
                if not page_file.is_file():  # a page filled from JSON (custom AJAX sites)
                    continue
                body = page_file.read_text(encoding="utf-8")
                responses.append(HtmlResponse(url, body=body.encode(site.encoding),
                                              encoding=site.encoding))
    return responses


def extract(response: HtmlResponse) -> dict:
    page = NoticePage(response)
    return normalize_record({"url": response.url, "title": page.title, "source": page.source,
                             "published_at": page.published_at, "body_text": page.body_text,
                             "author": page.author, "editor": page.editor})


def median_seconds(work, items) -> float:
    runs = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        for item in items:
            work(item)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main() -> None:
    responses = notice_responses()
    # Fresh responses per run: page objects cache their parse on the response's selector.
    extraction = median_seconds(lambda r: extract(r.replace()), responses)
    records = [extract(r) for r in responses]
    parsing = median_seconds(
        lambda rec: parse_notice(rec["title"], rec["body_text"], rec["published_at"]), records)
    pages = len(responses)
    print(f"notice parser on {pages} fixture notice pages (median of {REPEATS} runs)")
    print(f"  {'stage':<34}{'pages/s':>10}{'ms/page':>10}")
    print(f"  {'extraction (page object + normalize)':<34}{pages / extraction:>10.0f}"
          f"{1000 * extraction / pages:>10.2f}")
    print(f"  {'notice parser':<34}{pages / parsing:>10.0f}{1000 * parsing / pages:>10.2f}")
    print(f"  parser adds {100 * parsing / extraction:.1f}% to extraction time (target < 20%)")


if __name__ == "__main__":
    main()
