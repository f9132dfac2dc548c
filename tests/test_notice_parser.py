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
        ("对巡察反馈的问题，要确保每一个问题整改到位。", None),
        ("对巡察反馈的问题，要一个问题一个问题地整改。", None),
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


def facts(body: str, title: str = "巡察情况反馈会召开",
          published_at: str | None = "2023-06-01") -> dict:
    """The notice parsed from ``body`` under a feedback notice's title naming no unit."""
    return parse_notice(title, body, published_at)


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("6月2日，县委第三巡察组向县水务局党组反馈巡察情况。会议要求抓好整改。",
         "inspection_feedback"),
        ("6月2日，县委第三巡察组巡察县水务局党组情况反馈会召开。", "inspection_feedback"),
        ("近日，县委第一巡察组进驻县水务局，召开巡察工作动员会。", "inspection_launch"),
        ("十五届县委第三轮巡察完成进驻。巡察期间主要受理反映领导班子问题的来信来电来访。",
         "inspection_launch"),
        ("6月2日，县水务局召开巡察整改动员部署会，研究部署整改工作。", "rectification"),
        ("县委第三巡察组对我局进行了巡察。现将巡察整改进展情况予以公布。", "rectification"),
        ("6月2日，县委督查组到县水务局开展巡察整改督查。", "other"),
        ("县纪委监委通报了3起违反中央八项规定精神典型问题。", "disciplinary_report"),
        ("县纪委将对顶风违纪问题一律通报曝光。", "other"),
        ("县纪委要求快查快结，对典型案件通报曝光。", "other"),
        ("县水务局原局长张某涉嫌严重违纪违法，目前正接受审查调查。", "investigation"),
        ("该镇党委书记和镇长被纪委调查了。", "investigation"),
        ("这条线索引起了关注，镇纪委随即对此展开调查。", "investigation"),
        ("9月1日，市长张某专题调度省委巡视反馈问题整改工作。", "rectification"),
        ("3月8日，旗委副书记主持召开两项巡视整改工作调度会议。", "rectification"),
        ("6月20日，专项巡察动员会结束后，市委巡察办随即召开了专项巡察业务培训班。", "other"),
        ("县委派出三个督导组，对县级巡察的6个部门开展反馈问题整改“回头看”。各督导组向被巡察"
         "党组织进行了反馈。", "other"),
        ("4月23日，县委第一巡察组在县住建局召开专项巡察暨反馈问题整改落实情况专项督查工作"
         "动员会议。", "inspection_launch"),
    ],
)
def test_kind_from_what_the_preamble_reports(body, kind):
    assert parse_notice("", body, "2023-06-01")["kind"] == kind


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("【巡察反馈】县委巡察工作领导小组召开会议", "other"),
        ("县水务局召开巡察反馈意见整改工作专题民主生活会", "rectification"),
        ("关于2022年度审计查出问题整改情况的报告", "other"),
        ("关于典型案例通报的几点思考", "other"),
        ("某县出台巡察整改成效评估办法", "other"),
        ("区委书记主持召开专题会议听取第七轮巡察整改情况报告、第八轮巡察情况汇报", "other"),
    ],
)
def test_kind_from_the_title_head(title, kind):
    assert parse_notice(title, "")["kind"] == kind


def test_a_paragraph_in_the_title_line_is_the_body():
    paragraph = "6月2日，县委第三巡察组向县水务局党组反馈巡察情况，指出问题12个。"
    notice = parse_notice(paragraph, "", "2023-06-05")
    assert notice["kind"] == "inspection_feedback"
    assert (notice["inspected_unit"], notice["feedback_date"]) == ("县水务局党组", "2023-06-02")
    assert notice["problem_count"] == 12


def test_no_inspection_facts_outside_the_inspection_kinds():
    body = "县纪委监委通报了3起典型问题。县委第一巡察组对县水务局开展了巡察。"
    notice = parse_notice("", body, "2023-06-01")
    assert notice["kind"] == "disciplinary_report"
    assert notice["inspection_body"] is None and notice["inspected_units"] == []


