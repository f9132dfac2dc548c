"""robots.txt in legacy Chinese encodings (`ROBOTSTXT_PARSER`).

Scrapy decodes robots.txt as UTF-8 and silently drops the bytes that are not, so a GBK file's
Chinese paths (`Disallow: /内部资料/`) turn into garbage rules that match nothing. This
parser decodes UTF-8 when the bytes are UTF-8 and GB18030 (a superset of GBK and GB2312)
otherwise, and writes each rule with a non-ASCII path twice: as text (matched against
UTF-8-encoded URLs) and percent-encoded in GB18030 (matched against GBK-encoded URLs).

`RobotsTxtSlotMiddleware` fetches robots.txt in the download slot of the site that needs it.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

from protego import Protego
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)
_RULE_RE = re.compile(r"^(\s*(?:dis)?allow\s*:\s*)(\S+)(.*)$", re.I)


def decode_robotstxt(body: bytes) -> tuple[str, str]:
    """(text, encoding) of a robots.txt body: UTF-8 (with or without BOM), else GB18030."""
    try:
        return body.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return body.decode("gb18030", errors="replace"), "gb18030"


def with_legacy_paths(text: str, encoding: str = "gb18030") -> str:
    """Each Allow/Disallow line with a non-ASCII path followed by its percent-encoded twin."""
    lines = []
    for line in text.splitlines():
        lines.append(line)
        match = _RULE_RE.match(line)
        if match and not match.group(2).isascii():
            path = quote(match.group(2).encode(encoding, errors="ignore"), safe="/*$?=&%")
            lines.append(f"{match.group(1)}{path}")
    return "\n".join(lines)


class LegacyEncodingRobotParser(RobotParser):
    """Protego on a robots.txt decoded as UTF-8 or GB18030."""

    def __init__(self, robotstxt_body: bytes, spider=None):
        text, encoding = decode_robotstxt(robotstxt_body)
        if encoding != "utf-8":
            logger.info("robots.txt decoded as %s", encoding)
        self.rp = Protego.parse(with_legacy_paths(text))

    @classmethod
    def from_crawler(cls, crawler, robotstxt_body: bytes):
        return cls(robotstxt_body, crawler.spider)

    def allowed(self, url, user_agent) -> bool:
        if isinstance(user_agent, bytes):
            user_agent = user_agent.decode("utf-8", errors="ignore")
        if isinstance(url, bytes):
            url = url.decode("utf-8", errors="ignore")
        return self.rp.can_fetch(url, user_agent)


class WaitingRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with every request that waits for a host's robots.txt
    checked against it.

    Scrapy 2.19 awaits the pending robots.txt Deferred once per waiting request, and the first
    wait swallows the Deferred's result: the other requests made before robots.txt arrived get
    no parser and are sent unchecked. Here each waiting request gets its own Deferred."""

    async def robot_parser(self, request):
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        waiter: Deferred = Deferred()

        def hand_over(result):
            waiter.callback(result)
            return result

        pending.addCallback(hand_over)
        return await maybe_deferred_to_future(waiter)


class RobotsTxtSlotMiddleware:
    """Fetches a site's robots.txt in the site's own download slot (`download_slot` meta).

    Scrapy's robots.txt request carries no slot, so it queues in the host name's slot: sites
    that share a host name (mirrors, one provincial host, loopback fixtures) would fetch their
    robots.txt one download delay apart, each site's crawl waiting for its turn. Placed before
    RobotsTxtMiddleware, this notes the slot of each host's requests and gives it to the
    robots.txt request that the host's first request triggers.
    """

    def __init__(self):
        self.slots: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        return cls()

    def process_request(self, request):
        netloc = urlparse_cached(request).netloc
        slot = request.meta.get("download_slot")
        if slot is not None:
            self.slots.setdefault(netloc, slot)
        elif (request.meta.get("dont_obey_robotstxt") and netloc in self.slots
              and urlparse_cached(request).path == "/robots.txt"):
            request.meta["download_slot"] = self.slots[netloc]
