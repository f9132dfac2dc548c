"""Who inspected whom, in which round and of which type, as a notice prints it.

Each fact is read by one rule about how Chinese notices phrase it:

- **Inspecting body** (``inspection_body``): a committee (``中央``, ``县委``, ``地委``, an
  organisation's ``党委`` / ``党组`` / ``工委``, a ministry, a group) followed by the group's
  name: round, ordinal, field or type, and ``巡察组`` / ``巡视组`` — ``县委第二巡察组``,
  ``县委巡察二组``, ``市委乡村振兴领域专项巡察组``, ``区党委第八轮常规巡察组``,
  ``县委第三轮巡察第二组``, ``市委第五提级(交叉)巡察组``. The place before the committee is
  kept as printed when it is a division's name (``秦州区委第一巡察组``), as is the term
  (``十二届市委第三巡察组``); an organisation's name before ``党委`` runs back to the start of
  its clause (``集团党委第二巡察组``). A count (``区委4个巡察组``) or a bare ``县委巡察组``
  names no single group.
- **Round** (``inspection_round``): ``第N轮`` with the year, term and committee printed
  before it (``十五届县委第三轮``, ``2024年第二轮``), joined when the sentence's subject names
  them apart (``十三届县委组织开展了第二轮巡察``); a round printed with its committee
  anywhere wins over a bare one.
- **Type** (``inspection_type``): see ``find_inspection_type``.
- **Inspected units** (``inspected_units``): the object of the sentence that reports the
  inspection, feedback or entry — ``对X开展/进行…巡察``, ``对X的巡察/进驻``, ``进驻X``,
  ``向X反馈``, ``巡察X（工作）动员会/情况反馈会``, ``巡察对象：X`` — or the subject of a unit's
  own rectification work (``X召开巡察整改动员部署会``); read from the preamble, then the
  title, then where the group held its meeting (``在X召开巡察工作动员会``). Lists are split
  at ``、``, commas and 和/及 between two names (``split_units``). A unit must end as a
  unit's name does; generic objects (``被巡察党组织``, ``学校``), collectives (``32家事业单位``),
  scope phrases (``全市…资金管理使用情况``) and venues are not units.
"""

from __future__ import annotations

import re

from pipelines.region import division_name_ending_at, is_division_name

