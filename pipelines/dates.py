"""Publish dates as printed on pages -> ISO 8601 (day only, or time with +08:00)."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
_NUMERIC_DATE_RE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*T?\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{2})(?:\s*[:：分]\s*(?P<S>\d{2}))?)?"
)
_EPOCH_RE = re.compile(r"^\d{10}(\d{3})?$")


def to_iso_date(text: str | int | float | None) -> str | None:
    """`2022-02-25`, `2021年09月10日 10:20`, `2020/12/31 14:29:32`, `2026.09.19` or an epoch
    (s or ms) -> `2022-02-25` or `2021-09-10T10:20:00+08:00`; None when no valid date."""
    if text is None:
        return None
    if isinstance(text, int | float):
        if not math.isfinite(text):
            return None
        text = str(int(text))
    text = text.strip()
    if not text:
        return None
    if _EPOCH_RE.match(text):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return datetime.fromtimestamp(seconds, CHINA_TZ).isoformat(timespec="seconds")
    match = _NUMERIC_DATE_RE.search(text)
    if not match:
        return None
    parts = {k: int(v) for k, v in match.groupdict().items() if v is not None}
    try:
        if "H" not in parts:
            return datetime(parts["y"], parts["m"], parts["d"]).date().isoformat()
        moment = datetime(parts["y"], parts["m"], parts["d"], parts["H"], parts["M"],
                          parts.get("S", 0), tzinfo=CHINA_TZ)
    except ValueError:
        return None
    return moment.isoformat(timespec="seconds")


def utc_now_iso() -> str:
    """The current time, ISO 8601 UTC (the `crawled_at` format)."""
    return datetime.now(UTC).isoformat(timespec="seconds")
