"""Make a page's text come out right when its HTTP header and `<meta>` disagree on the charset.

Scrapy trusts the Content-Type charset over the page's own declaration; county sites often
send `charset=utf-8` for GBK pages (or declare `gb2312` in a UTF-8 page). This downloader
middleware decodes the body strictly with each candidate in turn — UTF-8 first (a strict
UTF-8 decode is a strong sign), then the `<meta>` and header declarations, then GB18030 — and
hands on the response with the first charset that decodes. HTML served as
`application/octet-stream` becomes an HTML response. A body no candidate decodes (a binary, a
page mixing encodings) is dropped with its reason: never mojibake.
"""

from __future__ import annotations

import codecs
import logging
import re

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding

logger = logging.getLogger(__name__)

# Declared names whose real-world bodies are GBK (a GB18030 subset, which also decodes 喆 镕).
GB_FAMILY = frozenset({"gb2312", "gbk", "gb18030", "gb_2312", "gb_2312-80", "cp936", "x-gbk",
                       "csgb2312", "euc-cn", "ms936", "windows-936", "chinese"})
FALLBACK_CHARSET = "gb18030"
# File signatures of binaries that servers label text/html.
BINARY_SIGNATURES = (
    (b"%PDF-", "a PDF document"), (b"PK\x03\x04", "a ZIP archive (docx/xlsx/ofd)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE document (doc/xls/wps)"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"), (b"GIF89a", "a GIF image"), (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x1f\x8b", "gzip data"),
)
# Media types under which a server may hide an HTML page.
UNTYPED_MEDIA = frozenset({"", "application/octet-stream", "binary/octet-stream",
                           "application/x-download", "application/force-download"})
_HTML_START_RE = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b", re.I | re.S)
# C0 controls that text does not use (tab, LF, FF, CR and ESC excepted); a decode with more
# than this share of them has read a binary as text.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
_MAX_CONTROL_SHARE = 0.01
_CJK_RE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# A body failing UTF-8 yet decoding this share of its non-ASCII characters as CJK text in
# UTF-8 mixes encodings (GBK text yields well under 5% such characters by chance).
_MIXED_UTF8_SHARE = 0.2
_SNIFF_BYTES = 4096


class UnreadableBody(IgnoreRequest):
    """The body cannot be read as text; `response` is the answer that was dropped."""

    def __init__(self, reason: str, response: Response):
        super().__init__(reason)
        self.response = response


def normalize_charset(name: str | None) -> str | None:
    """A codec name for a declared charset: GB family -> gb18030, unknown names -> None."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    if name in GB_FAMILY:
        return FALLBACK_CHARSET
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def binary_kind(body: bytes) -> str | None:
    """What binary the body is (by file signature or NUL bytes), None for text."""
    head = body[:_SNIFF_BYTES]
    for signature, kind in BINARY_SIGNATURES:
        if head.startswith(signature):
            return kind
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary data (NUL bytes)"
    return None


def _strict_decode(body: bytes, charset: str) -> str | None:
    try:
        text = body.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return None
    controls = len(_CONTROL_RE.findall(text))
    return None if controls > _MAX_CONTROL_SHARE * len(text) else text


def _mixes_utf8(body: bytes) -> bool:
    """Whether a body that fails strict UTF-8 still holds much valid UTF-8 CJK text."""
    text = body.decode("utf-8", errors="replace")
    cjk = len(_CJK_RE.findall(text))
    broken = text.count("\ufffd")
    return cjk >= 4 and cjk >= _MIXED_UTF8_SHARE * (cjk + broken)


def choose_charset(body: bytes, header_charset: str | None,
                   meta_charset: str | None) -> tuple[str | None, str]:
    """(charset, reason): the first candidate that decodes the body strictly, or None and why
    none does. Candidates: a BOM's, UTF-8, the `<meta>` one, the header one, GB18030."""
    kind = binary_kind(body)
    if kind:
        return None, f"the body is {kind}, not a page"
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        if _strict_decode(body, "utf-16") is not None:
            return "utf-16", "byte order mark"
        return None, "the body starts with a UTF-16 byte order mark but is not UTF-16"
    if _strict_decode(body, "utf-8") is not None:
        return "utf-8", "valid UTF-8"
    if _mixes_utf8(body):
        return None, "the body mixes UTF-8 with another encoding"
    tried = ["utf-8"]
    for charset in (normalize_charset(meta_charset), normalize_charset(header_charset),
                    FALLBACK_CHARSET):
        if charset is None or charset in tried:
            continue
        tried.append(charset)
        if _strict_decode(body, charset) is not None:
            return charset, "decodes strictly"
    declared = ", ".join(filter(None, (header_charset, meta_charset))) or "none"
    return None, (f"no charset decodes the body (declared: {declared}; "
                  f"tried: {', '.join(tried)})")


def _media_type(response: Response) -> str:
    content_type = response.headers.get(b"Content-Type") or b""
    return content_type.split(b";")[0].strip().decode("latin-1").lower()


class CharsetMiddleware:
    """Downloader middleware: re-decode HTML responses with the charset that reads them."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("NOTICES_CHARSET_CHECK"):
            raise NotConfigured
        return cls(crawler.stats)

    def process_response(self, request, response, spider=None):
        if not 200 <= response.status < 300 or not self._is_page(response):
            return response
        header = http_content_type_encoding(response.headers.get(b"Content-Type", b"").decode(
            "latin-1"))
        meta = html_body_declared_encoding(response.body[:_SNIFF_BYTES])
        charset, reason = choose_charset(response.body, header, meta)
        if charset is None:
            self.stats.inc_value("notices/unreadable_count/charset")
            raise UnreadableBody(f"unreadable page: {reason}", response)
        current = getattr(response, "encoding", None)
        if isinstance(response, HtmlResponse) and normalize_charset(current) == charset:
            return response
        self.stats.inc_value("notices/charset_fixed_count")
        logger.info("%s: read as %s (header %s, meta %s, media type %r): %s", response.url,
                    charset, header, meta, _media_type(response), reason)
        return response.replace(cls=HtmlResponse, encoding=charset)

    @staticmethod
    def _is_page(response: Response) -> bool:
        """An HTML answer, or an untyped one whose body starts like HTML."""
        if isinstance(response, HtmlResponse):
            return True
        media = _media_type(response)
        return media in UNTYPED_MEDIA and bool(_HTML_START_RE.match(response.body[:_SNIFF_BYTES]))
