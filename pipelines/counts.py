"""Numbers a notice prints about problems: how many were fed back, how many were fixed.

- ``problem_count``: the problems an inspection fed back, in any printed form:
  ``4个方面21个问题``, ``3类15项问题`` (aspects and categories only group
  problems), ``34个具体问题``, ``发现问题12个``, ``反馈问题60个``, ``反馈意见8条``.
  The count's sentence (in the preamble) or clause (elsewhere) must say the
  problems were fed back, pointed out or found, so that a count about
  something else (``该中心列出13项问题``, an earlier inspection's) is not read.
- ``rectification_stats``: what a rectification report says was done, None when it prints
  none of it; otherwise an object with the keys it prints (first figure of each):

  ============================  ===================================================
  ``problems_fixed`` (int)      ``已完成整改688个``, ``已整改92条``, ``整改完成问题15个``
  ``completion_rate`` (str)     ``完成率98.71%``, as printed
  ``rules_made`` (int)          ``建立完善制度589项``, ``完善和新建制度58项``, ``出台6项规章制度``
  ``money_recovered`` (list)    every amount cleared back, recovered or retrieved
                                (清退, 追回, 挽回, 收回, 退缴 …), as printed with its unit, in
                                order: ``["66.57万元", "146万元"]``
  ``people_held_accountable``   ``问责23人``, ``给予党纪政务处分5人`` (the first figure: a
  (int)                         breakdown follows the total)
  ============================  ===================================================
"""

from __future__ import annotations

import re

from pipelines.cndates import cn_number

NUMERAL = r"(?:\d{1,6}|[一二两三四五六七八九十百千零〇]{1,7})"
SENTENCE_PATTERN = re.compile(r"[^。！？!?；;\n]+")
CLAUSE_PATTERN = re.compile(r"[^，,。；;！？!?\n]+")
PROBLEM_COUNT_PATTERNS = (
    # 34个具体问题, 4个方面21个问题, 3类15项问题, 反馈的697个问题
    # (每一个问题, 一个问题一个问题地 are every problem, not a count)
    re.compile(rf"(?<!每)(?<!一个问题)(?P<count>{NUMERAL})\s*(?:个|项|条|处)(?:具体|主要|突出|共性)?"
               r"问题(?!线索|一个问题)"),
    # 发现问题12个, 反馈问题60个, 问题共计15条
    re.compile(rf"问题(?:共计|共|合计)?\s*(?P<count>{NUMERAL})\s*(?:个|项|条|处)(?!问题)"),
    # 反馈意见8条, 反馈了3类15项意见
    re.compile(rf"反馈(?:了)?(?:巡察|巡视)?意见(?:共计|共)?\s*(?P<count>{NUMERAL})\s*条"),
    # 3类15项 (items within categories)
    re.compile(rf"{NUMERAL}\s*类\s*(?P<count>{NUMERAL})\s*(?:个|项|条)(?!方面)"),
)
PREAMBLE_TRIGGERS = re.compile(r"反馈|指出|发现|提出|交办|移交|涉及|梳理|存在")
BODY_TRIGGERS = re.compile(r"反馈|指出|提出|交办")

AMOUNT = r"(?P<amount>\d+(?:\.\d+)?\s*(?:亿元|万元|元))"
COUNT = rf"(?P<count>{NUMERAL})"
STATS_PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    "problems_fixed": (
        re.compile(rf"(?:已|已经)?完成整改(?:问题)?\s*{COUNT}\s*(?:个|项|条|件)"),
        re.compile(rf"已(?:经)?整改(?:到位|完成|完毕)?(?:问题)?\s*{COUNT}\s*(?:个|项|条|件)"),
        re.compile(rf"整改(?:完成|到位|完毕)(?:问题)?\s*{COUNT}\s*(?:个|项|条|件)"),
    ),
    "completion_rate": (
        re.compile(r"(?:整改)?完成率(?:为|达到?|达)?\s*(?P<percent>\d{1,3}(?:\.\d+)?\s*[%％])"),
        re.compile(r"整改率(?:为|达到?|达)?\s*(?P<percent>\d{1,3}(?:\.\d+)?\s*[%％])"),
    ),
    "rules_made": (
        # 建立完善制度589项, 完善和新建制度58项
        re.compile(rf"(?:建立|完善|新建|新增|修订|制定|出台|健全|修改)[^，,。；;\d]{{0,8}}?制度(?:机制)?"
                   rf"(?:共计|共)?\s*{COUNT}\s*(?:项|个|条|件|份)"),
        # 制定出台了6项规章制度
        re.compile(rf"(?:建立|完善|新建|新增|修订|制定|出台|健全|修改)[^，,。；;\d]{{0,6}}?{COUNT}\s*"
                   r"(?:项|个|条|件|份)[^，,。；;\d]{0,6}?制度"),
        re.compile(rf"建章立制\s*{COUNT}\s*(?:项|个|条|件|份)"),
    ),
    "people_held_accountable": (
        re.compile(rf"(?:问责|追责)[^，,。；;\d]{{0,6}}?{COUNT}\s*(?:人次|人|名)"),
        re.compile(rf"(?:共|累计|合计)(?:处理|处分)[^，,。；;\d]{{0,6}}?{COUNT}\s*(?:人次|人|名)"),
    ),
}
MONEY_PATTERN = re.compile(
    rf"(?:挽回|追回|收回|清退|退还|返还|追缴|退缴)[^，,。；;、\d]{{0,14}}?{AMOUNT}"
)


def find_problem_count(preamble: str, body: str) -> int | None:
    """Number of problems fed back (see the module docstring)."""
    for text, pieces, triggers in (
        (preamble, SENTENCE_PATTERN, PREAMBLE_TRIGGERS),
        (body, CLAUSE_PATTERN, BODY_TRIGGERS),
    ):
        for piece in pieces.findall(text):
            if "问题" not in piece and "意见" not in piece:
                continue
            if not triggers.search(piece):
                continue
            found = [match for pattern in PROBLEM_COUNT_PATTERNS
                     if (match := pattern.search(piece))]
            if found:
                first = min(found, key=lambda match: match.start())
                return cn_number(first.group("count"))
    return None


def _counts_problems(field: str, body: str, match: re.Match[str]) -> bool:
    """A completion rate counts only as a rate of problems fixed: its sentence speaks of
    问题 before it, and not of work milestones or tasks (节点, 任务)."""
    if field != "completion_rate":
        return True
    sentence_start = max(body.rfind(mark, 0, match.start()) for mark in "。；;\n") + 1
    before = body[sentence_start : match.start()]
    return "问题" in before and not any(word in before for word in ("节点", "任务"))


def find_rectification_stats(body: str) -> dict | None:
    """What the notice says was fixed, made, recovered and punished (module docstring)."""
    stats: dict = {}
    for field, patterns in STATS_PATTERNS.items():
        for pattern in patterns:
            match = next((m for m in pattern.finditer(body) if _counts_problems(field, body, m)),
                         None)
            if match:
                if field == "completion_rate":
                    stats[field] = match.group("percent").replace(" ", "")
                else:
                    stats[field] = cn_number(match.group("count"))
                break
    money = [match.group("amount").replace(" ", "") for match in MONEY_PATTERN.finditer(body)]
    if money:
        stats["money_recovered"] = money
    return stats or None
