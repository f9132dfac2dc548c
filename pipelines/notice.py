"""What a notice says: kind, inspection facts, counts, outline and contacts.

``parse_notice(title, body_text, published_at)`` returns the record's ``notice`` object.
``body_text`` is one paragraph per line. The preamble (the paragraphs before the first
numbered heading) is where notices state who inspected whom, when, and how many problems
were fed back; facts are read there first, then from the title, then from the whole body.
Each fact has its own module: ``inspection`` (body, round, type, units),
``inspection_dates`` (start, end, feedback), ``counts`` (problem count, rectification
figures), ``outline`` and ``contacts``. This module tells the kind of notice.

Kind, from the title first (less any bracketed column label such as ``【巡察反馈】``), then
from the start of the preamble; each kind is told by what the text reports:

- ``disciplinary_report``: typical cases made public (``通报了3起典型问题``, ``曝光``, a
  penalty told as a warning ``受到开除党籍处分``, monthly figures of eight-point-rule
  violations); a plan to publish them (``将…通报曝光``, ``对典型案件通报曝光``) is not;
- ``investigation``: someone under review or investigation (``接受…审查调查``, ``主动投案``,
  ``涉嫌严重违纪``, ``被纪委调查``, ``镇纪委随即对此展开调查``);
- ``rectification``: a unit reporting its rectification (a title headed ``整改情况的通报`` or
  naming a rectification meeting; in a preamble ``现将整改情况予以公布``, the unit's own
  ``整改动员部署会`` or meeting studying the feedback, a self-reference with 整改 ``我局…整改``,
  a leader's 调度 of it ``专题调度…巡视反馈问题整改工作``, ``巡视整改工作调度会议``);
- ``inspection_feedback``: the group reported its findings (``向…反馈``, ``反馈会``);
- ``inspection_launch``: groups entered, a mobilisation meeting, an announcement (``进驻``,
  ``动员会``, ``巡察公告``, ``现将有关事项公告如下``, ``主要受理…来信来电来访``), a group
  convening a 动员会 at the unit (``巡察组在县住建局召开…专项巡察暨…督查工作动员会议``); a
  动员会 named as the time of another event (``动员会结束后``) is not one;
- ``other``: nothing of these, texts about a topic rather than an event (essays, audit
  rectification), checks of others' rectification (督查, 回访, 评估, a 督导组, a title about
  evaluating it), a leading group's meetings (a title about hearing a round's reports,
  ``听取…巡察整改情况报告``) and the training of inspectors.

A title is tried against the kinds in a fixed order (a title headed ``整改情况的通报`` reports
rectification though it names the feedback: ``巡察反馈意见整改情况的通报``). A preamble that
says what the notice is (``现将…``) decides; otherwise the event it reports first.
``other`` when nothing says; None when title and body are empty.

A text in traditional characters is read in simplified (``chinese_script.to_simplified``), so
its facts, outline and contacts come out in simplified characters, as its simplified copy's do.
"""

from __future__ import annotations

import re

from pipelines.chinese_script import to_simplified
from pipelines.contacts import extract_contacts
from pipelines.counts import find_problem_count, find_rectification_stats
from pipelines.inspection import (
    find_inspected_units,
    find_inspection_body,
    find_inspection_round,
    find_inspection_type,
)
from pipelines.inspection_dates import find_inspection_dates
from pipelines.outline import build_outline, first_heading_index

