"""Accuracy floors of detail extraction, field by field, on the real government pages
(fixtures/realpages/, cases `real_*`) and on the fixture sites' pages: a change that lowers a
field below its floor fails, as an evaluation gate. The per-page tests (test_realpages.py,
test_pages_detail.py) say which page broke."""

from __future__ import annotations

import pytest

from fixtures.pagecases import DETAIL_FIELDS, extract_detail, load_cases

# Share of pages whose field is right, at least.
REAL_PAGE_FLOOR = 0.97
FIXTURE_PAGE_FLOOR = 1.0
# The development set is this large at least: a floor over a handful of pages says little.
MIN_REAL_PAGES = 40

CASES = load_cases("detail")
REAL = [case for case in CASES if case.name.startswith("real_")]
FIXTURE = [case for case in CASES if not case.name.startswith("real_")]


def labelled_fields(cases) -> list[str]:
    """The fields some of the cases label."""
    return [field for field in DETAIL_FIELDS if any(field in case.fields for case in cases)]


@pytest.fixture(scope="module")
def extracted():
    return {case.name: extract_detail(case) for case in CASES}


def field_accuracy(extracted, cases, field: str) -> tuple[float, list[str]]:
    """(share of the cases labelling the field that get it right, the cases that miss)."""
    labelled = [case for case in cases if field in case.fields]
    misses = [case.name for case in labelled
              if extracted[case.name][field] != case.expected[field]]
    return 1 - len(misses) / len(labelled), misses


def test_real_page_set_is_large_enough():
    assert len(REAL) >= MIN_REAL_PAGES


def test_every_field_is_labelled_on_real_pages():
    assert labelled_fields(REAL) == list(DETAIL_FIELDS)


@pytest.mark.parametrize("field", labelled_fields(REAL))
def test_real_pages_floor(extracted, field):
    accuracy, misses = field_accuracy(extracted, REAL, field)
    assert accuracy >= REAL_PAGE_FLOOR, misses


@pytest.mark.parametrize("field", labelled_fields(FIXTURE))
def test_fixture_pages_floor(extracted, field):
    accuracy, misses = field_accuracy(extracted, FIXTURE, field)
    assert accuracy >= FIXTURE_PAGE_FLOOR, misses
