"""The notice page object: title, metadata, body, attachments and counter URL of one page."""

from __future__ import annotations

import mimetypes
import re
import string
from dataclasses import dataclass
from functools import cache, cached_property
from urllib.parse import urlsplit

from lxml import etree
from parsel.csstranslator import HTMLTranslator

from crawler.hits import counter_url
from crawler.pages.blocks import element_paragraphs
from crawler.pages.header import (
    header_label_count,
    parse_header_line,
    text_before_header,
    unlabelled_date,
)
from crawler.pages.urls import link_target, web_url
from pipelines.normalize import clean_title

# Body containers of known platforms, tried in order before the text-density fallback.
BODY_SELECTORS = (
    "#zoom", ".TRS_Editor", "#vsb_content", ".v_news_content", "#UCAP-CONTENT",
    ".article-content", ".article_content", ".article-body", ".contentBox", ".content-text",
    "#content", ".content", ".detail-content", ".news_content", "div.article",
)
TITLE_SELECTORS = (
    "h1", ".article-title", ".detail-title", ".title", "h2",
)
# Looser title hints, taken only when the page's <title> starts with their text.
TITLE_HINT_SELECTORS = ("[class*=title]", "[class*=Title]", "[id*=title]", "[class*=bt]", "h3")
META_FIELDS = {
    "title": ("articletitle",),
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
_MIN_BODY_CHARS = 20
_HEADER_MAX_CHARS = 300
_EDITOR_LINE_MAX_CHARS = 40


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
_EDITOR_WORDS_RE = re.compile("责任编辑|責任編輯")
_UNREAD_TAGS = ("script", "style")
_ANY_WORDS_RE = re.compile(f"{_HEADER_WORDS_RE.pattern}|{_EDITOR_WORDS_RE.pattern}")


class NoticePage:
    """Fields of a notice page. Header/meta values are raw strings; the pipeline normalizes."""

    def __init__(self, response):
        self.response = response

    # --- metadata -----------------------------------------------------------------------
    def meta(self, field: str) -> str | None:
        """The first non-blank `<meta name=…>` value naming this field (case-insensitive)."""
        for name in META_FIELDS[field]:
            for value in self._meta_contents.get(name, ()):
                if value.strip():
                    return value.strip()
        return None

    @cached_property
    def _meta_contents(self) -> dict[str, list[str]]:
        """The `content` of every `<meta name=…>`, by name in ASCII lower case, in page order."""
        contents: dict[str, list[str]] = {}
        for meta in self._nodes("//meta[@name]"):
            content = meta.get("content")
            if content is not None:
                name = meta.get("name").translate(_ASCII_LOWER)
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
        word = _SELECTOR_WORD_RE.search(selector)
        if word and word.group(1) not in self.response.text and self._source_is_literal:
            return []
        return self._nodes(_css_xpath(selector))

    @cached_property
    def _source_is_literal(self) -> bool:
        return _UNLITERAL_SOURCE_RE.search(self.response.text) is None

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
    def _worded_elements(self) -> tuple[list, list]:
        """Elements in <body> (not script or style) with a text node of their own naming a
        header word, and those naming an editor word, in page order (one pass over the page:
        a node's tail is a text node of its parent)."""
        order: dict = {}
        found: tuple[dict, dict] = ({}, {})

        def mark(owner, text: str) -> None:
            for words, elements in zip((_HEADER_WORDS_RE, _EDITOR_WORDS_RE), found,
                                       strict=True):
                if words.search(text):
                    elements.setdefault(owner, order[owner])

        for body in self._nodes("//body"):
            for node in body.iterdescendants():
                order[node] = len(order)
                if (isinstance(node.tag, str) and node.text and node.tag not in _UNREAD_TAGS
                        and _ANY_WORDS_RE.search(node.text)):
                    mark(node, node.text)
                if node.tail and _ANY_WORDS_RE.search(node.tail):
                    parent = node.getparent()
                    if parent is not body and parent.tag not in _UNREAD_TAGS:
                        mark(parent, node.tail)
        header, editor = found
        return sorted(header, key=header.get), sorted(editor, key=editor.get)

    @cached_property
    def header(self) -> dict:
        """Fields of the page's header line (来源/时间/点击量…), {} when it has none."""
        line = self.header_line
        return parse_header_line(line) if line else {}

    @cached_property
    def header_line(self) -> str | None:
        """The smallest element text naming at least two header fields (or one and a date:
        `2018-04-19 17:32:17 来源：X` prints the date without a label)."""
        best = None
        for element in self._worded_elements[0]:
            text = self._text(element)
            if len(text) > _HEADER_MAX_CHARS:
                continue
            if not _is_header_text(text):
                parent = element.getparent()
                text = self._text(parent) if parent is not None else text
                if len(text) > _HEADER_MAX_CHARS or not _is_header_text(text):
                    continue
            if best is None or len(text) < len(best):
                best = text
        return best

    @cached_property
    def title(self) -> str | None:
        title = self.meta("title")
        if title:
            return title
        page_title = clean_title(self.response.xpath("normalize-space(//title)").get(),
                                 self.site_name)
        compact_page_title = "".join(page_title.split())
        candidates = self._title_candidates(TITLE_SELECTORS)
        for text in [*candidates, *self._title_candidates(TITLE_HINT_SELECTORS)]:
            # the heading the <title> starts with (not a logo, not the site name)
            if compact_page_title and compact_page_title.startswith("".join(text.split())):
                return text
        return (candidates[0] if candidates else page_title) or None

    def _title_candidates(self, selectors) -> list[str]:
        return [text for selector in selectors for node in self._select(selector)
                if 4 <= len(text := text_before_header(self._text(node))) <= 200]

    @property
    def published_at(self) -> str | None:
        return (self.meta("published_at") or self.header.get("published_at")
                or unlabelled_date(self.header_line or ""))

    @property
    def source(self) -> str | None:
        return self.meta("source") or self.header.get("source")

    @property
    def author(self) -> str | None:
        return self.header.get("author") or self.meta("author")

    @property
    def editor(self) -> str | None:
        """责任编辑 in the header line, else on a line of its own (often below the body)."""
        if self.header.get("editor"):
            return self.header["editor"]
        for element in self._worded_elements[1]:
            text = self._text(element)
            if len(text) <= _EDITOR_LINE_MAX_CHARS:
                editor = parse_header_line(text).get("editor")
                if editor:
                    return editor
        return None

    @property
    def hit_count(self) -> int | None:
        """The count printed on the page itself (None when only a counter script shows it)."""
        return self.header.get("hit_count")

    @property
    def site_name(self) -> str | None:
        return self.meta("site_name")

    @cached_property
    def counter_url(self) -> str | None:
        return counter_url(self._nodes("//script/@src"), self.response.text,
                           self.response.url)

    # --- body -----------------------------------------------------------------------------
    @cached_property
    def body_element(self):
        """The element holding the notice text: a platform container or the densest block."""
        for selector in BODY_SELECTORS:
            for node in self._select(selector):
                if len(self._text(node)) >= _MIN_BODY_CHARS:
                    return node
        bodies = self._nodes("//body")
        return densest_block(bodies[0]) if bodies else None

    @cached_property
    def body_paragraphs(self) -> list[str]:
        if self.body_element is None:
            return []
        paragraphs = self._paragraphs(self.body_element)
        paragraphs = [p for p in paragraphs if not _is_header_or_chrome(p)]
        return _drop_leading_title(paragraphs, self.title or "")

    @property
    def body_text(self) -> str:
        return "\n".join(self.body_paragraphs)

    @cached_property
    def attachments(self) -> list[Attachment]:
        """Linked files (by extension) and images inside the body, first occurrence each."""
        if self.body_element is None:
            return []
        seen: dict[str, Attachment] = {}
        for link in self.body_element.iter("a"):
            url = web_url(self.response.url, link_target(link))
            extension = url_extension(url) if url else ""
            if extension in ATTACHMENT_TYPES:
                name = " ".join(link.text_content().split()) or None
                seen.setdefault(url, Attachment(url, name, ATTACHMENT_TYPES[extension]))
        for image in self.body_element.iter("img"):
            url = web_url(self.response.url, link_target(image, "src"))
            if url:
                media_type = mimetypes.guess_type(urlsplit(url).path)[0]
                seen.setdefault(url, Attachment(url, link_target(image, "alt") or None,
                                                media_type))
        return list(seen.values())


def url_extension(url: str) -> str:
    """The lower-case extension of the URL path's last segment ('' when it has none)."""
    path = urlsplit(url).path
    return path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""


_CHROME_RE = re.compile(r"^(?:【?字体[:：]?\s*[大中小\s]*】?|打印本页|关闭窗口|【?打印】?|"
                        r"【?关闭】?|分享到[:：]?.*|上一篇[:：].*|下一篇[:：].*)$")


def _is_header_text(text: str) -> bool:
    labels = header_label_count(text)
    return labels >= 2 or (labels == 1 and unlabelled_date(text) is not None)


def _is_header_or_chrome(paragraph: str) -> bool:
    if _CHROME_RE.match(paragraph):
        return True
    return len(paragraph) <= _HEADER_MAX_CHARS and header_label_count(paragraph) >= 2


def _drop_leading_title(paragraphs: list[str], title: str) -> list[str]:
    """Drop opening paragraphs that only repeat the title (split over several lines)."""
    compact_title = "".join(title.split())
    joined = ""
    for count, paragraph in enumerate(paragraphs[:6], start=1):
        joined += "".join(paragraph.split())
        if not compact_title.startswith(joined):
            break
        if joined == compact_title:
            return paragraphs[count:]
    return paragraphs


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
