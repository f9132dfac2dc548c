"""Matches tried only where they can start give the same matches as ``finditer``.

The date scanner, which narrows DATE_PATTERN to candidate starts, is checked against the
plain ``finditer``, line by line, on notice-like text.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.cndates import DATE_PATTERN, _date_matches
from pipelines.scan import matches_at, offsets
from tests.strategies import notice_text

PIECES = (
    "2021年12月1日至1月15日", "二〇二二年 三月 一日", "10月29日上午", "3月\n5日", "2022-3-4",
    "12345月1日", "2022/03/04", "1月4至5日", "3月4-", "至", "5日", "1.5万", "年", "月", "日",
    "号", " ", "\u3000", "\n", "0", "县委第二巡察组于", "3个问题", "，", "。",
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
