"""The metadata line printed above a notice: 来源 / 时间 / 点击量 / 作者 / 责任编辑.

Label vocabularies are data, tried as one compiled alternation. A value runs from its label's
colon to the next label (or a separator), so `来源: | 日期:2016-06-15` gives an empty source.
"""

from __future__ import annotations

import re

HEADER_LABELS: dict[str, tuple[str, ...]] = {
    "source": ("信息来源", "文章来源", "稿件来源", "来源", "來源", "信息來源", "文章來源"),
    "published_at": ("发布时间", "发布日期", "发表日期", "发表时间", "更新时间", "發布日期",
                     "發布時間", "时间", "日期", "時間"),
    # other dates of a 信息公开 table (成文日期, 生成日期 …): read as `日期`, they give way to
    # a publication label on the same line
    "hit_count": ("点击量", "点击数", "点击率", "浏览次数", "阅读次数", "访问量", "浏览量",
                  "阅读量", "點擊量", "瀏覽次數", "点击", "浏览", "阅读"),
    "author": ("作者", "撰稿", "作　者"),
    "editor": ("责任编辑", "責任編輯", "编辑", "编辑人"),
    # labels of no field, printed among the others: a value ends where they start
    "": ("文章类型", "稿件类型", "信息类型", "所属栏目", "字号", "字体"),
}

_FIELD_OF_LABEL = {label: fname for fname, labels in HEADER_LABELS.items() for label in labels}
# Labels that name the publication itself; another date label gives way to them.
_PUBLICATION_LABELS = frozenset(HEADER_LABELS["published_at"][:7])
# The label first (no optional bracket before it), so the regex engine skips ahead to the
# labels' first characters instead of trying every position; a `【` before a label is
# decoration that value cleaning drops.
_LABEL_RE = re.compile(
    r"(" + "|".join(sorted(map(re.escape, _FIELD_OF_LABEL), key=len, reverse=True))
    + r")\s*[:：]"
)
# Text around values that is decoration, not data.
_BRACKETS_RE = re.compile(r"[|｜【】\[\]]")
_VALUE_NOISE_RE = re.compile(
    r"字[体号][:：]?\s*[大中小\s]+|打印本页|关闭窗口|分享到"
    r"|(?:^|(?<=\s))(?:打印|关闭|收藏|返回顶部)(?=\s|$)"
)
_COUNT_RE = re.compile(r"\d[\d,]*")
_WS_RE = re.compile(r"[\s\u3000\xa0]+")


def _clean(value: str) -> str:
    value = _VALUE_NOISE_RE.sub(" ", _BRACKETS_RE.sub(" ", value))
    value = _WS_RE.sub(" ", value).strip(" \t\r\n:：")
    return _unbalanced_brackets(value).strip()


def _unbalanced_brackets(value: str) -> str:
    """A value without the bracket that opened or closed its line (`（责任编辑：X）`)."""
    for opening, closing in (("（", "）"), ("(", ")")):
        if value.endswith(closing) and opening not in value:
            value = value[:-1]
        if value.startswith(opening) and closing not in value:
            value = value[1:]
    return value


def parse_header_line(text: str) -> dict[str, str | int | None]:
    """Fields of a header line; absent labels are missing keys, empty values are None.

    `hit_count` is an int when the line prints a number, else None.
    """
    matches = list(_LABEL_RE.finditer(text))
    fields: dict[str, str | int | None] = {}
    if not matches:
        return fields
    publication_label_seen = False
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        fname = _FIELD_OF_LABEL[match.group(1)]
        if not fname:
            continue
        if fname == "published_at" and match.group(1) in _PUBLICATION_LABELS:
            if publication_label_seen:
                continue
            publication_label_seen = True
            fields.pop(fname, None)
        if fname in fields:
            continue
        end = following.start() if following else len(text)
        value = _clean(text[match.end():end])
        if fname == "hit_count":
            number = _COUNT_RE.match(value)
            fields[fname] = int(number.group().replace(",", "")) if number else None
        elif fname == "published_at":
            fields[fname] = _date_prefix(value)
        else:
            # an unlabelled date after an empty label is no value of it (`作者： 2023-12-01`)
            date = FULL_DATE_RE.search(value)
            fields[fname] = (value[:date.start()].strip() if date else value) or None
    return fields


