"""Fuzzing the page objects and the page-level middlewares with tag soup and broken bytes.

Whatever a server sends, reading a page never raises out of the page objects, and a page the
spider would keep as a notice gives a record the schema accepts (or one the validator drops
for a missing title, the documented drop).
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse, Request, Response
from scrapy.http.headers import Headers
from scrapy.responsetypes import responsetypes

from crawler.middlewares.charset import CharsetMiddleware, UnreadableBody
from crawler.middlewares.soft404 import soft404_reason
from crawler.pages.detail import NoticePage
from crawler.pages.listing import ListEntry, ListPage
from crawler.platforms import PLATFORMS, detect_platform
from crawler.spiders.notices import NoticesSpider, Target
from pipelines.normalize import normalize_record
from pipelines.parse import parse_record
from pipelines.validate import record_errors
from tests.strategies import ANY_HREFS, CONTENT_TYPES, URLS, encode, mutated, nested, pages

_DATE_RE = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?")
# Heavy inputs (1 MB lines, deep nesting) run this share of the profile's cases.
_HEAVY = max(3, hypothesis_settings.default.max_examples // 10)


def response_for(url: str, body: bytes, content_type: str | None = "text/html") -> Response:
    """The response Scrapy would build for this answer (class chosen from headers and body)."""
    headers = Headers({"Content-Type": content_type} if content_type else {})
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    return cls(url=url, body=body, headers=headers, request=Request(url))


def notice_record(response: HtmlResponse) -> dict | None:
    """The item the spider makes of a notice page (None when it would drop the page)."""
    spider = NoticesSpider(start_url=response.url)
    target = Target(url=response.url, site_id=urlsplit(response.url).hostname)
    entry = ListEntry(response.url, "关于巡察整改情况的通报", "2022-02-25")
    response = response.replace(request=Request(response.url, meta={"target": target}))
    item = spider._notice_item(response, target, entry)
    item.pop("_counter_url")
    item.pop("_field_rules")
    return item if item["body_text"] or item["attachments"] else None


def check_pipeline(item: dict) -> None:
    record = parse_record(normalize_record(item))
    fields = {field.split("/")[0] for field, _ in record_errors(record)}
    assert fields <= {"title"}, record_errors(record)
    json.dumps(record, ensure_ascii=False).encode("utf-8")  # the feed can write it


def check_notice_page(response: HtmlResponse) -> None:
    page = NoticePage(response)
    for value in (page.title, page.published_at, page.source, page.author, page.editor,
                  page.site_name, page.counter_url):
        assert value is None or isinstance(value, str)
    assert page.hit_count is None or (isinstance(page.hit_count, int) and page.hit_count >= 0)
    assert isinstance(page.body_text, str)
    for attachment in page.attachments:
        assert urlsplit(attachment.url).scheme in ("http", "https"), attachment
    item = notice_record(response)
    if item is not None:
        check_pipeline(item)


def check_list_page(response: HtmlResponse) -> None:
    page = ListPage(response)
    for entry in page.entries:
        assert entry.title and (entry.date is None or _DATE_RE.fullmatch(entry.date)), entry
        assert urlsplit(entry.url).scheme in ("http", "https"), entry
    next_url = page.next_page_url
    assert next_url is None or (next_url != response.url
                                and urlsplit(next_url).scheme in ("http", "https"))
    for platform in PLATFORMS:
        assert isinstance(platform.detect(response), bool)
        assert isinstance(platform.is_list_page(response), bool)
    assert detect_platform(response) in PLATFORMS


@given(url=URLS, page=pages())
# A body of only a zero-width space: the page object saw text, the record none.
@example(url="http://www.example.gov.cn/a/xcgz/2022/0225/1234.html",
         page="<html><head><title></title></head><body><div>\u200b</body></html>")
def test_notice_page_of_tag_soup(fuzz_cases, url, page):
    fuzz_cases["notice page of tag soup"] += 1
    check_notice_page(response_for(url, encode(page)))


@given(url=URLS, page=pages())
def test_list_page_of_tag_soup(fuzz_cases, url, page):
    fuzz_cases["list page of tag soup"] += 1
    check_list_page(response_for(url, encode(page)))


@given(url=URLS, body=mutated(), content_type=CONTENT_TYPES)
@example(url="http://www.example.gov.cn/list.html", content_type="text/html",
         body=b'<html><body><li><a href="/a.html" \x01>x</a>2022-02-25</li></body></html>')
def test_page_objects_of_broken_bytes(fuzz_cases, url, body, content_type):
    """Truncated, NUL-spliced, mixed-encoding bytes as Scrapy gives them (the example: a
    control character where an attribute name goes must not lose the list page)."""
    fuzz_cases["page objects of broken bytes"] += 1
    response = response_for(url, body, content_type)
    if isinstance(response, HtmlResponse):
        check_notice_page(response)
        check_list_page(response)


@given(url=URLS, body=mutated(), content_type=CONTENT_TYPES)
def test_charset_middleware_of_broken_bytes(fuzz_cases, url, body, content_type):
    """The charset middleware hands on a response whose text is the body decoded strictly
    (no replacement characters of its own making), or drops it with a reason."""
    fuzz_cases["charset middleware of broken bytes"] += 1
    response = response_for(url, body, content_type)
    try:
        fixed = CharsetMiddleware(_Stats()).process_response(Request(url), response)
    except UnreadableBody as exc:
        assert str(exc).startswith("unreadable page: ")
        return
    if isinstance(fixed, HtmlResponse) and fixed is not response:
        assert fixed.text == body.decode(fixed.encoding)


BODY = "<p>县委巡察组反馈意见整改情况的通报正文，共发现问题十二个。</p>"
BROKEN_LINK_PAGE = (f'<html><body><div id="zoom">{BODY}<img src="javascript:void(0)">'
                    "</div></body></html>")


@given(url=URLS, page=pages(ANY_HREFS))
@example(url="http://www.example.gov.cn/a.html", page=BROKEN_LINK_PAGE)
def test_page_objects_with_any_link_targets(fuzz_cases, url, page):
    fuzz_cases["page objects with any link targets"] += 1
    response = response_for(url, encode(page))
    check_notice_page(response)
    check_list_page(response)


def test_broken_ipv6_link_does_not_lose_the_notice():
    """A malformed link (`http://[::1`) is passed over, the notice kept."""
    page = f'<html><body><div id="zoom">{BODY}<a href="http://[::1">附件</a></div></body></html>'
    check_notice_page(response_for("http://www.example.gov.cn/a.html", page.encode()))


@pytest.mark.parametrize("link", ['<img src="javascript:void(0)">',
                                  '<a href="ftp://ftp.example.gov.cn/a.pdf">附件</a>'])
def test_non_web_link_is_not_an_attachment(link):
    """Only http(s) targets become attachments (the schema accepts no other)."""
    page = f'<html><body><div id="zoom">{BODY}{link}</div></body></html>'
    check_notice_page(response_for("http://www.example.gov.cn/a.html", page.encode()))


@hypothesis_settings(max_examples=_HEAVY)
@given(depth=st.integers(0, 5000), tag=st.sampled_from(("div", "span", "td", "font", "p")))
def test_deeply_nested_pages(fuzz_cases, depth, tag):
    fuzz_cases["deeply nested pages"] += 1
    response = response_for("http://www.example.gov.cn/a.html", nested(depth, tag).encode())
    check_notice_page(response)
    check_list_page(response)


@hypothesis_settings(max_examples=_HEAVY)
@given(piece=st.sampled_from(("巡察整改", "来源：泾县纪委 ", "<b>", "a", "&nbsp;", "2022-02-25 ",
                              "<li><a href='x.html'>巡察</a>2022-02-25</li>", "一、", "<p>")),
       wrapper=st.sampled_from(('<div id="zoom">{}</div>', "<p>{}</p>", "{}", "<title>{}</title>")))
def test_one_megabyte_single_line(fuzz_cases, piece, wrapper):
    fuzz_cases["one megabyte single line"] += 1
    line = piece * (1_000_000 // len(piece.encode("utf-8")))
    body = f"<html><body>{wrapper.format(line)}</body></html>".encode()
    response = response_for("http://www.example.gov.cn/a.html", body)
    check_notice_page(response)
    check_list_page(response)


@given(page=pages(ANY_HREFS), url=URLS)
@example(page="<p><script></script>\x0b</p>", url="http://www.example.gov.cn/a.html")
def test_soft404_check_never_raises(fuzz_cases, page, url):
    fuzz_cases["soft-404 check"] += 1
    reason = soft404_reason(page, url)
    assert reason is None or reason.startswith("soft 404: ")


class _Stats(dict):
    def inc_value(self, key, count=1):
        self[key] = self.get(key, 0) + count
