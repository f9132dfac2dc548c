"""Chinese dates in notice text, as ISO ``YYYY-MM-DD``.

Understands ``2021年8月30日``, ``10月29日上午`` (a date without a year), ``2022-02-25`` and
Chinese numerals such as ``二〇二二年二月二十五日`` (numerals are read with cn2an).

A date that omits its year takes the year of the latest earlier date in the same text that
printed one, or ``default_year`` (usually the publication year) when there is none yet.
In a range (``2022年4月12日至6月17日``) the end takes the start's year, one year later if it
would otherwise fall before the start (``2021年12月1日至1月15日``); later dates without a
year then carry that later year. Two dates with nothing between them
(``2020年5月6日6月5日``, a page that lost its 至) are a range too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import cn2an

from pipelines.scan import matches_at, offsets

CN_DIGITS = "零〇○一二三四五六七八九"
CN_NUMERAL_CHARS = "零〇○一二两三四五六七八九十"
CN_YEAR_DIGIT_VALUES = {ch: str(i) for i, ch in enumerate("〇一二三四五六七八九")} | {
    "零": "0",
    "○": "0",
}

RANGE_CONNECTORS = r"(?:至|到|—{1,2}|－|-|~|～|–)"

_CN = f"[{CN_NUMERAL_CHARS}]"
_DAY_NUMBER = rf"(?:\d{{1,2}}|{_CN}{{1,3}})"
# A day is followed by 日/号, or by a range's end day that is (1月4至5日: the 4th).
_DAY = (rf"(?P<day>{_DAY_NUMBER})\s*"
        rf"(?:[日号]|(?=\s*{RANGE_CONNECTORS}\s*{_DAY_NUMBER}\s*[日号]))")
DATE_PATTERN = re.compile(
    rf"""
    (?<![\d{CN_DIGITS}])
    (?:(?P<year>\d{{4}}|[{CN_DIGITS}]{{4}})\s*年\s*)?
    (?P<month>\d{{1,2}}|{_CN}{{1,3}})\s*月\s*
    {_DAY}
    |
    (?<!\d)(?P<iso_year>\d{{4}})(?P<sep>[-./])(?P<iso_month>\d{{1,2}})(?P=sep)(?P<iso_day>\d{{1,2}})(?!\d)
    """,
    re.VERBOSE,
)
# Between a range's two dates: a connector; or nothing at all when both dates are whole
# (``2020年5月6日6月5日``, a page that lost its 至).
RANGE_GAP_PATTERN = re.compile(rf"\s*{RANGE_CONNECTORS}\s*|")
# A range told by its start and its end: 自2017年10月12日开始,10月17日结束.
START_THEN_END_GAP_PATTERN = re.compile(r"\s*(?:开始|起)[，,]\s*(?:至|到)?\s*")
END_WORD_PATTERN = re.compile(r"\s*(?:结束|止)")
DAY_ONLY_END_PATTERN = re.compile(rf"\s*{RANGE_CONNECTORS}\s*{_DAY}")
# The end of a date reading ``…月``: 月 and the day.
MONTH_AND_DAY_PATTERN = re.compile(rf"月\s*{_DAY}")


@dataclass(frozen=True)
class DateMention:
    """One date found in a text: its span, ISO value and whether it printed its year."""

    start: int
    end: int
    iso: str
    has_year: bool


@dataclass(frozen=True)
class DateRange:
    """A span of text giving a start and an end date."""

    start: int
    end: int
    start_iso: str
    end_iso: str


@cache
def cn_number(token: str) -> int | None:
    """Integer value of an Arabic or Chinese numeral token (``12``, ``十二``), else None."""
    if token.isdigit():
        return int(token)
    try:
        return int(cn2an.cn2an(token, "smart"))
    except ValueError:
        return None


def _year_value(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    return int("".join(CN_YEAR_DIGIT_VALUES[ch] for ch in token))


def _iso(year: int | None, month: int | None, day: int | None) -> str | None:
    if year is None or month is None or day is None:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


# Every date holds 月 or, four characters after its start, one of these ISO separators.
ISO_SEPARATORS = "-./"
# What can come between a date's start and its 月: year and month numerals, 年, whitespace.
DATE_HEAD_CHARS = frozenset(CN_NUMERAL_CHARS + CN_DIGITS + "年")


def _is_date_head_char(ch: str) -> bool:
    return ch in DATE_HEAD_CHARS or ch.isdecimal() or (ch.isspace() and ch != "\n")


def _date_starts(line: str) -> list[int]:
    """Offsets in ``line`` where a DATE_PATTERN match may start, in order.

    A match reading ``…月`` starts within the run of numerals, 年 and spaces before a 月
    that the day follows; an ISO date starts four characters before its first separator.
    """
    starts: set[int] = set()
    for month in offsets(line, "月"):
        if MONTH_AND_DAY_PATTERN.match(line, month) is None:
            continue
        start = month
        while start > 0 and _is_date_head_char(line[start - 1]):
            start -= 1
        starts.update(range(start, month))
    for separator in ISO_SEPARATORS:
        if separator in line:
            starts.update(position - 4 for position in offsets(line, separator) if position >= 4)
    return sorted(starts)


def _date_matches(text: str) -> Iterator[re.Match[str]]:
    """DATE_PATTERN matches in ``text``, each within its line, tried only where one can
    start (a plain ``finditer`` costs some 30 times as much: ``bench/notice_parser.py``)."""
    line_start = 0
    for line in text.split("\n"):
        line_end = line_start + len(line)
        starts = [line_start + start for start in _date_starts(line)]
        yield from matches_at(DATE_PATTERN, text, starts, lambda _, end=line_end: end)
        line_start = line_end + 1


def find_dates(text: str, default_year: int | None = None) -> list[DateMention]:
    """All valid dates in ``text``, in order, with missing years carried forward.

    Dates without a year are dropped when no year is known yet (no earlier dated mention and
    no ``default_year``). Impossible dates (``2月30日``) are dropped.
    """
    mentions: list[DateMention] = []
    current_year = default_year
    previous: DateMention | None = None
    for match in _date_matches(text):
        if match.group("iso_year"):
            year = int(match.group("iso_year"))
            month, day = int(match.group("iso_month")), int(match.group("iso_day"))
            has_year = True
        else:
            has_year = match.group("year") is not None
            year = _year_value(match.group("year")) if has_year else current_year
            month, day = cn_number(match.group("month")), cn_number(match.group("day"))
        iso = _iso(year, month, day)
        if iso is None:
            continue
        ends_range = previous is not None and RANGE_GAP_PATTERN.fullmatch(
            text, previous.end, match.start()
        )
        if not has_year and ends_range and iso < previous.iso:
            year += 1
            iso = _iso(year, month, day)
            if iso is None:
                continue
        if has_year or ends_range:
            current_year = year
        previous = DateMention(match.start(), match.end(), iso, has_year)
        mentions.append(previous)
    return mentions


def find_date_ranges(text: str, default_year: int | None = None) -> list[DateRange]:
    """Date ranges in ``text``, in order.

    A range is two dates joined by 至/到/—/-/~ (``2022年4月12日至6月17日``), a start and an
    end told apart (``自2017年10月12日开始,10月17日结束``), or a date followed by a bare day
    (``4月12日至17日``, same month).
    """
    return ranges_among(text, find_dates(text, default_year))


def ranges_among(text: str, mentions: list[DateMention]) -> list[DateRange]:
    """The ranges formed by ``mentions`` (from ``find_dates`` on the same ``text``)."""
    ranges: list[DateRange] = []
    index = 0
    while index < len(mentions):
        first = mentions[index]
        second = mentions[index + 1] if index + 1 < len(mentions) else None
        index += 1
        if second and (RANGE_GAP_PATTERN.fullmatch(text, first.end, second.start)
                       or (START_THEN_END_GAP_PATTERN.fullmatch(text, first.end, second.start)
                           and END_WORD_PATTERN.match(text, second.end))):
            ranges.append(DateRange(first.start, second.end, first.iso, second.iso))
            index += 1
            continue
        day_only = DAY_ONLY_END_PATTERN.match(text, first.end)
        if day_only:
            year, month, _ = (int(part) for part in first.iso.split("-"))
            end_iso = _iso(year, month, cn_number(day_only.group("day")))
            if end_iso and end_iso >= first.iso:
                ranges.append(DateRange(first.start, day_only.end(), first.iso, end_iso))
    return ranges


def parse_date(text: str, default_year: int | None = None) -> str | None:
    """The first date in ``text`` as ISO, or None (``二〇二二年二月二十五日`` → ``2022-02-25``)."""
    mentions = find_dates(text, default_year)
    return mentions[0].iso if mentions else None
