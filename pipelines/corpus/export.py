"""Export: crawl outputs → flat tables in Parquet and CSV (pyarrow), types preserved.

Tables, all keyed by the notice `url`:
- `notices`: one row per notice URL (the latest crawl of it), nested objects flattened
  (`region_county`, `notice_kind`, …), dates as dates, times as timestamps, and the duplicate
  cluster columns (`cluster_id`, `cluster_size`, …);
- `outline`: one row per outline item, with `item_id` (`2.1`) and `parent_id`;
- `attachments`: one row per attachment;
- `contacts`: one row per phone number, e-mail address or mailbox;
- `hit_counts`: every hit-count reading of every crawl (url, hit_count, observed_at).

`published_at` (ISO, the day or the time) becomes `published_on` (a date, always when known)
and `published_at` (a timestamp, only when the page gave the time of day).

Parquet files carry pandas metadata, so that `pandas.read_parquet` reads the integer columns
as nullable integers (`Int64`, `Int32`) rather than floats where a value is missing. CSV for
Excel (`excel=True`) starts with a UTF-8 byte order mark, writes times as plain Asia/Shanghai
time (`2021-08-02 09:30:00`) and identifiers as text formulas (`="341823"`, `="1.10"`), which
Excel shows as they are instead of turning them into numbers.
"""

from __future__ import annotations

import codecs
import json
import logging
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from pipelines.corpus.duplicates import CONTAINMENT_THRESHOLD, cluster_records, first_copy_order
from pipelines.corpus.records import Corpus, latest_per_url

logger = logging.getLogger(__name__)

FORMATS = ("parquet", "csv")
TABLE_SUFFIXES = tuple(f".{fmt}" for fmt in FORMATS)
LOCAL_TIME = "Asia/Shanghai"
TIMESTAMP = pa.timestamp("s", tz=LOCAL_TIME)
UTC_TIMESTAMP = pa.timestamp("s", tz="UTC")

