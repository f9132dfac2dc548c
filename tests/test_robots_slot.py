"""robots.txt requests in the download slot of the site whose request triggered them."""

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.middlewares.robots import RobotsTxtSlotMiddleware


def middleware(**settings) -> RobotsTxtSlotMiddleware:
    return RobotsTxtSlotMiddleware.from_crawler(get_crawler(settings_dict=settings))


def robots_request(url: str) -> Request:
    """The request Scrapy's RobotsTxtMiddleware makes."""
    return Request(url, meta={"dont_obey_robotstxt": True}, priority=1000)


def test_robots_request_takes_the_slot_of_its_site():
    mw = middleware(ROBOTSTXT_OBEY=True)
    mw.process_request(Request("http://127.0.0.1:8001/list/", meta={"download_slot": "siteA"}))
    mw.process_request(Request("http://127.0.0.1:8002/list/", meta={"download_slot": "siteB"}))
    first, second = (robots_request("http://127.0.0.1:8001/robots.txt"),
                     robots_request("http://127.0.0.1:8002/robots.txt"))
    mw.process_request(first)
    mw.process_request(second)
    assert first.meta["download_slot"] == "siteA"
    assert second.meta["download_slot"] == "siteB"


def test_other_requests_are_left_alone():
    mw = middleware(ROBOTSTXT_OBEY=True)
    mw.process_request(Request("http://a.example/list/", meta={"download_slot": "siteA"}))
    unknown_host = robots_request("http://b.example/robots.txt")
    not_robots = Request("http://a.example/robots.txt")  # a page that obeys robots.txt
    page = Request("http://a.example/other.html", meta={"dont_obey_robotstxt": True})
    for request in (unknown_host, not_robots, page):
        mw.process_request(request)
        assert "download_slot" not in request.meta


def test_first_slot_of_a_host_wins():
    mw = middleware(ROBOTSTXT_OBEY=True)
    mw.process_request(Request("http://a.example/x", meta={"download_slot": "first"}))
    mw.process_request(Request("http://a.example/y", meta={"download_slot": "second"}))
    robots = robots_request("http://a.example/robots.txt")
    mw.process_request(robots)
    assert robots.meta["download_slot"] == "first"


def test_off_when_robots_txt_is_not_obeyed():
    with pytest.raises(NotConfigured):
        middleware(ROBOTSTXT_OBEY=False)
