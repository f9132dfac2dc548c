"""Attachments: content sniffing, archive safety checks and text from PDF, DOCX and zip files.

The item pipeline stage here reads the files the download stage stored (`local_path` under
`NOTICES_ATTACHMENTS_DIR`) and fills `text`, `pages` and `needs_ocr` of each attachment; the
functions work on bytes alone, without a crawl.
"""

from __future__ import annotations

import asyncio
import io
import logging
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ZIP = "application/zip"
OFD = "application/ofd"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
OLE = "application/x-ole-storage"
RAR = "application/vnd.rar"
# File extension of each allowed type (local file names are `<sha1>.<extension>`).
EXTENSIONS = {
    PDF: "pdf", DOCX: "docx", XLSX: "xlsx", PPTX: "pptx", ZIP: "zip", OFD: "ofd", DOC: "doc",
    XLS: "xls", OLE: "ole", RAR: "rar", "image/png": "png", "image/jpeg": "jpg",
    "image/gif": "gif", "image/bmp": "bmp", "image/webp": "webp", "image/tiff": "tif",
}
# Zip containers told apart by a member only their format has.
_ZIP_MARKERS = (("word/document.xml", DOCX), ("xl/workbook.xml", XLSX),
                ("ppt/presentation.xml", PPTX), ("OFD.xml", OFD))
# OLE2 containers (doc, wps, xls) told apart by a stream name (UTF-16 in the directory).
_OLE_MARKERS = (("WordDocument", DOC), ("Workbook", XLS), ("Book", XLS))
_IMAGE_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
                (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"),
                (b"II*\x00", "image/tiff"), (b"MM\x00*", "image/tiff"))
_HTML_RE = re.compile(rb"^\s*(?:<!doctype\s+html|<html|<head|<body|<\?xml|<script)", re.I)
_SENTENCE_END = tuple("。！？；：.!?;:」』”）)")
_HEADING_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．])")

# The page text is only a pointer to its attachments when it is this short and says so.
POINTER_PHRASES = ("详见附件", "详情见附件", "具体见附件", "见附件", "请见附件", "附件下载",
                   "点击下载", "下载附件")
POINTER_MAX_CHARS = 300


class UnreadableAttachment(ValueError):
    """A file that gives no text; the message says why (truncated, nested archives …)."""


@dataclass(frozen=True)
class Limits:
    """How much an archive (zip, docx, xlsx …) may unpack to before it is refused."""

    max_unpacked: int = 100 * 1024 * 1024
    max_nesting: int = 2
    max_ratio: int = 200
    max_members: int = 2000


@dataclass(frozen=True)
class ExtractedText:
    text: str | None
    pages: int | None = None
    needs_ocr: bool | None = None


# --- sniffing ---------------------------------------------------------------------------------
def sniff_media_type(data: bytes) -> str | None:
    """The media type the content shows (`%PDF`, zip or OLE magic, image headers), or None."""
    head = data[:1024]
    if b"%PDF-" in head:
        return PDF
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        directory = data[:1024 * 1024]
        return next((kind for name, kind in _OLE_MARKERS
                     if name.encode("utf-16-le") in directory), OLE)
    if head.startswith(b"Rar!\x1a\x07"):
        return RAR
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"BM") and len(data) > 26 and int.from_bytes(data[2:6], "little") == len(
            data):
        return "image/bmp"
    return next((kind for magic, kind in _IMAGE_MAGIC if head.startswith(magic)), None)


