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
    "hit_count": ("点击量", "点击数", "点击率", "浏览次数", "阅读次数", "访问量", "浏览量",
                  "阅读量", "點擊量", "瀏覽次數", "点击", "浏览", "阅读"),
    "author": ("作者", "撰稿", "作　者"),
    "editor": ("责任编辑", "責任編輯", "编辑", "编辑人"),
}

_FIELD_OF_LABEL = {label: fname for fname, labels in HEADER_LABELS.items() for label in labels}
# The label first (no optional bracket before it), so the regex engine skips ahead to the
# labels' first characters instead of trying every position; a `【` before a label is
# decoration that value cleaning drops.
_LABEL_RE = re.compile(
    r"(" + "|".join(sorted(map(re.escape, _FIELD_OF_LABEL), key=len, reverse=True))
    + r")\s*[:：]"
)
# Text around values that is decoration, not data.
_VALUE_NOISE_RE = re.compile(
    r"[|｜【】\[\]]|【?字体[:：]?\s*[大中小\s]+】?|打印本页|关闭窗口|分享到"
)
_COUNT_RE = re.compile(r"\d[\d,]*")
_WS_RE = re.compile(r"[\s\u3000\xa0]+")


def _clean(value: str) -> str:
    value = _VALUE_NOISE_RE.sub(" ", value)
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
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        fname = _FIELD_OF_LABEL[match.group(1)]
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
            fields[fname] = value or None
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
    return len({_FIELD_OF_LABEL[m.group(1)] for m in _LABEL_RE.finditer(text)})


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
