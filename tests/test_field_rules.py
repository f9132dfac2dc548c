"""Provenance of detail fields in a crawl: stats count the rule behind each field, and
NOTICES_FIELD_RULES writes it into the record; a short notice with a PDF is a record."""

from __future__ import annotations

import pytest

from tests.conftest import run_crawl

PAGE = "short-with-pdf.html"


@pytest.fixture(scope="module")
def crawl(behaviours_server, tmp_path_factory):
    start = behaviours_server.base_urls["behaviours"] + PAGE
    return run_crawl(tmp_path_factory.mktemp("rules"), "notices", f"start_url={start}",
                     settings={"NOTICES_FIELD_RULES": "True"})


def test_short_notice_with_a_pdf_is_a_record(crawl, behaviours_server):
    [record] = crawl.records
    assert record["body_text"] == "现将整改情况予以公布。"
    assert record["attachments"] == [{
        "url": behaviours_server.base_urls["behaviours"] + "uploads/xczg-2023-01.pdf",
        "name": "巡察整改情况报告.pdf", "media_type": "application/pdf"}]
    assert crawl.stat("notices/page_error_count") == 0


def test_record_names_the_rule_of_each_field(crawl):
    [record] = crawl.records
    assert record["field_rules"] == {
        "title": "heading_in_page_title", "published_at": "header_line",
        "source": "header_line", "body": "body_selector", "attachments": "body_links"}


def test_stats_count_the_rules(crawl):
    for field, rule in crawl.records[0]["field_rules"].items():
        assert crawl.stat(f"notices/field_rule_count/{field}/{rule}") == 1


def test_records_leave_rules_out_by_default(behaviours_server, tmp_path):
    start = behaviours_server.base_urls["behaviours"] + PAGE
    [record] = run_crawl(tmp_path, "notices", f"start_url={start}").records
    assert "field_rules" not in record
