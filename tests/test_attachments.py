"""Attachments: sniffing, archive checks and text extraction on the committed fixture files, and
a real crawl of the `attachments_demo` fixture site that downloads, stores and reads them."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
import zlib
from pathlib import Path

import pytest
from docx import Document

from fixtures.attachments import make_files
from pipelines.attachment_text import (
    DOCX,
    OFD,
    PDF,
    ZIP,
    Limits,
    UnreadableAttachment,
    check_archive,
    extract_text,
    is_attachment_pointer,
    join_wrapped_lines,
    notice_source_text,
    sniff_media_type,
)
from pipelines.notice import parse_notice
from tests.conftest import run_crawl

UPLOADS = make_files.OUT
REPORT_TEXT = "\n".join([make_files.REPORT_TITLE, *make_files.REPORT])
POINTER_PAGE = "xxgk/xczg/202210/t20221010_3001.html"
BAD_PAGE = "xxgk/xczg/202211/t20221108_3002.html"


def upload(name: str) -> bytes:
    return (UPLOADS / name).read_bytes()


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


# --- the committed fixture files ------------------------------------------------------------
@pytest.mark.parametrize("name, make", [
    ("scan.pdf", make_files.scanned_pdf),
    ("nested.zip", make_files.nested_zip),
    ("appendix.pdf", lambda: make_files.text_pdf([make_files.APPENDIX])),
])
def test_committed_files_are_what_the_script_writes(name, make):
    assert upload(name) == make()


def test_truncated_pdf_is_a_cut_report():
    report = upload("report.pdf")
    truncated = upload("truncated.pdf")
    assert report.startswith(truncated) and len(truncated) < len(report)


# --- sniffing -------------------------------------------------------------------------------
@pytest.mark.parametrize("name, expected", [
    ("report.pdf", PDF), ("scan.pdf", PDF), ("truncated.pdf", PDF), ("report.docx", DOCX),
    ("nested.zip", ZIP), ("missing.pdf", None),
])
def test_sniff_fixture_files(name, expected):
    assert sniff_media_type(upload(name)) == expected


@pytest.mark.parametrize("head, expected", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100 + "WordDocument".encode("utf-16-le"),
     "application/msword"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100 + "Workbook".encode("utf-16-le"),
     "application/vnd.ms-excel"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "image/png"),
    (b"\xff\xd8\xff\xe0" + b"\0" * 20, "image/jpeg"),
    (b"Rar!\x1a\x07\x00", "application/vnd.rar"),
    (b"<!DOCTYPE html><html><body>404</body></html>", None),
    (b"", None),
])
def test_sniff_magic(head, expected):
    assert sniff_media_type(head) == expected


# --- text -----------------------------------------------------------------------------------
def test_pdf_text_layer_reads_back_as_written():
    extracted = extract_text(upload("report.pdf"), PDF)
    assert extracted.text == REPORT_TEXT
    assert extracted.pages == 2
    assert extracted.needs_ocr is False


def test_docx_text():
    extracted = extract_text(upload("report.docx"), DOCX)
    assert extracted.text == REPORT_TEXT
    assert extracted.needs_ocr is False


def test_ofd_text_read_by_position_across_pages():
    data = make_files.text_ofd([[make_files.REPORT_TITLE, *make_files.REPORT[:6]],
                                make_files.REPORT[6:]])
    assert sniff_media_type(data) == OFD
    extracted = extract_text(data, OFD)
    assert extracted.text == REPORT_TEXT
    assert extracted.pages == 2
    assert extracted.needs_ocr is False


def test_scanned_ofd_is_flagged_for_ocr():
    extracted = extract_text(make_files.scanned_ofd(), OFD)
    assert (extracted.text, extracted.pages, extracted.needs_ocr) == (None, 1, True)


def test_zip_of_an_ofd_gives_its_text():
    ofd = make_files.text_ofd([[make_files.REPORT_TITLE, *make_files.REPORT]])
    data = zip_of({"报告.ofd": ofd})
    assert extract_text(data, ZIP).text == REPORT_TEXT


@pytest.mark.parametrize("members, reason", [
    ({"OFD.xml": b"<ofd:OFD"}, "XMLSyntaxError"),
    ({"OFD.xml": b'<OFD xmlns="http://www.ofdspec.org/2016"><DocBody/></OFD>'},
     "an OFD location is missing"),
    ({"OFD.xml": b'<OFD xmlns="http://www.ofdspec.org/2016"><DocBody><DocRoot>Doc_0/Document.xml'
                 b"</DocRoot></DocBody></OFD>"}, "no Doc_0/Document.xml in the OFD package"),
])
def test_broken_ofd_is_refused_with_the_reason(members, reason):
    with pytest.raises(UnreadableAttachment, match=reason):
        extract_text(zip_of(members), OFD)


def test_scanned_pdf_is_flagged_for_ocr_not_given_empty_text():
    extracted = extract_text(upload("scan.pdf"), PDF)
    assert extracted.text is None
    assert extracted.pages == 1
    assert extracted.needs_ocr is True


def test_truncated_pdf_is_refused():
    with pytest.raises(UnreadableAttachment, match="truncated PDF"):
        extract_text(upload("truncated.pdf"), PDF)


def test_garbage_after_pdf_header_is_refused():
    with pytest.raises(UnreadableAttachment, match="unreadable PDF"):
        extract_text(b"%PDF-1.4\n" + bytes(range(256)) * 4 + b"\n%%EOF\n", PDF)


def test_nested_zips_are_refused():
    with pytest.raises(UnreadableAttachment, match="nested more than 2 levels"):
        extract_text(upload("nested.zip"), ZIP)
    # the same archive is read when the nesting limit allows it (and the content is small)
    assert extract_text(upload("nested.zip"), ZIP, Limits(max_nesting=6,
                                                           max_ratio=10**6)).text is None


def test_high_compression_ratio_is_refused():
    bomb = zip_of({"zeros.bin": bytes(5 * 1024 * 1024)})
    with pytest.raises(UnreadableAttachment, match="zip bomb"):
        check_archive(bomb, Limits())


def test_unpacked_size_cap():
    archive = zip_of({"a.txt": b"x" * 4000, "b.txt": b"y" * 4000})
    with pytest.raises(UnreadableAttachment, match="would unpack to 8000 bytes"):
        check_archive(archive, Limits(max_unpacked=5000))


def test_docx_bomb_is_refused_before_parsing():
    bomb = zip_of({"word/document.xml": b" " * (3 * 1024 * 1024),
                   "[Content_Types].xml": b"<Types/>"})
    assert sniff_media_type(bomb) == DOCX
    with pytest.raises(UnreadableAttachment, match="zip bomb"):
        extract_text(bomb, DOCX)


def test_zip_of_documents_gives_their_text():
    archive = zip_of({"1.pdf": upload("appendix.pdf"), "2.docx": upload("report.docx"),
                      "readme.txt": b"ignored"})
    extracted = extract_text(archive, ZIP)
    assert extracted.text == "\n".join([*make_files.APPENDIX, REPORT_TEXT])


def png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (len(data).to_bytes(4, "big") + kind + data
                + zlib.crc32(kind + data).to_bytes(4, "big"))
    header = (1).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b""))


def test_docx_of_images_only_needs_ocr():
    document = Document()
    document.add_picture(io.BytesIO(png_1x1()))
    out = io.BytesIO()
    document.save(out)
    extracted = extract_text(out.getvalue(), DOCX)
    assert (extracted.text, extracted.needs_ocr) == (None, True)
    assert sniff_media_type(png_1x1()) == "image/png"


def test_types_without_extractor_give_no_text():
    assert extract_text(b"\x89PNG\r\n\x1a\n", "image/png").text is None


def test_join_wrapped_lines():
    text = ("一、整改工作开展情况\n局党组坚持把巡察整改作为重要政治任\n务，成立领导小组。\n"
            "（一）学习方面\n1.学习不够深入。")
    assert join_wrapped_lines(text).split("\n") == [
        "一、整改工作开展情况", "局党组坚持把巡察整改作为重要政治任务，成立领导小组。",
        "（一）学习方面", "1.学习不够深入。"]


# --- which text the parser reads --------------------------------------------------------------
def test_pointer_body_reads_attachment_text():
    record = {"body_text": "现将整改进展情况予以公布，详见附件。\n附件：整改情况.pdf",
              "attachments": [{"text": "甲"}, {"text": None}, {"text": "乙"}]}
    assert is_attachment_pointer(record["body_text"])
    assert notice_source_text(record) == "甲\n乙"


def test_full_body_is_read_even_with_attachments():
    body = "根据县委统一部署，" + "县委第三巡察组对县市场监督管理局党组进行了巡察。" * 20
    body += "详见附件。"
    record = {"body_text": body, "attachments": [{"text": "甲"}]}
    assert not is_attachment_pointer(body)
    assert notice_source_text(record) == body


def test_pointer_without_attachment_text_reads_body():
    record = {"body_text": "详见附件。", "attachments": [{"url": "http://x/a.pdf"}]}
    assert notice_source_text(record) == "详见附件。"


# --- a real crawl -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def crawl(fixture_server, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("attachments")
    store = tmp / "deep" / "store"
    start = fixture_server.base_urls["attachments_demo"] + "xxgk/xczg/index.html"
    result = run_crawl(tmp, "notices", f"start_url={start}",
                       settings={"NOTICES_ATTACHMENTS_DIR": str(store)})
    result.store = store
    return result


def record_of(result, page: str) -> dict:
    [record] = [r for r in result.records if r["url"].endswith(page)]
    return record


def attachment_of(record: dict, path_end: str) -> dict:
    [attachment] = [a for a in record["attachments"] if a["url"].endswith(path_end)]
    return attachment


def test_crawl_keeps_every_notice_without_errors(crawl):
    assert crawl.returncode == 0
    assert " ERROR: " not in crawl.log
    assert len(crawl.records) == 2


def test_pointer_notice_gets_attachment_text_and_notice_from_it(crawl):
    record = record_of(crawl, POINTER_PAGE)
    assert "详见附件" in record["body_text"]
    pdf = attachment_of(record, "/uploads/report.pdf")
    assert pdf["text"] == REPORT_TEXT
    assert pdf["sha1"] == hashlib.sha1(upload("report.pdf")).hexdigest()
    assert pdf["size"] == len(upload("report.pdf"))
    assert (pdf["media_type"], pdf["pages"], pdf["needs_ocr"], pdf["error"]) == (
        PDF, 2, False, None)
    assert pdf["name"] == "1.整改进展情况的通报（PDF版）"
    docx = attachment_of(record, "/uploads/report.docx")
    assert (docx["media_type"], docx["text"]) == (DOCX, REPORT_TEXT)
    expected = parse_notice(record["title"], f"{REPORT_TEXT}\n{REPORT_TEXT}",
                            record["published_at"])
    assert record["notice"] == expected
    assert record["notice"]["problem_count"] == 12
    assert record["notice"] != parse_notice(record["title"], record["body_text"],
                                            record["published_at"])


def test_files_are_stored_by_content_hash_inside_the_store(crawl):
    stored = sorted(p.relative_to(crawl.store).as_posix()
                    for p in crawl.store.rglob("*") if p.is_file())
    assert all(re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{40}\.(pdf|docx|zip)", p) for p in stored)
    for record in crawl.records:
        for attachment in record["attachments"]:
            if attachment["local_path"]:
                data = (crawl.store / attachment["local_path"]).read_bytes()
                assert hashlib.sha1(data).hexdigest() == attachment["sha1"]
    # report.pdf, report.docx, appendix.pdf, scan.pdf, truncated.pdf, nested.zip
    assert len(stored) == 6
    assert not list(crawl.store.parents[1].rglob("x.pdf"))  # where `../../x.pdf` would land


def test_hostile_name_is_stored_under_its_hash_and_deduplicated(crawl):
    hostile = attachment_of(record_of(crawl, BAD_PAGE), "/uploads/..%2F..%2Fx.pdf")
    report = attachment_of(record_of(crawl, POINTER_PAGE), "/uploads/report.pdf")
    assert hostile["local_path"] == report["local_path"]
    assert hostile["text"] == REPORT_TEXT
    assert crawl.stat("notices/attachment_duplicate_count") == 1


def test_very_long_name(crawl):
    [long_name] = [a for a in record_of(crawl, BAD_PAGE)["attachments"]
                   if len(a["url"]) > 1000]
    assert long_name["text"] == "\n".join(make_files.APPENDIX)
    assert len(Path(long_name["local_path"]).name) == 44


def test_scan_is_flagged_for_ocr(crawl):
    scan = attachment_of(record_of(crawl, BAD_PAGE), "/uploads/scan.pdf")
    assert (scan["text"], scan["needs_ocr"], scan["pages"], scan["error"]) == (
        None, True, 1, None)
    assert scan["sha1"] is not None


@pytest.mark.parametrize("path_end, reason", [
    ("/uploads/truncated.pdf", "truncated PDF"),
    ("/uploads/nested.zip", "zip archives nested more than 2 levels deep"),
    ("/uploads/missing.pdf", "content is an HTML page, not an allowed attachment type"),
    ("/uploads/big.pdf", "larger than download max size (20971520)"),
])
def test_bad_attachment_gives_log_line_and_record_without_text(crawl, path_end, reason):
    attachment = attachment_of(record_of(crawl, BAD_PAGE), path_end)
    assert attachment["text"] is None
    assert reason in attachment["error"]
    lines = [line for line in crawl.log.splitlines()
             if " WARNING: attachment " in line and attachment["url"] in line]
    assert len(lines) == 1 and reason in lines[0]


def test_bad_attachments_counted(crawl):
    assert crawl.stat("notices/attachment_unreadable_count") == 2
    assert crawl.stat("notices/attachment_failed_count/type") == 1
    assert crawl.stat("notices/attachment_failed_count/download") == 1
    assert crawl.stat("notices/attachment_needs_ocr_count") == 1


def test_text_taking_too_long_is_an_error_and_the_crawl_goes_on(fixture_server, tmp_path):
    start = fixture_server.base_urls["attachments_demo"] + POINTER_PAGE
    result = run_crawl(tmp_path, "notices", f"start_url={start}",
                       settings={"NOTICES_ATTACHMENTS_DIR": str(tmp_path / "store"),
                                 "NOTICES_ATTACHMENT_TEXT_TIMEOUT": "0.000001"})
    assert result.returncode == 0
    [record] = result.records
    assert record["attachments"] and all(
        a["text"] is None and a["error"] == "text extraction took longer than 1e-06 s"
        for a in record["attachments"])
    assert result.stat("notices/attachment_unreadable_count") == len(record["attachments"])


def test_without_a_store_attachments_are_listed_only(fixture_server, tmp_path):
    start = fixture_server.base_urls["attachments_demo"] + POINTER_PAGE
    downloads = fixture_server.request_count("attachments_demo", "/uploads/")
    result = run_crawl(tmp_path, "notices", f"start_url={start}")
    [record] = result.records
    assert [sorted(a) for a in record["attachments"]] == [["media_type", "name", "url"]] * 2
    assert record["notice"] == parse_notice(record["title"], record["body_text"],
                                            record["published_at"])
    assert fixture_server.request_count("attachments_demo", "/uploads/") == downloads
