"""Page objects of JSON answers (custom AJAX sites): key vocabularies as data, tried in order."""

from __future__ import annotations

import json
from functools import cached_property
from urllib.parse import urljoin

from lxml import html as lxml_html

from crawler.pages.detail import NoticePage
from crawler.pages.listing import ListEntry, ListPage, ListReading, SkippedRow

RECORD_LIST_KEYS = ("list", "rows", "records", "items", "data", "content", "result")
ID_KEYS = ("id", "articleId", "contentId", "infoId", "newsId")
TITLE_KEYS = ("title", "articleTitle", "name", "subject")
DATE_KEYS = ("createTime", "publishTime", "pubDate", "releaseTime", "publishDate", "date",
             "createDate", "time")
SOURCE_KEYS = ("source", "contentSource", "origin", "from")
CONTENT_KEYS = ("content", "contentHtml", "body", "html", "text")
HITS_KEYS = ("clickCount", "hits", "viewCount", "visitCount", "readCount", "clicks", "views")
AUTHOR_KEYS = ("author", "writer")
EDITOR_KEYS = ("editor", "responsibleEditor")
URL_KEYS = ("url", "link", "href")
PAGE_COUNT_KEYS = ("pages", "totalPage", "totalPages", "pageCount")
_WRAPPER_KEYS = ("data", "result", "obj", "body")


def json_of(response):
    """The decoded JSON of a response, or None when it is not JSON."""
    text = response.text.strip().lstrip("\ufeff")
    if not text.startswith(("{", "[")):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def first_value(record: dict, keys: tuple[str, ...]):
    """The first key of `keys` the record has with a non-empty value."""
    for key in keys:
        value = record.get(key)
        if value not in (None, ""):
            return value
    return None


def _unwrap(data) -> dict | None:
    """The dict holding a notice: the answer itself or its `data`/`result` wrapper."""
    while isinstance(data, dict):
        if first_value(data, TITLE_KEYS) is not None and first_value(data, CONTENT_KEYS):
            return data
        inner = next((data[k] for k in _WRAPPER_KEYS if isinstance(data.get(k), dict)), None)
        if inner is None:
            return None
        data = inner
    return None


def _record_list(data, depth: int = 0) -> tuple[list[dict], dict]:
    """The list of record dicts in a list answer and the dict that holds it."""
    if isinstance(data, list):
        return [r for r in data if isinstance(r, dict)], {}
    if not isinstance(data, dict) or depth > 3:
        return [], {}
    for key in RECORD_LIST_KEYS:
        value = data.get(key)
        if isinstance(value, list) and any(isinstance(r, dict) for r in value):
            return [r for r in value if isinstance(r, dict)], data
        if isinstance(value, dict):
            found = _record_list(value, depth + 1)
            if found[0]:
                return found
    return [], {}


class JsonListPage(ListPage):
    """Records of a JSON list answer; each links to the public notice page of its id."""

    def __init__(self, response, page_url: str, page_template: str):
        super().__init__(response)
        self.page_url = page_url
        self.page_template = page_template

    @cached_property
    def _list(self) -> tuple[list[dict], dict]:
        return _record_list(json_of(self.response))

    @property
    def records(self) -> list[dict]:
        return self._list[0]

    @cached_property
    def reading(self) -> ListReading:
        entries, skipped = [], []
        for record in self.records:
            key, title = first_value(record, ID_KEYS), first_value(record, TITLE_KEYS)
            link = first_value(record, URL_KEYS)
            if title is None or (key is None and link is None):
                skipped.append(SkippedRow(link, json.dumps(record, ensure_ascii=False)[:80],
                                          "no_title_link"))
                continue
            url = urljoin(self.page_url, link or self.page_template.format(id=key))
            date = first_value(record, DATE_KEYS)
            entries.append(ListEntry(url, str(title).strip(), None if date is None
                                     else str(date), None if key is None else str(key)))
        return ListReading(entries, skipped)

    @property
    def page_count(self) -> int | None:
        value = first_value(self._list[1], PAGE_COUNT_KEYS)
        return int(value) if str(value).isdigit() else None

    @property
    def next_page_url(self) -> str | None:
        return None


class JsonNoticePage(NoticePage):
    """A notice answered as JSON: title, source, time (text or ms epoch), HTML content."""

    @cached_property
    def data(self) -> dict:
        return _unwrap(json_of(self.response)) or {}

    def meta(self, field: str) -> str | None:
        return None

    @cached_property
    def header(self) -> dict:
        return {}

    def _value(self, keys) -> str | None:
        value = first_value(self.data, keys)
        return None if value is None else str(value).strip() or None

    @cached_property
    def title(self) -> str | None:
        return self._first_of("title", [("json_api", lambda: self._value(TITLE_KEYS))])

    @cached_property
    def published_at(self) -> str | None:
        return self._first_of("published_at", [("json_api", lambda: self._value(DATE_KEYS))])

    @cached_property
    def source(self) -> str | None:
        return self._first_of("source", [("json_api", lambda: self._value(SOURCE_KEYS))])

    @cached_property
    def author(self) -> str | None:
        return self._first_of("author", [("json_api", lambda: self._value(AUTHOR_KEYS))])

    @cached_property
    def editor(self) -> str | None:
        return self._first_of("editor", [("json_api", lambda: self._value(EDITOR_KEYS))])

    @cached_property
    def hit_count(self) -> int | None:
        value = first_value(self.data, HITS_KEYS)
        return self._first_of("hit_count", [
            ("json_api", lambda: int(value) if str(value).isdigit() else None)])

    @cached_property
    def counter_url(self) -> str | None:
        return None

    def body_candidates(self):
        content = self._value(CONTENT_KEYS)
        if content:
            yield "json_api", lxml_html.fragment_fromstring(content, create_parent="div")

    @cached_property
    def _densest(self):
        return None