NUMERAL = r"(?:\d{1,4}|[一二两三四五六七八九十百零〇]{1,5})"
QUOTED_FOLLOW_UP = r"[“\"‘']?回头看[”\"’']?"
# 中央; 省委 … 县委 区委 旗委 地委; an organisation's 党委 / 党组, a ministry or a group
# (教育部第一巡视组, 集团第二专项巡察组).
LEVEL_COMMITTEE = r"(?:[省市州县区旗盟地]|自治区|自治州|自治县)委"
LEVEL_COMMITTEE_PATTERN = re.compile(LEVEL_COMMITTEE)
COMMITTEE = rf"(?:中央|{LEVEL_COMMITTEE}|党委|党组|工委|部|厅|集团|公司)"
# Characters a special group's field (乡村振兴领域, 涉粮问题) is written with: CJK but no
# preposition, particle or counter, so that a field never swallows a clause.
FIELD = r"(?:(?![对向在于的了派建成和与及个各名家等组委召开进行巡察视届轮])[\u4e00-\u9fff]){2,12}?"
TYPE_WORDS = r"(?:常规|专项|机动|交叉|提级|上下联动|联动)"
# A type word, with a second one in brackets: 提级(交叉).
TYPES = rf"(?:{TYPE_WORDS}(?:[（(]{TYPE_WORDS}[）)])?){{0,2}}"
# Ordinals listed after the first (第一、第二巡察组): the first group is the one named.
LISTED_ORDINALS = rf"(?:、第{NUMERAL})+"
LISTED_ORDINALS_PATTERN = re.compile(LISTED_ORDINALS)
GROUP_NAME = (
    rf"(?:第{NUMERAL}轮(?:巡视|巡察)?)?(?:第{NUMERAL})?(?:{FIELD}(?=专项|第))?"
    rf"(?:第{NUMERAL}(?:{LISTED_ORDINALS})?)?{TYPES}"
    rf"(?:巡视|巡察)(?:{QUOTED_FOLLOW_UP})?(?:第?{NUMERAL})?组(?![织长])"
)
BODY_PATTERN = re.compile(COMMITTEE + GROUP_NAME)
# A joint group named by its division (获嘉县上下联动乡村振兴专项巡察组), found without 委.
JOINT_GROUP_PATTERN = re.compile(
    rf"(?:上下联动|联动|提级|交叉|机动)(?:{FIELD})?(?:专项)?(?:巡察|巡视)(?:第?{NUMERAL})?组(?![织长])"
)
# A group linking two levels named by its field alone, after the verb that formed it or at a
# clause's start (市委成立脱贫攻坚市县联动巡察组, 市区联动巡察组向…反馈).
LINKED_GROUP_PATTERN = re.compile(
    rf"(?:(?<=成立)|(?<=组建)|(?<=派出)|(?<=[，,。：:\n])|^)(?:{FIELD})?"
    rf"[市县区乡镇]{{2}}联动(?:巡察|巡视)(?:第?{NUMERAL})?组(?![织长])"
)
# A group named by more than its committee and 巡察组: an ordinal, a round, a field, a type.
NAMED_GROUP_PATTERN = re.compile(rf"{NUMERAL}(?:巡视|巡察)?组|第{NUMERAL}|{TYPE_WORDS}|领域|回头看")
# Where an organisation's name before 党委/党组 starts: after the last of these words.
CLAUSE_OPENERS = re.compile(
    r".*(?:根据|按照|依据|关于|近日|日前|近期|据悉|由|经|派出|组建|会同|召开|开展|落实|传达|学习|贯彻"
    r"|针对|配合|接受|的|了|在|对|向|日|月|年)"
)
ORGANISATION_NAME_PATTERN = re.compile(r"[\u4e00-\u9fff]{1,16}$")

# Units and rounds are named at the start of a notice; only so much of a text is read
# for them.
UNIT_TEXT_CHARS = 3000
ROUND_PATTERN = re.compile(rf"(?P<committee>{COMMITTEE})?第{NUMERAL}轮")
# The term printed right before a committee (十二届市委第三巡察组).
TERM_PATTERN = re.compile(rf"{NUMERAL}届$")
# What may stand right before a round's committee: the term and the year (2015年十届…).
TERM_BEFORE_PATTERN = re.compile(rf"(?:\d{{4}}年)?(?:{NUMERAL}届)?$")
# The subject of a sentence that names a round without its committee.
TERM_COMMITTEE_PATTERN = re.compile(rf"{NUMERAL}届[^，,。；;]{{0,8}}?{COMMITTEE}")

TYPE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("follow_up",
         rf"(?:巡察|巡视)[为是]?\s*{QUOTED_FOLLOW_UP}|回头看[”\"’']?(?:专项)?(?:巡察|巡视)"
         # 本轮巡察重点是对169个行政村进行“回头看” (not a check of 整改情况)
         r"|(?<!被)(?:巡察|巡视)(?:(?!整改)[^，,。；;]){0,20}?(?:开展|进行)[“\"‘']回头看"),
        ("special", r"专项(?:巡察|巡视)"),
        ("mobile", r"机动式?[”\"’']?(?:巡察|巡视)"),
        ("cross", r"交叉(?:巡察|巡视)"),
        ("upgraded", r"提级(?:巡察|巡视)"),
        ("routine", r"常规(?:巡察|巡视)"),
    )
)
SENTENCE_END_PATTERN = re.compile(r"[。！？!?；;\n]")
TYPE_IN_NAME = (
    ("follow_up", "回头看"), ("special", "专项"), ("mobile", "机动"), ("cross", "交叉"),
    ("upgraded", "提级"), ("routine", "常规"),
)

