"""Fuzzing the text parsers and the whole record pipeline with arbitrary and notice-like text.

Header lines, dates, counter answers and notices never raise; what they return has the types
and shapes the record contract allows; a record through normalize -> parse -> validate either
passes the schema or is refused only for the fields its input left invalid.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import pytest
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from crawler.hits import parse_counter_answer
from crawler.pages.header import HEADER_LABELS, parse_header_line
from pipelines.dates import to_iso_date
from pipelines.normalize import normalize_record
from pipelines.notice import parse_notice
from pipelines.parse import parse_record
from pipelines.validate import record_errors, record_validator
from tests.strategies import ALPHABET, notice_text

ISO_RE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}\+08:00)?")
ANY_TEXT = st.one_of(notice_text(), st.text(ALPHABET, max_size=200))


def check_header_line(text: str) -> None:
    fields = parse_header_line(text)
    assert set(fields) <= set(HEADER_LABELS)
    for name, value in fields.items():
        if name == "hit_count":
            assert value is None or (isinstance(value, int) and value >= 0)
        else:
            assert value is None or (isinstance(value, str) and value.strip() == value != "")


@given(text=ANY_TEXT)
@example(text="")
def test_header_line(fuzz_cases, text):
    fuzz_cases["header line"] += 1
    check_header_line(text)


LABELS = st.sampled_from([label for labels in HEADER_LABELS.values() for label in labels])


@given(label=LABELS, colon=st.sampled_from(":："), text=ANY_TEXT)
def test_header_line_naming_a_label(fuzz_cases, label, colon, text):
    """What NoticePage passes: text that names at least one header field."""
    fuzz_cases["header line naming a label"] += 1
    check_header_line(f"{label}{colon}{text}")


@given(value=st.one_of(ANY_TEXT, st.none(), st.integers(min_value=0, max_value=10**14)))
@example(value="1645747920")
@example(value="2021年09月10日 10:20")
def test_to_iso_date(fuzz_cases, value):
    fuzz_cases["to_iso_date"] += 1
    iso = to_iso_date(value)
    if iso is not None:
        assert ISO_RE.fullmatch(iso), iso
        (datetime if "T" in iso else date).fromisoformat(iso)


@given(value=st.floats(allow_nan=True, allow_infinity=True))
def test_to_iso_date_of_a_float(fuzz_cases, value):
    """Numbers read from JSON (a re-parse) may be floats, NaN and infinity among them."""
    fuzz_cases["to_iso_date of a float"] += 1
    iso = to_iso_date(value)
    assert iso is None or ISO_RE.fullmatch(iso)


def _counter_answers() -> st.SearchStrategy[str]:
    json_values = st.recursive(
        st.one_of(st.integers(), st.text(ALPHABET, max_size=6), st.booleans(), st.none()),
        lambda inner: st.one_of(st.lists(inner, max_size=3),
                                st.dictionaries(st.sampled_from(("hits", "count", "data", "x")),
                                                inner, max_size=3)), max_leaves=8)
    return st.one_of(ANY_TEXT, json_values.map(json.dumps),
                     st.integers().map(lambda n: f"document.write('{n}');"))


def check_counter_answer(text: str) -> None:
    count = parse_counter_answer(text)
    assert count is None or (isinstance(count, int) and count >= 0)


@given(text=_counter_answers())
@example(text="²")
def test_counter_answer(fuzz_cases, text):
    fuzz_cases["counter answer"] += 1
    check_counter_answer(text)


@pytest.mark.parametrize("text", ["²", "[" * 100_000, '{"hits": -1}'])
def test_counter_answer_minimal_cases(text):
    check_counter_answer(text)


# The record schema's `notice` member, with the definitions it refers to.
NOTICE_VALIDATOR = record_validator().evolve(schema={
    **record_validator().schema, **record_validator().schema["properties"]["notice"]})


@given(title=ANY_TEXT, body=st.lists(ANY_TEXT, max_size=12).map("\n".join),
       published_at=st.one_of(st.none(), st.sampled_from(("2022-02-25", "2021-09-10T10:20:00+08:00",
                                                         "garbage", ""))))
def test_notice_parser(fuzz_cases, title, body, published_at):
    fuzz_cases["notice parser"] += 1
    notice = parse_notice(title, body, published_at)
    assert [error.message for error in NOTICE_VALIDATOR.iter_errors(notice)] == []


URL_VALUES = st.sampled_from(("http://www.example.gov.cn/a.html", "https://x.gov.cn/t1_2.html",
                              "ftp://x/a", "", None))
RECORD_FIELDS = {
    "url": URL_VALUES,
    "list_url": URL_VALUES,
    "site_id": st.sampled_from(("jingxian", "127.0.0.1", "", None)),
    "site_name": st.one_of(st.none(), ANY_TEXT),
    "column": st.one_of(st.none(), ANY_TEXT),
    "title": st.one_of(st.none(), ANY_TEXT),
    "source": st.one_of(st.none(), ANY_TEXT),
    "author": st.one_of(st.none(), ANY_TEXT),
    "editor": st.one_of(st.none(), ANY_TEXT),
    "published_at": st.one_of(st.none(), ANY_TEXT),
    "hit_count": st.one_of(st.none(), st.integers(min_value=0, max_value=10**9)),
    "hit_count_observed_at": st.sampled_from((None, "2024-03-01T08:00:00+00:00")),
    "body_text": st.lists(ANY_TEXT, max_size=10).map("\n".join),
    "attachments": st.lists(st.fixed_dictionaries({
        "url": st.sampled_from(("http://www.example.gov.cn/a.pdf",)),
        "name": st.one_of(st.none(), ANY_TEXT),
        "media_type": st.sampled_from((None, "application/pdf"))}), max_size=2),
    "crawled_at": st.sampled_from((None, "2024-03-01T08:00:00+00:00")),
    "region": st.one_of(st.none(), st.fixed_dictionaries({
        "province": st.sampled_from((None, "安徽省")), "city": st.sampled_from((None, "宣城市")),
        "county": st.sampled_from((None, "泾县")), "adcode": st.sampled_from((None, "341823"))})),
}
# Fields a crawl can leave invalid (the validator then drops the record with an ERROR).
INPUT_CHECKED = {"url", "list_url", "site_id", "title", "body_text"}


@given(record=st.fixed_dictionaries({}, optional=RECORD_FIELDS))
def test_record_pipeline(fuzz_cases, record):
    fuzz_cases["record pipeline"] += 1
    out = parse_record(normalize_record(dict(record)))
    fields = {path.split("/")[0] for path, _ in record_errors(out)}
    assert fields <= INPUT_CHECKED, record_errors(out)
    if (record.get("url") or "").startswith("http") and record.get("site_id"):
        assert fields <= {"list_url", "title", "body_text"}
    json.dumps(out, ensure_ascii=False).encode("utf-8")  # the feed can write every record


_HEAVY = max(3, hypothesis_settings.default.max_examples // 10)


@hypothesis_settings(max_examples=_HEAVY)
@given(piece=st.sampled_from(("巡察整改", "来源：泾县纪委 ", "2022-02-25 ", "一、", "1", "电话：0",
                              "a@b", "（一）", "县委第一巡察组", " ", "\u3000\n")))
def test_one_megabyte_line_through_the_parsers(fuzz_cases, piece):
    fuzz_cases["one megabyte line through the parsers"] += 1
    line = piece * (1_000_000 // len(piece.encode("utf-8")))
    check_header_line("来源：" + line)
    to_iso_date(line)
    record = parse_record(normalize_record({
        "url": "http://www.example.gov.cn/a.html", "site_id": "jingxian", "title": line[:200],
        "body_text": line}))
    expected = set() if line.strip() else {"title", "body_text"}  # blank: dropped by the validator
    assert {path for path, _ in record_errors(record)} == expected
