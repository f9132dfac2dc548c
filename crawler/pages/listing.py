"""The list page object: notice rows (link, list-page title and date) and the next page.

Rows are found by structure, not by dates: a link's row is its nearest ancestor repeated among
its siblings (`li`, `tr`, `div` …), or the stretch between `<br>`s when links share one cell.
Rows with the same place in the page form a list; the page's list is the one with most title
text. The rules are described in docs/extraction.md, "List pages".
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from statistics import median
from urllib.parse import urljoin, urlsplit

from crawler.pages.blocks import BLOCK_TAGS, SKIPPED_TAGS, element_text
from crawler.pages.detail import ATTACHMENT_TYPES, file_extension
from crawler.pages.urls import link_target, same_site, site_host, url_shape, web_url

_DATE_RE = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?")
# A date printed alone: besides it at most this many characters of label, brackets, time.
_DATE_LABEL_RE = re.compile(r"[\s\[\]【】()（）:：\d|]+")
_DATE_LABEL_CHARS = 6
# A date printed in two boxes: the day over the year and month (`15 2022-06`), or after them.
_SPLIT_DATE_RES = (
    re.compile(r"(?<![\d:])(?P<d>\d{1,2})\s+(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})(?![\d:])"),
    re.compile(r"(?<![\d:])(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*月?\s+(?P<d>\d{1,2})"
               r"(?![\d:])"),
)
NEXT_PAGE_TEXTS = ("下一页", "下页", "后页", "下一頁", "下頁", "next", "nextpage", ">", "›")
# Brackets, arrows and spaces around a pager word: `[下一页]`, `下一页>>`, `下一页 »`.
_PAGER_DECORATION_RE = re.compile(r"[\s\[\]【】()（）<>《》«»›‹·]+")
_PAGER_ITEM_TAGS = frozenset(("li", "span", "font", "b", "strong"))
_PAGER_WORDS = frozenset(("首页", "上一页", "上页", "前页", "尾页", "末页", "最后一页", "第一页"))
# A script pager's page URL, `location.href = 'index_' + i + '.html'` (`+ (i - 1) +` too),
# and its page count.
_SCRIPT_PAGE_URL_RE = re.compile(
    r"location(?:\.href)?\s*=\s*(?P<q>['\"])(?P<prefix>[^'\"]*)(?P=q)\s*\+\s*\(?\s*\w+\s*"
    r"(?P<offset>[-+]\s*\d+)?\s*\)?\s*\+\s*(?P<q2>['\"])(?P<suffix>[^'\"]*)(?P=q2)")
_PAGE_COUNT_RE = re.compile(
    r"\b(?:totalPages?|pageCount|countPage|pageTotal|totalPageNum|allPages?)\s*[:=]\s*['\"]?(\d+)",
    re.I)
# Link texts that label rather than title (a row's `更多`, a pager's `尾页`).
_LABEL_TEXTS = frozenset((
    "更多", "更多>>", "more", "详细", "详情", "查看", "首页", "上一页", "上页", "尾页", "末页",
    "[pdf]", "pdf", "附件", ">>", "<<", "<", *NEXT_PAGE_TEXTS))
# A pinned row says so in its text, or in a class, id or icon name of one of its elements.
_PINNED_TEXT_RE = re.compile(r"置顶|顶置")
_PINNED_WORD_RE = re.compile(r"(?<![a-z])(?:top|zd|zhiding|istop|is_top|settop)(?![a-z])", re.I)
_PINNED_ATTRIBUTES = ("class", "id", "src", "alt", "title")
_TITLE_BULLETS = "·•●○■□◆◇▪▸►>》※ \u3000"
_PINNED_PREFIX_RE = re.compile(r"^[\[【(（]?\s*(?:置顶|顶置)\s*[\]】)）]?\s*")
_ELLIPSES = ("...", "…", "．．．", "..")
# A date at either end of a link's text (the row's date inside a row-wide link).
_EDGE_DATE_RE = re.compile(rf"^\s*[\[【(（]?(?:{_DATE_RE.pattern})[\]】)）]?|"
                           rf"[\[【(（]?(?:{_DATE_RE.pattern})[\]】)）]?\s*$")
_MARKUP_RE = re.compile(r"<[^>]*>")  # tags inside a `title=` (search hits wrapped in <em>)
_HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_TITLE_CLASS_RE = re.compile(r"(?<![a-z])(?:title|tit|bt)(?![a-z])", re.I)

_BADGE_MAX_CHARS = 6
MIN_TITLE_CHARS = 4  # shorter link texts are labels (`[PDF]`, `更多`), not notice titles
_ROW_DEPTH = 7  # ancestors of a link looked at for its row (a table in a table's cell)
_ROW_MAX_LINKS = 4  # an ancestor holding more links is a block of rows, not a row
# A list without any date: this many rows, titles of this median length, mostly page links
# (two: a column's last page).
_UNDATED_MIN_ROWS = 2
_UNDATED_MEDIAN_TITLE = 8
_SEPARATORS = ("br", "hr")
# A row that repeats nowhere (a list of one) is one of these, at most this far up, and dated.
_SINGLE_ROW_TAGS = ("li", "tr", "dd", "dt", "p", "div", "span")
_SINGLE_ROW_DEPTH = 3


@dataclass(frozen=True)
class ListEntry:
    url: str
    title: str
    date: str | None
    key: str | None = None  # the record id on JSON lists
    pinned: bool = False  # marked 置顶: kept at the top out of date order


@dataclass(frozen=True)
class SkippedRow:
    """A row of the page's list that gives no entry, and why."""

    url: str | None
    text: str
    reason: str  # no_title_link | outside_list