# An object: a run of names up to its verb; commas may separate groups of a list
# (``对县自然资源局等3个部门党组,国庆乡党委开展常规巡察``).
UNITS = r"(?P<units>[^。；;：:！？!?\s]{2,300}?)"
# The object of 对: the words after the last 对 before the verb (对象 is no 对).
UNITS_AFTER_DUI = r"(?P<units>(?:(?!对(?!象))[^。；;：:！？!?\s]){2,300}?)"
# Places listed in one clause (分别在A、B召开…), never across a comma.
UNITS_IN_CLAUSE = r"(?P<units>[^，,。；;：:！？!?\s]{2,300}?)"
# The object of 进驻: not across a clause that starts with 对.
UNITS_BEFORE_DUI = r"(?P<units>(?:(?![，,]对)[^。；;：:！？!?\s]){2,300}?)"
# A sentence's subject: one name, no list.
SUBJECT = r"(?P<units>[^，,。；;：:！？!?\s、]{2,30}?)"
ADVERB_WORDS = r"(?:分别|集中|全面|正式|依次|先后|逐一)"
ADVERBS = rf"{ADVERB_WORDS}?"
INSPECT_VERB = (
    r"(?:开展|进行|实施|完成)了?(?:为期[^，,。；;]{1,10}的)?[^，,。；;]{0,20}?(?:巡察|巡视)"
)
OBJECT_PATTERNS = tuple(
    re.compile(pattern)
    for pattern in (
        # 县委第一巡察组对区环卫中心开展了巡察；区委组建4个巡察组对A、B等4家单位开展常规巡察
        rf"对{UNITS_AFTER_DUI}(?:(?:落实|贯彻|履行)[^，,。；;]{{1,20}}?)?{ADVERBS}{INSPECT_VERB}",
        # 反馈了对籍山镇梅园社区、大港村的巡察“回头看”情况；完成对某村党支部的进驻
        rf"对{UNITS_AFTER_DUI}的(?:巡察|巡视|进驻)",
        # 县委第一巡察组进驻县财政局开展常规巡察；进驻某某公司党支部
        # (进驻斑竹园镇,对该镇沙堰村、金山村开展巡察: the town is where the group stays)
        rf"(?:进驻|入驻){UNITS_BEFORE_DUI}(?=开展|进行|召开|并|后|动员|工作动员|[，,。；;]|$)"
        r"(?![，,]对[该其])",
        # 县委第三巡察组向县教育局党组反馈巡察情况
        rf"向{UNITS}{ADVERBS}(?:就[^。；;]{{1,40}}?)?(?:进行了?|宣读了?|通报了?)?(?:巡察|巡视)?"
        r"(?:意见|情况)?反馈",
        # 县委第二巡察组巡察县城管执法局党组情况反馈会；
        # 地委第一巡察组巡察某乡，第六巡察组巡察某镇动员会分别召开
        rf"(?:组|就|召开)(?:巡察|巡视){UNITS}(?=[，,。；;]"
        r"|(?:党组织)?的?(?:工作)?(?:情况)?(?:进行)?(?:进驻)?(?:动员|反馈))",
        # 中央第二巡视组、第六巡视组分别在上海、河北召开工作动员会: each group at its unit
        rf"分别在{UNITS_IN_CLAUSE}召开(?:了)?[^，,。；;]{{0,20}}?(?:动员|反馈)",
        # 巡察对象：县财政局
        rf"(?:巡察|巡视)(?:对象|单位)[为是：:]\s*{UNITS}(?=[，,。；;\s]|$)",
    )
)
# A unit rectifying names itself as the subject of its rectification work. A county or
# district so named is the committee of the units it inspected (龙亭区召开巡察整改工作推进会),
# so a division's name is no unit here.
SUBJECT_PATTERNS = tuple(
    re.compile(pattern)
    for pattern in (
        # 徐行镇召开巡察整改动员部署会议
        rf"(?<![^，,。；;\n]){SUBJECT}召开(?:了)?[^。；;]{{0,80}}?(?:整改|反馈意见)",
        # 中核集团专项巡视整改工作领导小组办公室…召开例会 (not 设立/成立…领导小组, which
        # founds one)
        rf"(?<![^，,。；;\n])(?!设立|成立|组建|建立){SUBJECT}(?:专项)?(?:巡察|巡视)(?:反馈意见)?"
        r"整改(?:工作)?领导小组",
    )
)
# Where the group held its meeting names the unit only when no sentence above does: a
# feedback to a community may be held at its street office.
VENUE_PATTERNS = (
    # 区委第八巡察组在某某社区召开巡察工作动员会
    # 县委第一巡察组在县住建局召开工程建设和扶贫领域专项巡察暨…专项督查工作动员会议
    re.compile(rf"在{UNITS_IN_CLAUSE}召开(?:了)?[^，,。；;]{{0,20}}?(?:巡察|巡视)[^，,。；;]{{0,40}}?"
               r"(?:动员|反馈)"),
)
UNIT_PATTERNS = OBJECT_PATTERNS + SUBJECT_PATTERNS
# Titles only: 关于十五届县委第三轮巡察某某镇党委整改进展情况的通报
TITLE_UNIT_PATTERNS = UNIT_PATTERNS + (
    re.compile(rf"(?:巡察|巡视){UNITS}(?:党组织)?(?:的)?(?:反馈意见)?整改"),
)
# Parentheticals that are not part of a name: 以下简称…, 下称…, lists (台工办、市台办…).
ASIDE_PATTERN = re.compile(
    r"[（(][^（）()]*(?:简称|下称|、|，|,)[^（）()]*[）)]|【[^【】]*】|\[[^\[\]]*\]"
)
# A parenthetical closing a unit's name is an aside: the unit's other name or its merged
# offices (区卫生健康局党委(区老龄工作委员会办公室)); one inside a name stays.
TRAILING_ASIDE_PATTERN = re.compile(r"[（(][^（）()]*[）)]$")
LIST_TAIL_PATTERN = re.compile(rf"等(?:{NUMERAL}\s*(?:个|家|所|名))?.*$")
COUNT_TAIL_PATTERN = re.compile(rf"{NUMERAL}\s*(?:个|家|所|户)[^、]*$")
SCOPE_WORDS = r"(?:所辖|所属|下属|辖区)"
SCOPE_WORDS_PATTERN = re.compile(SCOPE_WORDS)
SCOPE_OWNER_PATTERN = re.compile(rf"{SCOPE_WORDS}$")
# A unit's scope after it (营田镇及所辖村(社区)), up to the next item of a list.
SCOPE_PATTERN = re.compile(rf"及(?:其)?{SCOPE_WORDS}[^、，,]*")
# Words before a name that are not part of it: a modifier ending in 的 or 所属 (集团所属),
# a verb ending in 对, a conjunction, 我市/本县.
LEADING_WORDS_PATTERN = re.compile(
    r"^(?:.*的|.*[了将]对|.*所属|及|和|以及|与|[我本][省市县区镇]|该(?:镇|乡|街道|县|区|市))"
)
ROLE_TAIL_PATTERN = re.compile(
    r"(?:的)?(?:领导班子(?:成员)?|班子成员|主要负责人|主要负责同志|负责同志|党组织负责人|书记)"
    r"(?:[及和].*)?$"
)
# A party organisation's name after a unit (党委, 党组, 党委(党组), …).
ORG_SUFFIX_PATTERN = re.compile(
    r"(?:党委|党组|党工委|党总支|党支部|党组织)(?:[（(](?:党委|党组|党总支|支部|党支部)[）)])?$"
)
# Characters a unit's name ends with; 和/及 between two such names separates two units.
UNIT_END_CHARS = (
    "局乡镇村委办院校司部会所站心区队厂场馆处室社团组党支总关道协联厅县市旗州行园台织中学"
    "省署专"
)
# Before 和/及/与, only these end a name: 科学与工程学院, 中学和小学 are one name each.
JOINED_NAME_END_CHARS = UNIT_END_CHARS.replace("中", "").replace("学", "")
# Where a meeting is held is no unit (会议中心, 会议室, 报告厅).
VENUE_PATTERN = re.compile(r"(?:会议中心|会议室|报告厅|礼堂|会堂|大厅|楼)$")
GENERIC_UNIT_PATTERN = re.compile(
    rf"^(?:被巡察|被巡视|我|本|该|各|其|相关|有关|全(?!国)|非|{SCOPE_WORDS}|动员|工作|期间|中发现|"
    rf"(?:[省市县区旗乡镇村]|自治区)级|{LEVEL_COMMITTEE}$|{ADVERB_WORDS}$|"
    rf"{NUMERAL}\s*[个家所名])|{NUMERAL}\s*(?:个|家|所)"
    r"|巡察|巡视|反馈|整改|意见|问题|部分|[两各]级|情况$|工作$|领域$|使用$|管理$"
    r"|^(?:(?:学校|学院|单位|公司|集团|党委|党组|支部)(?:党委|党组)?|机关)$"
)
PUBLISHER_PATTERN = re.compile(r"^(?:中共|中国共产党)?(?P<unit>[^，。,\s]{2,40}?)关于")


