"""Custom AJAX/JSON sites: list and notice pages are script shells filled from a JSON API.

Nothing in a shell names its API reliably, so a registry entry declares it (`platform =
"custom"` and an `api` table; see crawler/sites.toml):

    list         path of the list API (answers a JSON list of records and a page count)
    detail       path of the notice API (answers a JSON notice: title, source, time, content)
    page         public notice page, `{id}` replaced by the record id (the record's `url`)
    method       GET or POST (default POST), for both APIs
    page_param   name of the page-number parameter (default `pageNo`)
    id_param     name of the notice-id parameter (default `id`)
    params       fixed list parameters, e.g. { channelId = "12", pageSize = "10" }
"""

from __future__ import annotations

from urllib.parse import urlencode, urljoin

from scrapy import Request

from crawler.pages.jsondata import JsonListPage, JsonNoticePage, json_of
from crawler.pages.listing import ListEntry
from crawler.platforms.base import Platform

_FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                 "X-Requested-With": "XMLHttpRequest", "Accept": "application/json"}


class CustomJson(Platform):
    name = "custom"
    label = "AJAX/JSON sites"
    list_walk = "page-numbered requests to the list API the registry entry names"
    # After the CMS families: a JSON answer is no CMS page.
    priority = 900
    notice_page_class = JsonNoticePage

    def detect(self, response) -> bool:
        """Only a registry entry says a site is custom; JSON answers are recognised."""
        return json_of(response) is not None

    def first_request(self, url: str, api: dict) -> Request:
        if not api.get("list"):
            return Request(url)
        return self._list_request(url, api, page=1)

    def list_page(self, response) -> JsonListPage:
        api = _api(response)
        return JsonListPage(response, response.meta.get("page_url") or response.url,
                            api.get("page", "?id={id}"))

    def is_list_page(self, response) -> bool:
        data = json_of(response)
        if data is None:
            return super().is_list_page(response)
        return bool(self.list_page(response).records)

    def notice_request(self, entry: ListEntry, api: dict) -> Request:
        if not (api.get("detail") and entry.key):
            return Request(entry.url)
        params = {api.get("id_param", "id"): entry.key}
        return _api_request(urljoin(entry.url, api["detail"]), api, params,
                            meta={"page_url": entry.url})

    def next_page_requests(self, response, list_page) -> list[Request]:
        api = _api(response)
        page = response.meta.get("json_page")
        if page is None or not list_page.entries:
            return []
        pages = list_page.page_count
        if pages is not None and page >= pages:
            return []
        return [self._list_request(response.meta["page_url"], api, page + 1)]

    def _list_request(self, page_url: str, api: dict, page: int) -> Request:
        params = {**api.get("params", {}), api.get("page_param", "pageNo"): page}
        return _api_request(urljoin(page_url, api["list"]), api, params,
                            meta={"page_url": page_url, "json_page": page})


def _api(response) -> dict:
    target = response.meta.get("target")
    return getattr(target, "api", None) or {}


def _api_request(url: str, api: dict, params: dict, meta: dict) -> Request:
    query = urlencode({k: str(v) for k, v in params.items()})
    if api.get("method", "POST").upper() == "GET":
        return Request(f"{url}{'&' if '?' in url else '?'}{query}", meta=meta,
                       headers={"Accept": "application/json"})
    return Request(url, method="POST", body=query, headers=_FORM_HEADERS, meta=meta)