@dataclass(frozen=True)
class ListReading:
    entries: list[ListEntry]
    skipped: list[SkippedRow]


class ListPage:
    """Notice entries (the rows of the page's list) and the next page link of a list."""

    def __init__(self, response):
        self.response = response

    @cached_property
    def reading(self) -> ListReading:
        body = self.response.xpath("//body")
        root = body[0].root if body else self.response.selector.root
        return read_list(root, self.response.url)

    @property
    def entries(self) -> list[ListEntry]:
        return self.reading.entries

    @property
    def skipped(self) -> list[SkippedRow]:
        return self.reading.skipped

    @cached_property
    def next_page_url(self) -> str | None:
        """The target of the first `下一页` link (its text or `title=` says so) that leads to
        another page, else the next page of a pager the page's script draws."""
        for link in self.response.xpath("//a[@href]"):
            if is_next_page_link(link.root):
                url = web_url(self.response.url, link_target(link.root))
                if url and url != self.response.url:
                    return url
        return scripted_next_page(self.response.url,
                                  "\n".join(self.response.xpath("//script/text()").getall()))


def scripted_next_page(url: str, script: str) -> str | None:
    """The next page of a pager drawn by script, from the URL the script sends page `i` to
    (`location.href = 'index_' + i + '.html'`) and its page count (`totalPage: 54`). A page
    whose URL has no number in that place is page 1."""
    match = _SCRIPT_PAGE_URL_RE.search(script)
    if match is None:
        return None
    prefix, offset, suffix = match.group("prefix"), match.group("offset"), match.group("suffix")
    shift = int(offset.replace(" ", "")) if offset else 0
    template = urljoin(url, f"{prefix}\x00{suffix}")
    head, tail = template.split("\x00")
    here = re.fullmatch(re.escape(head) + r"(\d+)" + re.escape(tail), url)
    current = int(here.group(1)) - shift if here else 1
    count = _PAGE_COUNT_RE.search(script)
    if count and current + 1 > int(count.group(1)):
        return None
    return f"{head}{current + 1 + shift}{tail}"


def is_next_page_link(link) -> bool:
    """A pager's `下一页` link: `下一页`, `[下一页]`, `下一页>>`, `>`, or an arrow whose
    `title=` says 下一页."""
    text = _link_text(link).strip().lower()
    if text in NEXT_PAGE_TEXTS or _PAGER_DECORATION_RE.sub("", text) in NEXT_PAGE_TEXTS:
        return True
    title = _PAGER_DECORATION_RE.sub("", link_target(link, "title").lower())
    return len(text) <= 2 and title in NEXT_PAGE_TEXTS


@dataclass
class _Row:
    """A row: its nodes (an element and the link-free siblings after it, or the children of a
    container between two `<br>`), the text before them, and its links in order."""

    group: tuple
    nodes: list
    lead: str = ""
    links: list = field(default_factory=list)


