"""Golden and behaviour tests of ``pipelines.notice.parse_notice``.

Golden cases: the two seed notices (``fixtures/seeds/``) and the
hand-written notices in ``golden/notice/*.txt``; each has a hand-checked ``*.json``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipelines.notice import empty_notice, parse_notice
from pipelines.outline import first_heading_index, is_closing, parse_numbered_line

REPO_ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = REPO_ROOT / "fixtures" / "seeds"
GOLDEN_DIR = Path(__file__).resolve().parent / "golden" / "notice"
WHITESPACE = re.compile(r"\s+")
NOTICE_KEYS = [
    "kind",
    "inspection_body",
    "inspection_round",
    "inspection_type",
    "inspected_unit",
    "inspected_units",
    "inspection_start",
    "inspection_end",
    "feedback_date",
    "problem_count",
    "rectification_stats",
    "outline",
    "contacts",
]
FEEDBACK_TITLE = "县委第一巡察组向县医保局党组反馈巡察情况"


def text_lines(text: str) -> list[str]:
    """Lines with whitespace runs (incl. U+3000, U+00A0) collapsed, stripped, empties dropped."""
    lines = (WHITESPACE.sub(" ", line).strip() for line in text.split("\n"))
    return [line for line in lines if line]


def seed_003() -> tuple[str, str, str]:
    """Seed 003: line 1 is the page's metadata header, the rest is the body."""
    lines = text_lines((SEEDS_DIR / "003_92f2aa7ef420e78b.txt").read_text(encoding="utf-8"))
    title = "中共泾县城管执法局党组关于县委第二巡察组巡察反馈意见整改进展情况的通报"
    return title, "\n".join(lines[1:]), "2022-02-25"


def seed_000() -> tuple[str, str, str]:
    """Seed 000: the first three non-empty lines are the title, the rest is the body."""
    lines = text_lines((SEEDS_DIR / "000_6864e2fd695aa2e9.txt").read_text(encoding="utf-8"))
    return "".join(lines[:3]), "\n".join(lines[3:]), "2022-10-14"


def written_case(path: Path) -> tuple[str, str, str | None]:
    """A hand-written golden input: ``title:`` and ``published_at:`` lines, then the body."""
    lines = text_lines(path.read_text(encoding="utf-8"))
    title = lines[0].removeprefix("title:").strip()
    published_at = lines[1].removeprefix("published_at:").strip() or None
    return title, "\n".join(lines[2:]), published_at


def golden_cases() -> dict[str, tuple[str, str, str | None]]:
    """Every golden case by name: ``(title, body_text, published_at)``."""
    cases = {"seed_003": seed_003(), "seed_000": seed_000()}
    for path in sorted(GOLDEN_DIR.glob("*.txt")):
        cases[path.stem] = written_case(path)
    return cases


CASES = golden_cases()


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name):
    expected = json.loads((GOLDEN_DIR / f"{name}.json").read_text(encoding="utf-8"))
    assert parse_notice(*CASES[name]) == expected


def test_every_golden_input_has_an_expected_output():
    outputs = {path.stem for path in GOLDEN_DIR.glob("*.json")}
    assert outputs == set(CASES)
    assert len(CASES) >= 8


def test_seed_003_facts():
    notice = parse_notice(*CASES["seed_003"])
    assert list(notice) == NOTICE_KEYS
    assert notice["kind"] == "rectification"
    assert notice["inspection_body"] == "县委第二巡察组"
    assert notice["inspected_unit"] == "县城管执法局党组"
    assert (notice["inspection_start"], notice["inspection_end"]) == ("2021-08-30", "2021-09-18")
    assert notice["feedback_date"] == "2021-10-29"
    assert notice["problem_count"] == 34
    assert notice["contacts"] == {
        "phones": ["0563—5035580"],
        "emails": ["13966175668@163.com"],
        "mailboxes": [],
    }


def test_seed_003_outline_shape():
    outline = parse_notice(*CASES["seed_003"])["outline"]
    assert [node["number"] for node in outline] == ["一", "二", "三"]
    sections = outline[1]["children"]
    assert [node["number"] for node in sections] == ["(一)", "(二)", "(三)"]
    problems = [problem for section in sections for problem in section["children"]]
    assert len(problems) == 17
    assert {problem["level"] for problem in problems} == {3}
    assert [problems[0]["number"], problems[7]["number"]] == ["1.", "8"]
    first = problems[0]
    assert first["heading"] == "关于“学习贯彻习近平新时代中国特色社会主义思想不够深入”的问题。"
    assert [item["number"] for item in first["children"]] == ["(1)", "(2)"]
    assert first["children"][0]["level"] == 4
    assert first["children"][1]["text"].startswith("整改成效:一是理论中心组学习进一步加强。")
    assert problems[1]["text"].startswith("整改成效:一是扎实开展党史学习教育。")


def test_seed_003_heading_split_at_first_sentence():
    node = parse_notice(*CASES["seed_003"])["outline"][0]["children"][0]
    assert node["number"] == "(一)"
    assert node["heading"] == "组织领导上做到坚强有力。"
    assert node["text"].startswith("局党组带头落实巡察整改的主体责任,")