def _committee_prefix(text: str, start: int) -> int:
    """Where the name of the committee at ``start`` starts, its place or organisation
    included (see the module docstring)."""
    if text.startswith("中央", start):
        return start
    if not LEVEL_COMMITTEE_PATTERN.match(text, start):
        run = ORGANISATION_NAME_PATTERN.search(text, 0, start)
        if run is None:
            return start
        opener = CLAUSE_OPENERS.match(run.group())
        return run.start() + (opener.end() if opener else 0)
    with_level = division_name_ending_at(text, start + 1)  # 秦州区 + 委
    if with_level:
        return start + 1 - len(with_level)
    return start - len(division_name_ending_at(text, start))  # 泾县 + 县委


def find_inspection_body(texts: list[str]) -> str | None:
    """The first inspecting group named, ``texts`` searched in order; a bare ``县委巡察组``
    (no ordinal, round, field or type) names no single group. A joint group may be named by
    its division instead of a committee (``某县上下联动乡村振兴专项巡察组``), a group linking
    two levels by its field alone (``脱贫攻坚市县联动巡察组``). Of listed ordinals
    (``校党委第一、第二巡察组``) the first names the group."""
    for text in texts:
        found = []
        for match in BODY_PATTERN.finditer(text):
            if NAMED_GROUP_PATTERN.search(match.group()):
                start = _committee_prefix(text, match.start())
                term = TERM_PATTERN.search(text, max(0, start - 6), start)
                found.append((term.start() if term else start, match.end()))
                break
        for match in JOINT_GROUP_PATTERN.finditer(text):
            division = division_name_ending_at(text, match.start())
            if division:
                found.append((match.start() - len(division), match.end()))
                break
        if not found:
            linked = LINKED_GROUP_PATTERN.search(text)
            if linked:
                found.append(linked.span())
        if found:
            start, end = min(found)
            return LISTED_ORDINALS_PATTERN.sub("", text[start:end])
    return None


