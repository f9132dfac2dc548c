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
SCHEMA_DIR = resources.files("pipelines") / "schema"
# The schema of the records the crawler writes now; `notice-record-<N>.schema.json` keeps the
# schema of every earlier version N, so that older crawl outputs are checked by their own.
SCHEMA_PATH = SCHEMA_DIR / "notice-record.schema.json"


def _load(path) -> dict:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def schema_version_of(schema: dict) -> int:
    """The `schema_version` a schema requires (its `const`)."""
    return schema["properties"]["schema_version"]["const"]


@cache
def record_schema() -> dict:
    """The schema of the current version."""
    return _load(SCHEMA_PATH)


@cache
def record_schemas() -> dict[int, dict]:
    """Every published schema by the version it describes (the current one included)."""
    schemas = {}
    for path in SCHEMA_DIR.iterdir():
        if path.name.startswith("notice-record") and path.name.endswith(".schema.json"):
            schema = _load(path)
            schemas.setdefault(schema_version_of(schema), schema)
    schemas[schema_version_of(record_schema())] = record_schema()
    return dict(sorted(schemas.items()))


@cache
def record_validator(version: int | None = None) -> Draft202012Validator:
    """The jsonschema validator of a schema version, the current one by default (built once
    per process)."""
    return Draft202012Validator(record_schemas()[version] if version else record_schema())


@cache
def record_check(version: int | None = None):
    """A schema version (the current one by default) compiled to a Python function (built once
    per process); raises `fastjsonschema.JsonSchemaValueException` on the first violation."""
    schema = record_schemas()[version] if version else record_schema()
    return fastjsonschema.compile(schema, use_default=False)


def record_errors(record: dict, version: int | None = None) -> list[tuple[str, str]]:
    """(field path, message) of every violation of a schema version (the current one by
    default); empty when the record is valid."""
    try:
        record_check(version)(record)
        return []
    except fastjsonschema.JsonSchemaValueException:
        pass
    errors = sorted(record_validator(version).iter_errors(record), key=lambda e: list(e.path))
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