def test_seed_000_facts_and_unnumbered_headings():
    notice = parse_notice(*CASES["seed_000"])
    assert notice["inspection_body"] == "区委第一巡察组"
    assert notice["inspected_unit"] == "区环卫中心"
    assert (notice["inspection_start"], notice["inspection_end"]) == ("2022-04-12", "2022-06-17")
    assert notice["feedback_date"] == "2022-07-15"
    assert notice["problem_count"] is None  # 3个方面9项问题 is about the 2017 inspection
    outline = notice["outline"]
    assert [node["number"] for node in outline] == ["一", "二", None, None]
    assert outline[2]["heading"] == "基层组织建设薄弱，党支部作用发挥不明显"
    assert [node["number"] for node in outline[2]["children"]] == ["（一）", "（二）", "（三）"]
    assert outline[1]["children"][-1]["text"].endswith("争取早日解决。")
    assert outline[0]["children"][0]["text"].startswith("整改情况：\n认真开展学习。")
    assert "欢迎广大干部职工" not in json.dumps(outline, ensure_ascii=False)
    assert notice["contacts"]["phones"] == ["0371—23399567"]
    assert notice["contacts"]["emails"] == ["kfltmzj@126.com"]


def outline_words(nodes: list[dict]) -> str:
    """Headings and texts of a tree in reading order, without line breaks."""
    return "".join(
        node["heading"] + node["text"].replace("\n", "") + outline_words(node["children"])
        for node in nodes
    )


@pytest.mark.parametrize("name", ["seed_003", "seed_000"])
def test_seed_outline_keeps_every_word_between_preamble_and_closing(name):
    title, body_text, published_at = CASES[name]
    paragraphs = body_text.split("\n")
    start = first_heading_index(paragraphs)
    end = next(i for i in range(start, len(paragraphs)) if is_closing(paragraphs[i]))
    expected = ""
    for paragraph in paragraphs[start:end]:
        numbered = parse_numbered_line(paragraph)
        expected += numbered.rest if numbered else paragraph
    assert outline_words(parse_notice(title, body_text, published_at)["outline"]) == expected


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("关于县委第二巡察组巡察反馈意见整改情况的通报", "rectification"),
        ("中共某县委关于巡察整改情况的通报", "rectification"),
        ("县财政局党组关于巡察整改进展情况的通报", "rectification"),
        ("关于巡视巡察“回头看”反馈意见整改情况的公示", "rectification"),
        ("县委第一巡察组向县医保局党组反馈巡察情况", "inspection_feedback"),
        ("十四届县委第三轮巡察公告", "inspection_launch"),
        ("县委巡察组进驻5家单位开展常规巡察", "inspection_launch"),
        ("市水利局原局长某某接受纪律审查和监察调查", "investigation"),
        ("关于4起违反中央八项规定精神典型问题的通报", "disciplinary_report"),
        ("县纪委监委召开全体干部会议", "other"),
    ],
)
def test_kind_from_title(title, kind):
    assert parse_notice(title, "")["kind"] == kind


def test_kind_from_body_when_title_is_silent():
    body = "根据县委统一部署，现将巡察整改情况予以公布。"
    assert parse_notice("通知公告", body)["kind"] == "rectification"


def test_empty_input_gives_empty_notice():
    assert parse_notice("", "") == empty_notice()
    assert empty_notice()["contacts"] == {"phones": [], "emails": [], "mailboxes": []}


@pytest.mark.parametrize(
    ("sentence", "count"),
    [
        ("巡察组反馈意见指出了34个具体问题。", 34),
        ("反馈了3个方面9项问题。", 9),
        ("巡察组共指出4个方面21个问题。", 21),
        ("巡察组反馈了十二个问题。", 12),
        ("巡察组发现问题15个。", 15),
        ("巡察组发现问题线索3个。", None),
        ("巡察组反馈了3类15项问题。", 15),
        ("区委第一巡察组指出的6大类17个方面的问题要逐项整改。", None),
        ("巡察组向该局党组反馈意见8条。", 8),
        ("巡察组反馈了3个方面的问题。", None),
    ],
)
def test_problem_count(sentence, count):
    assert parse_notice(FEEDBACK_TITLE, sentence)["problem_count"] == count


def test_date_without_year_takes_publication_year():
    body = "县委第一巡察组于3月6日进驻县财政局开展巡察。"
    notice = parse_notice("", body, "2023-03-07")
    assert notice["inspection_start"] == "2023-03-06"
    assert notice["inspected_unit"] == "县财政局"


@pytest.mark.parametrize(
    "body",
    [
        "1" * 1_000_000,
        "县委第一巡察组对" * 100_000,
        "（一）" + "2021年8月30日至" * 50_000,
        "@" * 500_000 + "a" * 500_000,
        "a" * 1_000_000 + "@",
        "问题1：\n一、\n(1)\n\n\n",
        "\u3000\xa0\r\n\t",
    ],
)
def test_never_raises_on_odd_input(body):
    notice = parse_notice(body[:100], body, "not a date")
    assert list(notice) == NOTICE_KEYS
