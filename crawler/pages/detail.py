"""The notice page object: title, metadata, body, attachments and counter URL of one page.

Every field is chosen by the first of its rules that gives a value; `field_rules` names the
rule that chose each field (`meta`, `header_line`, `text_near_title`, `density`, …), so a
crawl can count them and a record can say why a value was taken.
"""

from __future__ import annotations

import copy
import mimetypes
import re
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from urllib.parse import parse_qsl, urlsplit

from lxml import etree
from lxml import html as lxml_html
from parsel.csstranslator import HTMLTranslator

from crawler.pages.blocks import INVISIBLE_AS_SPACE, element_paragraphs, is_hidden
from crawler.pages.header import (
    FULL_DATE_RE,
    disclosure_table,
    disclosure_table_end,
    header_label_count,
    parse_header_line,
    text_before_header,
    unlabelled_date,
)
from crawler.pages.urls import link_target, web_url
from pipelines.cndates import parse_date
from pipelines.normalize import SITE_NAME_END_RE as _SITE_NAME_END_RE
from pipelines.normalize import clean_title, title_prefixes

# Body containers common to many templates, tried in order after the platforms' containers
# (`Templates`) and before the text-density fallback.
BODY_SELECTORS = (
    ".article-content", ".article_content", ".article-body", ".contentBox", ".content-text",
    "#content", ".content", ".detail-content", ".news_content", "div.article",
)
# Containers named for content on other templates, tried after the known ones.
CONTENT_SELECTORS = ("[id*=content]", "[class*=content]", "[id*=Content]", "[class*=Content]")
TITLE_SELECTORS = (
    "h1", ".article-title", ".detail-title", ".title", "h2",
)
# Looser title hints, taken only when the page's <title> starts with their text.
TITLE_HINT_SELECTORS = ("[class*=title]", "[class*=Title]", "[id*=title]", "[class*=bt]", "h3",
                        "h4", "h5")
META_FIELDS = {
    "title": ("articletitle",),
    "og_title": ("og:title",),
    "published_at": ("pubdate", "publishdate"),
    "source": ("contentsource",),
    "author": ("author",),
    "site_name": ("sitename",),
}
ATTACHMENT_TYPES = {
    "pdf": "application/pdf", "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "wps": "application/vnd.ms-works", "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ofd": "application/ofd", "zip": "application/zip", "rar": "application/vnd.rar",
}
RULED_FIELDS = ("title", "published_at", "source", "author", "editor", "hit_count", "body",
                 "attachments")
_MIN_BODY_CHARS = 20
_HEADER_MAX_CHARS = 300
_EDITOR_LINE_MAX_CHARS = 40
# How far after the title the page's own metadata lines are looked for.
_NEAR_TITLE_LINES = 8
_NEAR_TITLE_LINE_MAX_CHARS = 120
# A line of its own printing a date in Chinese numerals is this short; a dated line may add
# this much that is not a labelled field.
_DATE_LINE_MAX_CHARS = 20
_DATE_LINE_REST_MAX_CHARS = 10
# How many of the page's first lines may hold its 信息公开 metadata table.
_DISCLOSURE_TABLE_LINES = 200
# A body candidate with less text than this share of the densest block's is rejected.
_MAIN_TEXT_SHARE = 0.3
# A body candidate opening with a breadcrumb within this many lines is the page's frame.
_BREADCRUMB_LINES = 5
# A body candidate this long is not compared with the densest block.
_LONG_BODY_CHARS = 800
# A body candidate whose text is mostly link text is navigation.
_LINK_TEXT_SHARE = 0.5


@dataclass(frozen=True)
class Templates:
    """What the CMS templates the crawler knows mark on a page (crawler/platforms/ gives
    them): body containers, title elements, and how to find the hit-counter request from
    the page's script URLs, source and URL."""

    body_selectors: tuple[str, ...] = ()
    title_selectors: tuple[str, ...] = ()
    counter_url: Callable[[list[str], str, str], str | None] = lambda srcs, html, url: None


@dataclass(frozen=True)
class Attachment:
    url: str
    name: str | None
    media_type: str | None

    def asdict(self) -> dict:
        return {"url": self.url, "name": self.name, "media_type": self.media_type}


_css_xpath = cache(HTMLTranslator().css_to_xpath)
# The word an id, class or attribute-substring selector needs in the page's source.
_SELECTOR_WORD_RE = re.compile(r"(?:[#.]|\*=)([\w-]+)\]?$")
_UNLITERAL_SOURCE_RE = re.compile("&#|[\x00-\x08\x0b\x0c\x0e-\x1f]")


@cache
def _compiled_xpath(query: str) -> etree.XPath:
    """A query compiled as parsel compiles it for HTML pages."""
    return etree.XPath(query, namespaces={"re": "http://exslt.org/regular-expressions"},
                       smart_strings=False)


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
# Words whose element may hold the header line, and those of an editor line.
_HEADER_WORDS_RE = re.compile("来源|來源|时间|日期|點擊|点击|浏览|作者|發布")
_EDITOR_WORDS_RE = re.compile("责任编辑|責任編輯|编辑[:：]|編輯[:：]")
_UNREAD_TAGS = ("script", "style", "head", "title")
_BREADCRUMB_WORDS_RE = re.compile("当前位置|您的位置|所在位置|现在的位置")
_WORD_CLASSES = (_HEADER_WORDS_RE, _EDITOR_WORDS_RE, _BREADCRUMB_WORDS_RE)
_ANY_WORDS_RE = re.compile("|".join(words.pattern for words in _WORD_CLASSES))

