"""What the hostile-input defences cost, and how list pages scale with links per container.

1. Per notice page of the seed-site replicas: the charset and soft-404 checks next to page
   extraction (NoticePage fields), medians of repeated runs and their ratio.
2. ListPage.entries on a list whose N links share one container, next to N links in N rows.
3. parse_header_line on a label followed by a run of N spaces, next to N CJK characters.

    python -m bench.hostile
"""

from __future__ import annotations

import statistics
import time

from scrapy.http import HtmlResponse, Request

from bench.notice_parser import notice_responses
from crawler.middlewares.charset import CharsetMiddleware
from crawler.middlewares.soft404 import Soft404Middleware
from crawler.pages.detail import NoticePage
from crawler.pages.header import parse_header_line
from crawler.pages.listing import ListPage
from crawler.platforms import platform_named

REPEATS = 7


class _Stats(dict):
    def inc_value(self, key, count=1):
        self[key] = self.get(key, 0) + count


def _median_seconds(run, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _fields(page: NoticePage) -> tuple:
    return page.title, page.published_at, page.source, page.body_text, page.attachments


def _fresh(response: HtmlResponse) -> HtmlResponse:
    return response.replace(body=response.body)  # no cached text or selector


def middleware_cost() -> None:
    responses = [r.replace(request=Request(r.url)) for r in notice_responses()]
    charset, soft404 = CharsetMiddleware(_Stats()), Soft404Middleware(_Stats())

    def extract():
        generic = platform_named("generic")
        return [_fields(generic.notice_page(_fresh(response))) for response in responses]

    def checks():
        for response in responses:
            fresh = _fresh(response)
            soft404.process_response(fresh.request, charset.process_response(fresh.request,
                                                                              fresh))

    pages = len(responses)
    extract_s, checks_s = _median_seconds(extract), _median_seconds(checks)
    print(f"{pages} notice pages, median of {REPEATS} runs")
    print(f"  page extraction        {extract_s / pages * 1000:8.2f} ms/page")
    print(f"  charset + soft-404     {checks_s / pages * 1000:8.2f} ms/page"
          f"   ({checks_s / extract_s:.0%} of extraction)")


def _list_page(links: int, rows: bool) -> HtmlResponse:
    link = '<a href="/a/{0}.html">关于巡察整改情况的通报{0}</a> 2022-02-25'
    items = (f"<li>{link.format(i)}</li>" if rows else link.format(i) for i in range(links))
    body = f"<html><body><div>{''.join(items)}</div></body></html>"
    return HtmlResponse("http://www.example.gov.cn/list.html", body=body.encode(),
                        encoding="utf-8")


def list_scaling() -> None:
    print("ListPage.entries, median of 3 runs   links in one <div>   links in <li> rows")
    for links in (500, 1000, 2000, 4000):
        shared = _median_seconds(lambda n=links: ListPage(_list_page(n, False)).entries, 3)
        rows = _median_seconds(lambda n=links: ListPage(_list_page(n, True)).entries, 3)
        print(f"  {links:5d} links                        {shared * 1000:9.1f} ms"
              f"       {rows * 1000:9.1f} ms   ({shared / rows:.1f}x)")


def header_scaling() -> None:
    print("parse_header_line, median of 3 runs   来源： + N spaces   来源： + N x 巡")
    for size in (1250, 2500, 5000, 10000):
        spaces = _median_seconds(lambda n=size: parse_header_line("来源：" + " " * n), 3)
        text = _median_seconds(lambda n=size: parse_header_line("来源：" + "巡" * n), 3)
        print(f"  N = {size:5d}                          {spaces * 1000:9.1f} ms"
              f"       {text * 1000:9.1f} ms")


def main() -> int:
    middleware_cost()
    list_scaling()
    header_scaling()
    return 0


if __name__ == "__main__":
    main()
