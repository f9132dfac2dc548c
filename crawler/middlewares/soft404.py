"""Recognise government "page not found" answers served with HTTP 200 (soft 404s).

Many gov CMSs answer a missing page with HTTP 200 and a short page — `您访问的页面不存在`,
`404`, a countdown and a script sending the visitor home. This downloader middleware drops such
an answer with its reason (the request's errback logs it with the URL) instead of letting it
become a notice.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.http.request import NO_CALLBACK

from crawler.middlewares.charset import UnreadableBody

logger = logging.getLogger(__name__)

# Wording of not-found pages (title or text).
NOT_FOUND_RE = re.compile(
    r"(?:页面|网页|文章|信息|内容|栏目)(?:不存在|未找到|找不到|已(?:被)?(?:删除|撤销|移除|过期|下线))"
    r"|(?:找不到|未找到|无法找到)(?:该|此|您要的|您访问的|您所访问的|相关)?(?:页面|网页|文件|文章)"
    r"|不存在或已(?:被)?(?:删除|撤销|移除|过期)"
    r"|(?<!\d)404(?!\d)\s*(?:not\s*found|错误|页面|error|-|—|！|!)"
    r"|(?:错误|error)\s*(?:代码|code)?\s*[:：]?\s*404(?!\d)"
    r"|\bnot\s+found\b",
    re.I,
)
# Words without which no page is looked at closer (a plain substring test is cheap).
NOT_FOUND_HINTS = ("存在", "找到", "删除", "撤销", "移除", "过期", "下线", "404", "ound", "OUND")
# A bare `404` counts in the title only, and not as a document number (`第404号`).
TITLE_404_RE = re.compile(r"(?<![\d第])404(?![\d号])")
# A script or meta refresh sending the visitor elsewhere (the home page, a 404 page).
SCRIPT_REDIRECT_RE = re.compile(
    r"""location(?:\.href)?\s*=\s*["']([^"']*)["']"""
    r"""|location\.(?:replace|assign)\(\s*["']([^"']*)["']""",
    re.I,
)
# A not-found page is short; a notice that happens to quote the wording is not.
MAX_TEXT_CHARS = 400
# Bodies larger than this are not looked at (not-found pages are small).
MAX_BODY_BYTES = 200_000
# A page this short that only sends the visitor home is not a notice either.
MAX_BARE_REDIRECT_CHARS = 60
HOME_PATHS = ("", "/", "/index.html", "/index.htm", "/index.shtml", "/index.jsp", "/index.php",
               "/default.html", "/default.htm", "/default.aspx", "/404.html", "/404.htm")


# Characters lxml refuses in strings (C0 controls other than tab, LF and CR).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class SoftNotFound(UnreadableBody):
    """A page answered with HTTP 200 that is a not-found page."""


def _visible_text(body_html: str) -> tuple[str, str]:
    """(title, visible text) of a page, scripts and styles left out."""
    try:
        root = lxml_html.document_fromstring(_CONTROL_RE.sub(" ", body_html))
    except (ValueError, lxml_html.etree.ParserError):
        return "", ""
    for node in root.xpath("//script|//style|//noscript|//template"):
        node.drop_tree()
    title = " ".join(root.xpath("string(//title)").split())
    body = root.find("body")
    text = " ".join((body.text_content() if body is not None else "").split())
    return title, text


def _redirect_target(page_html: str, url: str) -> str | None:
    """Where a script or meta refresh sends the visitor, as an absolute URL."""
    match = SCRIPT_REDIRECT_RE.search(page_html)
    if match:
        return urljoin(url, match.group(1) or match.group(2) or "")
    refresh = re.search(r"""<meta[^>]+http-equiv\s*=\s*["']?refresh[^>]+url\s*=\s*([^"'>\s]+)""",
                        page_html, re.I)
    return urljoin(url, refresh.group(1)) if refresh else None


def _goes_home(target: str | None, url: str) -> bool:
    if target is None:
        return False
    parts, here = urlsplit(target), urlsplit(url)
    return parts.netloc == here.netloc and parts.path.lower() in HOME_PATHS and target != url


def soft404_reason(page_html: str, url: str) -> str | None:
    """Why a page answered with 200 is a not-found page, or None when it is not one."""
    target = _redirect_target(page_html, url)
    if target is None and not any(hint in page_html for hint in NOT_FOUND_HINTS):
        return None  # no wording and no redirect anywhere: no need to parse the page
    title, text = _visible_text(page_html)
    if len(text) > MAX_TEXT_CHARS:
        return None
    redirect = f" and sends the visitor to {target}" if target else ""
    for where, value in (("title", title), ("text", text)):
        match = NOT_FOUND_RE.search(value)
        if match or (where == "title" and TITLE_404_RE.search(value)):
            said = match.group() if match else "404"
            return f"soft 404: the page {where} says {said!r}{redirect}"
    if len(text) <= MAX_BARE_REDIRECT_CHARS and _goes_home(target, url):
        return f"soft 404: a near-empty page ({len(text)} characters){redirect}"
    return None


class Soft404Middleware:
    """Downloader middleware: an HTTP 200 not-found page becomes an error, not a notice."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("NOTICES_SOFT404_CHECK"):
            raise NotConfigured
        return cls(crawler.stats)

    def process_response(self, request, response, spider=None):
        # Only pages a spider callback reads; files (attachments) and robots.txt are fetched
        # without one and judged by their own checks (content sniffing).
        if (request.callback is NO_CALLBACK or not 200 <= response.status < 300
                or not isinstance(response, HtmlResponse)
                or len(response.body) > MAX_BODY_BYTES):
            return response
        reason = soft404_reason(response.text, response.url)
        if reason is None:
            return response
        self.stats.inc_value("notices/soft404_count")
        raise SoftNotFound(reason, response)