_DATE_PREFIX_RE = re.compile(
    r"\d{4}\s*(?:[-/.年]\s*\d{1,2}\s*(?:[-/.月]\s*\d{1,2}\s*日?)?)?"
    r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
)


def _date_prefix(value: str) -> str | None:
    """The date (and time) at the start of a value, dropping what follows it on the line."""
    match = _DATE_PREFIX_RE.search(value)
    return match.group().strip() if match else None


def header_label_count(text: str) -> int:
    """How many distinct header fields a text names (2+ marks a header line)."""
    return len({_FIELD_OF_LABEL[m.group(1)] for m in _LABEL_RE.finditer(text)} - {""})


def text_before_header(text: str) -> str:
    """The text before a header line it runs into (a title element that also holds the
    `发表日期: … 来源: …` line); the whole text when it names fewer than two header fields."""
    if header_label_count(text) < 2:
        return text
    return text[: _LABEL_RE.search(text).start()].rstrip().rstrip("【[").strip()


FULL_DATE_RE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?")


def unlabelled_date(text: str) -> str | None:
    """A full date (and time) printed in a header line without a label, outside labelled
    values; None when there is none."""
    matches = list(_LABEL_RE.finditer(text))
    unlabelled = text[: matches[0].start()] if matches else text
    match = FULL_DATE_RE.search(unlabelled)
    return match.group().strip() if match else None


# The metadata table of a 政府信息公开 page (the national template, printed by TRS, UCAP and
# other CMSes): `索引号` / `发布机构` / `发文日期` … each label in a cell of its own, its value in
# the next. Dates in order of preference: the publication's, then the issue's, the record's
# and the writing's (成文日期 is when the document was signed, not published).
DISCLOSURE_LABELS: dict[str, tuple[str, ...]] = {
    "source": ("发布机构", "发文机关", "发文单位", "责任部门", "信息来源", "来源"),
    "published_at": ("发布日期", "发布时间", "发文日期", "生成日期", "公开日期", "成文日期"),
}
_DISCLOSURE_FIELD = {label: (fname, rank) for fname, labels in DISCLOSURE_LABELS.items()
                     for rank, label in enumerate(labels)}
_DISCLOSURE_LABEL_RE = re.compile(r"^[【\[]?([^:：]{2,8}?)[】\]]?\s*[:：]\s*(.*)$")
_DISCLOSURE_OTHER_LABELS = frozenset((
    "索引号", "分类", "公开方式", "公开范围", "公开时限", "文号", "发文字号", "主题分类", "标题",
    "名称", "主题词", "体裁分类", "组配分类", "有效性"))
# A page has such a table when this many of its lines are labels of it.
_DISCLOSURE_MIN_LABELS = 3


def disclosure_table(lines: list[str]) -> dict[str, str]:
    """Source and publication date of a 信息公开 metadata table among a page's lines
    (`发布机构：` / `宜春市统计局`, `发文日期：` / `2023-04-18`); {} when there is none."""
    found: dict[str, tuple[int, str]] = {}
    labels = 0
    for index, line in enumerate(lines):
        match = _DISCLOSURE_LABEL_RE.match(line)
        if not match:
            continue
        label = "".join(match.group(1).split())
        if label in _DISCLOSURE_OTHER_LABELS:
            labels += 1
            continue
        if label not in _DISCLOSURE_FIELD:
            continue
        labels += 1
        value = match.group(2).strip()
        if not value and index + 1 < len(lines):
            value = lines[index + 1].strip()
        fname, rank = _DISCLOSURE_FIELD[label]
        if fname == "published_at":
            value = _date_prefix(value) or ""
        if value and (fname not in found or rank < found[fname][0]):
            found[fname] = (rank, value)
    if labels < _DISCLOSURE_MIN_LABELS:
        return {}
    return {fname: value for fname, (_, value) in found.items()}


def disclosure_table_end(lines: list[str]) -> int:
    """How many opening lines a 信息公开 metadata table takes (0 when the lines do not open
    with one): its labels and their values."""
    position, labels = 0, 0
    while position < len(lines):
        match = _DISCLOSURE_LABEL_RE.match(lines[position])
        label = "".join(match.group(1).split()) if match else ""
        if label not in _DISCLOSURE_FIELD and label not in _DISCLOSURE_OTHER_LABELS:
            break
        labels += 1
        position += 1 if match.group(2).strip() else 2
    return min(position, len(lines)) if labels >= _DISCLOSURE_MIN_LABELS else 0