INSPECTION = r"(?:巡察|巡视|回头看)"
COLUMN_LABEL_PATTERN = re.compile(r"【[^【】]*】|\[[^\[\]]*\]")
DISCIPLINARY = re.compile(
    r"典型(?:问题|案例|案件)|违反中央八项规定精神[^，。]{0,6}问题|曝光|通报[^，。]{0,12}(?:问题|案件|案例)"
    r"|通报\s*\d+\s*起|(?:\d+|[一二三四五六七八九十]+)起[^，。]{0,20}(?:问题|案例|案件)"
    r"|受到[^，。]{0,12}处分|违(?:规|纪|反)[^，。]{0,20}通报|通报[^，。]{0,20}违(?:规|纪|反)"
)
# In a preamble, typical cases must be made public (通报了3起典型问题), not only mentioned.
# A plan that promises to publish cases (将通报曝光一批典型问题, 对典型案件通报曝光) does
# not count; monthly
# figures of violations of the eight-point rules do.
PUBLISHED = r"(?<!将)(?<!要)(?<!一律)(?<!及时)(?:通报|曝光)"
DISCIPLINARY_EVENT = re.compile(
    rf"{PUBLISHED}了?[^，。；]{{0,20}}(?:\d+|[一二三四五六七八九十]+)起"
    rf"|{PUBLISHED}[^，。；]{{0,16}}典型(?:问题|案例|案件)"
    rf"|(?<!对)典型(?:问题|案例|案件)[^，。；]{{0,8}}{PUBLISHED}"
    r"|受到[^，。]{0,12}处分|查处[^，。]{0,10}违反(?:中央)?八项规定精神(?:的)?问题"
)
# A person under review or investigation; 受到开除党籍处分 is a penalty told as a warning.
INVESTIGATION = re.compile(
    r"接受[^，。]{0,12}(?:纪律审查|审查调查|监察调查|审查和监察调查|监委调查|组织调查|组织审查)"
    r"|主动投案|立案审查调查|被查(?!处)|严重违纪违法|(?<!受到)开除党籍(?!处分)|被提起公诉"
    r"|涉嫌(?:严重)?违纪|正接受(?:组织)?调查|被(?:[^，。]{0,6}(?:纪委|监委))?调查"
    r"|(?:纪委|监委|纪工委)[^，。]{0,10}?(?:展开|启动|进行|开展)了?(?:立案)?调查(?!研究)"
)
# Texts about a topic rather than reports of an event: essays, audit rectification; and
# evaluations or return visits of others' rectification (整改成效评估办法, 整改回访).
NOT_A_REPORT = re.compile(
    r"(?:思考|浅析|探析|浅谈|研究|启示|探索)$|^(?!.*(?:巡察|巡视)).*审计[^，。]*整改"
    r"|整改[^，。]{0,6}(?:评估|回访)"
)
# The title heads of a rectification report (整改情况的通报, 关于…整改…报告).
RECTIFICATION_HEAD = re.compile(
    r"整改(?:工作)?(?:情况|进展|落实情况|成效|报告)|关于[^，。]{0,40}整改"
    r"|整改[^，。]{0,8}(?:专题|民主生活会|动员|推进|部署|领导小组|例会)"
    r"|整改[^，。]{0,20}(?:通报|公告|公示|公开)"
)
# Any title pairing an inspection with 整改 (巡察整改工作推进会).
RECTIFICATION = re.compile(rf"{INSPECTION}[^，。]{{0,40}}整改|整改[^，。]{{0,20}}{INSPECTION}")
# A meeting that hears a round's reports (听取…巡察整改情况报告、…巡察情况汇报) is a committee's
# inspection work, whatever the reports are about.
HEARING_REPORTS = re.compile(rf"听取[^，。]{{0,30}}{INSPECTION}[^，。]{{0,30}}(?:汇报|报告)")
TITLE_KIND_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("other", NOT_A_REPORT),
    ("other", HEARING_REPORTS),
    ("disciplinary_report", DISCIPLINARY),
    ("investigation", INVESTIGATION),
    ("rectification", re.compile(rf"(?=.*{INSPECTION}).*(?:{RECTIFICATION_HEAD.pattern})")),
    ("inspection_feedback", re.compile(
        rf"{INSPECTION}[^，。]{{0,30}}反馈|反馈[^，。]{{0,20}}{INSPECTION}|反馈会")),
    ("inspection_launch", re.compile(
        rf"{INSPECTION}[^，。]{{0,24}}(?:公告|进驻|入驻|动员|启动|全面展开)"
        rf"|(?:进驻|入驻)[^，。]{{0,20}}{INSPECTION}|(?:开展|启动)[^，。]{{0,16}}{INSPECTION}")),
    ("rectification", RECTIFICATION),
)
# A preamble saying what the notice is: 现将整改进展情况予以公布, 现将有关事项公告如下.
PREAMBLE_STATEMENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("rectification", re.compile(r"现将[^。]{0,30}整改[^。]{0,12}(?:情况|进展)")),
    ("disciplinary_report", re.compile(r"现将[^。]{0,30}(?:典型|问题|案例)[^。]{0,10}通报")),
    ("inspection_launch", re.compile(r"现将[^。]{0,12}公告如下|特此公告")),
)
# Events a preamble reports; the first reported gives the kind.
PREAMBLE_EVENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("disciplinary_report", DISCIPLINARY_EVENT),
    ("investigation", INVESTIGATION),
    # checks of others' rectification (督查, 回访, 评估), a leading group's meetings
    ("other", re.compile(
        r"整改[^。，,]{0,6}(?:督查|督察|回访|评估)|(?:督查|督察|督导)组"
        r"|(?:巡察|巡视)工作领导小组(?:召开|会议|会|第)"
        # the training of inspectors
        r"|(?:巡察|巡视)[^。，,]{0,8}培训")),
    # a unit's own meeting on its rectification or on the feedback it received
    ("rectification", re.compile(
        r"(?:(?:巡察|巡视)(?:反馈)?(?:意见|问题)?)?整改[^。，,]{0,10}"
        r"(?:动员|推进|部署|调度|通报|专题|例会|领导小组)[^。]{0,20}会|调度[^。，,]{0,30}整改"
        r"|整改[^。]{0,12}(?:情况|进展)[^。]{0,10}(?:予以|向社会)(?:公布|通报|公开|公示)"
        r"|(?:传达|学习|研究)[^。]{0,30}反馈意见|研究[^。，,]{0,10}整改"
        r"|(?:我|本)(?:局|委|办|院|校|镇|乡|街道|单位|公司|中心|部|厅|所|站|会)[^。]{0,30}整改")),
    ("inspection_feedback", re.compile(
        r"向[^。；]{0,80}?反馈|反馈(?:大)?会|反馈了|进行了?反馈|反馈巡察|反馈(?:巡察|巡视)?意见(?!整改)")),
    # groups entering, a mobilisation meeting (not one named as the time of another event:
    # 动员会结束后), a group convening one at the unit it inspects, or an announcement's
    # call for letters
    ("inspection_launch", re.compile(
        r"进驻|入驻|动员(?:部署)?(?:大)?会(?!议?(?:结束|之后|后))|巡察公告|巡视公告|主要受理"
        r"|受理反映|专门值班电话"
        r"|(?:巡察|巡视)(?:第?[一二三四五六七八九十\d]{1,3})?组在[^。，,]{1,30}召开[^。]{0,60}?(?<!整改)动员")),
)
KIND_PREAMBLE_CHARS = 400
INSPECTION_KINDS = ("rectification", "inspection_feedback", "inspection_launch")
TITLE_MAX_CHARS = 80
SENTENCE_END_PATTERN = re.compile(r"[。！？!?]")
YEAR_PATTERN = re.compile(r"\s*(\d{4})")


