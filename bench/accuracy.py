"""Detail extraction accuracy and speed: this project's page objects vs GeneralNewsExtractor
(gne) and trafilatura, field by field, on every saved notice page (fixtures/pages/detail/:
the fixture sites' notice pages and the shared real pages).

Every extractor's output goes through the same normalization (title suffix, whitespace, ISO
dates). Dates are compared to the day (trafilatura gives no time). Body start/end: the body
text, whitespace removed, starts/ends with the expected first/last line. A field an extractor
does not produce counts as null: right only where the page has no such value (marked `*`).
JSON pages (custom AJAX sites) are left out: the anchors read HTML only.

    python -m bench.accuracy [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from fixtures.pagecases import PageCase, load_cases, raw_detail
from pipelines.dates import to_iso_date
from pipelines.normalize import clean_title, collapse_whitespace, normalize_body

FIELDS = ("title", "published_at", "source", "author", "editor", "body_start", "body_end")


def gne_extractor():
    from gne import GeneralNewsExtractor

    extractor = GeneralNewsExtractor()

    def extract(case: PageCase) -> dict:
        result = extractor.extract(case.html())
        return {"title": result.get("title"), "published_at": result.get("publish_time"),
                "author": result.get("author"), "body_text": result.get("content") or ""}
    return extract


def trafilatura_extractor():
    import trafilatura

    def extract(case: PageCase) -> dict:
        document = trafilatura.bare_extraction(case.html(), url=case.url, with_metadata=True)
        if document is None:
            return {"body_text": ""}
        return {"title": document.title, "published_at": document.date,
                "author": document.author, "body_text": document.text or ""}
    return extract


EXTRACTORS = {"jiwei-notices": lambda: raw_detail, "gne": gne_extractor,
              "trafilatura": trafilatura_extractor}
# Fields an extractor never produces (scored as null).
NOT_PRODUCED = {"gne": {"source", "editor"}, "trafilatura": {"source", "editor"}}


def _compact(text: str | None) -> str:
    return "".join((text or "").split())


def _text(value) -> str | None:
    return collapse_whitespace(value) or None if isinstance(value, str) else None


def scores(raw: dict, expected: dict) -> dict[str, bool]:
    """Which fields an extraction got right, after the record pipeline's normalization."""
    day = (to_iso_date(raw.get("published_at")) or "")[:10] or None
    body = _compact(normalize_body(raw.get("body_text")))
    return {
        "title": (clean_title(raw.get("title")) or None) == expected["title"],
        "published_at": day == ((expected["published_at"] or "")[:10] or None),
        "source": _text(raw.get("source")) == expected["source"],
        "author": _text(raw.get("author")) == expected["author"],
        "editor": _text(raw.get("editor")) == expected["editor"],
        "body_start": bool(body) and body.startswith(_compact(expected["body_first_line"])),
        "body_end": bool(body) and body.endswith(_compact(expected["body_last_line"])),
    }


def run(extract, cases: list[PageCase], repeat: int) -> tuple[dict[str, float], float]:
    """(share of cases right per field, median pages per second over `repeat` passes)."""
    right = dict.fromkeys(FIELDS, 0)
    for case in cases:
        for field, ok in scores(extract(case), case.expected).items():
            right[field] += ok
    rates = []
    for _ in range(repeat):
        started = time.perf_counter()
        for case in cases:
            extract(case)
        rates.append(len(cases) / (time.perf_counter() - started))
    return {f: right[f] / len(cases) for f in FIELDS}, statistics.median(rates)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed passes (median reported)")
    args = parser.parse_args(argv if argv is not None else [])
    cases = [c for c in load_cases("detail") if c.is_html and c.available]
    real = sum(c.name.startswith("real_") for c in cases)
    print(f"{len(cases)} notice pages ({len(cases) - real} fixture pages, {real} real pages); "
          f"accuracy per field, pages/s median of {args.repeat} passes")
    extractors = {}
    for name, factory in EXTRACTORS.items():
        try:
            extractors[name] = factory()
        except ImportError as exc:
            print(f"{name}: not installed ({exc}); `make bench` installs the bench extras")
            return 1
    print_table({name: run(extract, cases, args.repeat) for name, extract in extractors.items()})
    real_cases = [c for c in cases if c.name.startswith("real_")]
    if real_cases:
        print(f"\nthe {len(real_cases)} real pages alone:")
        print_table({name: run(extract, real_cases, args.repeat)
                     for name, extract in extractors.items()})
    return 0


def print_table(results: dict[str, tuple[dict[str, float], float]]) -> None:
    width = max(map(len, FIELDS)) + 2
    names = list(results)
    print("field".ljust(width) + "".join(n.rjust(16) for n in names))
    for field in FIELDS:
        cells = []
        for name in names:
            mark = "*" if field in NOT_PRODUCED.get(name, ()) else " "
            cells.append(f"{results[name][0][field] * 100:6.1f}%{mark}".rjust(16))
        print(field.ljust(width) + "".join(cells))
    mean = {n: statistics.mean(results[n][0].values()) for n in names}
    print("mean".ljust(width) + "".join(f"{mean[n] * 100:6.1f}% ".rjust(16) for n in names))
    ours_rate = results["jiwei-notices"][1]
    print("pages/s".ljust(width) + "".join(f"{results[n][1]:8.1f} ".rjust(16) for n in names))
    print("ours faster by".ljust(width) + "".join(
        f"{ours_rate / results[n][1]:7.2f}x ".rjust(16) for n in names))
    print("* not produced by this extractor: scored as null")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
