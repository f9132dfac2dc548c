"""Hanweb 大汉 JCMS: `/col/` column pages with an XML record island, more records by POST to
the jpage data proxy (`startrecord`/`endrecord`), `/art/` articles with the body in `#zoom`."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from scrapy import Request

from crawler.pages.hanweb import HanwebListPage, HanwebNoticePage
from crawler.platforms.base import Platform

_MARKERS_RE = re.compile(
    r"/module/web/jpage/|/module/jpage/|/module/jslib/jquery/jpage/|\.jpage\(|"
    r"/module/visitcount/|/col/col\d+/|/art/\d{4}/\d+/\d+/art_\d+_\d+\.html|<datastore>", re.I)
_JPAGE_NUMBER_RE = {name: re.compile(rf"\b{name}\s*:\s*['\"]?(\d+)", re.I)
                    for name in ("totalRecord", "perPage", "groupSize")}
_PROXY_URL_RE = re.compile(r"\bproxyUrl\s*:\s*['\"]([^'\"]+)['\"]")
_AJAX_PARAM_RE = re.compile(r"\bajaxParam\s*:\s*\{([^}]*)\}", re.S)
_PARAM_PAIR_RE = re.compile(r"""['"]?(\w+)['"]?\s*:\s*(?:'([^']*)'|"([^"]*)"|([^,\s}]+))""")
_NEXTGROUP_RE = re.compile(r"<nextgroup>\s*<!\[CDATA\[.*?href=['\"]([^'\"]+)['\"]", re.S | re.I)
_TOTAL_RECORD_RE = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
DEFAULT_PROXY_PATH = "/module/web/jpage/dataproxy.jsp"


class Hanweb(Platform):
    name = "hanweb"

    def detect(self, response) -> bool:
        return bool(_MARKERS_RE.search(response.url) or _MARKERS_RE.search(response.text))

    def list_page(self, response) -> HanwebListPage:
        return HanwebListPage(response)

    def notice_page(self, response) -> HanwebNoticePage:
        return HanwebNoticePage(response)

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
