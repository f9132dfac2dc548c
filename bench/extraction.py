"""Detail pages per second for the full record path, next to GNE and trafilatura.

The full path is what a crawl does with a fetched notice page: the response decoded, the
platform's page object, the spider's item, the look for the article's next page, then the
item pipelines (normalization, notice
parser, schema validation). GNE and trafilatura get the same pages' HTML text. Every page is
timed alone in CPU time of this process (other processes' load counts less than in wall time;
median of `--repeat` passes), so the ratio is given per page (median, worst) as well as over
all pages; accuracy is the mean share of fields right (bench/accuracy.py).

    python -m bench.extraction [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from scrapy.http import HtmlResponse, Request

from bench._harness import SUMMARY
from bench.accuracy import EXTRACTORS, scores
from crawler.spiders.notices import NoticesSpider, Target
from fixtures.pagecases import PageCase, load_cases
from pipelines.normalize import NormalizePipeline
from pipelines.parse import NoticeParsePipeline
from pipelines.validate import ValidatePipeline

TARGETS = {"gne": 3.0, "trafilatura": 5.0}  # ours must be this many times faster


def full_path_extractor():
    """A case -> the exported record, through the spider's item and the item pipelines."""
    spider = NoticesSpider(start_url="http://bench.invalid/")
    stages = (NormalizePipeline(), NoticeParsePipeline(), ValidatePipeline())

    def extract(case: PageCase) -> dict:
        target = Target(url=case.url, site_id="bench", platform=case.platform)
        response = HtmlResponse(case.url, body=case.input_path.read_bytes(), encoding=case.encoding,
                                request=Request(case.url, meta={"target": target}))
        item = spider._notice_item(response, target, None)
        spider._platform(response).next_article_page(response, response.url)
        item.pop("_counter_url")
        item.pop("_field_rules")
        for stage in stages:
            item = stage.process_item(item)
        return item
    return extract


def page_seconds(extract, cases: list[PageCase], repeat: int) -> list[float]:
    """Median CPU seconds per case over `repeat` passes (passes interleave the cases)."""
    runs: list[list[float]] = [[] for _ in cases]
    for _ in range(repeat):
        for index, case in enumerate(cases):
            started = time.process_time()
            extract(case)
            runs[index].append(time.process_time() - started)
    return [statistics.median(r) for r in runs]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed passes (median per page)")
    args = parser.parse_args(argv if argv is not None else [])
    cases = [c for c in load_cases("detail") if c.is_html and c.available]
    try:
        extractors = {"jiwei-notices (full path)": full_path_extractor(),
                      "gne": EXTRACTORS["gne"](), "trafilatura": EXTRACTORS["trafilatura"]()}
    except ImportError as exc:
        print(f"not installed ({exc}); `make bench` installs the bench extras")
        return 1
    ours = next(iter(extractors))
    accuracy, seconds = {}, {}
    for name, extract in extractors.items():
        right = [scores(extract(case), case.expected) for case in cases]
        accuracy[name] = statistics.mean(v for r in right for v in r.values())
        seconds[name] = page_seconds(extract, cases, args.repeat)
    print(f"{len(cases)} HTML notice pages, each timed alone (CPU time), median of "
          f"{args.repeat} passes; accuracy: mean share of fields right")
    print(f"  {'extractor':<28}{'pages/s':>9}{'ms/page':>9}{'accuracy':>10}"
          f"{'ours ×':>9}{'per page: median':>18}{'worst':>8}{'target':>9}")
    for name in extractors:
        total = sum(seconds[name])
        line = (f"  {name:<28}{len(cases) / total:>9.0f}{1000 * total / len(cases):>9.2f}"
                f"{accuracy[name] * 100:>9.1f}%")
        if name != ours:
            ratios = [theirs / mine for theirs, mine in zip(seconds[name], seconds[ours],
                                                            strict=True)]
            overall = total / sum(seconds[ours])
            met = overall >= TARGETS[name] and accuracy[ours] >= accuracy[name]
            line += (f"{overall:>8.1f}x{statistics.median(ratios):>17.1f}x"
                     f"{min(ratios):>7.1f}x{'≥' + str(TARGETS[name]) + 'x':>6} "
                     f"{'met' if met else 'MISSED'}")
            SUMMARY.add("extraction", f"pages/s vs {name}", f"{overall:.1f}x, accuracy "
                        f"{accuracy[ours] * 100:.0f}% vs {accuracy[name] * 100:.0f}%",
                        f"≥ {TARGETS[name]:g}x", met)
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