def _zip_kind(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return ZIP
    return next((kind for marker, kind in _ZIP_MARKERS if marker in names), ZIP)


def describe_content(data: bytes) -> str:
    """A few words on content that is no allowed type (for log lines and `error`)."""
    if not data:
        return "empty"
    if _HTML_RE.match(data[:512]):
        return "an HTML page"
    try:
        data[:512].decode("utf-8")
    except UnicodeDecodeError:
        return "unknown binary data"
    return "plain text"


# --- archives -----------------------------------------------------------------------------------
def check_archive(data: bytes, limits: Limits, depth: int = 0) -> list[tuple[str, bytes]]:
    """Refuse zip bombs: too many members, too much unpacked data, a suspicious compression
    ratio or archives nested deeper than `limits.max_nesting`. Returns the (name, bytes) of
    the members that are files other than archives, nested archives unpacked."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableAttachment(f"unreadable zip archive: {exc}") from None
    if len(members) > limits.max_members:
        raise UnreadableAttachment(f"zip archive with {len(members)} members "
                                   f"(more than {limits.max_members})")
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    if unpacked > limits.max_unpacked:
        raise UnreadableAttachment(f"zip archive would unpack to {unpacked} bytes "
                                   f"(cap {limits.max_unpacked})")
    if unpacked > 1024 * 1024 and unpacked / packed > limits.max_ratio:
        raise UnreadableAttachment(f"zip archive compressed {unpacked // packed}:1 "
                                   f"(more than {limits.max_ratio}:1), a zip bomb")
    files: list[tuple[str, bytes]] = []
    for member in members:
        try:
            content = archive.read(member)
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
            raise UnreadableAttachment(f"unreadable zip member {member.filename}: {exc}") from None
        if sniff_media_type(content) == ZIP:
            if depth + 1 > limits.max_nesting:
                raise UnreadableAttachment(
                    f"zip archives nested more than {limits.max_nesting} levels deep")
            files += [(f"{member.filename}/{name}", inner)
                      for name, inner in check_archive(content, limits, depth + 1)]
        else:
            files.append((member.filename, content))
    return files


# --- text ---------------------------------------------------------------------------------------
def extract_text(data: bytes, media_type: str | None, limits: Limits | None = None
                 ) -> ExtractedText:
    """Text, page count and whether OCR is needed, for PDF, DOCX, OFD and zip archives of them.

    Other types give no text (`ExtractedText(None)`); a broken file raises UnreadableAttachment.
    """
    limits = limits or Limits()
    if media_type == PDF:
        return pdf_text(data)
    if media_type == DOCX:
        check_archive(data, limits)
        return docx_text(data)
    if media_type == ZIP:
        return zip_text(check_archive(data, limits), limits)
    if media_type == OFD:
        return ofd_text(check_archive(data, limits))
    if media_type in (XLSX, PPTX):
        check_archive(data, limits)
    return ExtractedText(None)


def pdf_text(data: bytes) -> ExtractedText:
    """The text layer of a PDF; `needs_ocr` when most pages have none (scans)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if b"%%EOF" not in data[-2048:]:
        raise UnreadableAttachment("truncated PDF (no %%EOF marker at the end)")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableAttachment("encrypted PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
    except UnreadableAttachment:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise UnreadableAttachment(f"unreadable PDF: {type(exc).__name__}: {exc}") from None
    return paged_text(pages)


def paged_text(pages: list[str]) -> ExtractedText:
    """A paged document's text from its pages' lines (PDF, OFD), wrapped lines joined back
    into paragraphs; `needs_ocr` when most pages have no text (scans)."""
    texts = [join_wrapped_lines(page) for page in pages]
    blank = sum(1 for text in texts if len("".join(text.split())) < 10)
    text = "\n".join(t for t in texts if t)
    return ExtractedText(text or None, len(pages), needs_ocr=blank * 2 > len(pages))


def docx_text(data: bytes) -> ExtractedText:
    """Paragraphs of a DOCX in document order (table cells included)."""
    from docx import Document
    from docx.oxml.ns import qn

    try:
        document = Document(io.BytesIO(data))
        body = document.element.body
        paragraphs = ["".join(t.text or "" for t in p.iter(qn("w:t")))
                      for p in body.iter(qn("w:p"))]
        has_images = any(part.partname.startswith("/word/media/")
                         for part in document.part.package.iter_parts())
    except Exception as exc:  # python-docx raises many kinds on malformed files
        raise UnreadableAttachment(f"unreadable DOCX: {type(exc).__name__}: {exc}") from None
    text = "\n".join(" ".join(p.split()) for p in paragraphs if p.strip())
    return ExtractedText(text or None, None, needs_ocr=not text and has_images)


def zip_text(files: list[tuple[str, bytes]], limits: Limits) -> ExtractedText:
    """Text of the PDF, DOCX and OFD members of an (already checked) archive, in member
    order."""
    texts, needs_ocr = [], False
    for _, content in files:
        kind = sniff_media_type(content)
        if kind in (PDF, DOCX, OFD):
            extracted = extract_text(content, kind, limits)
            needs_ocr = needs_ocr or bool(extracted.needs_ocr)
            if extracted.text:
                texts.append(extracted.text)
    return ExtractedText("\n".join(texts) or None, None, needs_ocr=needs_ocr)


# OFD (GB/T 33190): a zip of XML files; positions are in millimetres from the page's top left.
OFD_NS = "{http://www.ofdspec.org/2016}"
OFD_LINE_TOLERANCE = 1.0  # text runs whose baselines differ by less share a line (mm)


def ofd_text(files: list[tuple[str, bytes]]) -> ExtractedText:
    """The text of an OFD document (its files as `check_archive` gives them): the pages in
    order, each page's text runs set in lines by position (see `paged_text`)."""
    members = {name.lstrip("/"): data for name, data in files}
    # A parser of its own: attachments are read in several threads, and lxml parsers must not
    # be shared between them.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        doc_root = _ofd_xml(members, "OFD.xml", parser).findtext(f"{OFD_NS}DocBody/{OFD_NS}DocRoot")
        document_path = _ofd_path("", doc_root)
        document = _ofd_xml(members, document_path, parser)
        folder = posixpath.dirname(document_path)
        pages = [_ofd_page_text(_ofd_xml(members, _ofd_path(folder, page.get("BaseLoc")), parser))
                 for page in document.iterfind(f"{OFD_NS}Pages/{OFD_NS}Page")]
    except (etree.XMLSyntaxError, KeyError, ValueError, TypeError) as exc:
        raise UnreadableAttachment(f"unreadable OFD: {type(exc).__name__}: {exc}") from None
    return paged_text(pages)


def _ofd_path(folder: str, location: str | None) -> str:
    """A member path from an OFD location: absolute (`/Doc_0/…`) or relative to `folder`."""
    if not location:
        raise ValueError("an OFD location is missing")
    if location.startswith("/"):
        return posixpath.normpath(location).lstrip("/")
    return posixpath.normpath(posixpath.join(folder, location))


def _ofd_xml(members: dict[str, bytes], path: str, parser: etree.XMLParser):
    if path not in members:
        raise KeyError(f"no {path} in the OFD package")
    return etree.fromstring(members[path], parser)


def _ofd_page_text(page) -> str:
    """A page's text: runs sorted top to bottom into lines, each line left to right."""
    runs: list[tuple[float, float, str]] = []
    for text_object in page.iter(f"{OFD_NS}TextObject"):
        left, top = (float(v) for v in (text_object.get("Boundary") or "0 0").split()[:2])
        for code in text_object.iter(f"{OFD_NS}TextCode"):
            if code.text:
                runs.append((top + float(code.get("Y") or 0), left + float(code.get("X") or 0),
                             code.text))
    lines: list[tuple[float, list[tuple[float, str]]]] = []
    for y, x, text in sorted(runs):
        if lines and y - lines[-1][0] < OFD_LINE_TOLERANCE:
            lines[-1][1].append((x, text))
        else:
            lines.append((y, [(x, text)]))
    return "\n".join("".join(text for _, text in sorted(parts)) for _, parts in lines)


def join_wrapped_lines(text: str) -> str:
    """PDF and OFD lines joined back into paragraphs: a line that fills the width and does not
    end a sentence continues on the next line (unless that one starts a numbered heading)."""
    lines = [" ".join(line.split()) for line in text.split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    full_width = max(len(line) for line in lines) * 0.85
    paragraphs = [lines[0]]
    for previous, line in zip(lines, lines[1:], strict=False):
        if (len(previous) >= full_width and not previous.endswith(_SENTENCE_END)
                and not _HEADING_RE.match(line)):
            paragraphs[-1] += line
        else:
            paragraphs.append(line)
    return "\n".join(paragraphs)


# --- which text the notice parser reads -----------------------------------------------------
def is_attachment_pointer(body_text: str) -> bool:
    """Whether the page text only points at attachments (`详见附件` and little else)."""
    compact = "".join((body_text or "").split())
    return len(compact) <= POINTER_MAX_CHARS and any(p in compact for p in POINTER_PHRASES)


def notice_source_text(record: dict) -> str:
    """The text the notice parser reads: the body, or the attachments' text when the body is
    only a pointer to them."""
    body = record.get("body_text") or ""
    texts = [a["text"] for a in record.get("attachments") or [] if a.get("text")]
    return "\n".join(texts) if texts and is_attachment_pointer(body) else body


# --- the pipeline stage ---------------------------------------------------------------------
def attachments_dir(settings) -> Path:
    """`NOTICES_ATTACHMENTS_DIR`; without it both attachment stages are off (NotConfigured)."""
    store = settings.get("NOTICES_ATTACHMENTS_DIR")
    if not store:
        raise NotConfigured
    return Path(store)


class AttachmentTextPipeline:
    """Item pipeline: text, pages and `needs_ocr` of each stored attachment.

    On when `NOTICES_ATTACHMENTS_DIR` is set (the download stage stores files there). A file
    that gives no text keeps `text: null` with the reason in `error`, logged with its URL.
    """

    def __init__(self, store: Path, limits: Limits, stats=None, timeout: float = 60):
        self.store = store
        self.limits = limits
        self.stats = stats
        self.timeout = timeout

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        limits = Limits(max_unpacked=settings.getint("NOTICES_ATTACHMENT_MAX_UNPACKED"),
                        max_nesting=settings.getint("NOTICES_ATTACHMENT_MAX_NESTING"))
        return cls(attachments_dir(settings), limits, crawler.stats,
                   settings.getfloat("NOTICES_ATTACHMENT_TEXT_TIMEOUT"))

    async def process_item(self, item):
        """Read each stored attachment in a worker thread, so a long PDF does not hold up
        the crawl, for at most `timeout` seconds; the record and the stats are updated here,
        in the crawl's own thread."""
        for attachment in item.get("attachments") or []:
            if attachment.get("local_path") and not attachment.get("error"):
                try:
                    extracted = await asyncio.wait_for(
                        asyncio.to_thread(self._extract, attachment), self.timeout)
                except TimeoutError:
                    self._unreadable(attachment, item.get("url"), UnreadableAttachment(
                        f"text extraction took longer than {self.timeout:g} s"))
                except (UnreadableAttachment, OSError) as exc:
                    self._unreadable(attachment, item.get("url"), exc)
                else:
                    self._record(attachment, item.get("url"), extracted)
        return item

    def _extract(self, attachment: dict):
        data = (self.store / attachment["local_path"]).read_bytes()
        return extract_text(data, attachment.get("media_type"), self.limits)

    def _unreadable(self, attachment: dict, notice_url: str | None, exc: Exception) -> None:
        attachment.update(text=None, error=str(exc))
        logger.warning("attachment %s of %s gives no text: %s", attachment["url"], notice_url,
                       exc)
        self._count("notices/attachment_unreadable_count")

    def _record(self, attachment: dict, notice_url: str | None, extracted) -> None:
        attachment.update(text=extracted.text, pages=extracted.pages,
                          needs_ocr=extracted.needs_ocr)
        if extracted.text:
            self._count("notices/attachment_text_count")
        if extracted.needs_ocr:
            logger.info("attachment %s of %s has no text layer: needs OCR", attachment["url"],
                        notice_url)
            self._count("notices/attachment_needs_ocr_count")

    def _count(self, key: str) -> None:
        if self.stats:
            self.stats.inc_value(key)
