"""Traditional → simplified conversion (`pipelines.chinese_script`) on real stored pages: the
traditional editions of `fixtures/republished/` are real pages published by their sites in
traditional characters, not conversions made here."""

from __future__ import annotations

import json

import opencc

from fixtures.republished import REPUBLISHED_DIR, label_files
from pipelines.chinese_script import has_traditional, to_simplified
from pipelines.notice import parse_notice


def _record(stem: str) -> dict:
    return json.loads((REPUBLISHED_DIR / f"{stem}.json").read_text(encoding="utf-8"))


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def test_simplified_pages_are_left_as_they_are():
    texts = [json.loads(path.read_text(encoding="utf-8"))["body_text"] for path in label_files()]
    simplified = [text for text in texts if not has_traditional(text)]
    assert len(simplified) >= 60 and len(texts) - len(simplified) >= 10
    assert all(to_simplified(text) is text for text in simplified)


def test_a_sites_traditional_edition_reads_as_its_simplified_edition():
    """stheadline.com publishes each article in both scripts: every paragraph of the
    traditional edition, converted, is a paragraph of the simplified one (the simplified page
    carries a header and a footer of its own)."""
    traditional = _record("073_stheadline_guo_xueyi_case_traditional")["body_text"]
    simplified = _record("072_stheadline_guo_xueyi_case_simplified")["body_text"]
    assert has_traditional(traditional) and not has_traditional(simplified)
    converted = _paragraphs(to_simplified(traditional).removeprefix(" date 2025-12-28 "))
    assert len(converted) == 5
    assert all(paragraph in _paragraphs(simplified) for paragraph in converted)
    assert not any(paragraph in _paragraphs(simplified) for paragraph in _paragraphs(traditional))


def test_a_real_traditional_notice_gets_its_facts():
    """The CCDI's report of the Anhui round, as 中評社 carried it in traditional characters:
    the parser's simplified patterns now read its inspection body and round."""
    record = _record("013_anhui_2018_round4_crntt")
    notice = parse_notice(record["title"] or "", record["body_text"], record["published_at"])
    assert notice["kind"] == "inspection_launch"
    assert notice["inspection_body"] == "安徽省委第一巡视组"
    assert notice["inspection_round"] == "十届安徽省委第4轮"


def test_facts_of_a_notice_are_the_same_in_either_script():
    """Real simplified notices, and their conversion to traditional by OpenCC's `s2t` (the
    traditional copies here are produced by conversion): the same notice object, in
    simplified characters."""
    to_traditional = opencc.OpenCC("s2t")
    stems = ("027_minqing_round9_batch1_entry", "047_qinzhou_round6_feedback",
             "052_wuhu_city_provincial_inspection_rectification",
             "039_xianning_city_group2_two_units")
    for stem in stems:
        record = _record(stem)
        title, body = record["title"] or "", record["body_text"]
        simplified = parse_notice(title, body, record["published_at"])
        assert simplified["inspected_unit"], stem
        traditional_body = to_traditional.convert(body)
        assert traditional_body != body and has_traditional(traditional_body), stem
        converted = parse_notice(to_traditional.convert(title), traditional_body,
                                 record["published_at"])
        assert converted == simplified, stem


def test_text_with_broken_bytes_is_converted_around_them():
    """A lone surrogate (bytes decoded with `surrogateescape`) stays; the rest is converted."""
    assert to_simplified("國\udc80家") == "国\udc80家"
    assert to_simplified("\ud800") == "\ud800"
