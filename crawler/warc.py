"""The raw archive: every request with its response (or fetch error) in rotating gzip WARC files.

Writing: `WarcWriterMiddleware`, a downloader middleware on when `WARC_DIR` is set. It sits next
to the downloader, so it sees what went over the wire: pages, list pages, robots.txt, counter
answers, attachments, redirects and error statuses, bodies still content-encoded. Each file
opens with a `warcinfo` record naming the spider, its arguments and the `NOTICES_*` settings
given on the command line, so that `scrapy reparse` can run the same crawl again.

Reading: `WarcArchive` indexes request/response pairs of WARC files; `WarcReplayHandler` is a
download handler that answers requests from it (used by `scrapy reparse`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from scrapy.utils.misc import load_object
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipelines.dates import utc_now_iso

logger = logging.getLogger(__name__)

SOFTWARE = "jiwei-notices/0.1 (warcio)"
# warcinfo fields that describe the crawl (read back by `scrapy reparse`).
INFO_CRAWL_ID, INFO_SPIDER, INFO_ARGUMENTS, INFO_SETTINGS = (
    "crawl-id", "spider", "spider-arguments", "crawl-settings")
# Hop-by-hop headers that describe the transfer, not the message (bodies are stored whole).
_TRANSFER_HEADERS = {b"transfer-encoding", b"connection", b"keep-alive"}


# Where a crawl keeps its own state and report: a re-parse must neither read nor overwrite them.
NOT_ARCHIVED = ("NOTICES_STATE_PATH", "NOTICES_REPORT_PATH")


def archived_settings(settings) -> dict[str, str]:
    """The settings given on the command line that shape what a crawl requests."""
    names = [name for name in settings.attributes
             if (name.startswith("NOTICES_") or name == "ROBOTSTXT_OBEY")
             and name not in NOT_ARCHIVED]
    return {name: settings[name] for name in sorted(names)
            if (settings.getpriority(name) or 0) >= 40}  # 40: the `cmdline` priority


class RotatingWarcWriter:
    """Gzip WARC files `<prefix>-<time>-<serial>.warc.gz` in a folder, a new one past a size;
    a file being written ends in `.open`."""

    def __init__(self, directory: Path, max_file_size: int, prefix: str, info: dict[str, str]):
        self.directory = directory
        self.max_file_size = max_file_size
        self.prefix = prefix
        self.info = info
        self.serial = 0
        self.paths: list[Path] = []
        self._file = None
        self._writer: WARCWriter | None = None

    def _open(self) -> WARCWriter:
        if self._writer is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
            name = f"{self.prefix}-{stamp}-{self.serial:05d}.warc.gz"
            self.serial += 1
            self._file = (self.directory / f"{name}.open").open("wb")
            self._writer = WARCWriter(self._file, gzip=True, warc_version="1.1")
            self._writer.write_record(self._writer.create_warcinfo_record(name, self.info))
        return self._writer

    def write(self, *records_of) -> None:
        """Write records made by the callables `records_of(writer)`, then rotate if full."""
        writer = self._open()
        for make in records_of:
            make(writer)
        if self._file.tell() >= self.max_file_size:
            self.close()

    def close(self) -> None:
        if self._writer is None:
            return
        self._file.close()
        final = Path(self._file.name[: -len(".open")])
        os.replace(self._file.name, final)
        self.paths.append(final)
        self._file = self._writer = None


def _header_pairs(headers: Headers) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1"))
            for name, values in headers.items() if name.lower() not in _TRANSFER_HEADERS
            for value in values]


def _request_record(writer: WARCWriter, request, warc_headers: dict | None = None):
    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = _header_pairs(request.headers)
    if not any(name.lower() == "host" for name, _ in headers):
        headers.insert(0, ("Host", parts.netloc))
    http = StatusAndHeaders(f"{request.method} {target} HTTP/1.1", headers,
                            is_http_request=True)
    return writer.create_warc_record(request.url, "request", payload=BytesIO(request.body),
                                     length=len(request.body), http_headers=http,
                                     warc_headers_dict=warc_headers or {})


class WarcWriterMiddleware:
    """Downloader middleware: each request and its response or fetch error into the archive."""

    def __init__(self, directory: Path, max_file_size: int, settings: dict[str, str], stats):
        self.directory = directory
        self.max_file_size = max_file_size
        self.settings = settings
        self.stats = stats
        self.writer: RotatingWarcWriter | None = None

    @classmethod
    def from_crawler(cls, crawler):
        directory = crawler.settings.get("WARC_DIR")
        if not directory:
            raise NotConfigured
        middleware = cls(Path(directory), crawler.settings.getint("WARC_MAX_FILE_SIZE"),
                         archived_settings(crawler.settings), crawler.stats)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider) -> None:
        info = {
            "software": SOFTWARE,
            "format": "WARC File Format 1.1",
            INFO_CRAWL_ID: uuid.uuid4().hex,
            INFO_SPIDER: spider.name,
            INFO_ARGUMENTS: json.dumps(getattr(spider, "arguments", {}), ensure_ascii=False),
            INFO_SETTINGS: json.dumps(self.settings, ensure_ascii=False),
        }
        self.writer = RotatingWarcWriter(self.directory, self.max_file_size,
                                         f"notices-{spider.name}", info)

    def spider_closed(self, spider) -> None:
        if self.writer:
            self.writer.close()
            logger.info("raw archive: %d WARC file(s) in %s", len(self.writer.paths),
                        self.directory)

    def process_response(self, request, response):
        def pair(writer: WARCWriter) -> None:
            reason = response.status  # warcio wants "<code> <reason>"; Scrapy keeps no reason
            http = StatusAndHeaders(f"{reason} {_REASONS.get(reason, '')}".strip(),
                                    _header_pairs(response.headers), protocol="HTTP/1.1")
            record = writer.create_warc_record(response.url, "response",
                                               payload=BytesIO(response.body),
                                               length=len(response.body), http_headers=http)
            writer.write_request_response_pair(_request_record(writer, request), record)

        self.writer.write(pair)
        self.stats.inc_value("notices/warc_response_count")
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, IgnoreRequest):
            return None

        def failed(writer: WARCWriter) -> None:
            error = {"exception": f"{type(exception).__module__}.{type(exception).__qualname__}",
                     "message": str(exception)}
            payload = json.dumps(error, ensure_ascii=False).encode("utf-8")
            record = writer.create_warc_record(request.url, "metadata",
                                               payload=BytesIO(payload), length=len(payload),
                                               warc_content_type="application/json")
            writer.write_request_response_pair(_request_record(writer, request), record)

        self.writer.write(failed)
        self.stats.inc_value("notices/warc_error_count")
        return None


_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 303: "See Other",
            304: "Not Modified", 307: "Temporary Redirect", 308: "Permanent Redirect",
            400: "Bad Request", 403: "Forbidden", 404: "Not Found", 412: "Precondition Failed",
            429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
            503: "Service Unavailable", 504: "Gateway Timeout"}


# --- reading ------------------------------------------------------------------------------------
def request_key(method: str, url: str, body: bytes) -> tuple[str, str, str]:
    """What identifies a request in the archive: method, URL and a hash of the body."""
    return method.upper(), url, hashlib.sha1(body).hexdigest()


@dataclass(frozen=True)
class ArchivedAnswer:
    """Where the answer to one archived request is: a response or a fetch-error record."""

    path: Path
    offset: int


class ArchivedFetchError(Exception):
    """A fetch that failed when the archive was written (its exception class was not found)."""


class NotInArchive(Exception):
    """A request the archive holds no answer for."""


def read_warcinfo(path: Path) -> dict[str, str]:
    """The fields of a WARC file's first `warcinfo` record ({} when it has none)."""
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type != "warcinfo":
                return {}
            fields = {}
            for line in record.content_stream().read().decode("utf-8").splitlines():
                name, _, value = line.partition(":")
                fields[name.strip()] = value.strip()
            return fields
    return {}