def find_inspection_round(texts: list[str]) -> str | None:
    """The round (see the module docstring), ``texts`` searched in order; a round printed
    with its committee anywhere wins over a bare ``第N轮``."""
    bare = None
    for text in texts:
        for match in ROUND_PATTERN.finditer(text, 0, UNIT_TEXT_CHARS):
            start = match.start()
            if match.group("committee"):
                start = _committee_prefix(text, start)
            else:
                sentence_start = max(text.rfind(mark, 0, start) for mark in "。；;\n") + 1
                subject = TERM_COMMITTEE_PATTERN.search(text, sentence_start, start)
                if subject is None:  # a bare 第N轮
                    bare = bare or _with_term(text, start, match.end())
                    continue
                return subject.group() + match.group()  # 十三届县委组织开展了第二轮巡察
            return _with_term(text, start, match.end())
    return bare


def _with_term(text: str, start: int, end: int) -> str:
    """``text[start:end]`` with the year and term printed right before it."""
    term = TERM_BEFORE_PATTERN.search(text[:start])
    return text[term.start() if term else start : end]


def _type_matches(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, str]]:
    end = len(text) if end is None else end
    return sorted((match.start(), kind) for kind, pattern in TYPE_PATTERNS
                  for match in pattern.finditer(text, start, end))


