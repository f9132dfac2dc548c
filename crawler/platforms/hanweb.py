"""Hanweb 大汉 JCMS: `/col/` column pages with an XML record island, more records by POST to
the jpage data proxy (`startrecord`/`endrecord`), `/art/` articles with the body in `#zoom`
(or between the ContentStart/ContentEnd markers), `articlehits.jsp` counters.

List records are kept as data: an XML island (`<datastore>`), a data-proxy answer or an
`InitData` array."""

from __future__ import annotations

import re
from functools import cached_property
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from lxml import html as lxml_html
from parsel import Selector
from scrapy import Request

from crawler.hits import CounterScript
from crawler.pages.detail import NoticePage
from crawler.pages.listing import ListPage, ListReading, read_list
from crawler.platforms.base import Platform

_JPAGE_NUMBER_RE = {name: re.compile(rf"\b{name}\s*:\s*['\"]?(\d+)", re.I)
                    for name in ("totalRecord", "perPage", "groupSize")}
_PROXY_URL_RE = re.compile(r"\bproxyUrl\s*:\s*['\"]([^'\"]+)['\"]")
_AJAX_PARAM_RE = re.compile(r"\bajaxParam\s*:\s*\{([^}]*)\}", re.S)
_PARAM_PAIR_RE = re.compile(r"""['"]?(\w+)['"]?\s*:\s*(?:'([^']*)'|"([^"]*)"|([^,\s}]+))""")
_NEXTGROUP_RE = re.compile(r"<nextgroup>\s*<!\[CDATA\[.*?href=['\"]([^'\"]+)['\"]", re.S | re.I)
_TOTAL_RECORD_RE = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
DEFAULT_PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
_RECORD_RE = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_INIT_DATA_RE = re.compile(r"var\s+InitData\w*\s*=\s*\[(.*?)\]\s*;", re.S)
_JS_STRING_RE = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"", re.S)
_CONTENT_RE = re.compile(
    r"<meta\s+name=['\"]?ContentStart['\"]?\s*/?>(.*?)<meta\s+name=['\"]?ContentEnd['\"]?\s*/?>",
    re.S | re.I)


class HanwebListPage(ListPage):
    """Entries of the records a column page or a data-proxy answer carries."""

    @cached_property
    def records(self) -> list[str]:
        """The record markup fragments (`<li>…</li>`), in list order."""
        text = self.response.text
        records = _RECORD_RE.findall(text)
        if not records and (array := _INIT_DATA_RE.search(text)):
            records = [a or b for a, b in _JS_STRING_RE.findall(array.group(1))]
        return records

    @cached_property
    def reading(self) -> ListReading:
        if not self.records:
            return super().reading
        fragment = Selector(text="<ul>" + "".join(self.records) + "</ul>")
        return read_list(fragment.root, self.response.url)

    @property
    def next_page_url(self) -> str | None:
        return None if self.records else super().next_page_url


class HanwebNoticePage(NoticePage):
    """Body between `<meta name="ContentStart">` and `<meta name="ContentEnd">` when marked."""

    def body_candidates(self):
        match = _CONTENT_RE.search(self.response.text)
        if match and match.group(1).strip():
            yield "hanweb_content_markers", lxml_html.fragment_fromstring(
                match.group(1), create_parent="div")
        yield from super().body_candidates()


class Hanweb(Platform):
    name = "hanweb"
    label = "Hanweb 大汉 JCMS"
    list_walk = "XML record island, then POSTs to the jpage data proxy"
    priority = 10
    markers = re.compile(
        r"/module/web/jpage/|/module/jpage/|/module/jslib/jquery/jpage/|\.jpage\(|"
        r"/module/visitcount/|/col/col\d+/|/art/\d{4}/\d+/\d+/art_\d+_\d+\.html|<datastore>",
        re.I)
    notice_urls = re.compile(r"/art/\d{4}/\d+/\d+/art_\d+_\d+\.html$")
    body_selectors = ("#zoom",)
    counters = (CounterScript(re.compile(r"/module/visitcount/articlehits\.jsp", re.I), None),)
    notice_page_class = HanwebNoticePage
    list_page_class = HanwebListPage

    def is_list_page(self, response) -> bool:
        if HanwebListPage(response).records:
            return True
        return super().is_list_page(response)

    def next_page_requests(self, response, list_page) -> list[Request]:
        """The next group of records from the data proxy, while records remain."""
        carried = response.request.meta.get("hanweb_paging") if response.request else None
        paging = carried or _paging_from_column(response, list_page)
        if paging is None:
            return super().next_page_requests(response, list_page)
        total = _total_records(response) or paging["total"]
        start = paging["end"] + 1
        if not list_page.records or start > total:
            return []
        end = min(start + paging["per_call"] - 1, total)
        query = urlencode({"startrecord": start, "endrecord": end, "perpage": paging["per_page"]})
        proxy = paging["proxy"]
        url = f"{proxy}{'&' if '?' in proxy else '?'}{query}"
        return [Request(
            url, method="POST", body=urlencode(paging["form"]),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                     "X-Requested-With": "XMLHttpRequest", "Referer": paging["referer"]},
            meta={"hanweb_paging": {**paging, "end": end, "total": total},
                  "page_url": paging["referer"]},
        )]


def _paging_from_column(response, list_page) -> dict | None:
    """Data-proxy paging read from a column page: the jpage call, else the nextgroup link."""
    text = response.text
    numbers = {name: int(m.group(1)) for name, rx in _JPAGE_NUMBER_RE.items()
               if (m := rx.search(text))}
    nextgroup = _NEXTGROUP_RE.search(text)
    proxy_match = _PROXY_URL_RE.search(text)
    form: dict[str, str] = {}
    if (params := _AJAX_PARAM_RE.search(text)):
        form = {m.group(1): next(v for v in m.groups()[1:] if v is not None)
                for m in _PARAM_PAIR_RE.finditer(params.group(1))}
    if nextgroup:
        link = urlsplit(nextgroup.group(1).replace("&amp;", "&"))
        proxy_path = link.path
        for key, value in parse_qsl(link.query):
            if key != "page":
                form.setdefault(key, value)
    else:
        proxy_path = DEFAULT_PROXY_PATH
    if "totalRecord" not in numbers or not form:
        return None
    per_page = numbers.get("perPage") or len(list_page.records) or 1
    per_call = per_page * numbers.get("groupSize", 1)
    proxy = urljoin(response.url, proxy_match.group(1) if proxy_match else proxy_path)
    return {"proxy": proxy, "form": form, "per_page": per_page, "per_call": per_call,
            "total": numbers["totalRecord"], "end": len(list_page.records),
            "referer": response.url}


def _total_records(response) -> int | None:
    match = _TOTAL_RECORD_RE.search(response.text)
    return int(match.group(1)) if match else None