NOTICES = pa.schema([
    ("url", pa.string()), ("site_id", pa.string()), ("site_name", pa.string()),
    ("column", pa.string()), ("list_url", pa.string()), ("title", pa.string()),
    ("source", pa.string()), ("published_on", pa.date32()), ("published_at", TIMESTAMP),
    ("hit_count", pa.int64()), ("hit_count_observed_at", TIMESTAMP),
    ("author", pa.string()), ("editor", pa.string()), ("body_text", pa.string()),
    ("crawled_at", UTC_TIMESTAMP), ("content_sha1", pa.string()),
    ("region_province", pa.string()), ("region_city", pa.string()),
    ("region_county", pa.string()), ("region_adcode", pa.string()),
    ("notice_kind", pa.string()), ("notice_inspection_body", pa.string()),
    ("notice_inspected_unit", pa.string()), ("notice_inspection_start", pa.date32()),
    ("notice_inspection_end", pa.date32()), ("notice_feedback_date", pa.date32()),
    ("notice_problem_count", pa.int64()),
    ("notice_inspection_round", pa.string()), ("notice_inspection_type", pa.string()),
    ("notice_inspected_units", pa.string()), ("notice_problems_fixed", pa.int64()),
    ("notice_completion_rate", pa.string()), ("notice_rules_made", pa.int64()),
    ("notice_money_recovered", pa.string()), ("notice_people_held_accountable", pa.int64()),
    ("attachment_count", pa.int32()),
    ("outline_item_count", pa.int32()),
    ("cluster_id", pa.string()), ("cluster_size", pa.int32()), ("cluster_site_count", pa.int32()),
    ("cluster_match", pa.string()), ("cluster_similarity", pa.float64()),
    ("cluster_containment", pa.float64()), ("cluster_reason", pa.string()),
    ("schema_version", pa.int32()),
])
OUTLINE = pa.schema([
    ("url", pa.string()), ("item_id", pa.string()), ("parent_id", pa.string()),
    ("position", pa.int32()), ("level", pa.int32()), ("number", pa.string()),
    ("heading", pa.string()), ("text", pa.string()),
])
ATTACHMENTS = pa.schema([
    ("url", pa.string()), ("position", pa.int32()), ("attachment_url", pa.string()),
    ("name", pa.string()), ("media_type", pa.string()),
])
CONTACTS = pa.schema([("url", pa.string()), ("kind", pa.string()), ("value", pa.string())])
DUPLICATES = pa.schema([
    ("cluster_id", pa.string()), ("cluster_size", pa.int32()), ("cluster_site_count", pa.int32()),
    ("match", pa.string()), ("similarity", pa.float64()), ("containment", pa.float64()),
    ("reason", pa.string()), ("url", pa.string()),
    ("site_id", pa.string()), ("site_name", pa.string()), ("title", pa.string()),
    ("published_on", pa.date32()), ("content_sha1", pa.string()),
])
HIT_COUNTS = pa.schema([
    ("url", pa.string()), ("site_id", pa.string()), ("hit_count", pa.int64()),
    ("observed_at", TIMESTAMP), ("crawled_at", UTC_TIMESTAMP),
])
CONTACT_KINDS = {"phones": "phone", "emails": "email", "mailboxes": "mailbox"}
# Text Excel would read as a number (adcodes, outline ids such as 1.10, hex digests such as
# 12e4…): written as `="…"` in CSV for Excel.
EXCEL_TEXT_COLUMNS = {"region_adcode", "item_id", "parent_id", "cluster_id", "content_sha1"}
EXCEL_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def parse_day(value: str | None, url: str, name: str) -> date | None:
    """The day of an ISO date or date-time string; None (and a WARNING) when unreadable."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except (TypeError, ValueError):
        logger.warning("%s: unreadable %s %r exported as null", url, name, value)
        return None


def parse_time(value: str | None, url: str, name: str) -> datetime | None:
    """An ISO date-time with its offset; None for a bare date, and (with a WARNING) when
    unreadable or without an offset."""
    if not value or len(value) <= 10:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        moment = None
    if moment is None or moment.tzinfo is None:
        logger.warning("%s: unreadable %s %r exported as null", url, name, value)
        return None
    return moment


def outline_items(outline: list[dict]) -> list[dict]:
    """Depth-first rows of an outline tree: `item_id` 1, 1.1, 1.2, 2 … and `parent_id`."""
    rows: list[dict] = []

    def walk(nodes, parent_id):
        for index, node in enumerate(nodes or [], start=1):
            item_id = f"{parent_id}.{index}" if parent_id else str(index)
            rows.append({"item_id": item_id, "parent_id": parent_id,
                         "position": len(rows) + 1, "level": node.get("level"),
                         "number": node.get("number"), "heading": node.get("heading"),
                         "text": node.get("text")})
            walk(node.get("children"), item_id)

    walk(outline, None)
    return rows


def version_2_notice_columns(notice: dict) -> dict:
    """The columns of the `notice` fields schema version 2 added; null for a version-1
    record, which lacks them. Lists are joined with 、 (no unit name or amount holds one)."""
    stats = notice.get("rectification_stats") or {}
    units, money = notice.get("inspected_units"), stats.get("money_recovered")
    return {
        "notice_inspection_round": notice.get("inspection_round"),
        "notice_inspection_type": notice.get("inspection_type"),
        "notice_inspected_units": "、".join(units) if units else None,
        "notice_money_recovered": "、".join(money) if money else None,
        **{f"notice_{key}": stats.get(key)
           for key in ("problems_fixed", "completion_rate", "rules_made",
                       "people_held_accountable")},
    }


def notice_row(record: dict, membership) -> dict:
    """The `notices` row of a record."""
    url = record["url"]
    region = record.get("region") or {}
    notice = record.get("notice") or {}
    return {
        **{key: record.get(key) for key in ("url", "site_id", "site_name", "column", "list_url",
                                            "title", "source", "hit_count", "author", "editor",
                                            "body_text", "content_sha1", "schema_version")},
        "published_on": parse_day(record.get("published_at"), url, "published_at"),
        "published_at": parse_time(record.get("published_at"), url, "published_at"),
        "hit_count_observed_at": parse_time(record.get("hit_count_observed_at"), url,
                                            "hit_count_observed_at"),
        "crawled_at": parse_time(record.get("crawled_at"), url, "crawled_at"),
        **{f"region_{key}": region.get(key) for key in ("province", "city", "county", "adcode")},
        **{f"notice_{key}": notice.get(key) for key in ("kind", "inspection_body",
                                                       "inspected_unit", "problem_count")},
        **{f"notice_{key}": parse_day(notice.get(key), url, f"notice.{key}")
           for key in ("inspection_start", "inspection_end", "feedback_date")},
        **version_2_notice_columns(notice),
        "attachment_count": len(record.get("attachments") or []),
        "outline_item_count": len(outline_items(notice.get("outline") or [])),
        "cluster_id": membership.cluster_id,
        "cluster_size": membership.cluster_size,
        "cluster_site_count": membership.site_count,
        "cluster_match": membership.match,
        "cluster_similarity": membership.similarity,
        "cluster_containment": membership.containment,
        "cluster_reason": membership.reason,
    }


def hit_count_rows(records: Iterable[dict]) -> list[dict]:
    """Every distinct (url, observed_at, hit_count) reading, oldest first per URL."""
    rows, seen = [], set()
    for record in records:
        if record.get("hit_count") is None:
            continue
        key = (record["url"], record.get("hit_count_observed_at"), record["hit_count"])
        if key in seen:
            continue
        seen.add(key)
        url = record["url"]
        rows.append({"url": url, "site_id": record["site_id"], "hit_count": record["hit_count"],
                     "observed_at": parse_time(record.get("hit_count_observed_at"), url,
                                               "hit_count_observed_at"),
                     "crawled_at": parse_time(record.get("crawled_at"), url, "crawled_at")})
    rows.sort(key=lambda row: (row["url"], row["observed_at"] is None,
                               row["observed_at"].timestamp() if row["observed_at"] else 0))
    return rows


def duplicates_table(corpus: Corpus, *, threshold: float = CONTAINMENT_THRESHOLD,
                     single_copies: bool = False) -> pa.Table:
    """One row per copy of every notice that more than one URL carries (every notice with
    `single_copies`), grouped by cluster: largest clusters first, earliest copy first."""
    notices = latest_per_url(corpus.records)
    memberships = cluster_records(notices, threshold=threshold)
    rows = [{"cluster_id": m.cluster_id, "cluster_size": m.cluster_size,
             "cluster_site_count": m.site_count, "match": m.match, "similarity": m.similarity,
             "containment": m.containment, "reason": m.reason, "url": r["url"],
             "site_id": r["site_id"], "site_name": r.get("site_name"),
             "title": r.get("title"),
             "published_on": parse_day(r.get("published_at"), r["url"], "published_at"),
             "content_sha1": r.get("content_sha1"), "_order": first_copy_order(r)}
            for r, m in zip(notices, memberships, strict=True)
            if single_copies or m.cluster_size > 1]
    rows.sort(key=lambda row: (-row["cluster_size"], row["cluster_id"], row["_order"]))
    for row in rows:
        del row["_order"]
    return pa.Table.from_pylist(rows, DUPLICATES)


def corpus_tables(corpus: Corpus, *, threshold: float = CONTAINMENT_THRESHOLD
                  ) -> dict[str, pa.Table]:
    """The five tables of a corpus (see the module docstring)."""
    notices = latest_per_url(corpus.records)
    memberships = cluster_records(notices, threshold=threshold)
    outline, attachments, contacts = [], [], []
    for record in notices:
        url = record["url"]
        outline += [{"url": url, **row}
                    for row in outline_items((record.get("notice") or {}).get("outline") or [])]
        attachments += [{"url": url, "position": position, "attachment_url": item.get("url"),
                         "name": item.get("name"), "media_type": item.get("media_type")}
                        for position, item in enumerate(record.get("attachments") or [], 1)]
        found = (record.get("notice") or {}).get("contacts") or {}
        contacts += [{"url": url, "kind": kind, "value": value}
                     for key, kind in CONTACT_KINDS.items() for value in found.get(key) or []]
    return {
        "notices": pa.Table.from_pylist(
            [notice_row(r, m) for r, m in zip(notices, memberships, strict=True)], NOTICES),
        "outline": pa.Table.from_pylist(outline, OUTLINE),
        "attachments": pa.Table.from_pylist(attachments, ATTACHMENTS),
        "contacts": pa.Table.from_pylist(contacts, CONTACTS),
        "hit_counts": pa.Table.from_pylist(hit_count_rows(corpus.records), HIT_COUNTS),
    }


def pandas_metadata(table: pa.Table) -> bytes:
    """The `pandas` schema metadata that makes pandas read the integer columns as nullable
    integers (written without pandas: only those columns are described)."""
    columns = [{"name": f.name, "field_name": f.name, "pandas_type": str(f.type),
                "numpy_type": str(f.type).capitalize(), "metadata": None}
               for f in table.schema if pa.types.is_integer(f.type)]
    return json.dumps({"index_columns": [], "column_indexes": [], "columns": columns,
                       "pandas_version": "2.0.0"}).encode("utf-8")


def excel_table(table: pa.Table) -> pa.Table:
    """A table as Excel reads CSV: plain Asia/Shanghai times, identifiers as text formulas."""
    columns = []
    for field_, column in zip(table.schema, table.columns, strict=True):
        if pa.types.is_timestamp(field_.type):
            column = pc.strftime(column.cast(TIMESTAMP), format=EXCEL_TIME_FORMAT)
        elif field_.name in EXCEL_TEXT_COLUMNS:
            column = pc.binary_join_element_wise('="', column, '"', "")
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def write_table(table: pa.Table, path: Path, *, excel: bool = False) -> Path:
    """Write one table as Parquet or CSV (UTF-8, header line), chosen by the file suffix;
    `excel`: CSV as Excel on Chinese Windows reads it (see the module docstring)."""
    if path.suffix == ".parquet":
        metadata = {**(table.schema.metadata or {}), b"pandas": pandas_metadata(table)}
        pq.write_table(table.replace_schema_metadata(metadata), path)
    elif path.suffix == ".csv" and excel:
        with path.open("wb") as fh:
            fh.write(codecs.BOM_UTF8)
            pa_csv.write_csv(excel_table(table), fh)
    elif path.suffix == ".csv":
        pa_csv.write_csv(table, path)
    else:
        raise ValueError(f"unknown table format: {path.suffix} (use .parquet or .csv)")
    return path


def export_corpus(corpus: Corpus, out_dir: Path, formats: Iterable[str] = FORMATS, *,
                  threshold: float = CONTAINMENT_THRESHOLD,
                  excel: bool = False) -> dict[str, pa.Table]:
    """Write `<out_dir>/<table>.<format>` for every table and format; return the tables."""
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = corpus_tables(corpus, threshold=threshold)
    for name, table in tables.items():
        for fmt in formats:
            write_table(table, out_dir / f"{name}.{fmt}", excel=excel)
    return tables
