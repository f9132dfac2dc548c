"""Matches tried only where they can start give the same matches as ``finditer``.

Each scanner that narrows a pattern to candidate starts is checked against the plain
``finditer`` (line by line for dates) on notice-like text.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.cndates import DATE_PATTERN, _date_matches
from pipelines.contacts import LANDLINE_PATTERN, _landline_starts
from pipelines.notice import (
    BODY_FIRST_UNIT_PATTERNS,
    CLAUSE_PATTERN,
    SENTENCE_PATTERN,
    _inspection_body_starts,
    _units_with,
)
from pipelines.scan import matches_at, offsets
from tests.strategies import notice_text

PIECES = (
    "2021年12月1日至1月15日", "二〇二二年 三月 一日", "10月29日上午", "3月\n5日", "2022-3-4",
    "12345月1日", "2022/03/04", "1.5万", "年", "月", "日", "号", " ", "\u3000", "\n", "0",
    "（0563）5035580", "(0563)5035580", "0371—23399567", "00558-6021357",
    "自治区委第二巡察组对县财政局进行了巡察", "中央第三巡视组向县卫健委党组反馈",
    "县委巡察组进驻县水务局开展", "委", "组", "问题", "3个问题", "，", "。",
)
TEXT = st.one_of(notice_text(), st.lists(st.sampled_from(PIECES), max_size=30).map("".join))


def spans(matches) -> list[tuple[int, int]]:
    return [match.span() for match in matches]


def date_spans_by_line(text: str) -> list[tuple[int, int]]:
    found, line_start = [], 0
    for line in text.split("\n"):
        found += spans(DATE_PATTERN.finditer(text, line_start, line_start + len(line)))
        line_start += len(line) + 1
    return found


def test_offsets_include_overlapping_occurrences():
    assert list(offsets("aaa", "aa")) == [0, 1]
    assert list(offsets("abc", "x")) == []


def test_matches_at_skips_starts_inside_a_match():
    pattern = re.compile(r"ab+")
    assert spans(matches_at(pattern, "abbxab", [0, 1, 2, 4])) == [(0, 3), (4, 6)]
    assert spans(matches_at(pattern, "abab", [0, 2], endpos=lambda start: 3)) == [(0, 2)]


@settings(max_examples=300)
@given(text=TEXT)
def test_dates_as_finditer_line_by_line(text):
    assert spans(_date_matches(text)) == date_spans_by_line(text)


@settings(max_examples=300)
@given(text=TEXT)
def test_landlines_as_finditer(text):
    found = matches_at(LANDLINE_PATTERN, text, _landline_starts(text))
    assert spans(found) == spans(LANDLINE_PATTERN.finditer(text))


@settings(max_examples=300)
@given(text=TEXT)
def test_inspected_units_as_finditer(text):
    starts = _inspection_body_starts(text)
    for pattern in BODY_FIRST_UNIT_PATTERNS:
        assert spans(matches_at(pattern, text, starts)) == spans(pattern.finditer(text))


@settings(max_examples=300)
@given(text=TEXT)
def test_units_with_a_word_as_finditer(text):
    for unit_pattern in (SENTENCE_PATTERN, CLAUSE_PATTERN):
        expected = [unit.group() for unit in unit_pattern.finditer(text) if "问题" in unit.group()]
        assert list(_units_with(text, unit_pattern, "问题")) == expected
