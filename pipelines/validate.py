"""Validation of records against the published JSON Schema (the last pipeline stage).

Records are checked by the schema compiled to Python code (fastjsonschema), many times faster;
only a record it rejects goes through jsonschema, which has the final word and names every
violation. The compiled check is never more lenient on this schema (tests/test_validate.py).
"""

from __future__ import annotations

import json
import logging
from functools import cache
from importlib import resources

import fastjsonschema
from jsonschema import Draft202012Validator
from scrapy.exceptions import DropItem

logger = logging.getLogger(__name__)
# Read through importlib.resources, so that it is found in a zipped Scrapyd egg too.
SCHEMA_PATH = resources.files("pipelines") / "schema" / "notice-record.schema.json"


@cache
def record_schema() -> dict:
    with SCHEMA_PATH.open(encoding="utf-8") as fh:
        return json.load(fh)


@cache
def record_validator() -> Draft202012Validator:
    """The jsonschema validator of the record schema (built once per process)."""
    return Draft202012Validator(record_schema())


@cache
def record_check():
    """The record schema compiled to a Python function (built once per process); raises
    `fastjsonschema.JsonSchemaValueException` on the first violation."""
    return fastjsonschema.compile(record_schema(), use_default=False)


def record_errors(record: dict) -> list[tuple[str, str]]:
    """(field path, message) of every schema violation; empty when the record is valid."""
    try:
        record_check()(record)
        return []
    except fastjsonschema.JsonSchemaValueException:
        pass
    errors = sorted(record_validator().iter_errors(record), key=lambda e: list(e.path))
    return [("/".join(map(str, e.path)) or "(record)", e.message) for e in errors]


class ValidatePipeline:
    """Item pipeline: drop an invalid record with an ERROR naming its URL and fields."""

    def __init__(self, stats=None):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, item):
        errors = record_errors(item)
        if not errors:
            return item
        if self.stats:
            self.stats.inc_value("notices/invalid_count")
            for field, _ in errors:
                self.stats.inc_value(f"notices/invalid_count/{field.split('/')[0]}")
        detail = "; ".join(f"{field}: {message}" for field, message in errors)
        raise DropItem(f"invalid record {item.get('url')}: {detail}", log_level="ERROR")