@pytest.mark.parametrize(
    ("sentence", "body"),
    [
        ("秦州区委第一巡察组向区财政局反馈巡察情况。", "秦州区委第一巡察组"),
        ("泾县县委第二巡察组向县财政局反馈巡察情况。", "泾县县委第二巡察组"),
        ("市委乡村振兴领域专项巡察组向某镇党委反馈巡察情况。", "市委乡村振兴领域专项巡察组"),
        ("县委第三轮巡察第二组向县财政局反馈巡察情况。", "县委第三轮巡察第二组"),
        ("县委巡察二组向县财政局反馈巡察情况。", "县委巡察二组"),
        ("市委第五提级(交叉)巡察组向县政协机关反馈巡察情况。", "市委第五提级(交叉)巡察组"),
        ("十二届市委第三巡察组向市财政局反馈巡察情况。", "十二届市委第三巡察组"),
        ("集团党委第二巡察组向某公司党委反馈巡察情况。", "集团党委第二巡察组"),
        ("泾县上下联动乡村振兴专项巡察组会同省委第十一巡视组向某镇党委反馈了巡察意见。",
         "泾县上下联动乡村振兴专项巡察组"),
        ("学校党委进一步落实省委教育工委第一巡察组反馈意见。", "省委教育工委第一巡察组"),
        ("区委4个巡察组分别向12家单位反馈巡察情况。", None),
        ("县委巡察组向县财政局反馈巡察情况。", None),
        ("校党委第一、第二巡察组巡察甲学院党委、乙学院党委工作动员会先后召开。",
         "校党委第一巡察组"),
        ("市委成立脱贫攻坚市县联动巡察组，向某镇党委反馈了巡察情况。", "脱贫攻坚市县联动巡察组"),
        ("市区联动巡察组向某区法院反馈巡察意见。", "市区联动巡察组"),
    ],
)
def test_inspection_body_as_printed(sentence, body):
    assert facts(sentence, title="")["inspection_body"] == body


@pytest.mark.parametrize(
    ("sentence", "round_", "type_"),
    [
        ("十五届县委第三轮巡察对县财政局开展常规巡察。", "十五届县委第三轮", "routine"),
        ("十三届县委组织开展了第二轮巡察，对县财政局开展专项巡察。", "十三届县委第二轮", "special"),
        ("2024年第二轮巡察对某学院党委开展巡察“回头看”。", "2024年第二轮", "follow_up"),
        ("第七轮巡察对县财政局开展提级巡察。", "第七轮", "upgraded"),
        ("第七轮巡察对某村党支部开展巡察，本轮巡察为“回头看”。", "第七轮", "follow_up"),
        ("本轮对2个区直部门开展常规巡察，对3个乡镇开展专项巡察。", None, None),
        ("本轮巡察重点是对169个行政村进行“回头看”。", None, "follow_up"),
        ("县委4个巡察组对4个乡镇党委开展“机动式”巡察。", None, "mobile"),
    ],
)
def test_round_and_type(sentence, round_, type_):
    notice = facts(sentence, title="县委巡察组进驻开展巡察")
    assert (notice["inspection_round"], notice["inspection_type"]) == (round_, type_)


