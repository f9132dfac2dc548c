"""When an inspection was launched, carried out and fed back, as a notice's sentences say.

A date's role comes from the predicate it belongs to. In Chinese the time phrase comes
before its verb (``于2021年8月30日至9月18日对某局进行了巡察，并于10月29日反馈了巡察意见``),
so a date is read with the words after it, up to the next date or the end of its sentence;
when those hold no predicate (``巡察时间为3月6日至4月30日``), with the words before it in
the sentence. The first predicate found decides:

- ``反馈`` (``向…反馈``, ``反馈会``): the feedback date;
- ``进驻`` / ``入驻`` / ``动员会`` / ``动员部署会`` / ``启动``: the launch, i.e. the start;
- ``开展/进行/实施…巡察``, ``巡察时间``, ``进驻时间``, ``巡察期间``, ``巡察为期``, ``驻点``:
  the on-site period.

A date right after ``截至`` only bounds what was done by then (``截至8月25日，13个巡视组
已全部进驻``), and one after ``截止时间为`` is a deadline (for letters): neither has a role.

The on-site period is the first range (``2022年4月12日至6月17日``, ``4月12日至17日``,
``1月4至5日``) whose role is the inspection; failing that, the start is the first date
(or range start) of a launch or inspection, and the end stays None. The feedback date is
the first date, or range start, of a feedback.
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

from pipelines.cndates import DateMention, DateRange, find_dates, ranges_among

SENTENCE_PATTERN = re.compile(r"[^。！？!?；;\n]+")
ROLE_PATTERN = re.compile(
    r"(?P<inspection>(?:进驻|巡察|巡视)(?:时间|期间|为期)|驻点"
    r"|(?:开展|进行|实施|完成)了?(?:为期[^，,。；;]{1,10}的)?[^，,。；;]{0,14}?"
    r"(?:巡察|巡视)(?!组|办|工作领导|意见|情况|反馈))"
    r"|(?P<feedback>反馈)"
    r"|(?P<launch>进驻|入驻|动员(?:部署)?(?:大)?会|启动)"
)
# A date after 截至 bounds what happened before it (截至8月25日，各组已全部进驻): no role.
BOUND_BEFORE_PATTERN = re.compile(r"(?:截至|截止|截止到|到|截止(?:时间|日期)[为是：:]?)\s*$")


# A news dateline (齐鲁网10月18日讯, 新华社北京4月17日电) dates the report, not the inspection.
DATELINE_PATTERN = re.compile(r"\s*[讯电]")
# How far before a date its predicate is looked for when none follows it.
BEFORE_CHARS = 30


class DatedPhrase(NamedTuple):
    """A date or a range in a text, with the role its predicate gives it."""

    start: int
    end: int
    first_iso: str
    last_iso: str | None  # the range's end; None for a single date
    role: str | None


class InspectionDates(NamedTuple):
    start: str | None
    end: str | None
    feedback: str | None


def _inside(ranges: list[DateRange], range_starts: list[int], offset: int) -> bool:
    index = bisect.bisect_right(range_starts, offset) - 1
    return index >= 0 and offset < ranges[index].end


def _role(text: str, sentence: tuple[int, int], start: int, end: int,
          next_start: int) -> str | None:
    if BOUND_BEFORE_PATTERN.search(text, max(0, start - 6), start) or DATELINE_PATTERN.match(
            text, end):
        return None
    after = ROLE_PATTERN.search(text, end, min(next_start, sentence[1]))
    if after:
        return after.lastgroup
    before = list(ROLE_PATTERN.finditer(text, max(sentence[0], start - BEFORE_CHARS), start))
    return before[-1].lastgroup if before else None


def dated_phrases(text: str, default_year: int | None) -> list[DatedPhrase]:
    """The dates and ranges of ``text`` in order, each with its role (or None)."""
    mentions: list[DateMention] = find_dates(text, default_year)
    ranges = ranges_among(text, mentions)
    items: list[tuple[int, int, str, str | None]] = [
        (r.start, r.end, r.start_iso, r.end_iso) for r in ranges
    ]
    range_starts = [r.start for r in ranges]
    items += [(m.start, m.end, m.iso, None) for m in mentions
              if not _inside(ranges, range_starts, m.start)]
    items.sort()
    sentences = [match.span() for match in SENTENCE_PATTERN.finditer(text)]
    sentence_starts = [span[0] for span in sentences]
    phrases = []
    for index, (start, end, first_iso, last_iso) in enumerate(items):
        sentence = sentences[bisect.bisect_right(sentence_starts, start) - 1]
        next_start = items[index + 1][0] if index + 1 < len(items) else len(text)
        role = _role(text, sentence, start, end, next_start)
        phrases.append(DatedPhrase(start, end, first_iso, last_iso, role))
    return phrases


def find_inspection_dates(preamble: str, body: str, default_year: int | None) -> InspectionDates:
    """Start, end and feedback date (see the module docstring): the preamble first, the
    body for an on-site period the preamble does not give."""
    phrases = dated_phrases(preamble, default_year)
    period = next((p for p in phrases if p.role == "inspection" and p.last_iso), None)
    if period is None and body != preamble:
        period = next((p for p in dated_phrases(body, default_year)
                       if p.role == "inspection" and p.last_iso), None)
    if period:
        start, end = period.first_iso, period.last_iso
    else:
        launch = next((p for p in phrases if p.role in ("launch", "inspection")), None)
        start, end = (launch.first_iso if launch else None), None
    feedback = next((p.first_iso for p in phrases if p.role == "feedback"), None)
    return InspectionDates(start, end, feedback)
