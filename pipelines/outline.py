"""The numbered structure of a notice body as a tree of headings and their text.

Input is a list of paragraphs (one per line of ``body_text``). Output nodes are dicts
``{"level", "number", "heading", "text", "children"}`` in that key order.

Numbering styles and how ``number`` is printed:

=============  ===========================  =================
style          printed                      ``number``
=============  ===========================  =================
cn             ``一、`` ``一．``             ``一``
cn_paren       ``（一）`` ``(一)``           ``（一）`` ``(一)``
arabic         ``1.`` ``1．`` ``1、``        ``1.`` ``1．`` ``1``
arabic_paren   ``(1)`` ``（1）``             ``(1)`` ``（1）``
circled        ``①``                        ``①``
problem        ``问题1：`` ``问题一、``       ``问题1`` ``问题一``
=============  ===========================  =================

The number is the token as printed, less a trailing separator ``、`` / ``：`` / ``:``; a
``.`` or ``．`` after Arabic digits is part of the number (``1.``).

Levels come from the order in which styles appear, not from a fixed ranking: a heading
whose style is already open on the path from the root becomes a sibling of that open node;
a heading of any other style becomes a child of the deepest open node.

Heading and text: the heading is the rest of the numbered line after the number; if that
line has a sentence end (``。！？``) followed by more words, the heading ends with the first
sentence end and the remainder becomes the first paragraph of the node's text. ``text`` is
the paragraphs up to the next heading, joined by ``\\n``, labels such as ``整改情况：``
included as printed.

Unnumbered headings: a short line without sentence-final punctuation that comes after the
first numbered heading and right before a heading numbered 1 (一, (1), …) of a style other
than the top level's — e.g. ``巡视巡察整改不到位`` before ``1、…`` — is a section heading
whose number was left out. It becomes a top-level node with ``number`` None and takes the
following numbered headings as its children; a later top-level heading (``四、``) is again
its sibling. So it neither swallows the previous section's text nor breaks the numbering.

The preamble (paragraphs before the first heading), the closing (from the first
paragraph such as ``欢迎广大干部群众…监督`` or ``联系方式：…`` after the outline started)
and a final signature (a last paragraph that is only a date, with up to two short
unpunctuated lines before it, such as ``中共某某县委`` / ``二〇二二年九月五日``) are not
part of the tree.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from pipelines.cndates import DATE_PATTERN, cn_number

CN_NUMERALS = "一二三四五六七八九十百零〇两"
CIRCLED_NUMBERS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# style name -> pattern at the start of a paragraph. Group "value" is the ordinal, group
# "number" the printed token where it differs from the value, group "dot" a kept "." / "．".
NUMBERING_STYLES: dict[str, re.Pattern[str]] = {
    "problem": re.compile(rf"问题\s*(?P<value>\d{{1,3}}|[{CN_NUMERALS}]{{1,4}})\s*[、：:．.\s]\s*"),
    "cn_paren": re.compile(
        rf"(?P<number>[（(]\s*(?P<value>[{CN_NUMERALS}]{{1,4}})\s*[）)])\s*[、.．]?\s*"
    ),
    "arabic_paren": re.compile(r"(?P<number>[（(]\s*(?P<value>\d{1,3})\s*[）)])\s*[、.．]?\s*"),
    "cn": re.compile(rf"(?P<value>[{CN_NUMERALS}]{{1,4}})\s*[、．]\s*"),
    "arabic": re.compile(r"(?P<value>\d{1,3})\s*(?:(?P<dot>[.．])(?!\d)|、)\s*"),
    "circled": re.compile(rf"(?P<value>[{CIRCLED_NUMBERS}])\s*"),
}
# style name -> the characters its numbering token can start with.
NUMBERING_FIRST_CHARS = {
    "problem": "问",
    "cn_paren": "（(",
    "arabic_paren": "（(",
    "cn": CN_NUMERALS,
    "arabic": "0123456789",
    "circled": CIRCLED_NUMBERS,
}
# first character of a paragraph -> the (style, pattern) pairs to try, in order. Paragraphs
# starting otherwise are passed over at once.
STYLES_BY_FIRST_CHAR: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    char: tuple(
        (style, pattern)
        for style, pattern in NUMBERING_STYLES.items()
        if char in NUMBERING_FIRST_CHARS[style]
    )
    for char in "".join(NUMBERING_FIRST_CHARS.values())
}
SENTENCE_END_PATTERN = re.compile(r"[。！？!?][”’」』）)]*")
CLOSING_PATTERN = re.compile(
    r"(?:欢迎(?:广大|社会|各界|干部|群众|大家)|如有意见|联系方式|联系电话|监督电话|举报电话|特此通报|"
    r"附件\s*[：:\d一二三])"
)
LABEL_PATTERN = re.compile(r"(?:整改|问题|工作)(?:情况|成效|措施|进展|结果|目标|时限)\s*[：:]?$")
UNNUMBERED_HEADING_MAX_CHARS = 40
UNNUMBERED_HEADING_TERMINALS = tuple("。！？；：:;!?.，,、")
SIGNATURE_MAX_LINES = 2
SIGNATURE_LINE_PATTERN = re.compile(r"[^。！？；：:;!?，,]{2,30}")


class NumberedLine(NamedTuple):
    """A paragraph that starts with a numbering token."""

    style: str
    number: str
    ordinal: int | None
    rest: str


def parse_numbered_line(paragraph: str) -> NumberedLine | None:
    """The numbering of a heading paragraph, or None for an ordinary paragraph."""
    if not paragraph:
        return None
    for style, pattern in STYLES_BY_FIRST_CHAR.get(paragraph[0], ()):
        match = pattern.match(paragraph)
        if match is None:
            continue
        rest = paragraph[match.end() :].strip()
        if not rest:
            return None
        value = match["value"]
        if style in ("cn_paren", "arabic_paren"):
            number = match["number"]
        elif style == "problem":
            number = "问题" + value
        elif style == "arabic":
            number = value + (match["dot"] or "")
        else:
            number = value
        ordinal = CIRCLED_NUMBERS.index(value) + 1 if style == "circled" else cn_number(value)
        return NumberedLine(style, number, ordinal, rest)
    return None


def split_heading(rest: str) -> tuple[str, str]:
    """Heading and leftover text of a numbered line (see the module docstring)."""
    sentence_end = SENTENCE_END_PATTERN.search(rest)
    if sentence_end is None or sentence_end.end() >= len(rest):
        return rest, ""
    return rest[: sentence_end.end()], rest[sentence_end.end() :].strip()


def is_closing(paragraph: str) -> bool:
    """Whether the paragraph starts the closing (invitation to supervise, contacts, …)."""
    return CLOSING_PATTERN.match(paragraph) is not None


def _looks_like_unnumbered_heading(
    paragraph: str, following: NumberedLine | None, top_style: str | None
) -> bool:
    return (
        top_style is not None
        and following is not None
        and following.style != top_style
        and following.ordinal == 1
        and len(paragraph) <= UNNUMBERED_HEADING_MAX_CHARS
        and not paragraph.endswith(UNNUMBERED_HEADING_TERMINALS)
        and LABEL_PATTERN.search(paragraph) is None
    )


def _new_node(level: int, number: str | None, heading: str) -> dict:
    """A node whose ``text`` is the list of its paragraphs, until ``build_outline`` joins them."""
    return {"level": level, "number": number, "heading": heading, "text": [], "children": []}


def signature_start(paragraphs: list[str]) -> int:
    """Index where a final signature block (publisher lines and a date) starts, else len."""
    end = len(paragraphs)
    if not paragraphs or DATE_PATTERN.fullmatch(paragraphs[-1]) is None:
        return end
    start = end - 1
    while (
        start > 0
        and end - start <= SIGNATURE_MAX_LINES
        and SIGNATURE_LINE_PATTERN.fullmatch(paragraphs[start - 1])
        and parse_numbered_line(paragraphs[start - 1]) is None
    ):
        start -= 1
    return start


def first_heading_index(paragraphs: list[str]) -> int:
    """Index of the first numbered paragraph (``len(paragraphs)`` if there is none)."""
    for index, paragraph in enumerate(paragraphs):
        if parse_numbered_line(paragraph) is not None:
            return index
    return len(paragraphs)


def build_outline(paragraphs: list[str]) -> list[dict]:
    """The outline tree of a notice body given as paragraphs (see the module docstring)."""
    paragraphs = paragraphs[: signature_start(paragraphs)]
    numbered = [parse_numbered_line(paragraph) for paragraph in paragraphs]
    roots: list[dict] = []
    nodes: list[dict] = []  # every node, its "text" a list of paragraphs until the end
    open_styles: list[str] = []  # styles of the open nodes, from the top level down
    open_nodes: list[dict] = []
    top_style: str | None = None

    for index, paragraph in enumerate(paragraphs):
        line = numbered[index]
        if line is not None:
            if line.style in open_styles:
                depth = open_styles.index(line.style)
                del open_styles[depth:], open_nodes[depth:]
            heading, leftover = split_heading(line.rest)
            node = _new_node(len(open_nodes) + 1, line.number, heading)
            (open_nodes[-1]["children"] if open_nodes else roots).append(node)
            if leftover:
                node["text"].append(leftover)
            nodes.append(node)
            open_styles.append(line.style)
            open_nodes.append(node)
            top_style = top_style or line.style
            continue
        if not open_nodes:
            continue  # preamble
        if is_closing(paragraph):
            break
        following = numbered[index + 1] if index + 1 < len(paragraphs) else None
        if _looks_like_unnumbered_heading(paragraph, following, top_style):
            node = _new_node(1, None, paragraph)
            roots.append(node)
            nodes.append(node)
            open_styles[:], open_nodes[:] = [top_style], [node]
            continue
        open_nodes[-1]["text"].append(paragraph)

    for node in nodes:
        node["text"] = "\n".join(node["text"])
    return roots