@pytest.mark.parametrize(
    ("sentence", "units"),
    [
        ("县委第一巡察组对县城管执法局（以下简称“城管局”）开展了巡察。", ["县城管执法局"]),
        ("区委巡察组对区民政局、区科信局等4家单位开展常规巡察。", ["区民政局", "区科信局"]),
        ("区委巡察组对区发改局、区粮油公司2家单位开展专项巡察。", ["区发改局", "区粮油公司"]),
        ("区委巡察组对区教育局直属的32家事业单位开展专项巡察。", []),
        ("县委巡察组进驻某某公司党支部开展巡察。", ["某某公司党支部"]),
        ("县委第三巡察组向竹瓦镇、汪岗镇、丁司垱镇党委反馈巡察情况。",
         ["竹瓦镇", "汪岗镇", "丁司垱镇"]),
        ("县委第三巡察组向县审计局党组、县统计局党组反馈巡察情况。",
         ["县审计局党组", "县统计局党组"]),
        ("区委第二巡察组巡察营田镇及所辖村(社区)进驻动员会召开。", ["营田镇"]),
        ("市委第一巡察组分别在区国土资源局和洪山乡召开巡察工作动员会。",
         ["区国土资源局", "洪山乡"]),
        ("市委对全市民生领域资金管理使用情况开展专项巡察。", []),
        ("县委巡察组向被巡察党组织主要负责人反馈巡察情况。", []),
        ("省委巡视组对淄博、枣庄2个市开展了巡视。", ["淄博", "枣庄"]),
        ("县委巡察组分别对甲乡及所辖村、乙镇及所辖村(社区)等党组织开展常规巡察。",
         ["甲乡", "乙镇"]),
        ("县委巡察组对县自然资源局等3个部门党组,国庆乡党委及所辖6个党总支开展常规巡察。",
         ["县自然资源局", "国庆乡党委"]),
        ("党委第一巡察组向材料科学与工程学院党委、海洋学院党委反馈巡察意见。",
         ["材料科学与工程学院党委", "海洋学院党委"]),
        ("县委第四巡察组完成对某镇甲村党支部、乙村党支部的进驻和动员工作。",
         ["某镇甲村党支部", "乙村党支部"]),
        ("三个巡察组分别向集团所属甲公司党支部、乙公司党总支、丙研究院党委三户企业反馈了巡察意见。",
         ["甲公司党支部", "乙公司党总支", "丙研究院党委"]),
        ("县委巡察组对甲镇、乙镇党委及所辖105个行政村,丙镇、丁镇所辖86个行政村开展巡察。",
         ["甲镇", "乙镇"]),
        ("区委巡察组对区卫生健康局党委(区老龄工作委员会办公室)开展常规巡察。",
         ["区卫生健康局党委"]),
        ("中央第二巡视组、第六巡视组分别在上海、河北召开工作动员会。", ["上海", "河北"]),
        ("中央巡视组已进驻广西、四川和江苏3个省区开展常规巡视。", ["广西", "四川", "江苏"]),
        ("巡察组组长分别向人事处、信息中心和产学合作办公室就专项巡察情况反馈了意见。",
         ["人事处", "信息中心", "产学合作办公室"]),
        ("县委第三巡察组进驻甲镇，对该镇乙村、丙村等2个村开展巡察工作。", ["乙村", "丙村"]),
        ("县委巡察组已分别完成对甲镇、县乙局等2个被巡察对象的进驻。", ["甲镇", "县乙局"]),
        ("联动巡察组于3月7日至4月20日对某县甲镇党委落实脱贫攻坚开展了专项巡察。", ["某县甲镇党委"]),
        ("县委巡察组对甲镇、县旅游工业中专等2个单位党组织开展巡察，对县城部分学校开展直接巡察。",
         ["甲镇", "县旅游工业中专"]),
        ("中央巡视组对吉林省、审计署、全国政协机关等3个单位党组织开展常规巡视。",
         ["吉林省", "审计署", "全国政协机关"]),
        ("7月14日，市委召开巡察集中反馈会议，对巡视整改工作作出安排部署。", []),
        ("全县配备巡察专干30人,设立乡镇(街道)巡察整改工作领导小组。", []),
        ("各巡察组分别在被巡察党组织张贴了巡察公告,建立手机短信平台,召开了巡察工作动员会。", []),
        ("本轮安排对镇村两级党组织开展巡察。", []),
    ],
)
def test_inspected_units_in_every_sentence_form(sentence, units):
    notice = facts(sentence)
    assert notice["inspected_units"] == units
    assert notice["inspected_unit"] == (units[0] if units else None)


@pytest.mark.parametrize(
    ("body", "start", "end", "feedback"),
    [
        ("县委第二巡察组于2021年8月30日至9月18日对县财政局进行了巡察，并于10月29日反馈了意见。",
         "2021-08-30", "2021-09-18", "2021-10-29"),
        ("2022年3月6日，县委第一巡察组进驻县财政局召开巡察工作动员会。", "2022-03-06", None, None),
        ("县委第一巡察组进驻县财政局。巡察时间为2022年3月6日至4月30日。",
         "2022-03-06", "2022-04-30", None),
        ("截至2022年3月6日，各巡察组已全部进驻。", None, None, None),
        ("2022年3月6日，县委正式启动第三轮巡察。截至3月8日，各巡察组已全部进驻。",
         "2022-03-06", None, None),
        ("2018年1月4至5日，县委巡察组分别向县财政局进行巡察意见反馈。", None, None, "2018-01-04"),
        ("新华网2022年3月6日电 县委第一巡察组对县财政局开展巡察。", None, None, None),
        ("县委巡察组进驻县财政局，信访截止时间为2022年3月6日。", None, None, None),
        ("本轮巡察为期6天，自2017年10月12日开始，10月17日结束。", "2017-10-12", "2017-10-17", None),
    ],
)
def test_dates_by_their_predicate(body, start, end, feedback):
    notice = facts(body)
    assert (notice["inspection_start"], notice["inspection_end"], notice["feedback_date"]) == (
        start, end, feedback)


def test_rectification_stats_as_printed():
    body = ("县委巡察组对县财政局开展了巡察。现将整改进展情况予以公布。"
            "截至目前，巡察反馈的40个问题，已完成整改38个，整改完成率95%；"
            "建立完善制度12项，追回资金3.5万元、挽回经济损失12万元，问责5人。")
    notice = parse_notice("", body, "2023-06-01")
    assert notice["kind"] == "rectification"
    assert notice["problem_count"] == 40
    assert notice["rectification_stats"] == {
        "problems_fixed": 38, "completion_rate": "95%", "rules_made": 12,
        "people_held_accountable": 5, "money_recovered": ["3.5万元", "12万元"]}


def test_no_rectification_stats_when_none_is_printed():
    body = "县委巡察组对县财政局开展了巡察。现将整改进展情况予以公布。工作节点完成率90%。"
    assert parse_notice("", body, "2023-06-01")["rectification_stats"] is None
