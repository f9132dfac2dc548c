"""Export of crawl outputs to Parquet and CSV, read back with DuckDB."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pytest

from pipelines.corpus.cli import main
from pipelines.corpus.export import LOCAL_TIME, outline_items
from tests.conftest import REPO
from tests.corpus_factory import as_version_1, make_corpus, recrawled, write_jsonl

SECOND_CRAWL = "2026-11-22T01:00:00Z"
SECOND_READING = "2026-11-22T09:05:00+08:00"
EXTRA_HITS = 7
TABLES = ("notices", "outline", "attachments", "contacts", "hit_counts")


@pytest.fixture(scope="module")
def crawls(tmp_path_factory):
    """Two crawls of a generated corpus, the first with an unreadable line and a bad record;
    every second record as schema version 1 wrote it."""
    folder = tmp_path_factory.mktemp("crawls")
    corpus = make_corpus(12, seed=5)
    corpus.records[:] = [as_version_1(r) if i % 2 else r for i, r in enumerate(corpus.records)]
    first = write_jsonl(corpus.records, folder / "first.jsonl")
    with first.open("a", encoding="utf-8") as fh:
        fh.write('{"url": "http://broken.example.gov.cn/1.html", "title": "cut off\n')
        fh.write('["not", "a", "record"]\n')
    write_jsonl(recrawled(corpus.records, SECOND_CRAWL, SECOND_READING, EXTRA_HITS),
                folder / "second.jsonl")
    return folder, corpus


@pytest.fixture(scope="module")
def exported(crawls):
    folder, corpus = crawls
    out = folder / "tables"
    proc = subprocess.run([sys.executable, "-m", "pipelines.corpus", "export",
                           str(folder / "first.jsonl"), str(folder / "second.jsonl"),
                           "-o", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr  # tables written, lines skipped
    return out, corpus, proc.stderr


def column_types(path: Path) -> dict[str, str]:
    reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
    rows = duckdb.execute(f"DESCRIBE SELECT * FROM {reader}(?)", [str(path)]).fetchall()
    return {name: kind for name, kind, *_ in rows}


def table_rows(path: Path, order: str) -> list[dict]:
    reader = "read_parquet" if path.suffix == ".parquet" else "read_csv"
    relation = duckdb.execute(f"SELECT * FROM {reader}(?) ORDER BY {order}", [str(path)])
    names = [d[0] for d in relation.description]
    return [dict(zip(names, row, strict=True)) for row in relation.fetchall()]


def test_every_table_is_written_in_both_formats(exported):
    out, _, _ = exported
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{t}.{fmt}" for t in TABLES for fmt in ("parquet", "csv"))


def test_unreadable_lines_are_named_and_the_rest_exported(exported):
    _, corpus, log = exported
    assert "first.jsonl line " in log and "invalid JSON" in log
    assert "not a record: a JSON list, not an object" in log
    assert (f"read {2 * len(corpus.records)} records from 2 files, 2 lines skipped "
            "(invalid JSON: 1, not a record: 1)") in log


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_types_are_preserved(exported, fmt):
    out, _, _ = exported
    types = column_types(out / f"notices.{fmt}")
    expected = {"published_on": "DATE", "published_at": "TIMESTAMP WITH TIME ZONE",
                "hit_count": "BIGINT", "hit_count_observed_at": "TIMESTAMP WITH TIME ZONE",
                "crawled_at": "TIMESTAMP WITH TIME ZONE", "notice_inspection_start": "DATE",
                "notice_problem_count": "BIGINT", "title": "VARCHAR", "body_text": "VARCHAR"}
    assert {name: types[name] for name in expected} == expected
    hits = column_types(out / f"hit_counts.{fmt}")
    assert (hits["hit_count"], hits["observed_at"]) == ("BIGINT", "TIMESTAMP WITH TIME ZONE")
    if fmt == "parquet":  # CSV readers guess: an adcode reads back as a number there
        assert types["region_adcode"] == "VARCHAR"
        assert column_types(out / "outline.parquet")["level"] == "INTEGER"


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_notices_hold_the_latest_crawl_of_each_url(exported, fmt):
    out, corpus, _ = exported
    rows = {row["url"]: row for row in table_rows(out / f"notices.{fmt}", "url")}
    assert sorted(rows) == sorted(r["url"] for r in corpus.records)
    for record in corpus.records:
        row = rows[record["url"]]
        assert row["title"] == record["title"]
        assert row["body_text"] == record["body_text"]  # UTF-8 and line breaks survive CSV
        assert row["site_name"] == record["site_name"]
        assert row["published_on"] == date.fromisoformat(record["published_at"][:10])
        if len(record["published_at"]) > 10:
            assert row["published_at"] == datetime.fromisoformat(record["published_at"])
        else:
            assert row["published_at"] is None
        assert row["hit_count"] == record["hit_count"] + EXTRA_HITS
        assert row["crawled_at"] == datetime.fromisoformat(SECOND_CRAWL)
        assert row["region_county"] == record["region"]["county"]
        assert row["notice_kind"] == record["notice"]["kind"]
        assert row["notice_problem_count"] == record["notice"]["problem_count"]
        assert row["attachment_count"] == len(record["attachments"])
        assert row["cluster_id"] and row["cluster_size"] >= 1
        assert row["schema_version"] == record["schema_version"]
        notice = record["notice"]  # version-1 records lack the fields version 2 added
        stats = notice.get("rectification_stats") or {}
        assert row["notice_inspection_round"] == notice.get("inspection_round")
        assert row["notice_inspected_units"] == ("、".join(notice["inspected_units"])
                                                 if notice.get("inspected_units") else None)
        assert row["notice_problems_fixed"] == stats.get("problems_fixed")
        assert row["notice_money_recovered"] == ("、".join(stats["money_recovered"])
                                                 if stats.get("money_recovered") else None)


def test_the_corpus_mixes_schema_versions(crawls):
    _, corpus = crawls
    versions = {record["schema_version"] for record in corpus.records}
    assert versions == {1, 2}
    assert any((r["notice"].get("rectification_stats") or {}).get("problems_fixed")
               for r in corpus.records)


def test_hit_counts_keep_every_reading(exported):
    out, corpus, _ = exported
    readings = table_rows(out / "hit_counts.parquet", "url, observed_at")
    assert len(readings) == 2 * len(corpus.records)
    by_url = {}
    for row in readings:
        by_url.setdefault(row["url"], []).append(row)
    for record in corpus.records:
        first, second = by_url[record["url"]]
        assert (first["hit_count"], second["hit_count"]) == (
            record["hit_count"], record["hit_count"] + EXTRA_HITS)
        assert first["observed_at"] == datetime.fromisoformat(record["hit_count_observed_at"])
        assert second["observed_at"] == datetime.fromisoformat(SECOND_READING)


def test_outline_attachments_and_contacts_are_flat(exported):
    out, corpus, _ = exported
    outline = table_rows(out / "outline.parquet", "url, position")
    assert len(outline) == sum(len(outline_items(r["notice"]["outline"])) for r in corpus.records)
    ids = {(row["url"], row["item_id"]) for row in outline}
    assert all(row["parent_id"] is None or (row["url"], row["parent_id"]) in ids
               for row in outline)
    assert all(row["level"] == row["item_id"].count(".") + 1 for row in outline)
    attachments = table_rows(out / "attachments.csv", "url, position")
    assert sorted((a["url"], a["attachment_url"]) for a in attachments) == sorted(
        (r["url"], a["url"]) for r in corpus.records for a in r["attachments"])
    contacts = table_rows(out / "contacts.parquet", "url, kind, value")
    assert len(contacts) == sum(len(values) for r in corpus.records
                                for values in r["notice"]["contacts"].values())


def test_outline_items_number_the_tree():
    tree = [{"level": 1, "number": "一", "heading": "a", "text": "", "children": [
        {"level": 2, "number": "（一）", "heading": "b", "text": "x", "children": []},
        {"level": 2, "number": "（二）", "heading": "c", "text": "y", "children": []}]},
        {"level": 1, "number": "二", "heading": "d", "text": "z", "children": []}]
    assert [(r["item_id"], r["parent_id"], r["position"], r["heading"])
            for r in outline_items(tree)] == [("1", None, 1, "a"), ("1.1", "1", 2, "b"),
                                              ("1.2", "1", 3, "c"), ("2", None, 4, "d")]


def test_console_command_exports_one_format(crawls, tmp_path):
    folder, _ = crawls
    command = Path(sys.executable).with_name("jiwei-export")
    proc = subprocess.run([str(command), str(folder / "second.jsonl"), "--format", "parquet",
                           "-o", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{t}.parquet" for t in TABLES)


@pytest.fixture(scope="module")
def excel_export(crawls):
    folder, corpus = crawls
    out = folder / "excel"
    assert main(["export", str(folder / "second.jsonl"), "-o", str(out), "--excel",
                 "--format", "csv"]) == 0
    return out, corpus


def test_excel_csv_has_a_bom_plain_local_times_and_text_ids(excel_export):
    out, corpus = excel_export
    raw = (out / "notices.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with (out / "notices.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = {row["url"]: row for row in csv.DictReader(fh)}
    for record in corpus.records:
        row = rows[record["url"]]
        assert row["region_adcode"] == f'="{record["region"]["adcode"]}"'
        assert row["crawled_at"] == "2026-11-22 09:00:00"  # 01:00 UTC in Asia/Shanghai
        if len(record["published_at"]) > 10:
            local = datetime.fromisoformat(record["published_at"]).astimezone(
                ZoneInfo(LOCAL_TIME))
            assert row["published_at"] == local.strftime("%Y-%m-%d %H:%M:%S")
        assert row["published_on"] == record["published_at"][:10]
    with (out / "outline.csv").open(encoding="utf-8-sig", newline="") as fh:
        ids = [row["item_id"] for row in csv.DictReader(fh)]
    assert ids and all(re.fullmatch(r'="\d+(\.\d+)*"', item_id) for item_id in ids)


def test_pandas_reads_counts_as_nullable_integers(exported, tmp_path):
    out, corpus, _ = exported
    notices = pd.read_parquet(out / "notices.parquet")
    assert str(notices["hit_count"].dtype) == "Int64"
    assert str(notices["notice_problem_count"].dtype) == "Int64"
    assert str(notices["attachment_count"].dtype) == "Int32"
    missing = sum(r["notice"]["problem_count"] is None for r in corpus.records)
    assert 0 < missing == notices["notice_problem_count"].isna().sum()
    assert notices["region_adcode"].map(type).eq(str).all()
    outline = pd.read_parquet(out / "outline.parquet")
    assert outline["item_id"].map(type).eq(str).all()
    # Stata, the recipe of docs/corpus-tools.md: local times, dates as datetimes, long texts
    # as strL, columns without any value left out
    stata = notices.copy()
    for name in stata.columns:
        if isinstance(stata[name].dtype, pd.DatetimeTZDtype):
            stata[name] = stata[name].dt.tz_convert(LOCAL_TIME).dt.tz_localize(None)
        elif stata[name].dtype == object:  # the date columns
            stata[name] = pd.to_datetime(stata[name])
    stata = stata.dropna(axis=1, how="all")
    stata.to_stata(tmp_path / "notices.dta", write_index=False, version=118,
                   convert_strl=["body_text", "cluster_reason"])
    back = pd.read_stata(tmp_path / "notices.dta")
    assert list(back["url"]) == list(notices["url"])
    assert back["notice_problem_count"].isna().sum() == missing
    assert list(back["body_text"]) == list(notices["body_text"])
