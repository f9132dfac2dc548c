"""What a notice says: kind, inspection facts, outline and contacts.

``parse_notice(title, body_text, published_at)`` returns the record's ``notice`` object.
``body_text`` is one paragraph per line. Facts are read first from the preamble (the
paragraphs before the first numbered heading), where notices state who inspected whom,
when, and how many problems were fed back; then from the title; then from the whole body.
Vocabularies are kept as data at the top of this module; matching is loose on purpose, as
titles and preambles vary a lot from one publisher to the next.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from pipelines.cndates import (
    DateMention,
    DateRange,
    cn_number,
    find_dates,
    ranges_among,
)
from pipelines.contacts import extract_contacts
from pipelines.outline import build_outline, first_heading_index
from pipelines.scan import matches_at, offsets

INSPECTION = r"(?:巡察|巡视|回头看)"
# (kind, pattern) in order of precedence; the first kind whose pattern matches wins.
KIND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        (
            "investigation",
            r"接受.{0,12}(?:纪律审查|审查调查|监察调查|审查和监察调查|监委调查)|主动投案|立案审查调查",
        ),
        (
            "rectification",
            (
                rf"{INSPECTION}.{{0,30}}整改|整改.{{0,20}}{INSPECTION}"
                r"|整改(?:工作)?(?:情况|进展|落实情况)的?(?:通报|公告|公示|报告)"
            ),
        ),
        ("inspection_feedback", rf"{INSPECTION}.{{0,30}}反馈|反馈.{{0,20}}{INSPECTION}"),
        (
            "inspection_launch",
            rf"{INSPECTION}.{{0,20}}(?:公告|进驻|入驻|动员)|(?:进驻|入驻).{{0,20}}{INSPECTION}",
        ),
        (
            "disciplinary_report",
            r"典型(?:问题|案例|案件)|违反中央八项规定精神|曝光|通报.{0,12}(?:问题|案件|案例)",
        ),
    )
)
KIND_BODY_CHARS = 400

NUMERAL = r"(?:\d{1,4}|[一二两三四五六七八九十百零〇]{1,5})"
INSPECTION_BODY = (
    rf"(?:中央|(?:[省市州县区旗盟]|自治区|自治州)委)(?:第{NUMERAL}(?:巡视|巡察)组"
    rf"|第{NUMERAL}轮(?:巡视|巡察)第{NUMERAL}组|(?:巡视|巡察)第{NUMERAL}组|(?:巡视|巡察)组)"
)
INSPECTION_BODY_PATTERN = re.compile(INSPECTION_BODY)
UNIT = r"(?P<unit>[\u4e00-\u9fff（）()“”A-Za-z0-9·]{2,40}?)"
INSPECTED_UNIT_PATTERNS = tuple(
    re.compile(pattern)
    for pattern in (
        # 县委第二巡察组对区环卫中心进行了集中巡察
        (
            rf"{INSPECTION_BODY}(?:于[^，。；,;]{{0,20}}?)?对{UNIT}(?:进行了?|开展了?|实施了?)"
            r"(?:为期[^，。；,;]{0,10}?的)?(?:集中|常规|专项|机动|提级|交叉|延伸|联动)?(?:巡察|巡视)"
        ),
        # 县委第二巡察组巡察县城管执法局党组情况反馈会
        rf"{INSPECTION_BODY}(?:巡察|巡视){UNIT}(?:工作)?(?:情况)?的?反馈",
        # 县委第三巡察组向县教育局党组反馈巡察情况
        rf"{INSPECTION_BODY}(?:向|对){UNIT}反馈",
        # 县委第一巡察组进驻县财政局开展常规巡察
        rf"{INSPECTION_BODY}(?:于[^，。；,;]{{0,20}}?)?(?:进驻|入驻){UNIT}(?:开展|进行|[，,。；;])",
        # 巡察对象：县财政局
        rf"(?:巡察|巡视)(?:对象|单位)[为是：:]\s*{UNIT}(?=[，,。；;、\s]|$)",
    )
)
# The patterns above whose match starts with the inspecting body's name, and the others.
BODY_FIRST_UNIT_PATTERNS = INSPECTED_UNIT_PATTERNS[:4]
OTHER_UNIT_PATTERNS = INSPECTED_UNIT_PATTERNS[4:]
PUBLISHER_PATTERN = re.compile(r"^(?:中共|中国共产党)?(?P<unit>[^，。,\s]{2,40}?)关于")
SELF_REFERENCE_PREFIXES = ("我", "本", "该", "各", "其")

SENTENCE_PATTERN = re.compile(r"[^。！？!?；;\n]+")
INSPECTION_SENTENCE_PATTERN = re.compile(r"巡察|巡视|进驻|入驻")
START_SENTENCE_PATTERN = re.compile(r"进驻|入驻|开展.{0,10}巡|起")
FEEDBACK_SENTENCE_PATTERN = re.compile(r"反馈")
PROBLEM_WORD = "问题"  # every problem count names it
PROBLEM_COUNT_PATTERNS = (
    re.compile(rf"(?P<count>{NUMERAL})\s*(?:个|项|条|处)(?:具体|主要|突出|共性)?问题(?!线索)"),
    re.compile(rf"问题\s*(?P<count>{NUMERAL})\s*(?:个|项|条|处)"),
)
PREAMBLE_PROBLEM_TRIGGERS = re.compile(r"反馈|指出|发现|提出|交办|移交|涉及|梳理")
BODY_PROBLEM_TRIGGERS = re.compile(r"反馈|指出|提出|交办")
CLAUSE_PATTERN = re.compile(r"[^，,。；;！？!?\n]+")
YEAR_PATTERN = re.compile(r"\s*(\d{4})")


def empty_notice() -> dict:
    """The ``notice`` object with nothing known."""
    return {
        "kind": None,
        "inspection_body": None,
        "inspected_unit": None,
        "inspection_start": None,
        "inspection_end": None,
        "feedback_date": None,
        "problem_count": None,
        "outline": [],
        "contacts": {"phones": [], "emails": [], "mailboxes": []},
    }


def _paragraphs(body_text: str) -> list[str]:
    return [line.strip() for line in body_text.split("\n") if line.strip()]


def classify_kind(title: str, preamble: str) -> str | None:
    """Kind of notice from its title, else from the start of its preamble.

    ``other`` when neither says; None when both are empty.
    """
    for text in (title, preamble[:KIND_BODY_CHARS]):
        for kind, pattern in KIND_PATTERNS:
            if pattern.search(text):
                return kind
    return "other" if (title or preamble) else None


def find_inspection_body(texts: list[str]) -> str | None:
    """First inspecting body named (``县委第二巡察组``), searching ``texts`` in order."""
    for text in texts:
        match = INSPECTION_BODY_PATTERN.search(text)
        if match:
            return match.group()
    return None


def find_inspected_unit(preamble: str, title: str, body: str, kind: str | None) -> str | None:
    """The inspected unit: preamble and title wording first, then the body.

    Self-references (``我局``, ``本单位``) are skipped in favour of a named unit. A
    rectification report is published by the inspected unit itself, so there the title's
    publisher (``中共泾县城管执法局党组关于…`` → ``泾县城管执法局党组``) comes before the body.
    """
    for text in (preamble, title):
        unit = _first_named_unit(text)
        if unit:
            return unit
    publisher = PUBLISHER_PATTERN.match(title) if kind == "rectification" else None
    if publisher and not publisher.group("unit").startswith(SELF_REFERENCE_PREFIXES):
        return publisher.group("unit")
    return _first_named_unit(body) if body != preamble else None


def _first_named_unit(text: str) -> str | None:
    body_starts = _inspection_body_starts(text)
    units = [_first_not_self(matches_at(pattern, text, body_starts))
             for pattern in BODY_FIRST_UNIT_PATTERNS]
    units += [_first_not_self(pattern.finditer(text)) for pattern in OTHER_UNIT_PATTERNS]
    found = [unit for unit in units if unit]
    return min(found)[1] if found else None


def _first_not_self(matches: Iterator[re.Match[str]]) -> tuple[int, str] | None:
    """Offset and name of the first unit matched that is not a self-reference."""
    for match in matches:
        if not match.group("unit").startswith(SELF_REFERENCE_PREFIXES):
            return match.start("unit"), match.group("unit")
    return None


def _inspection_body_starts(text: str) -> list[int]:
    """Offsets where an inspecting body is named (``县委第二巡察组``), in order.

    A name starts at 中央, or one or three characters (县, 自治州) before a 委, and ends
    with 组.
    """
    if "组" not in text:
        return []
    starts = set(offsets(text, "中央"))
    for committee in offsets(text, "委"):
        starts.update(start for start in (committee - 1, committee - 3) if start >= 0)
    return [start for start in sorted(starts) if INSPECTION_BODY_PATTERN.match(text, start)]


class Sentences:
    """The sentences of a text (split at 。！？； and line ends), looked up by offset.

    Answers are cached per sentence, so asking about many dates in one long sentence
    stays linear in the text's length. The text is split on the first question.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._spans: list[tuple[int, int]] | None = None
        self._starts: list[int] = []
        self._answers: dict[tuple[int, re.Pattern[str]], bool] = {}

    def spans(self) -> list[tuple[int, int]]:
        """Start and end offset of every sentence, in order."""
        if self._spans is None:
            self._spans = [match.span() for match in SENTENCE_PATTERN.finditer(self.text)]
            self._starts = [start for start, _ in self._spans]
        return self._spans

    def mentions(self, offset: int, *patterns: re.Pattern[str]) -> bool:
        """Whether the sentence containing ``offset`` matches every one of ``patterns``."""
        spans = self.spans()
        index = bisect.bisect_right(self._starts, offset) - 1
        if index < 0 or offset >= spans[index][1]:
            return False
        return all(self._sentence_matches(index, pattern) for pattern in patterns)

    def _sentence_matches(self, index: int, pattern: re.Pattern[str]) -> bool:
        key = (index, pattern)
        if key not in self._answers:
            start, end = self.spans()[index]
            self._answers[key] = pattern.search(self.text, start, end) is not None
        return self._answers[key]