def find_inspection_type(body: str | None, title: str, preamble: str,
                         first_unit_offset: int | None) -> str | None:
    """The type of the inspection of the (first) inspected unit (see the module docstring).

    From the group's name; else the first type word of the title; else, in the preamble,
    the first type word after the first unit in its sentence (``对A开展常规巡察``); else the
    preamble's type when all its type words agree. A round of mixed types with no unit
    named has none.
    """
    in_name = [(body.find(word), kind) for kind, word in TYPE_IN_NAME if body and word in body]
    if in_name:
        return min(in_name)[1]  # 提级巡察“回头看”: the first
    in_title = _type_matches(title)
    if in_title:
        return in_title[0][1]
    if first_unit_offset is not None:
        sentence_end = SENTENCE_END_PATTERN.search(preamble, first_unit_offset)
        after = _type_matches(preamble, first_unit_offset,
                              sentence_end.start() if sentence_end else None)
        if after:
            return after[0][1]
    kinds = {kind for _, kind in _type_matches(preamble)}
    return kinds.pop() if len(kinds) == 1 else None


def is_unit_name(name: str, counted: bool = False) -> bool:
    """Whether a cleaned object names a unit: two characters or more, ending as a unit's
    name does (局, 镇, 村委会, …) unless its list is ``counted`` by kind or it is a
    division's name (a province's short one: 上海, 四川), neither generic nor a venue."""
    return (len(name) >= 2
            and (counted or name[-1] in UNIT_END_CHARS or is_division_name(name))
            and GENERIC_UNIT_PATTERN.search(name) is None and VENUE_PATTERN.search(name) is None)


def clean_unit(unit: str) -> str:
    """A unit's name without asides, trailing scope and role words, and quotes."""
    unit = TRAILING_ASIDE_PATTERN.sub("", ASIDE_PATTERN.sub("", unit))
    unit = SCOPE_PATTERN.sub("", ROLE_TAIL_PATTERN.sub("", unit))
    return unit.strip("“”\"'‘’、 ")


def _split_joined(item: str) -> list[str]:
    """``区国土资源局和洪山乡``, ``四川和江苏`` → two units; ``区文体广电和旅游局`` stays one."""
    for joiner in ("和", "及", "与"):
        left, found, right = item.partition(joiner)
        if (found and left and len(right) >= 2
                and (left[-1] in JOINED_NAME_END_CHARS or is_division_name(left))):
            return [left, *_split_joined(right)]
    return [item]


