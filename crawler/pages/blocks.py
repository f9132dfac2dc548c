"""Block-aware text of an HTML element: paragraphs in document order, scripts and styles gone."""

from __future__ import annotations

import re

from lxml import etree

BLOCK_TAGS = frozenset(
    "p div br li ul ol tr table tbody thead h1 h2 h3 h4 h5 h6 section article header footer "
    "blockquote pre center dd dt dl form hr address figure figcaption caption main nav aside"
    .split()
)
# Characters str.split() keeps but the record's normalization treats as whitespace: a paragraph
# of only these is empty.
INVISIBLE_AS_SPACE = str.maketrans({"\u200b": " ", "\ufeff": " "})
_DISPLAY_NONE_RE = re.compile(r"display\s*:\s*none", re.I)
SKIPPED_TAGS = frozenset("head script style noscript template iframe select button object".split())


def element_paragraphs(element) -> list[str]:
    """The element's text split at block boundaries, each paragraph whitespace-collapsed."""
    parts: list[str] = []
    walker = etree.iterwalk(element, events=("start", "end", "comment", "pi"))
    for event, node in walker:
        tag = node.tag.lower() if isinstance(node.tag, str) else None
        if event in ("comment", "pi"):
            if node.tail:
                parts.append(node.tail)
        elif event == "start":
            if tag in SKIPPED_TAGS or (node.attrib and is_hidden(node)):
                walker.skip_subtree()
                continue
            if tag in BLOCK_TAGS:
                parts.append("\n")
            if node.text:
                parts.append(node.text)
        else:
            if tag in BLOCK_TAGS:
                parts.append("\n")
            if node is not element and node.tail:
                parts.append(node.tail)
    text = "".join(parts).translate(INVISIBLE_AS_SPACE)
    paragraphs = (" ".join(line.split()) for line in text.split("\n"))
    return [p for p in paragraphs if p]


def is_hidden(node) -> bool:
    """Whether the markup hides an element (`hidden`, `display:none`, AngularJS `ng-hide`)."""
    if "hidden" in node.attrib:
        return True
    style = node.get("style")
    if style and "none" in style and _DISPLAY_NONE_RE.search(style):
        return True
    return "ng-hide" in (node.get("class") or "")


def element_text(element) -> str:
    """All paragraphs of the element on one line, separated by spaces."""
    return " ".join(element_paragraphs(element))
