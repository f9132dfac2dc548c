"""The notice parser: its cost, its date scanner beside a plain pattern, its accuracy.

- Cost next to page extraction, on every notice page of the seed-site replicas: pages per
  second for extraction (page object + normalization), for the notice parser alone, and the
  parser's share of the per-page time.
- Cost per real notice (``fixtures/realtexts/``): median ms per notice (budget: 2 ms).
- Dates: the scanner that tries DATE_PATTERN only where a date can start
  (``pipelines/cndates.py``) beside a plain ``finditer`` per line, µs per real notice.
- Accuracy on the real notice texts, per field, counted over all texts (a field the text
  does not state is right when it is null), and per batch of texts as they were collected.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from scrapy.http import HtmlResponse

from bench._harness import SUMMARY
from crawler.platforms import platform_named
from fixtures.server import SITES_DIR, FixtureSite
from pipelines.cndates import DATE_PATTERN, _date_matches
from pipelines.normalize import normalize_record
from pipelines.notice import parse_notice

REPO = Path(__file__).resolve().parents[1]
GOLDEN_SITES = REPO / "tests" / "golden" / "sites"
REALTEXTS = REPO / "fixtures" / "realtexts"
REPEATS = 7
BUDGET_MS = 2.0
ACCURACY_TARGET = 0.95
FIELDS = ("kind", "inspection_body", "inspected_unit", "inspected_units", "inspection_start",
          "inspection_end", "feedback_date", "problem_count", "inspection_round",
          "inspection_type", "rectification_stats")
# The batches the real texts were collected in, by the number of each batch's first text.
BATCH_STARTS = (1, 26, 43, 131, 197)


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
    page = platform_named("generic").notice_page(response)
    return normalize_record({"url": response.url, "title": page.title, "source": page.source,
                             "published_at": page.published_at, "body_text": page.body_text,
                             "author": page.author, "editor": page.editor})


def median_seconds(work, items) -> float:
    runs = []
    for _ in range(REPEATS):
        started = time.process_time()
        for item in items:
            work(item)
        runs.append(time.process_time() - started)
    return statistics.median(runs)


def real_texts() -> list[tuple[str, str, str | None, dict, int]]:
    """Title, body, publication date, labels and batch number of every labelled real text."""
    texts = []
    for labels_file in sorted(REALTEXTS.glob("[0-9][0-9][0-9]_*.json")):
        record = json.loads(labels_file.read_text(encoding="utf-8"))
        text = labels_file.with_suffix(".txt").read_text(encoding="utf-8")
        title, _, body = text.partition("\n")
        number = int(labels_file.name[:3])
        batch = sum(number >= start for start in BATCH_STARTS)
        texts.append((title.strip(), body, record["published_at"], record["labels"], batch))
    return texts


def plain_date_matches(text: str) -> list:
    """DATE_PATTERN.finditer line by line: what the date scanner is measured against."""
    found, line_start = [], 0
    for line in text.split("\n"):
        found += DATE_PATTERN.finditer(text, line_start, line_start + len(line))
        line_start += len(line) + 1
    return found


def print_cost_on_fixture_pages() -> None:
    responses = notice_responses()
    # Fresh responses per run: page objects cache their parse on the response's selector.
    extraction = median_seconds(lambda r: extract(r.replace()), responses)
    records = [extract(r) for r in responses]
    parsing = median_seconds(
        lambda rec: parse_notice(rec["title"], rec["body_text"], rec["published_at"]), records)
    pages = len(responses)
    print(f"notice parser on {pages} fixture notice pages (CPU time, median of {REPEATS} runs)")
    print(f"  {'stage':<34}{'pages/s':>10}{'ms/page':>10}")
    print(f"  {'extraction (page object + normalize)':<34}{pages / extraction:>10.0f}"
          f"{1000 * extraction / pages:>10.2f}")
    print(f"  {'notice parser':<34}{pages / parsing:>10.0f}{1000 * parsing / pages:>10.2f}")
    print(f"  parser adds {100 * parsing / extraction:.1f}% to extraction time")


def print_cost_on_real_texts(texts) -> None:
    count = len(texts)
    parsing = median_seconds(lambda t: parse_notice(t[0], t[1], t[2]), texts)
    per_notice = 1000 * parsing / count
    print(f"notice parser on {count} real notice texts: {per_notice:.2f} ms per notice "
          f"(budget {BUDGET_MS:.0f} ms)")
    SUMMARY.add("notice parser", "ms per real notice", f"{per_notice:.2f} ms",
                f"≤ {BUDGET_MS:.0f} ms", per_notice <= BUDGET_MS)
    bodies = [t[0] + "\n" + t[1] for t in texts]
    scanner = median_seconds(lambda b: list(_date_matches(b)), bodies)
    plain = median_seconds(plain_date_matches, bodies)
    print(f"  dates, µs per notice: scanner {1e6 * scanner / count:.1f}, "
          f"plain finditer {1e6 * plain / count:.1f} (plain / scanner {plain / scanner:.1f}x)")


def print_accuracy(texts) -> None:
    batches = sorted({text[4] for text in texts})
    right = {field: dict.fromkeys(batches, 0) for field in FIELDS}
    sizes = dict.fromkeys(batches, 0)
    for title, body, published_at, labels, batch in texts:
        sizes[batch] += 1
        notice = parse_notice(title, body, published_at)
        for field in FIELDS:
            right[field][batch] += notice.get(field) == labels[field]
    count = len(texts)
    print(f"accuracy on {count} real notice texts (fixtures/realtexts/), per field and batch")
    header = "".join(f"{f'batch {b} ({sizes[b]})':>16}" for b in batches)
    print(f"  {'field':<22}{'all':>16}{header}")
    for field in FIELDS:
        total = sum(right[field].values())
        cells = "".join(f"{right[field][b]:>7}/{sizes[b]:<3}"
                        f"{100 * right[field][b] / sizes[b]:>5.0f}%" for b in batches)
        print(f"  {field:<22}{total:>7}/{count:<3}{100 * total / count:>6.1f}%{cells}")
    right = {field: sum(right[field].values()) for field in FIELDS}
    worst = min(FIELDS, key=right.get)
    share = right[worst] / count
    SUMMARY.add("notice parser", "accuracy, worst field", f"{worst} {100 * share:.1f}%",
                f"≥ {100 * ACCURACY_TARGET:.0f}%", share >= ACCURACY_TARGET)


def main() -> None:
    print_cost_on_fixture_pages()
    texts = real_texts()
    print_cost_on_real_texts(texts)
    print_accuracy(texts)


if __name__ == "__main__":
    main()
