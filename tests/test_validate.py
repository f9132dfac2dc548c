"""The compiled schema check against jsonschema: never more lenient, on every field.

Valid records come from the saved notice pages through the record pipeline; each field at every
depth is then replaced by wrong values of many types (or removed), and wherever jsonschema
finds a violation `record_errors` must report it.
"""

import copy

import pytest

from fixtures.pagecases import load_cases, raw_detail
from pipelines.normalize import normalize_record
from pipelines.parse import parse_record
from pipelines.validate import record_errors, record_validator

WRONG_VALUES = (None, True, False, 0, 1, -1, 1.0, 1.5, "", "x", "http://a\n", "2020-01-01\n",
                "2020-01-01T08:00:00+08:00\n", "２０２０-01-01", [], {}, ["x"], {"x": 1})


def records() -> list[dict]:
    cases = [c for c in load_cases("detail") if c.is_html and c.available][:4]
    return [parse_record(normalize_record({
        **raw_detail(case), "url": case.url, "site_id": "site", "list_url": case.url,
        "hit_count": 3, "hit_count_observed_at": "2024-01-02T03:04:05+00:00",
        "attachments": [{"url": case.url + ".pdf", "name": "附件", "media_type": None}],
    })) for case in cases]


def with_every_notice_field(record: dict) -> dict:
    """The record with each schema-2 notice field filled, so that their members are varied."""
    changed = copy.deepcopy(record)
    changed["notice"].update({
        "inspection_round": "十五届县委第三轮", "inspection_type": "special",
        "inspected_units": ["县财政局", "县水务局"],
        "rectification_stats": {"problems_fixed": 38, "completion_rate": "98.71%",
                                "rules_made": 12, "money_recovered": ["66.57万元", "146万元"],
                                "people_held_accountable": 5}})
    changed["url"] += "/all-fields/"
    return changed


def field_paths(value, path=()):
    if path:
        yield path
    children = value.items() if isinstance(value, dict) else (
        enumerate(value) if isinstance(value, list) else ())
    for key, child in children:
        yield from field_paths(child, (*path, key))


def replaced(record: dict, path: tuple, value) -> dict:
    changed = copy.deepcopy(record)
    parent = changed
    for key in path[:-1]:
        parent = parent[key]
    if value is KeyError:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return changed


RECORDS = records()


@pytest.mark.parametrize("record", [*RECORDS, with_every_notice_field(RECORDS[0])],
                         ids=lambda r: r["url"].rsplit("/", 2)[-2])
def test_compiled_check_never_more_lenient(record):
    assert record_errors(record) == []
    assert any(isinstance(v, dict) for v in record["notice"]["outline"]), "no outline to vary"
    checked = 0
    for path in field_paths(record):
        for value in (*WRONG_VALUES, KeyError):
            changed = replaced(record, path, value)
            if not record_validator().is_valid(changed):
                checked += 1
                assert record_errors(changed), (path, value)
    assert checked > 100


@pytest.mark.parametrize(("field", "value"), [
    ("inspection_type", "weekly"),
    ("inspected_units", [""]),
    ("rectification_stats", {}),
    ("rectification_stats", {"problems_fixed": 3, "fixed_soon": 1}),
    ("rectification_stats", {"completion_rate": 98.71}),
    ("rectification_stats", {"money_recovered": ["66.57"]}),
])
def test_schema_2_notice_fields_are_checked(field, value):
    record = with_every_notice_field(RECORDS[0])
    record["notice"][field] = value
    errors = record_errors(record)
    assert errors and all(path.startswith(f"notice/{field}") for path, _ in errors), errors


def test_records_are_schema_version_2():
    record = copy.deepcopy(RECORDS[0])
    assert record["schema_version"] == 2 and record_errors(record) == []
    record["schema_version"] = 1
    assert [path for path, _ in record_errors(record)] == ["schema_version"]