Rule = tuple[str, Callable[[], object]]


class NoticePage:
    """Fields of a notice page. Header/meta values are raw strings; the pipeline normalizes."""

    def __init__(self, response, templates: Templates = Templates()):
        self.response = response
        self.templates = templates

    # --- rules ----------------------------------------------------------------------------
    @cached_property
    def _chosen_rules(self) -> dict[str, str]:
        return {}

    def _first_of(self, field: str, rules: Iterable[Rule]):
        """The first non-empty value the rules give, noting which rule gave it."""
        for name, rule in rules:
            value = rule()
            if value not in (None, "", []):
                self._chosen_rules[field] = name
                return value
        return None

    @property
    def field_rules(self) -> dict[str, str]:
        """The rule that chose each field the page gives (fields without a value left out)."""
        for field in RULED_FIELDS:
            getattr(self, "body_element" if field == "body" else field)
        return {field: self._chosen_rules[field] for field in RULED_FIELDS
                if field in self._chosen_rules}

    # --- metadata -----------------------------------------------------------------------
    def meta(self, field: str) -> str | None:
        """The first non-blank `<meta name=…>` (or `property=`) value naming this field."""
        for name in META_FIELDS[field]:
            for value in self._meta_contents.get(name, ()):
                if "<" in value:  # markup written into the value (`标题<div>——副题</div>`)
                    value = _TAG_RE.sub("", value)
                if value.strip():
                    return " ".join(value.split())
        return None

    @cached_property
    def _meta_contents(self) -> dict[str, list[str]]:
        """The `content` of every `<meta name=…>` or `<meta property=…>`, by name in ASCII
        lower case, in page order."""
        contents: dict[str, list[str]] = {}
        for meta in self._nodes("//meta[@name or @property]"):
            content = meta.get("content")
            if content is not None:
                name = (meta.get("name") or meta.get("property")).translate(_ASCII_LOWER)
                contents.setdefault(name, []).append(content)
        return contents

    def _nodes(self, query: str) -> list:
        """The lxml nodes (or strings) an XPath query selects on the page: what
        `response.xpath` wraps in Selectors, without the wrapping."""
        selector = self.response.selector
        if selector.type != "html" or not hasattr(selector.root, "xpath"):
            return [node.root for node in self.response.xpath(query)]
        return _compiled_xpath(query)(selector.root)

    def _select(self, selector: str) -> list:
        """The elements a CSS selector matches, in page order. The page is not searched when
        its source lacks the selector's id or class word: without character references
        (`&#…;`) or control characters, attribute values are written out in the source."""
        found = self._selected.get(selector)
        if found is None:
            word = _SELECTOR_WORD_RE.search(selector)
            if word and word.group(1) not in self.response.text and self._source_is_literal:
                found = []
            else:
                found = self._nodes(_css_xpath(selector))
            self._selected[selector] = found
        return found

    @cached_property
    def _selected(self) -> dict[str, list]:
        return {}

    @cached_property
    def _source_is_literal(self) -> bool:
        return _UNLITERAL_SOURCE_RE.search(self.response.text) is None

    @cached_property
    def _page_root(self):
        """The element whose descendants are the page's visible content: <body>; or, when
        markup after a stray `</html>` became a second document element, a copy of what
        every document element holds outside <head>."""
        if self.response.selector.type != "html":
            return None
        tops = [node for node in self._nodes("/*") if isinstance(node.tag, str)]
        if len(tops) <= 1:
            bodies = self._nodes("//body")
            return bodies[0] if bodies else (tops[0] if tops else None)
        root = lxml_html.Element("div")
        for top in tops:
            for child in top:
                if child.tag != "head":
                    root.append(copy.deepcopy(child))
        return root

    @cached_property
    def _paragraph_cache(self) -> dict:
        return {}

    def _paragraphs(self, element) -> list[str]:
        """`element_paragraphs` of an element of this page, computed once per element."""
        paragraphs = self._paragraph_cache.get(element)
        if paragraphs is None:
            paragraphs = self._paragraph_cache[element] = element_paragraphs(element)
        return paragraphs

    def _text(self, element) -> str:
        """`element_text` of an element of this page."""
        return " ".join(self._paragraphs(element))

    @cached_property
    def _worded_elements(self) -> tuple[list, list, list]:
        """Elements of the page's content (not script or style) with a text node of their own
        naming a header word, those naming an editor word and those naming a breadcrumb
        (`当前位置`), in page order (one pass over the page: a node's tail is a text node of
        its parent)."""
        order = self._node_order
        found: tuple[dict, dict, dict] = ({}, {}, {})

        def mark(owner, text: str) -> None:
            for words, elements in zip(_WORD_CLASSES, found, strict=True):
                if words.search(text):
                    elements.setdefault(owner, order[owner])

        root = self._page_root
        for node in root.iterdescendants() if root is not None else ():
            order[node] = len(order)
            if (isinstance(node.tag, str) and node.text and node.tag not in _UNREAD_TAGS
                    and _ANY_WORDS_RE.search(node.text)):
                mark(node, node.text)
            if node.tail and _ANY_WORDS_RE.search(node.tail):
                parent = node.getparent()
                if parent is not root and parent.tag not in _UNREAD_TAGS:
                    mark(parent, node.tail)
        return tuple(sorted(elements, key=elements.get) for elements in found)

    @cached_property
    def _node_order(self) -> dict:
        """Each element's position in the page (filled by `_worded_elements`)."""
        return {}

    @cached_property
    def header(self) -> dict:
        """Fields of the page's header line (来源/时间/点击量…), {} when it has none."""
        line = self.header_line
        return parse_header_line(line) if line else {}

    @cached_property
    def header_line(self) -> str | None:
        """The smallest element text naming at least two header fields (or one and a date:
        `2018-04-19 17:32:17 来源：X` prints the date without a label)."""
        return self._header_line_choice[0]

    @cached_property
    def _header_line_choice(self) -> tuple[str | None, object]:
        """(the header line, its element)."""
        best, best_element = None, None
        for element in self._worded_elements[0]:
            text = self._text(element)
            if len(text) > _HEADER_MAX_CHARS:
                continue
            if not _is_header_text(text):
                # labels in sibling elements: their parent is the line, when it is a line
                # and not the whole article
                parent = element.getparent()
                if parent is None or not self._is_short_block(parent):
                    continue
                text, element = self._text(parent), parent
                if len(text) > _HEADER_MAX_CHARS or not _is_header_text(text):
                    continue
            if best is None or len(text) < len(best):
                best, best_element = text, element
        return best, best_element

    def _is_short_block(self, element) -> bool:
        """A few short lines (a header block), not an article."""
        lines = self._paragraphs(element)
        return len(lines) <= 4 and all(len(line) <= _NEAR_TITLE_LINE_MAX_CHARS
                                       for line in lines)

    @cached_property
    def near_title(self) -> dict:
        """Header fields printed on the short lines right after the title, a label and its
        value on one line or a label alone with its value on the next (`发布时间：` / `2023-
        12-01`)."""
        lines = self._near_title_lines
        fields: dict = {}
        for index, line in enumerate(lines):
            if _LABEL_ONLY_RE.match(line) and index + 1 < len(lines):
                line = f"{line}{lines[index + 1]}"
            for name, value in parse_header_line(line).items():
                if value is not None:
                    fields.setdefault(name, value)
        return fields

    @cached_property
    def date_near_title(self) -> str | None:
        """The first date printed without a label on the short lines after the title."""
        for line in self._near_title_lines:
            date = _printed_date(line)
            if date:
                return date
        return None

    @cached_property
    def disclosure_table(self) -> dict:
        """Source and date of the page's 政府信息公开 metadata table ({} without one)."""
        if self._page_root is None:
            return {}
        return disclosure_table(self._paragraphs(self._page_root)[:_DISCLOSURE_TABLE_LINES])

    @cached_property
    def _near_title_lines(self) -> list[str]:
        return self._lines_after_title()

    def _lines_after_title(self) -> list[str]:
        """The short text lines that follow the title (the rest of the title's line first,
        when it runs on into metadata): from the title's element on when a heading holds it,
        else from its first appearance as a line of the page."""
        title = _compact(self.title)
        if not title or self._page_root is None:
            return []
        node = self._title_node
        lines = self._lines_from(node) if node is not None else self._paragraphs(self._page_root)
        for index in self._title_search_order(lines, node is None):
            # the title may be printed over a few lines
            for end in range(index + 1, min(index + 4, len(lines)) + 1):
                rest = _after_prefix("".join(lines[index:end]), title)
                if rest is not None:
                    break
            if rest is None or len(rest) > _NEAR_TITLE_LINE_MAX_CHARS:
                continue
            following = lines[end:end + _NEAR_TITLE_LINES]
            near = [rest] if rest else []
            return near + [text for text in following
                           if len(text) <= _NEAR_TITLE_LINE_MAX_CHARS]
        return []

    def _title_search_order(self, lines: list[str], whole_page: bool) -> list[int]:
        """Line positions to look for the title at: in order, or, over the whole page, from
        the body's first line backwards first (a list of other notices may print it above)."""
        order = list(range(len(lines)))
        body = self._body_candidate_lines()
        if not whole_page or not body or body[0] not in lines:
            return order
        start = lines.index(body[0])
        return [*range(start, -1, -1), *range(start + 1, len(lines))]

    @cached_property
    def _title_node(self):
        """The heading element that prints the title, None when no heading does."""
        title = _compact(self.title)
        for selector in (*self._title_selectors, *TITLE_HINT_SELECTORS):
            for node in self._select(selector):
                if "".join(self._text(node).split()).startswith(title):
                    return node
        return None

    def _lines_from(self, node) -> list[str]:
        """The lines of an element and of what follows it in the page, up to a few past it
        (each following sibling, then those of its ancestors, read whole)."""
        lines = list(self._paragraphs(node))
        wanted = len(lines) + _NEAR_TITLE_LINES
        while node is not None and node is not self._page_root and len(lines) < wanted:
            if node.tail and node.tail.strip():
                lines.append(" ".join(node.tail.split()))
            for sibling in node.itersiblings():
                if isinstance(sibling.tag, str) and sibling.tag not in _UNREAD_TAGS:
                    lines += self._paragraphs(sibling)
                if sibling.tail and sibling.tail.strip():
                    lines.append(" ".join(sibling.tail.split()))
                if len(lines) >= wanted:
                    break
            node = node.getparent()
        return lines

    # --- title ----------------------------------------------------------------------------
    @cached_property
    def title(self) -> str | None:
        return self._first_of("title", self.title_rules())

    @property
    def _title_selectors(self) -> tuple[str, ...]:
        """Title elements: the platform's, then those common to many templates."""
        return (*self.templates.title_selectors, *TITLE_SELECTORS)

    def title_rules(self) -> list[Rule]:
        """Title rules, in order; platform pages put their own first."""
        return [
            ("heading_in_page_title", self._heading_in_page_title),
            ("page_title_printed", self._printed_page_title),
            ("meta", self._printed_meta_title),
            ("above_header_line", self._title_above_header_line),
            ("heading", lambda: next(iter(self._title_candidates(self._title_selectors)), None)),
            ("og_meta", lambda: clean_title(self.meta("og_title"), self.site_name) or None),
            ("page_title", self._title_from_page_title),
        ]

    def _title_from_page_title(self) -> str | None:
        """The <title> without site suffixes, and without the reporter's name it may add
        when the page prints that name on the line under the title."""
        title = clean_title(self._page_title, self.site_name)
        compact = _compact(title)
        lines = self._paragraphs(self._page_root) if self._page_root is not None else []
        for line, following in zip(lines, lines[1:], strict=False):
            if (_PERSON_NAMES_RE.match(following) and compact.startswith(_compact(line))
                    and compact == _compact(line) + _compact(following)):
                return line
        return title or None

    def _printed_page_title(self) -> str | None:
        """The longest start of the <title>, up to a separator, that the page prints outside
        links and that holds more than the `<meta>` title (a heading printed in parts,
        `引题<br>主题`, whose meta title keeps only the main line)."""
        meta = _compact(self.meta("title"))
        if self._page_root is None or not meta:
            return None
        for prefix in reversed(title_prefixes(self._page_title)):
            compact = _compact(prefix)
            if (meta in compact and len(compact) > len(meta)
                    and compact in self._compact_page_text
                    and not _SITE_NAME_END_RE.search(compact)):
                return prefix
        return None

    def _printed_meta_title(self) -> str | None:
        """The `<meta name=ArticleTitle>` value when the page prints it (a template may fill
        it with more than the heading shows)."""
        title = self.meta("title")
        if not title or self._page_root is None:
            return title
        return title if _compact(title) in self._compact_page_text else None

    @cached_property
    def _compact_page_text(self) -> str:
        """The page's text outside links (lists of other notices), whitespace removed."""
        texts = _compiled_xpath(
            ".//text()[not(ancestor::a or ancestor::script or ancestor::style or "
            "ancestor::title or ancestor::*[@hidden or contains(@class, 'ng-hide') or "
            "contains(translate(@style, ' ', ''), 'display:none')])]")(self._page_root)
        return "".join("".join(texts).split())

    @cached_property
    def _page_title(self) -> str:
        texts = self._nodes("/html/head/title//text()") or self._nodes("//title//text()")
        return " ".join("".join(texts).split())

    def _heading_in_page_title(self) -> str | None:
        """A heading, og:title or the body's opening lines that equal the <title> (or the
        `<meta>` title) up to one of its separators (`标题_栏目_网站`, `标题 - 网站`,
        `标题__期号_网站`, `标题（文号）`); not the site's masthead above the breadcrumb."""
        prefixes = {"".join(p.split()) for title in (self._page_title, self.meta("title"))
                    for p in title_prefixes(title)}
        if not prefixes:
            return None
        candidates = [*self._title_candidate_nodes(self._title_selectors),
                      *self._title_candidate_nodes(TITLE_HINT_SELECTORS)]
        og_title = self.meta("og_title")
        if og_title:
            candidates.append((og_title, None))
        for text, node in candidates:
            if "".join(text.split()) in prefixes and not self._is_masthead(node):
                return text
        # the body may open with the title, split over lines
        opening = ""
        for line in self._body_candidate_lines()[:4]:
            opening += line
            if "".join(opening.split()) in prefixes:
                return opening
        return None

    def _is_masthead(self, node) -> bool:
        """Whether an element comes before the page's breadcrumb (the site's masthead)."""
        breadcrumbs = self._worded_elements[2]
        order = self._node_order
        if node is None or not breadcrumbs or node not in order:
            return False
        return order[node] < order[breadcrumbs[0]]

    def _body_candidate_lines(self) -> list[str]:
        element = self._body_choice[0]
        return self._paragraphs(element) if element is not None else []

    def _title_above_header_line(self) -> str | None:
        """The line printed right above the header line (`标题` / `发布时间：… 来源：…`)."""
        line = self.header_line
        if not line or self._page_root is None:
            return None
        lines = self._paragraphs(self._page_root)
        prefixes = {"".join(p.split()) for p in title_prefixes(self._page_title)}
        for index, text in enumerate(lines):
            if text == line or (line.startswith(text) and header_label_count(text)):
                above = [text for text in reversed(lines[max(0, index - 3):index])
                         if 4 <= len(text) <= 200 and not _is_breadcrumb(text)
                         and not _URL_ONLY_RE.match(text)]
                agreeing = [text for text in above if "".join(text.split()) in prefixes]
                return (agreeing or above or [None])[0]
        return None

    def _title_candidates(self, selectors) -> list[str]:
        return [text for text, _ in self._title_candidate_nodes(selectors)]

    def _title_candidate_nodes(self, selectors) -> list[tuple[str, object]]:
        """(text, element) of the shown elements the selectors match, title-sized."""
        return [(text, node) for selector in selectors for node in self._select(selector)
                if 4 <= len(text := text_before_header(_joined_lines(self._paragraphs(node))))
                <= 200 and _is_shown(node)]

    # --- header fields --------------------------------------------------------------------
    @cached_property
    def published_at(self) -> str | None:
        return self._first_of("published_at", [
            ("header_line", lambda: self.header.get("published_at")
             or unlabelled_date(self.header_line or "")),
            ("text_near_title", lambda: self.near_title.get("published_at")),
            ("disclosure_table", lambda: self.disclosure_table.get("published_at")),
            ("date_near_title", lambda: self.date_near_title),
            ("meta", lambda: self.meta("published_at")),
        ])

    @cached_property
    def source(self) -> str | None:
        return self._first_of("source", [
            ("header_line", lambda: self.header.get("source")),
            ("text_near_title", lambda: self.near_title.get("source")),
            ("disclosure_table", lambda: self.disclosure_table.get("source")),
            ("meta", self._meta_source),
        ])

    def _meta_source(self) -> str | None:
        """The `<meta name=ContentSource>` value, unless it only repeats the site's name
        (`<meta name=SiteName>`): a template's default, not a source the notice names."""
        source = self.meta("source")
        if source and _compact(source) == _compact(self.site_name):
            return None
        return source

    @cached_property
    def author(self) -> str | None:
        return self._first_of("author", [
            ("header_line", lambda: self.header.get("author")),
            ("text_near_title", lambda: self.near_title.get("author")),
            ("byline", lambda: self._byline[0]),
            ("closing_credit", self._closing_credit),
            ("meta", self._printed_meta_author),
        ])

    def _closing_credit(self) -> str | None:
        """The reporters a notice credits at the end of its text (`…。（记者 黄玥、孙少龙）`);
        the credit stays in the text."""
        lines = self._body_candidate_lines()
        match = _CLOSING_CREDIT_RE.search(lines[-1]) if lines else None
        if not match:
            return None
        return " ".join(re.split(r"[\s、，,]+", match.group("names").strip()))

    def _printed_meta_author(self) -> str | None:
        """The `<meta name=author>` value when it names people and the article prints them,
        beside the title or in the text (else it names the CMS account or the agency that
        posted the page)."""
        author = self.meta("author")
        if not author or not _PERSON_NAMES_RE.match(author):
            return None
        printed = " ".join([*self._near_title_lines, *self._body_candidate_lines()])
        return author if author in printed else None

    @cached_property
    def editor(self) -> str | None:
        """责任编辑 in the header line, else on a line of its own (often below the body)."""
        return self._first_of("editor", [
            ("header_line", lambda: self.header.get("editor")),
            ("editor_line", self._editor_line),
        ])

    def _editor_line(self) -> str | None:
        for element in self._worded_elements[1]:
            text = self._text(element)
            if len(text) <= _EDITOR_LINE_MAX_CHARS:
                editor = parse_header_line(text).get("editor")
                if editor:
                    return editor
        for line in reversed(self._body_candidate_lines()[-3:]):
            match = _EDITOR_LINE_RE.match(line)
            if match:
                return match.group("name")
        return None

    @cached_property
    def hit_count(self) -> int | None:
        """The count printed on the page itself (None when only a counter script shows it)."""
        return self._first_of("hit_count", [
            ("header_line", lambda: self.header.get("hit_count")),
            ("text_near_title", lambda: self.near_title.get("hit_count")),
        ])

    @property
    def site_name(self) -> str | None:
        return self.meta("site_name")

    @cached_property
    def counter_url(self) -> str | None:
        return self.templates.counter_url(self._nodes("//script/@src"), self.response.text,
                                          self.response.url)

    # --- body -----------------------------------------------------------------------------
    @cached_property
    def body_element(self):
        """The element holding the notice text: a platform container or the densest block,
        the first that passes the body checks."""
        element, rule = self._body_choice
        if element is not None:
            self._chosen_rules["body"] = rule
        return element

    @cached_property
    def _body_choice(self) -> tuple[object, str | None]:
        for rule, element in self.body_candidates():
            if self._is_body(element):
                return _whole_sectioned_text(element), rule
        main = self._densest
        return (main, "density") if main is not None else (None, None)

    def body_candidates(self) -> Iterable[tuple[str, object]]:
        """(rule, element) pairs tried as the body before the densest block."""
        for selector in (*self.templates.body_selectors, *BODY_SELECTORS):
            for node in self._select(selector):
                yield "body_selector", node
        # any container named for content, but not the article's frame around the header
        header = self._header_line_choice[1]
        for selector in CONTENT_SELECTORS:
            for node in self._select(selector):
                if header is None or not any(a is node for a in header.iterancestors()):
                    yield "content_container", node

    @cached_property
    def _densest(self):
        return densest_block(self._page_root)

    def _is_body(self, element) -> bool:
        """Whether a candidate reads as the notice text: enough text (or a short text with
        an attachment), not a bare URL, not a list of links, not far shorter than the page's
        main text."""
        if not _is_shown(element):
            return False
        text = self._text(element)
        if _URL_ONLY_RE.match(text):
            return False
        if any(_is_breadcrumb(line) for line in self._paragraphs(element)[:_BREADCRUMB_LINES]):
            return False  # the whole page's frame, not its text
        has_file = bool(self._file_links(element))
        if len(text) < _MIN_BODY_CHARS and not has_file:
            return False
        link_text = sum(len(" ".join(a.text_content().split())) for a in element.iter("a"))
        if text and link_text > _LINK_TEXT_SHARE * len(text) and not has_file:
            return False
        if has_file or len(text) >= _LONG_BODY_CHARS:
            return True
        main = self._densest
        return main is None or len(text) >= _MAIN_TEXT_SHARE * len(self._text(main))

    @cached_property
    def body_paragraphs(self) -> list[str]:
        if self.body_element is None:
            return []
        paragraphs = self._paragraphs(self.body_element)
        paragraphs = paragraphs[disclosure_table_end(paragraphs):]
        names = {"".join(a.name.split()) for a in self.attachments if a.name}
        paragraphs = [p for p in paragraphs
                      if not _is_header_or_chrome(p) and not _is_attachment_line(p, names)]
        paragraphs = _drop_trailing_apparatus(paragraphs)
        paragraphs = _drop_leading_title(paragraphs, self.title or "")
        if paragraphs and self._byline[1] == paragraphs[0]:
            paragraphs = paragraphs[1:]
        return paragraphs

    @cached_property
    def _byline(self) -> tuple[str | None, str | None]:
        """(the reporters' names, the line) of a byline opening the body or printed under
        the title."""
        element = self._body_choice[0]
        lines = self._paragraphs(element) if element is not None else []
        lines = _drop_leading_title(lines[disclosure_table_end(lines):], self.title or "")
        for line in (*lines[:1], *self._near_title_lines[:2]):
            names = _byline_names(line)
            if names:
                return names, line
        # a bare name on the line under the title, which the <title> adds to the title
        after = self._near_title_lines[:1]
        if after and _PERSON_NAMES_RE.match(after[0]) and _compact(self._page_title).startswith(
                _compact(self.title) + _compact(after[0])):
            return after[0], after[0]
        return None, None

    @property
    def body_text(self) -> str:
        return "\n".join(self.body_paragraphs)

    @cached_property
    def attachments(self) -> list[Attachment]:
        """Linked files (by extension) and images inside the body, then files linked right
        after it (an attachment list below the text), first occurrence each."""
        element = self.body_element
        if element is None:
            return []
        seen: dict[str, Attachment] = {}
        for link in self._file_links(element):
            url = web_url(self.response.url, link_target(link))
            name = " ".join(link.text_content().split()) or link_target(link, "title") or None
            seen.setdefault(url, Attachment(url, name, ATTACHMENT_TYPES[file_extension(url)]))
        for image in element.iter("img"):
            url = web_url(self.response.url, link_target(image, "src"))
            if url:
                media_type = mimetypes.guess_type(urlsplit(url).path)[0]
                seen.setdefault(url, Attachment(url, link_target(image, "alt") or None,
                                                media_type))
        if seen:
            self._chosen_rules["attachments"] = "body_links"
        return list(seen.values())

    def _file_links(self, element) -> list:
        """File links in the body, else in the blocks that follow it within its container."""
        links = [a for a in element.iter("a") if _is_file_link(self.response.url, a)]
        if links:
            return links
        for container in (element.getparent(), ):
            if container is None:
                break
            after = False
            for child in container:
                if child is element:
                    after = True
                elif after and isinstance(child.tag, str):
                    links += [a for a in child.iter("a") if _is_file_link(self.response.url, a)]
        return links


