"""Item pipeline stage that reads the notice itself and fills `notice` and `region`."""

from __future__ import annotations

from pipelines.attachment_text import notice_source_text
from pipelines.notice import parse_notice
from pipelines.region import region_from_text

REGION_KEYS = ("province", "city", "county", "adcode")


def record_region(record: dict) -> dict:
    """The registry's region when the crawl knows it, else one read from site name and title."""
    known = record.get("region") or {}
    if any(known.get(key) for key in REGION_KEYS):
        return {key: known.get(key) for key in REGION_KEYS}
    return region_from_text(record.get("site_name") or "", record.get("title") or "")


def parse_record(record: dict) -> dict:
    """Fill `notice` from title and body (or the attachments' text when the body only points
    at them), and `region` with all its members."""
    record["notice"] = parse_notice(record.get("title") or "", notice_source_text(record),
                                    record.get("published_at"))
    record["region"] = record_region(record)
    return record


class NoticeParsePipeline:
    """Item pipeline: `parse_record` on every (already normalized) item."""

    def process_item(self, item):
        return parse_record(item)