def split_units(units: str) -> list[str]:
    """The units named by an object such as ``A、B、C等3个单位``, in order.

    The object loses its asides; each comma-separated group its role words (``领导班子``),
    its ``等…`` tail and a count closing a list (``A、B2家单位``). A group that is one name
    with a count (``闸口街道6个社区党委``) is a collective, and a list whose count tail owns
    a scope (``A、B5个乡镇所辖部分行政村``) names scope owners: neither yields units. Items are
    split at ``、`` (and 和/及 between two names) and lose their scope (``及所辖村``); when
    only the last carries a party organisation's name (``竹瓦镇、汪岗镇、丁司垱镇党委``), it
    is the list's shared suffix and is dropped. Leading modifiers (``…的``, ``…所属``) go,
    and what is left must be a unit's name (``is_unit_name``).
    """
    found = []
    units = ASIDE_PATTERN.sub("", units)
    for group in re.split(r"[，,]", units):
        group = LIST_TAIL_PATTERN.sub("", ROLE_TAIL_PATTERN.sub("", group))
        group = SCOPE_PATTERN.sub("", group)  # 国庆乡党委及所辖6个党总支 → 国庆乡党委
        count_tail = COUNT_TAIL_PATTERN.search(group)
        if count_tail and (SCOPE_WORDS_PATTERN.search(count_tail.group())
                           or SCOPE_OWNER_PATTERN.search(group, 0, count_tail.start())):
            # 范营乡、白集镇5个乡镇所辖部分行政村, 兴国镇、云山镇所辖86个行政村: the towns
            # own the scope (a unit with its scope is 及所辖, removed above)
            continue
        parts = COUNT_TAIL_PATTERN.sub("", group).split("、")
        if count_tail and len(parts) == 1:
            continue  # 闸口街道6个社区党委, 32家事业单位: a collective, not a name
        items = [clean_unit(item) for part in parts
                 for item in _split_joined(SCOPE_PATTERN.sub("", part))]
        if (len(items) > 1 and ORG_SUFFIX_PATTERN.search(items[-1])
                and not any(ORG_SUFFIX_PATTERN.search(item) for item in items[:-1])):
            items[-1] = ORG_SUFFIX_PATTERN.sub("", items[-1])
        # A list counted by its kind (淄博、枣庄…6个市) names units without their suffix.
        counted = count_tail is not None
        for item in items:
            item = LEADING_WORDS_PATTERN.sub("", item)  # 本轮巡察的竹瓦镇 → 竹瓦镇
            if is_unit_name(item, counted):
                found.append(item)
    return found


def units_in(text: str,
             patterns: tuple[re.Pattern[str], ...] = UNIT_PATTERNS) -> list[tuple[int, str]]:
    """Every unit inspected, fed back to or entered, with its offset, in the text's order."""
    found: list[tuple[int, int, str]] = []
    for pattern in patterns:
        for match in pattern.finditer(text, 0, UNIT_TEXT_CHARS):
            offset = match.start("units")
            names = split_units(match.group("units"))
            if pattern in SUBJECT_PATTERNS:
                names = [name for name in names if not is_division_name(name)]
            found += [(offset, index, unit) for index, unit in enumerate(names)]
    units: list[tuple[int, str]] = []
    for offset, _, unit in sorted(found):
        if not any(unit in kept or kept in unit for _, kept in units):
            units.append((offset, unit))
    return units


def find_inspected_units(preamble: str, title: str, body: str,
                         kind: str | None) -> list[tuple[str, int, str]]:
    """The inspected units, each with where it was read (``preamble``, ``title``, …) and
    its offset there: preamble wording first, then the title, then the body.

    A rectification report is published by the inspected unit itself, so there the title's
    publisher (``中共泾县城管执法局党组关于…`` → ``泾县城管执法局党组``) comes before the body.
    """
    for where, text, patterns in (("preamble", preamble, UNIT_PATTERNS),
                                  ("title", title, TITLE_UNIT_PATTERNS),
                                  ("preamble", preamble, VENUE_PATTERNS)):
        units = units_in(text, patterns)
        if units:
            return [(where, offset, unit) for offset, unit in units]
    publisher = PUBLISHER_PATTERN.match(title) if kind == "rectification" else None
    if publisher:
        units = split_units(publisher.group("unit"))
        if units:
            return [("title", 0, unit) for unit in units]
    if body == preamble:
        return []
    return [("body", offset, unit) for offset, unit in units_in(body)]