class WarcArchive:
    """Request/answer pairs of WARC files, answers in fetch order per request key."""

    def __init__(self, paths: list[Path]):
        self.paths = paths
        self.answers: dict[tuple[str, str, str], deque[ArchivedAnswer]] = defaultdict(deque)
        self._index()

    def _index(self) -> None:
        for path in self.paths:
            requests, answers = {}, {}
            with path.open("rb") as fh:
                iterator = ArchiveIterator(fh)
                for record in iterator:
                    headers = record.rec_headers
                    if record.rec_type == "request":
                        key = request_key(record.http_headers.protocol,
                                          headers.get_header("WARC-Target-URI"),
                                          record.raw_stream.read())
                        requests[headers.get_header("WARC-Concurrent-To")] = key
                    elif record.rec_type in ("response", "metadata"):
                        answers[headers.get_header("WARC-Record-ID")] = ArchivedAnswer(
                            path, iterator.get_record_offset())
            for answer_id, key in requests.items():
                if answer_id in answers:
                    self.answers[key].append(answers[answer_id])

    def answer(self, request):
        """The archived response to the request (a Scrapy Response), raising the archived
        fetch error or NotInArchive. Repeated requests get the answers in fetch order; the
        last one answers every further repeat."""
        queue = self.answers.get(request_key(request.method, request.url, request.body))
        if not queue:
            raise NotInArchive(f"{request.method} {request.url} is not in the archive")
        answer = queue.popleft() if len(queue) > 1 else queue[0]
        with answer.path.open("rb") as fh:
            fh.seek(answer.offset)
            record = next(iter(ArchiveIterator(fh)))
            if record.rec_type == "metadata":
                raise _archived_error(json.loads(record.content_stream().read()))
            return _response(request, record)


