"""Hanweb 大汉 JPaaS column lists (the newer 大汉 sites, in place of the jpage XML island).

A column page `/col/col{pageId}/index.html` is built with its first page of items; its
`div.pagination` carries `count`, `rows`, `pageNo`, `unitUrl` and `queryData`, and the page
loads `/AuthorizedRead/unitbuild.js` with the same `url` and `queryData`. Further pages come
from the page-build unit API:

    GET /api-gateway/jpaas-publish-server/front/page/build/unit?{queryData}
        &paramJson={"pageNo": N, "pageSize": rows}
    -> {"success": true, "data": {"html": "<div class=page-content><ul class=ajax-ul>…"}}

The answer's `div.pagination` repeats `count` and `pageNo`; a unit that prints no count is
walked while its pages are full. Articles are Hanweb's
(`/art/Y/M/D/art_{col}_{id}.html`, and `/col/col{col}/art/Y/art_{hex}.html` on newer columns,
body in `#zoom`). Where each shape comes from: docs/platforms.md.
"""

from __future__ import annotations

import ast
import json
import re
from functools import cached_property
from urllib.parse import urlencode, urljoin

from parsel import Selector
from scrapy import Request

from crawler.pages.jsondata import json_of
from crawler.pages.listing import ListPage, ListReading, read_list
from crawler.platforms.hanweb import Hanweb

UNIT_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"
_COLUMN_URL_RE = re.compile(r"/col/col\d+/(?:index\.html?)?(?:[?#]|$)")
_DEFAULT_ROWS = 15  # the unit API's page size when the pager names none
_JSON_HEADERS = {"Accept": "application/json, text/javascript, */*; q=0.01",
                 "X-Requested-With": "XMLHttpRequest"}


def unit_html(response) -> str | None:
    """The list markup of a unit answer (`data.html`), or None when the response is not one."""
    data = json_of(response)
    if isinstance(data, dict) and data.get("success") and isinstance(data.get("data"), dict):
        html = data["data"].get("html")
        return html if isinstance(html, str) else None
    return None


def _page_url(response) -> str:
    """The column page a unit answer belongs to (its links are relative to it)."""
    request = getattr(response, "request", None)
    return (request.meta.get("page_url") if request is not None else None) or response.url


class JpaasListPage(ListPage):
    """Entries of a column page, or of the list a unit answer carries."""

    @cached_property
    def reading(self) -> ListReading:
        html = unit_html(self.response)
        if html is not None:
            return read_list(Selector(text=html).root, _page_url(self.response))
        if json_of(self.response) is not None:  # a failed answer (`"success": false`)
            return ListReading([], [])
        return super().reading

    @property
    def next_page_url(self) -> str | None:
        return None if json_of(self.response) is not None else super().next_page_url


def _query_data(text: str | None) -> dict | None:
    """`queryData` as the page writes it: a JSON object in single quotes."""
    if not text:
        return None
    try:
        value = json.loads(text.replace("'", '"'))
    except ValueError:
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return None
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else None


def _pager(selector) -> dict[str, int]:
    """The numbers a `div.pagination` carries (`count`, `rows`, `pageno`)."""
    pager = selector.css("div.pagination[count]")
    numbers = {}
    for name in ("count", "rows", "pageno"):
        value = (pager.attrib.get(name) or "").strip() if pager else ""
        if value.isdigit():
            numbers[name] = int(value)
    return numbers


# `tagId`s that name a list unit (信息列表, 当前栏目list, 栏目列表, 分页列表, 内容区域, 右侧内容)
# rather than a navigation or footer unit of the same page.
_LIST_TAG_RE = re.compile(r"列表|list|内容", re.I)


def _unit_of_column(response) -> dict | None:
    """The unit API call a column page declares for its list: its pager's `unitUrl` and
    `queryData`, else the `unitbuild.js` script whose `tagId` names a list (else the first)."""
    declared = [(node, "uniturl") for node in response.css("div.pagination[querydata]")]
    scripts = response.css('script[src*="unitbuild.js"][querydata]')
    listed = [node for node in scripts if _LIST_TAG_RE.search(
        (_query_data(node.attrib.get("querydata")) or {}).get("tagId", ""))]
    declared += [(node, "url") for node in listed or scripts]
    for node, url_attr in declared:
        query = _query_data(node.attrib.get("querydata"))
        if query:
            url = urljoin(response.url, node.attrib.get(url_attr) or UNIT_PATH)
            return {"url": url, "query": query, "referer": response.url}
    return None


class HanwebJpaas(Hanweb):
    """Hanweb's articles and page objects; lists walked through the page-build unit API."""

    name = "hanweb_jpaas"
    label = "Hanweb 大汉 JPaaS"
    list_walk = "the built-in first page, then GETs to the page-build unit API"
    # Before Hanweb: these pages show Hanweb's `/col/` and `/art/` markers too.
    priority = 5
    markers = re.compile(r"/AuthorizedRead/unitbuild\.js|/jpaas-publish-server/", re.I)
    # Newer columns' articles; the `/art/Y/M/D/art_{col}_{id}.html` shape is Hanweb's.
    notice_urls = re.compile(r"/col/col\d+/art/\d{4}/art_[0-9a-f]{32}\.html$")
    # Hanweb's body container and counter are declared once, by Hanweb.
    body_selectors = ()
    counters = ()
    list_page_class = JpaasListPage

    def is_list_page(self, response) -> bool:
        if json_of(response) is not None:
            return unit_html(response) is not None
        return super().is_list_page(response) or bool(self.script_list_requests(response))

    def script_list_requests(self, response) -> list[Request]:
        """A shell column's first unit page (`pageNo` 1, the pager's `rows` or 15): a column
        page (`/col/col{pageId}/`) that declares its list unit and builds none of its rows."""
        if json_of(response) is not None or not _COLUMN_URL_RE.search(response.url):
            return []
        unit = _unit_of_column(response)
        if unit is None or self.list_page(response).entries:
            return []
        rows = _pager(response).get("rows") or _DEFAULT_ROWS
        return [_unit_request(unit, 1, rows)]

    def next_page_requests(self, response, list_page) -> list[Request]:
        """The next unit page while the pager's `count` says items remain."""
        carried = response.request.meta.get("jpaas_unit") if response.request else None
        unit = carried or _unit_of_column(response)
        if unit is None:
            return super().next_page_requests(response, list_page)
        html = unit_html(response)
        numbers = _pager(Selector(text=html) if html is not None else response)
        rows = unit.get("rows") or numbers.get("rows") or len(list_page.entries)
        page_no = numbers.get("pageno") or unit.get("page_no") or 1
        count = numbers.get("count")
        # Without a count (some units print none), a full page means more may follow.
        if not list_page.entries or not rows or (
                page_no * rows >= count if count is not None
                else len(list_page.entries) < rows):
            return []
        return [_unit_request(unit, page_no + 1, rows)]


def _unit_request(unit: dict, page_no: int, rows: int) -> Request:
    """The unit API's page `page_no` of `rows` items."""
    query = {**unit["query"],
             "paramJson": json.dumps({"pageNo": page_no, "pageSize": rows},
                                     separators=(",", ":"))}
    return Request(f"{unit['url']}?{urlencode(query)}",
                   headers={**_JSON_HEADERS, "Referer": unit["referer"]},
                   meta={"jpaas_unit": {**unit, "rows": rows, "page_no": page_no},
                         "page_url": unit["referer"]})