def find_inspection_period(sentences: Sentences, mentions: list[DateMention]) -> DateRange | None:
    """The on-site inspection period: the first date range in a sentence about inspecting.

    ``mentions`` are the dates found in the sentences' text.
    """
    if INSPECTION_SENTENCE_PATTERN.search(sentences.text) is None:
        return None
    for date_range in ranges_among(sentences.text, mentions):
        if sentences.mentions(date_range.start, INSPECTION_SENTENCE_PATTERN):
            return date_range
    return None


def find_inspection_start(mentions: list[DateMention], sentences: Sentences) -> str | None:
    """Start date of a launch notice without a range (``于3月6日进驻``)."""
    if INSPECTION_SENTENCE_PATTERN.search(sentences.text) is None:
        return None
    for mention in mentions:
        if sentences.mentions(mention.start, INSPECTION_SENTENCE_PATTERN, START_SENTENCE_PATTERN):
            return mention.iso
    return None


def find_feedback_date(
    mentions: list[DateMention], sentences: Sentences, period: DateRange | None
) -> str | None:
    """First date, outside the inspection period, in a sentence that speaks of 反馈."""
    if FEEDBACK_SENTENCE_PATTERN.search(sentences.text) is None:
        return None
    for mention in mentions:
        if period and period.start <= mention.start < period.end:
            continue
        if sentences.mentions(mention.start, FEEDBACK_SENTENCE_PATTERN):
            return mention.iso
    return None


