"""Detail extraction accuracy and speed: this project's page objects vs GeneralNewsExtractor
(gne), trafilatura and magic-html, field by field, on the saved notice pages — the real
government pages (`real_*` cases, fixtures/realpages/) first, then the fixture sites' pages.

Every extractor's output goes through the same normalization (title suffix, whitespace, ISO
dates). Dates are compared to the day (trafilatura gives no time). Body start/end: the body
text, whitespace removed, starts/ends with the expected first/last line. Hit count and
attachments are scored on the pages whose labels give them (`n` says how many); attachments
are the linked files (not images), compared as a set of URLs. A field an extractor does not
produce counts as null: right only where the page has no such value (marked `*`). An anchor
that does not install here is left out with a note. JSON pages (custom AJAX sites) are left
out: the anchors read HTML only.

    python -m bench.accuracy [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from crawler.pages.blocks import element_paragraphs
from fixtures.pagecases import PageCase, load_cases, raw_detail
from pipelines.dates import to_iso_date
from pipelines.normalize import clean_title, collapse_whitespace, normalize_body

FIELDS = ("title", "published_at", "source", "author", "editor", "hit_count", "attachments",
          "body_start", "body_end")
# Fields scored only on pages whose labels carry them.
LABELLED_ONLY = ("hit_count", "attachments")


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


def magic_html_extractor():
    from lxml import html as lxml_html
    from magic_html import GeneralExtractor

    extractor = GeneralExtractor()

    def extract(case: PageCase) -> dict:
        result = extractor.extract(case.html(), base_url=case.url)
        body = result.get("html") or ""
        paragraphs = element_paragraphs(lxml_html.fromstring(body)) if body.strip() else []
        return {"title": result.get("title"), "body_text": "\n".join(paragraphs)}
    return extract


EXTRACTORS = {"jiwei-notices": lambda: raw_detail, "gne": gne_extractor,
              "trafilatura": trafilatura_extractor, "magic-html": magic_html_extractor}
# Fields an extractor never produces (scored as null).
NOT_PRODUCED = {
    "gne": {"source", "editor", "hit_count", "attachments"},
    "trafilatura": {"source", "editor", "hit_count", "attachments"},
    "magic-html": {"published_at", "source", "author", "editor", "hit_count", "attachments"},
}


def _compact(text: str | None) -> str:
    return "".join((text or "").split())


def _text(value) -> str | None:
    return collapse_whitespace(value) or None if isinstance(value, str) else None


def file_urls(attachments) -> set[str]:
    """The URLs of linked files among attachments (images left out)."""
    urls = set()
    for attachment in attachments or ():
        if isinstance(attachment, str):
            urls.add(attachment)
        elif not (attachment.get("media_type") or "").startswith("image/"):
            urls.add(attachment["url"])
    return urls


def scores(raw: dict, expected: dict) -> dict[str, bool]:
    """Which fields an extraction got right, after the record pipeline's normalization
    (fields the labels leave out are missing from the answer)."""
    day = (to_iso_date(raw.get("published_at")) or "")[:10] or None
    body = _compact(normalize_body(raw.get("body_text")))
    right = {
        "title": (clean_title(raw.get("title")) or None) == expected["title"],
        "published_at": day == ((expected["published_at"] or "")[:10] or None),
        "source": _text(raw.get("source")) == expected["source"],
        "author": _text(raw.get("author")) == expected["author"],
        "editor": _text(raw.get("editor")) == expected["editor"],
        "body_start": body.startswith(_compact(expected["body_first_line"]))
        if expected["body_first_line"] else not body,
        "body_end": body.endswith(_compact(expected["body_last_line"]))
        if expected["body_last_line"] else not body,
    }
    if "hit_count" in expected:
        right["hit_count"] = raw.get("hit_count") == expected["hit_count"]
    if "attachments" in expected:
        right["attachments"] = (file_urls(raw.get("attachments"))
                                == file_urls(expected["attachments"]))
    return right


def run(extract, cases: list[PageCase], repeat: int) -> tuple[dict[str, tuple[int, int]], float]:
    """({field: (pages right, pages scored)}, median pages per second over `repeat` passes)."""
    tally = {field: [0, 0] for field in FIELDS}
    for case in cases:
        for field, ok in scores(extract(case), case.expected).items():
            tally[field][0] += ok
            tally[field][1] += 1
    rates = []
    for _ in range(repeat):
        started = time.perf_counter()
        for case in cases:
            extract(case)
        rates.append(len(cases) / (time.perf_counter() - started))
    return {f: (right, scored) for f, (right, scored) in tally.items()}, statistics.median(rates)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed passes (median reported)")
    args = parser.parse_args(argv if argv is not None else [])
    cases = [c for c in load_cases("detail") if c.is_html and c.available]
    real = [c for c in cases if c.name.startswith("real_")]
    fixture = [c for c in cases if not c.name.startswith("real_")]
    extractors = {}
    for name, factory in EXTRACTORS.items():
        try:
            extractors[name] = factory()
        except ImportError as exc:
            print(f"{name}: not installed here ({exc})")
    if not {"gne", "trafilatura"} <= set(extractors):
        print("`make bench` installs the bench extras (gne, trafilatura)")
        return 1
    for label, subset in ((f"{len(real)} real government pages", real),
                          (f"{len(fixture)} fixture pages", fixture)):
        if subset:
            print(f"\n{label}: share of pages right per field (n = pages scored), pages/s "
                  f"median of {args.repeat} passes")
            print_table({name: run(extract, subset, args.repeat)
                         for name, extract in extractors.items()})
    return 0


def print_table(results: dict[str, tuple[dict[str, tuple[int, int]], float]]) -> None:
    width = max(map(len, FIELDS)) + 2
    names = list(results)
    print("field".ljust(width) + "n".rjust(5) + "".join(n.rjust(16) for n in names))
    for field in FIELDS:
        scored = results[names[0]][0][field][1]
        if not scored:
            continue
        cells = []
        for name in names:
            mark = "*" if field in NOT_PRODUCED.get(name, ()) else " "
            right, n = results[name][0][field]
            cells.append(f"{right / n * 100:6.1f}%{mark}".rjust(16))
        print(field.ljust(width) + str(scored).rjust(5) + "".join(cells))
    mean = {n: statistics.mean(r / s for r, s in results[n][0].values() if s) for n in names}
    print("mean".ljust(width) + " " * 5 + "".join(f"{mean[n] * 100:6.1f}% ".rjust(16)
                                                   for n in names))
    ours_rate = results["jiwei-notices"][1]
    print("pages/s".ljust(width) + " " * 5 + "".join(f"{results[n][1]:8.1f} ".rjust(16)
                                                      for n in names))
    print("ours faster by".ljust(width) + " " * 5 + "".join(
        f"{ours_rate / results[n][1]:7.2f}x ".rjust(16) for n in names))
    print("* not produced by this extractor: scored as null")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