def file_extension(url: str) -> str:
    """The lower-case extension of the file a URL fetches: its path's last segment's, or,
    for a download script (`downfile.jsp?filename=x.pdf`), the one of a query value naming
    a file of an attachment type ('' when neither has one)."""
    parts = urlsplit(url)
    extension = _name_extension(parts.path)
    if extension in ATTACHMENT_TYPES or not parts.query:
        return extension
    for _, value in parse_qsl(parts.query):
        if _name_extension(value) in ATTACHMENT_TYPES:
            return _name_extension(value)
    return extension


def _name_extension(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _is_file_link(base_url: str, link) -> bool:
    """A link to an attached file; not a button offering the page itself as a file
    (`pdf下载`, `word下载`)."""
    url = web_url(base_url, link_target(link))
    if not url or file_extension(url) not in ATTACHMENT_TYPES:
        return False
    return not _FORMAT_BUTTON_RE.match(" ".join(link.text_content().split()))


_CHROME_RE = re.compile(r"^(?:【?字体[:：]?\s*[大中小\s]*】?|打印本页|关闭窗口|【?打印】?|"
                        r"【?关闭】?|分享到[:：]?.*|上一篇[:：].*|下一篇[:：].*|"
                        r"扫一扫在手机(?:上)?打开当前页|【?\s*打印本页\s*】?\s*【?\s*关闭窗口\s*】?|"
                        r"[Xx×✕]|(?:(?:pdf|word|doc|wps|ofd)\s*(?:下载|版)\s*)+|已?收藏|"
                        r"(?:【\s*(?:返回顶部|关闭本页|关闭窗口|打印本页|打印|关闭)\s*】\s*)+)$",
                        re.I)
_FORMAT_BUTTON_RE = re.compile(r"^(?:下载)?\s*(?:pdf|word|doc|docx|wps|ofd)\s*(?:下载|版|格式)?$",
                               re.I)
# A footnote mark after a heading (`…统计公报[1]`).
_FOOTNOTE_MARK_RE = re.compile(r"(?:\[\d{1,2}\]|［\d{1,2}］|\*)$")
# Characters between which a line break is no space: CJK and full-width punctuation.
_WIDE_CHAR_RE = re.compile("[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef“”‘’—…]")
# A headline block restating the title: its first line adds at most this much to the title,
# its other lines are short and end without a sentence's punctuation.
_HEADLINE_EXTRA_CHARS = 12
_HEADLINE_MAX_LINES = 6
_HEADLINE_LINE_MAX_CHARS = 40
_SENTENCE_END_RE = re.compile("[。；：！？:;!?]$")
_TAG_RE = re.compile(r"<[^<>]*>")
_URL_ONLY_RE = re.compile(r"^\s*(?:https?://|www\.)\S*\s*$", re.I)
# A pager line at the foot of a notice split over pages (`[1] [2] [3]`, `上一页 1 2 下一页`).
_PAGER_RE = re.compile(r"^(?:(?:\[\d{1,3}\]|［\d{1,3}］)\s*){2,}$|"
                       r"^(?=.*(?:上一页|下一页))(?:上一页|下一页|首页|尾页|\d{1,3}|\s)+$")
# A byline opening the text: `新华网黑龙江频道 记者 伊琳 李清芬`, `本报记者 张三`,
# `中央纪委国家监委网站 王生霞 通讯员 杨生军`: a publisher and/or a reporter's role, then names.
_NAMES = r"[\u4e00-\u9fff·]{2,4}(?:[\s、，,]+[\u4e00-\u9fff·]{2,4}){0,3}"
_ROLE = r"(?:本报|本刊|本台|本网)?(?:特约|见习)?(?:记者|通讯员)\s*[:：]?\s*"
_PUBLISHER = r"\S{2,20}?(?:网站|网|日报|报|频道|杂志|电视台|社)"
_BYLINE_RE = re.compile(
    rf"^(?:(?P<publisher>{_PUBLISHER})\s+)?(?P<role>{_ROLE})?(?P<names>{_NAMES}"
    rf"(?:\s+{_ROLE}{_NAMES})*)$")
_BYLINE_ROLE_RE = re.compile(_ROLE)
_PERSON_NAMES_RE = re.compile(rf"^{_NAMES}$")
_CLOSING_CREDIT_RE = re.compile(rf"[（(]\s*{_ROLE}(?P<names>{_NAMES})\s*[）)]$")
# `（责任编辑：X）`, `责任编辑：X`, `[编辑：X]` on a line of its own.
_EDITOR_LINE_RE = re.compile(
    r"^[（(【\[]?\s*(?:责任编辑|責任編輯|责编|编辑|編輯)\s*[:：]\s*(?P<name>[^）)】\]]{1,20}?)"
    r"\s*[）)】\]]?$")
# `附件：`, `附件2`, `相关附件`, and as a numbered section heading `十、附件`.
_ATTACHMENT_LABEL_RE = re.compile(r"^(?:[一二三四五六七八九十]{1,3}、)?(?:相关)?附件(?:下载)?\s*\d*"
                                  r"\s*[:：]?\s*")
# A numbered section heading: `一、项目编号：`, `十、附件`.
_SECTION_HEADING_RE = re.compile("^[一二三四五六七八九十]{1,3}、")
_LIST_NUMBER_RE = re.compile(r"^\d+[.、．]\s*")
# `来源：X` below the text.
_FOOT_LABEL_RE = re.compile(r"^[（(【\[]?\s*(?:信息来源|文章来源|稿件来源|来源)\s*[:：]")
_FOOT_LINE_MAX_CHARS = 40
_LABEL_ONLY_RE = re.compile(
    r"^(?:发布时间|发布日期|发表日期|发表时间|时间|日期|来源|信息来源|文章来源|作者|"
    r"浏览次数|点击量|点击数|阅读次数)\s*[:：]$")
_BREADCRUMB_RE = re.compile(r"当前位置|您的位置|所在位置|首页\s*[>＞»/]|[>＞»]\s*正文")


def _after_prefix(line: str, compact_prefix: str) -> str | None:
    """What a line holds after a prefix given without whitespace; None when it does not
    start with it."""
    matched = 0
    for position, char in enumerate(line):
        if char.isspace():
            continue
        if matched == len(compact_prefix):
            return line[position:].strip()
        if char != compact_prefix[matched]:
            return None
        matched += 1
    return "" if matched == len(compact_prefix) else None


def _printed_date(line: str) -> str | None:
    """The date a line prints as metadata: at its start (numerals or Chinese numerals,
    `二〇二三年十二月一日`), alone or before other metadata; not a date inside a sentence
    (`（2007年6月29日…会议通过）`)."""
    text = line.lstrip("【[ ")
    match = FULL_DATE_RE.match(text)
    if match:
        date, rest = match.group().strip(), text[match.end():]
    elif len(text) <= _DATE_LINE_MAX_CHARS and (date := parse_date(text)):
        rest = ""
    else:
        return None
    rest = rest.strip(" 】]")
    if len(rest) <= _DATE_LINE_REST_MAX_CHARS or header_label_count(rest):
        return date
    return None


def _joined_lines(lines: list[str]) -> str:
    """Lines as one line: Chinese text broken over lines joins without a space."""
    text = ""
    for line in lines:
        if text and not (_WIDE_CHAR_RE.match(text[-1]) and _WIDE_CHAR_RE.match(line[0])):
            text += " "
        text += line
    return text


def _compact(text: str | None) -> str:
    """A text without whitespace (zero-width spaces included)."""
    return "".join((text or "").translate(INVISIBLE_AS_SPACE).split())


def _byline_names(line: str) -> str | None:
    """The names of a byline (`中央纪委国家监委网站 王生霞 通讯员 杨生军` -> `王生霞 杨生军`)."""
    match = _BYLINE_RE.match(line) if len(line) <= 40 else None
    if not match or not (match.group("publisher") or match.group("role")):
        return None
    names = _BYLINE_ROLE_RE.sub(" ", match.group("names"))
    return " ".join(re.split(r"[\s、，,]+", names.strip()))


def _is_shown(element) -> bool:
    """Whether neither the element nor an ancestor is hidden by the markup."""
    return not any(node.attrib and is_hidden(node)
                   for node in (element, *element.iterancestors()))


def _is_breadcrumb(text: str) -> bool:
    return bool(_BREADCRUMB_RE.search(text))


def _is_header_text(text: str) -> bool:
    labels = header_label_count(text)
    return labels >= 2 or (labels == 1 and unlabelled_date(text) is not None)


def _is_header_or_chrome(paragraph: str) -> bool:
    """The header line, a pager or page controls (`【打印】`; `打印 关闭 收藏` on one line)."""
    if _PAGER_RE.match(paragraph) or all(_CHROME_RE.match(word) for word in paragraph.split()):
        return True
    return len(paragraph) <= _HEADER_MAX_CHARS and header_label_count(paragraph) >= 2


def _is_attachment_line(paragraph: str, names: set[str]) -> bool:
    """A line of the attachment list: `附件：` alone, or a linked file's name (numbered or
    after the label)."""
    if not names and "附件" not in paragraph:
        return False
    compact = "".join(paragraph.split())
    if _ATTACHMENT_LABEL_RE.fullmatch(compact):
        return True
    rest = _LIST_NUMBER_RE.sub("", _ATTACHMENT_LABEL_RE.sub("", compact))
    return rest in names


def _drop_trailing_apparatus(paragraphs: list[str]) -> list[str]:
    """Drop the editor line and the source line (on one line or two) below the text."""
    while paragraphs:
        last = paragraphs[-1]
        if (_EDITOR_LINE_RE.match(last) or _LABEL_ONLY_RE.match(last)
                or (len(last) <= _FOOT_LINE_MAX_CHARS and _FOOT_LABEL_RE.match(last))):
            paragraphs = paragraphs[:-1]
        elif (len(paragraphs) > 1 and _LABEL_ONLY_RE.match(paragraphs[-2])
              and len(last) <= _FOOT_LINE_MAX_CHARS):
            paragraphs = paragraphs[:-2]  # `信息来源：` / `内蒙古日报`
        else:
            break
    return paragraphs


def _drop_leading_title(paragraphs: list[str], title: str) -> list[str]:
    """Drop opening paragraphs that only repeat the title (split over several lines)."""
    compact_title = "".join(title.split())
    joined = ""
    for count, paragraph in enumerate(paragraphs[:6], start=1):
        joined += _FOOTNOTE_MARK_RE.sub("", "".join(paragraph.split()))
        if not compact_title.startswith(joined):
            break
        if joined == compact_title:
            return paragraphs[count:]
    return _drop_headline_block(paragraphs, compact_title)


def _drop_headline_block(paragraphs: list[str], compact_title: str) -> list[str]:
    """Drop a headline block opening the text that restates the title more fully: a first
    line starting with the title, and the short unpunctuated lines after it (`…座谈会强调` /
    `推动…取得新的重大突破` / `李强蔡奇出席`)."""
    if not (compact_title and paragraphs and _compact(paragraphs[0]).startswith(compact_title)
            and len(paragraphs[0]) <= len(compact_title) + _HEADLINE_EXTRA_CHARS):
        return paragraphs
    count = 1
    while (count < min(len(paragraphs), _HEADLINE_MAX_LINES)
           and len(paragraphs[count]) <= _HEADLINE_LINE_MAX_CHARS
           and not _SENTENCE_END_RE.search(paragraphs[count])):
        count += 1
    return paragraphs[count:]


def _whole_sectioned_text(element):
    """The block of numbered sections a body candidate is one section of (`一、项目编号` …
    a table … `四、主要标的信息`): its parent, when numbered headings stand among the
    candidate's siblings both before and after it; else the candidate."""
    parent = element.getparent()
    if parent is None:
        return element
    before = after = False
    seen = False
    for child in parent:
        if child is element:
            seen = True
        elif isinstance(child.tag, str) and _SECTION_HEADING_RE.match(
                " ".join(child.text_content().split())):
            before, after = before or not seen, after or seen
        if before and after:
            return parent
    return element


def densest_block(root):
    """The block element whose own paragraphs carry the most non-link text (fallback body)."""
    if root is None:
        return None
    best, best_score = None, 0
    for element in root.iter("div", "td", "article", "section", "main"):
        own_text = sum(len(" ".join((child.text_content() or "").split()))
                       for child in element if child.tag in ("p", "span", "font", "br"))
        own_text += len((element.text or "").strip())
        link_text = sum(len(a.text_content().strip()) for a in element.iter("a"))
        score = own_text - 2 * link_text
        if score > best_score:
            best, best_score = element, score
    return best