def find_problem_count(preamble: str, body: str) -> int | None:
    """Number of problems fed back (``34个具体问题``, ``4个方面21个问题`` → 21).

    In the preamble the count's sentence must speak of feeding back / pointing out /
    finding problems; elsewhere in the body its clause must (``该中心列出13项问题`` about an
    earlier inspection is not counted).
    """
    for text, unit_pattern, triggers in (
        (preamble, SENTENCE_PATTERN, PREAMBLE_PROBLEM_TRIGGERS),
        (body, CLAUSE_PATTERN, BODY_PROBLEM_TRIGGERS),
    ):
        for words in _units_with(text, unit_pattern, PROBLEM_WORD):
            if not triggers.search(words):
                continue
            for pattern in PROBLEM_COUNT_PATTERNS:
                match = pattern.search(words)
                if match:
                    return cn_number(match.group("count"))
    return None


def _units_with(text: str, unit_pattern: re.Pattern[str], word: str) -> Iterator[str]:
    """The units of ``text`` that contain ``word``, in order.

    Units are the runs ``unit_pattern`` (a negated character class, such as
    SENTENCE_PATTERN) finds; ``word`` holds none of their separators. The unit around each
    occurrence is found by matching forward from it, and backward on the reversed text.
    """
    reversed_text = text[::-1]
    end = 0
    for position in offsets(text, word):
        if position < end:
            continue
        before = unit_pattern.match(reversed_text, len(text) - position)
        start = position - len(before.group()) if before else position
        end = unit_pattern.match(text, position).end()
        yield text[start:end]


def parse_notice(title: str, body_text: str, published_at: str | None = None) -> dict:
    """The ``notice`` object of a record, read from its title and body text."""
    title = " ".join(title.split()) if title else ""
    paragraphs = _paragraphs(body_text or "")
    preamble = "\n".join(paragraphs[: first_heading_index(paragraphs)])
    body = "\n".join(paragraphs)
    year = YEAR_PATTERN.match(published_at or "")
    default_year = int(year.group(1)) if year else None

    notice = empty_notice()
    notice["kind"] = classify_kind(title, preamble)
    notice["inspection_body"] = find_inspection_body([title, preamble, body])
    notice["inspected_unit"] = find_inspected_unit(preamble, title, body, notice["kind"])

    preamble_sentences = Sentences(preamble)
    mentions = find_dates(preamble, default_year)
    preamble_period = find_inspection_period(preamble_sentences, mentions)
    period = preamble_period
    if period is None and body != preamble:
        period = find_inspection_period(Sentences(body), find_dates(body, default_year))
    if period:
        notice["inspection_start"], notice["inspection_end"] = period.start_iso, period.end_iso
    else:
        notice["inspection_start"] = find_inspection_start(mentions, preamble_sentences)
    notice["feedback_date"] = find_feedback_date(mentions, preamble_sentences, preamble_period)
    notice["problem_count"] = find_problem_count(preamble, body)
    notice["outline"] = build_outline(paragraphs)
    notice["contacts"] = extract_contacts(body)
    return notice