def empty_notice() -> dict:
    """The ``notice`` object with nothing known."""
    return {
        "kind": None,
        "inspection_body": None,
        "inspection_round": None,
        "inspection_type": None,
        "inspected_unit": None,
        "inspected_units": [],
        "inspection_start": None,
        "inspection_end": None,
        "feedback_date": None,
        "problem_count": None,
        "rectification_stats": None,
        "outline": [],
        "contacts": {"phones": [], "emails": [], "mailboxes": []},
    }


def _paragraphs(body_text: str) -> list[str]:
    return [line.strip() for line in body_text.split("\n") if line.strip()]


def classify_kind(title: str, preamble: str) -> str | None:
    """Kind of notice from its title, else from the start of its preamble (module docstring)."""
    headline = COLUMN_LABEL_PATTERN.sub("", title)
    for kind, pattern in TITLE_KIND_PATTERNS:
        if pattern.search(headline):
            return kind
    for kind, pattern in PREAMBLE_STATEMENTS:
        if pattern.search(preamble):
            return kind
    opening = preamble[:KIND_PREAMBLE_CHARS]
    events = [(match.start(), kind) for kind, pattern in PREAMBLE_EVENTS
              if (match := pattern.search(opening))]
    if events:
        return min(events)[1]
    return "other" if (title or preamble) else None


def parse_notice(title: str, body_text: str, published_at: str | None = None) -> dict:
    """The ``notice`` object of a record, read from its title and body text.

    A "title" that reads as a paragraph (a sentence end, or over TITLE_MAX_CHARS
    characters) is the body's first paragraph. Inspection facts are read for the three
    inspection kinds only; for the others they stay empty.
    """
    title = to_simplified(" ".join(title.split())) if title else ""
    body_text = to_simplified(body_text or "")
    if len(title) > TITLE_MAX_CHARS or SENTENCE_END_PATTERN.search(title):
        body_text = title + "\n" + body_text
        title = ""
    paragraphs = _paragraphs(body_text)
    preamble = "\n".join(paragraphs[: first_heading_index(paragraphs)])
    body = "\n".join(paragraphs)
    year = YEAR_PATTERN.match(published_at or "")
    default_year = int(year.group(1)) if year else None

    notice = empty_notice()
    notice["kind"] = classify_kind(title, preamble)
    if notice["kind"] in INSPECTION_KINDS:
        notice.update(inspection_facts(title, preamble, body, notice["kind"], default_year))
    notice["outline"] = build_outline(paragraphs)
    notice["contacts"] = extract_contacts(body)
    return notice


def inspection_facts(title: str, preamble: str, body: str, kind: str,
                     default_year: int | None) -> dict:
    """Body, round, type, units, dates and counts of an inspection notice."""
    facts = {}
    texts = [title, preamble, body]
    facts["inspection_body"] = find_inspection_body(texts)
    facts["inspection_round"] = find_inspection_round(texts)
    units = find_inspected_units(preamble, title, body, kind)
    first_in_preamble = units[0][1] if units and units[0][0] == "preamble" else None
    facts["inspection_type"] = find_inspection_type(facts["inspection_body"], title, preamble,
                                                    first_in_preamble)
    facts["inspected_unit"] = units[0][2] if units else None
    facts["inspected_units"] = [unit for _, _, unit in units]
    dates = find_inspection_dates(preamble, body, default_year)
    facts["inspection_start"], facts["inspection_end"] = dates.start, dates.end
    facts["feedback_date"] = dates.feedback
    facts["problem_count"] = find_problem_count(preamble, body)
    if kind == "rectification":
        facts["rectification_stats"] = find_rectification_stats(body)
    return facts
