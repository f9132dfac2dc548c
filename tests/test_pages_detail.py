"""Notice page objects on saved pages of every fixture platform: one test per case and field."""

from __future__ import annotations

import pytest

from fixtures.pagecases import extract_detail, load_cases

CASES = [case for case in load_cases("detail") if not case.name.startswith("real_")]


@pytest.fixture(scope="module")
def extracted():
    return {case.name: extract_detail(case) for case in CASES}


@pytest.mark.parametrize(("case", "field"),
                         [(case, field) for case in CASES for field in case.fields],
                         ids=lambda value: getattr(value, "name", value))
def test_detail_field(extracted, case, field):
    assert extracted[case.name][field] == case.expected[field]


def test_every_fixture_site_has_cases():
    for site in ("hanweb_demo", "trs_demo", "vsb_demo", "phpcms_demo", "empirecms_demo",
                 "ajax_demo", "unknown_markup", "jingxian", "longting"):
        assert any(case.name.startswith(f"{site}_") for case in CASES), site