@dataclass
class _RowReading:
    row: _Row
    entries: list[ListEntry]

    @property
    def dated(self) -> bool:
        return any(entry.date for entry in self.entries)


class _Targets:
    """What the list reading asks of link targets, each worked out once per URL."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self._urls: dict = {}
        self._facts: dict[str, tuple[bool, bool, str, bool]] = {}
        self._folder = urlsplit(base_url).path.rsplit("/", 1)[0] + "/"
        self._site = site_host(base_url)

    def url(self, link) -> str | None:
        """The absolute URL a link points to."""
        if link not in self._urls:
            self._urls[link] = web_url(self.base_url, link_target(link))
        return self._urls[link]

    def facts(self, url: str) -> tuple[bool, bool, str, bool]:
        """(on this site, under the page's folder, URL shape, a page rather than an index)."""
        if url not in self._facts:
            parts = urlsplit(url)
            on_site = ((parts.hostname or "").removeprefix("www.") == self._site
                       and same_site(url, self.base_url))
            self._facts[url] = (on_site, on_site and parts.path.startswith(self._folder),
                                url_shape(url), _is_page_url(url))
        return self._facts[url]


def read_list(root, base_url: str) -> ListReading:
    """The entries of the page's list among the links under `root`, and its skipped rows."""
    targets = _Targets(base_url)
    finder = _RowFinder()
    rows: dict = {}  # first node -> row
    pager_links = []
    for link in root.iter("a"):
        if not link.get("href") or _in_skipped(link, root):
            continue
        if _is_pager_link(link):
            pager_links.append(link)
        row = finder.row_of(link)
        if row is None:
            continue
        rows.setdefault(row.nodes[0], row).links.append(link)
    groups: dict[tuple, list[_RowReading]] = {}
    for row in rows.values():
        groups.setdefault(row.group, []).append(_RowReading(row, _row_entries(row, targets)))
    lists = [_NoticeList(readings, targets) for readings in groups.values()]
    lists = [notice_list for notice_list in lists if notice_list.score > 0]
    if not lists:
        return ListReading([], [])
    pager = _pager(pager_links)
    if pager is not None:  # the list next to the pager is the one it pages
        distances = [_levels_to_common_ancestor(notice_list.container, pager)
                     for notice_list in lists]
        for notice_list, distance in zip(lists, distances, strict=True):
            if distance == min(distances):
                notice_list.score *= 3
    best = max(lists, key=lambda notice_list: notice_list.score)
    entries: dict[str, ListEntry] = {}
    for reading in best.rows:
        for entry in reading.entries:
            entries.setdefault(entry.url, entry)
    skipped = [SkippedRow(_first_url(reading.row, targets), _row_text(reading.row),
                          "no_title_link") for reading in best.untitled]
    skipped += [SkippedRow(entry.url, entry.title, "outside_list") for other in lists
                if other is not best for reading in other.rows if reading.dated
                for entry in reading.entries]
    return ListReading(list(entries.values()), skipped)


class _NoticeList:
    """The rows of one group that form a notice list, and how much it looks like the page's.

    Dated rows are list rows; an undated row is one when it is like a dated one (same tag and
    class, or a link of the same URL shape) or like another undated one (a second kind of
    rows, as search results of two sources). A group without dates is a list when it has 2+
    rows of long titles linking mostly to pages on this site."""

    def __init__(self, readings: list[_RowReading], targets: _Targets):
        titled = [reading for reading in readings if reading.entries]
        dated = [reading for reading in titled if reading.dated]
        if dated:
            kinds = {_row_kind(reading.row) for reading in dated}
            shapes = {targets.facts(entry.url)[2] for reading in dated
                      for entry in reading.entries}
            counts = Counter(_row_kind(reading.row) for reading in titled)
            self.rows = [reading for reading in titled if reading.dated
                         or _row_kind(reading.row) in kinds or counts[_row_kind(reading.row)] > 1
                         or any(targets.facts(entry.url)[2] in shapes
                                for entry in reading.entries)]
        else:
            self.rows = titled if _is_undated_list(titled, targets) else []
        kinds = {_row_kind(reading.row) for reading in self.rows}
        # Rows like the list's own that give no entry (a row linking nowhere readable).
        self.untitled = [reading for reading in readings
                         if not reading.entries and _row_kind(reading.row) in kinds]
        self.score = _list_score(self.rows, len(dated), targets)
        self.container = readings[0].row.nodes[0].getparent()


def _levels_to_common_ancestor(element, other) -> int:
    """How many levels above `element` its nearest common ancestor with `other` lies."""
    above_other = set(other.iterancestors())
    for levels, ancestor in enumerate(element.iterancestors(), 1):
        if ancestor in above_other:
            return levels
    return 10**6


def _pager(pager_links: list):
    """The first pager link with another one beside it (in its parent, or in the parent's
    parent when each sits in an `li` or `span`): a pager, not a lone `首页` in the navigation
    or the breadcrumb."""
    links = set(pager_links)
    for link in pager_links:
        parent = link.getparent()
        holder = parent.getparent() if parent.tag in _PAGER_ITEM_TAGS else parent
        if holder is not None and sum(a in links for a in holder.iter("a")) >= 2:
            return link
    return None


def _is_pager_link(link) -> bool:
    """A link of a pager: a page number, `下一页`, `首页`, `上一页`, `尾页` …"""
    if is_next_page_link(link) or _is_page_number_link(link):
        return True
    return _PAGER_DECORATION_RE.sub("", _link_text(link)) in _PAGER_WORDS


def _is_page_number_link(link) -> bool:
    text = _link_text(link).strip("[] ")
    return text.isdigit() and len(text) <= 4


def _row_kind(row: _Row) -> tuple:
    first = row.nodes[0]
    return (row.group[1], first.get("class") or "") if row.group[1] not in ("br", "a") else (
        row.group[1],)


def _is_undated_list(titled: list[_RowReading], targets: _Targets) -> bool:
    entries = [entry for reading in titled for entry in reading.entries]
    pages = [entry for entry in entries
             if targets.facts(entry.url)[0] and targets.facts(entry.url)[3]]
    return (len(titled) >= _UNDATED_MIN_ROWS and len(pages) * 2 >= len(entries)
            and median(len(entry.title) for entry in entries) >= _UNDATED_MEDIAN_TITLE)


class _RowFinder:
    """Finds each link's row; what it learns of a container serves its other links."""

    def __init__(self):
        # Keyed by the elements themselves: that keeps their lxml proxies (and ids) alive.
        self._link_holders: dict = {}
        self._repeats: dict = {}
        self._segments: dict = {}
        self._link_counts: dict = {}

    def row_of(self, link) -> _Row | None:
        parent = link.getparent()
        if parent is None:
            return None
        segments = self._segments_of(parent, separated_only=True)
        if segments:
            return segments.get(link)
        node = link
        for _ in range(_ROW_DEPTH):
            container = node.getparent()
            if container is None or not isinstance(container.tag, str):
                break
            if node is not link:
                if self._link_count(node) > _ROW_MAX_LINKS:
                    break
                if self._repeat_count(container, node.tag) >= 2:
                    return self._element_row(node, container)
            if container.tag in ("body", "html"):
                break
            node = container
        segments = self._segments_of(parent, separated_only=False)
        if segments:
            return segments.get(link)
        return self._dated_row(link)

    def _dated_row(self, link) -> _Row | None:
        """A row with no repeated siblings (a list of one): the link's nearest `li`, `tr` …
        ancestor holding no other link and printing a date."""
        for node in itertools.islice(link.iterancestors(), _SINGLE_ROW_DEPTH):
            if node.tag not in _SINGLE_ROW_TAGS or self._link_count(node) > 1:
                continue
            if _first_date(element_text(node)):
                return _Row((_place(node), node.tag), [node])
        return None

    def _holds_link(self, element) -> bool:
        if element not in self._link_holders:
            self._link_holders[element] = any(a.get("href") for a in element.iter("a"))
        return self._link_holders[element]

    def _link_count(self, element) -> int:
        if element not in self._link_counts:
            self._link_counts[element] = sum(1 for a in element.iter("a") if a.get("href"))
        return self._link_counts[element]

    def _repeat_count(self, container, tag: str) -> int:
        key = (container, tag)
        if key not in self._repeats:
            self._repeats[key] = sum(1 for child in container
                                     if child.tag == tag and self._holds_link(child))
        return self._repeats[key]

    def _element_row(self, element, container) -> _Row:
        """The element with the siblings after it that hold no link (a `dt`'s `dd`)."""
        nodes = [element]
        for sibling in element.itersiblings():
            if sibling.tag == element.tag or self._holds_link(sibling):
                break
            nodes.append(sibling)
        return _Row((_place(container), element.tag), nodes)

    def _segments_of(self, container, separated_only: bool) -> dict | None:
        """Rows of a container whose own child links are its rows, by link id: split at
        `<br>`s, or (not `separated_only`) at the links when there are three or more."""
        if container not in self._segments:
            self._segments[container] = _split_segments(container)
        separated, rows = self._segments[container]
        return rows if separated or not separated_only else None


def _split_segments(container) -> tuple[bool, dict | None]:
    """(split at `<br>`s, the rows by link) of a container holding titled links of its own."""
    children = [child for child in container if isinstance(child.tag, str)]
    links = [child for child in children if child.tag == "a" and child.get("href")]
    if len(links) < 2:
        return False, None
    titled = [link for link in links if _is_title(link_title(link))]
    if len(titled) < 2:
        return False, None
    between = children[children.index(titled[0]):children.index(titled[-1])]
    if any(child.tag in _SEPARATORS for child in between):
        return True, _segments_at_separators(container, children)
    if len(links) < 3:
        return False, None
    return False, _segments_at_links(container, children, links)


def _segments_at_separators(container, children) -> dict:
    """Rows split at `<br>`s; a line without a link (a date on its own line) joins the row
    before it, or the row after it when the lines before the first link print a date."""
    group = (_place(container), "br")
    lines: list[list] = [[]]
    for child in children:
        if child.tag in _SEPARATORS:
            lines.append([child])
        else:
            lines[-1].append(child)
    linked = [any(node.tag == "a" and node.get("href") for node in line) for line in lines]
    lead = container.text or ""
    forward = not linked[0] and bool(_first_date(
        lead + " ".join(element_text(node) + (node.tail or "") for node in lines[0])))
    if not (linked[0] or forward):
        lead = ""
    rows: list[_Row] = []
    waiting: list = []
    for line, has_link in zip(lines, linked, strict=True):
        if has_link:
            rows.append(_Row(group, waiting + line, lead))
            waiting, lead = [], ""
        elif forward:
            waiting += line
        elif rows:
            rows[-1].nodes += line
    return {node: row for row in rows for node in row.nodes if node.tag == "a"}


def _segments_at_links(container, children, links) -> dict:
    """Each link with what follows it up to the next link, or with what precedes it when the
    text before the first link holds a date (dates printed before titles)."""
    group = (_place(container), "a")
    links = set(links)
    leading = itertools.takewhile(lambda child: child not in links, children)
    before_first = (container.text or "") + "".join(
        element_text(child) + (child.tail or "") for child in leading)
    rows: dict = {}
    if _first_date(before_first):
        row = _Row(group, [], container.text or "")
        for child in children:
            row.nodes.append(child)
            if child in links:
                rows[child] = row
                row = _Row(group, [])
        return rows
    row = None
    for child in children:
        if child in links:
            row = rows[child] = _Row(group, [child])
        elif row is not None:
            row.nodes.append(child)
    return rows


def _place(container) -> tuple:
    """Where a container sits: the tags and classes from the root down to it. Lists cut into
    several `<ul>`s under one parent share their place."""
    return tuple((el.tag, el.get("class") or "")
                 for el in [container, *container.iterancestors()])


def _in_skipped(link, root) -> bool:
    return any(el.tag in SKIPPED_TAGS for el in link.iterancestors() if el is not root)


def _pieces(row: _Row) -> list[tuple[str, object, object]]:
    """The row's text in document order, each piece with the link it lies in (or None) and
    the element whose own text it is part of (None for text between the row's nodes)."""
    pieces: list[tuple[str, object, object]] = [(row.lead, None, None)] if row.lead else []
    for node in row.nodes:
        if node.tag == "a":
            pieces.append((_link_text(node), node, node))
        else:
            _walk_pieces(node, None, pieces)
        if node.tail:
            pieces.append((node.tail, None, None))
    return pieces


def _walk_pieces(element, link, pieces) -> None:
    if not isinstance(element.tag, str) or element.tag in SKIPPED_TAGS:
        return
    if element.tag == "a" and element.get("href"):
        link = element
    if element.text:
        pieces.append((element.text, link, element))
    for child in element:
        _walk_pieces(child, link, pieces)
        if child.tail:
            pieces.append((child.tail, link, element))


def _row_text(row: _Row) -> str:
    return " ".join(" ".join(text for text, _, _ in _pieces(row)).split())


def _first_url(row: _Row, targets: _Targets) -> str | None:
    return next((url for link in row.links if (url := targets.url(link))), None)


def _link_text(link) -> str:
    """A link's text on one line (a link without child elements read directly)."""
    if len(link):
        return element_text(link)
    return " ".join((link.text or "").split())


def link_title(link) -> str:
    """A link's notice title: its text, or its `title=` when the text is cut (`…`), empty, or
    holds it among badges; list bullets and a `[置顶]` mark left out. A link that is the whole
    row (it holds blocks) gives the text of its heading (`h3`, `.title`), and no date."""
    heading = None
    if len(link) and any(isinstance(el.tag, str) and el.tag in BLOCK_TAGS
                         for el in link.iterdescendants()):
        heading = next((el for el in link.iterdescendants() if isinstance(el.tag, str) and (
            el.tag in _HEADING_TAGS or _TITLE_CLASS_RE.search(el.get("class") or ""))), None)
    text = element_text(heading) if heading is not None else _link_text(link)
    badge = _badge(link)
    if badge and text.startswith(badge) and text[len(badge):].strip():
        text = text[len(badge):]
    text = _EDGE_DATE_RE.sub("", text).strip(_TITLE_BULLETS)
    full = " ".join(_MARKUP_RE.sub("", link_target(link, "title")).split()).strip(_TITLE_BULLETS)
    stem = text.rstrip("".join(_ELLIPSES)).strip()
    if full and (not text or text.endswith(_ELLIPSES) or full in text
                 or len(full) > len(text) and full.startswith(stem[:4])):
        text = full
    return _PINNED_PREFIX_RE.sub("", text)


def _badge(link) -> str | None:
    """The text of a short label the link starts with, set off by a space (`<span>政务信息</span>
    标题`); a highlight glued to the title (`<em>巡察</em>工作`) is none."""
    if not len(link) or (link.text or "").strip():
        return None
    children = [child for child in link if isinstance(child.tag, str)]
    if not children or children[0].tag in BLOCK_TAGS:
        return None
    text = element_text(children[0])
    tail = children[0].tail or ""
    return text if 0 < len(text) <= _BADGE_MAX_CHARS and tail[:1].isspace() else None


def _row_entries(row: _Row, targets: _Targets) -> list[ListEntry]:
    """The row's notice links, each with the date printed beside it. The notice is its titled
    link (no label such as `[PDF]` or `更多`) to a page rather than a folder or a file, the
    longest titled first; the row's other links are its column, files, buttons, except titled
    links to pages of the same site and URL shape, which are notices the row lists too (two
    notices to a row). Of two links to one URL the first titles it (the second names the
    source)."""
    titled, seen = [], set()
    for link in row.links:
        url, title = targets.url(link), link_title(link)
        if url and url not in seen and _is_title(title):
            seen.add(url)
            titled.append((not is_attachment_url(url), targets.facts(url)[3], len(title),
                           -len(titled), url, link, title))
    if not titled:
        return []
    best = max(titled)
    on_site, _, shape, page = targets.facts(best[4])

    def lists_too(candidate) -> bool:
        other_on_site, _, other_shape, other_page = targets.facts(candidate[4])
        return candidate[0] and other_on_site and other_page and other_shape == shape

    notices = [candidate for candidate in titled if candidate is best or (
        on_site and page and lists_too(candidate))]
    notices.sort(key=lambda candidate: -candidate[3])  # row order
    pieces = _pieces(row)
    dates = _link_dates(pieces, [candidate[5] for candidate in notices])
    pinned = _is_pinned(row, pieces)
    return [ListEntry(url, title, dates.get(link), pinned=pinned)
            for *_, url, link, title in notices]


def _link_dates(pieces, links) -> dict:
    """The date printed beside each link: after it (up to the next link), or before it when
    the row prints its first date before its first link."""
    owners = set(links)
    stretches: list[list] = [[]]  # outside text before link 0, after link 0, …
    order: list = []
    inside: dict = {}
    for text, link, owner in pieces:
        if link is not None and link in owners:
            if not order or order[-1] is not link:
                order.append(link)
                stretches.append([])
            inside.setdefault(link, []).append(text)
        else:
            stretches[-1].append((text, owner))
    found = [_stretch_date(stretch) for stretch in stretches]
    before = bool(found[0])
    dates = {}
    for index, link in enumerate(order):
        date = (found[index] if before else found[index + 1]) or _first_date(
            " ".join(inside[link]))
        if date:
            dates.setdefault(link, date)
    return dates


def _stretch_date(stretch: list[tuple[str, object]]) -> str | None:
    """The date of a stretch of row text: the first one its element prints alone or under a
    label (`<span>发布时间：2025-08-04</span>`), before one inside a summary's sentence."""
    for text, owner in stretch:
        date = _first_date(text)
        if date and owner is not None and len(_DATE_LABEL_RE.sub("", _DATE_RE.sub(
                "", element_text(owner)))) <= _DATE_LABEL_CHARS:
            return date
    return _first_date(" ".join(text for text, _ in stretch))


def _first_date(text: str) -> str | None:
    """The first date printed in a row's text, as printed (a split one as `YYYY-MM-DD`)."""
    match = _DATE_RE.search(text)
    if match:
        return " ".join(match.group().split())
    for split_date in _SPLIT_DATE_RES:
        for match in split_date.finditer(text):
            year, month, day = (int(match.group(name)) for name in "ymd")
            if 1 <= month <= 12 and 1 <= day <= 31:
                return f"{year}-{month:02d}-{day:02d}"
    return None


def _is_pinned(row: _Row, pieces) -> bool:
    if any(_PINNED_TEXT_RE.search(text) for text, _, _ in pieces):
        return True
    for node in row.nodes:
        for element in node.iter():
            if isinstance(element.tag, str) and any(
                    _PINNED_WORD_RE.search(value) or _PINNED_TEXT_RE.search(value)
                    for name in _PINNED_ATTRIBUTES if (value := element.get(name))):
                return True
    return False


def _list_score(rows: list[_RowReading], dated: int, targets: _Targets) -> float:
    """Title text of the list's rows, up to doubled when they are dated, up to doubled again
    when their links lie under the page's own folder (a column's own notices)."""
    entries = [entry for reading in rows for entry in reading.entries]
    if not entries:
        return 0
    local = sum(targets.facts(entry.url)[1] for entry in entries)
    text = sum(len(entry.title) for entry in entries)
    return text * (1 + dated / len(rows)) * (1 + local / len(entries))


def _is_page_url(url: str) -> bool:
    """A link to one page (a notice), not to a folder or a column's index."""
    parts = urlsplit(url)
    if re.search(r"\d", parts.query):
        return True
    name = parts.path.rsplit("/", 1)[-1].lower()
    return bool(name) and not name.startswith(("index.", "default.", "list"))


def _is_title(text: str) -> bool:
    return len(text) >= MIN_TITLE_CHARS and text.lower() not in _LABEL_TEXTS


def page_number_links(response) -> list[str]:
    """URLs of a pager's page-number links (`1 2 3 …`) on the same host, the page itself left
    out; the fallback when a list has no `下一页` link."""
    here = urlsplit(response.url)
    urls: list[str] = []
    for link in response.xpath("//a[@href]"):
        url = web_url(response.url, link_target(link.root))
        if not _is_page_number_link(link.root) or url is None:
            continue
        if urlsplit(url).netloc == here.netloc and url != response.url and url not in urls:
            urls.append(url)
    return urls


def is_attachment_url(url: str) -> bool:
    """Whether a link points at a file (pdf, doc …) rather than a page."""
    return file_extension(url) in ATTACHMENT_TYPES

