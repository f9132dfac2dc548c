"""The notice parser on real notice texts: one test per text and labelled field.

Each ``fixtures/realtexts/NNN_slug.txt`` holds a real notice (first line the title, empty
when the stored page shows none; then one paragraph per line); ``NNN_slug.json`` beside it
holds its address, publication date and the facts a reader finds in it (``labels``), written
by reading the text under the rules of ``fixtures/realtexts/LABELLING.md``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.notice import parse_notice

REALTEXTS_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "realtexts"
FIELDS = [
    "kind",
    "inspection_body",
    "inspected_unit",
    "inspected_units",
    "inspection_start",
    "inspection_end",
    "feedback_date",
    "problem_count",
    "inspection_round",
    "inspection_type",
    "rectification_stats",
]


def realtext_names() -> list[str]:
    """Names (``NNN_slug``) of the labelled texts, in order."""
    return sorted(path.stem for path in REALTEXTS_DIR.glob("[0-9][0-9][0-9]_*.json"))


def read_realtext(name: str) -> tuple[str, str, dict]:
    """Title, body text (one paragraph per line) and label record of one text."""
    title, _, body = (REALTEXTS_DIR / f"{name}.txt").read_text(encoding="utf-8").partition("\n")
    record = json.loads((REALTEXTS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return title.strip(), body, record


CASES = [(name, field) for name in realtext_names() for field in FIELDS]


def test_every_text_is_labelled():
    texts = sorted(path.stem for path in REALTEXTS_DIR.glob("[0-9][0-9][0-9]_*.txt"))
    assert texts == realtext_names()
    for name in texts:
        _, _, record = read_realtext(name)
        assert record["address"].startswith(("http://", "https://")), name
        assert sorted(record["labels"]) == sorted(FIELDS), name


def test_every_text_is_in_sources():
    sources = (REALTEXTS_DIR / "SOURCES.md").read_text(encoding="utf-8")
    for name in realtext_names():
        _, _, record = read_realtext(name)
        assert f"`{name}`" in sources and record["address"] in sources, name


@pytest.mark.parametrize(("name", "field"), CASES, ids=[f"{n}-{f}" for n, f in CASES])
def test_realtext_field(name, field):
    title, body, record = read_realtext(name)
    notice = parse_notice(title, body, record["published_at"])
    assert notice.get(field) == record["labels"][field]
