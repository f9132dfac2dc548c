"""Tests of the outline tree builder."""

from __future__ import annotations

from pipelines.outline import (
    build_outline,
    first_heading_index,
    parse_numbered_line,
    signature_start,
    split_heading,
)


def shape(nodes):
    """``(level, number, heading, text, children-shape)`` tuples, for compact comparisons."""
    return [
        (node["level"], node["number"], node["heading"], node["text"], shape(node["children"]))
        for node in nodes
    ]


def test_numbering_styles_and_printed_numbers():
    cases = {
        "一、总体情况": ("cn", "一", 1),
        "十二、其他": ("cn", "十二", 12),
        "（三）组织": ("cn_paren", "（三）", 3),
        "(三)组织": ("cn_paren", "(三)", 3),
        "1.关于": ("arabic", "1.", 1),
        "2．关于": ("arabic", "2．", 2),
        "8、关于": ("arabic", "8", 8),
        "(1)学习": ("arabic_paren", "(1)", 1),
        "（12）学习": ("arabic_paren", "（12）", 12),
        "②受理": ("circled", "②", 2),
        "问题3：学习不深入": ("problem", "问题3", 3),
    }
    for paragraph, (style, number, ordinal) in cases.items():
        line = parse_numbered_line(paragraph)
        assert (line.style, line.number, line.ordinal) == (style, number, ordinal), paragraph


def test_ordinary_paragraphs_are_not_headings():
    ordinary = ["2021年8月30日至9月18日", "1.5万元已退还。", "一是加强学习。", "12319热线", "一、"]
    for paragraph in ordinary:
        assert parse_numbered_line(paragraph) is None, paragraph


def test_split_heading_at_first_sentence_end():
    assert split_heading("组织领导上做到坚强有力。局党组带头。") == (
        "组织领导上做到坚强有力。",
        "局党组带头。",
    )
    assert split_heading("关于“党史学习教育抓得不实”的问题。") == (
        "关于“党史学习教育抓得不实”的问题。",
        "",
    )
    assert split_heading("高点站位,坚持政治统领") == ("高点站位,坚持政治统领", "")


def test_levels_follow_order_of_appearance():
    paragraphs = [
        "前言。",
        "一、甲",
        "1.子一",
        "文字一。",
        "（1）孙",
        "文字二。",
        "2、子二",
        "二、乙",
        "（一）丙",
        "1．丁",
        "三、戊",
        "结尾段落。",
    ]
    assert shape(build_outline(paragraphs)) == [
        (
            1,
            "一",
            "甲",
            "",
            [
                (2, "1.", "子一", "文字一。", [(3, "（1）", "孙", "文字二。", [])]),
                (2, "2", "子二", "", []),
            ],
        ),
        (1, "二", "乙", "", [(2, "（一）", "丙", "", [(3, "1．", "丁", "", [])])]),
        (1, "三", "戊", "结尾段落。", []),
    ]


def test_unnumbered_heading_becomes_top_level_node():
    paragraphs = [
        "一、甲",
        "（一）甲一",
        "整改情况：",
        "已整改。",
        "基层组织建设薄弱",
        "（一）乙一",
        "内容。",
        "四、丁",
        "内容四。",
    ]
    assert shape(build_outline(paragraphs)) == [
        (1, "一", "甲", "", [(2, "（一）", "甲一", "整改情况：\n已整改。", [])]),
        (1, None, "基层组织建设薄弱", "", [(2, "（一）", "乙一", "内容。", [])]),
        (1, "四", "丁", "内容四。", []),
    ]


def test_short_line_not_followed_by_a_first_item_stays_text():
    paragraphs = ["一、甲", "（一）甲一", "整改情况", "（二）甲二", "一行短文字", "内容。"]
    outline = build_outline(paragraphs)
    assert [child["text"] for child in outline[0]["children"]] == [
        "整改情况",
        "一行短文字\n内容。",
    ]


def test_closing_paragraph_ends_the_outline():
    paragraphs = ["一、甲", "内容。", "欢迎广大干部群众监督。联系电话：12388。", "某某单位"]
    assert shape(build_outline(paragraphs)) == [(1, "一", "甲", "内容。", [])]


def test_no_headings_gives_empty_outline():
    paragraphs = ["县自然资源局原局长张某某涉嫌严重违纪违法。"]
    assert build_outline(paragraphs) == []
    assert first_heading_index(paragraphs) == 1
    assert first_heading_index(["前言。", "一、甲"]) == 1


def test_node_key_order():
    node = build_outline(["一、甲"])[0]
    assert list(node) == ["level", "number", "heading", "text", "children"]


def test_final_signature_is_left_out():
    paragraphs = ["一、甲", "内容。", "中共某某县委", "二〇二二年九月五日"]
    assert shape(build_outline(paragraphs)) == [(1, "一", "甲", "内容。", [])]
    assert signature_start(paragraphs) == 2
    assert signature_start(["一、甲", "已完成"]) == 2
