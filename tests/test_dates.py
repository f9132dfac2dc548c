"""Publish dates as printed -> ISO 8601 with +08:00 when the time is known."""

import pytest

from pipelines.dates import to_iso_date


@pytest.mark.parametrize(("raw", "iso"), [
    ("2022-02-25", "2022-02-25"),
    ("2022-2-5", "2022-02-05"),
    ("2021年09月10日 10:20", "2021-09-10T10:20:00+08:00"),
    ("2020/12/31 14:29:32", "2020-12-31T14:29:32+08:00"),
    ("2019-09-18 06:23", "2019-09-18T06:23:00+08:00"),
    ("2026.09.19", "2026-09-19"),
    ("1656000000000", "2022-06-24T00:00:00+08:00"),
    (1656000000, "2022-06-24T00:00:00+08:00"),
    (" ", None),
    (None, None),
    ("2022-02-30", None),
    ("点击量：1234", None),
])
def test_to_iso_date(raw, iso):
    assert to_iso_date(raw) == iso