def _archived_error(error: dict) -> Exception:
    try:
        cls = load_object(error["exception"])
        if isinstance(cls, type) and issubclass(cls, Exception):
            exc = cls(error["message"])
            if str(exc) == error["message"]:
                return exc
    except Exception:  # an exception class that is gone or takes other arguments
        pass
    return ArchivedFetchError(error["message"])


def _response(request, record):
    headers = Headers()
    for name, value in record.http_headers.headers:
        headers.appendlist(name, value)
    body = record.raw_stream.read()
    status = int(record.http_headers.get_statuscode())
    request.meta[ARCHIVED_AT] = _iso_utc(record.rec_headers.get_header("WARC-Date"))
    cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
    return cls(url=request.url, status=status, headers=headers, body=body, request=request,
               protocol="HTTP/1.1", flags=["archived"])


# Set on a replayed request's meta: when its answer was archived (the `crawled_at` format).
ARCHIVED_AT = "archived_at"


def fetched_at(response) -> str:
    """When `response` was fetched, ISO 8601 UTC: the archive's time for a replayed answer
    (`scrapy reparse`), now for a live one."""
    return response.meta.get(ARCHIVED_AT) or utc_now_iso()


def _iso_utc(warc_date: str) -> str:
    moment = datetime.fromisoformat(warc_date.replace("Z", "+00:00"))
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def last_good_copies(paths: list[Path], wanted: dict[str, str]) -> dict[str, tuple[str, str]]:
    """For each URL of `wanted` (URL -> ISO time), the newest HTTP 200 answer to it archived no
    later than that time: URL -> (`<WARC file>#<offset>`, archived at ISO UTC)."""
    found: dict[str, tuple[str, str]] = {}
    for path in paths:
        with path.open("rb") as fh:
            iterator = ArchiveIterator(fh)
            for record in iterator:
                url = record.rec_headers.get_header("WARC-Target-URI")
                if record.rec_type != "response" or url not in wanted:
                    continue
                at = _iso_utc(record.rec_headers.get_header("WARC-Date"))
                if (record.http_headers.get_statuscode() == "200" and at <= wanted[url]
                        and at >= found.get(url, ("", ""))[1]):
                    found[url] = (f"{path}#{iterator.get_record_offset()}", at)
    return found


class WarcReplayHandler(BaseDownloadHandler):
    """Download handler answering http(s) requests from the WARC files in
    `NOTICES_REPLAY_WARCS` (no network)."""

    lazy = True  # index the archive only for schemes that are requested

    def __init__(self, crawler):
        super().__init__(crawler)
        paths = tuple(crawler.settings.getlist("NOTICES_REPLAY_WARCS"))
        if not paths:
            raise NotConfigured
        self.archive = WarcArchive([Path(p) for p in paths])

    async def download_request(self, request):
        return self.archive.answer(request)
