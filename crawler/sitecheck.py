"""Site checks: what one fetched answer says about a registry entry, and the check report.

A check fetches a column page (or a sample notice page), follows one notice and ends in one
class:

    working       notice links on the column and a readable notice (title and body)
    moved         HTTP 404/410, or a redirect to another host or to the site's home page
    blocked       an anti-bot challenge (the product is named), an access refusal or robots.txt
    unrecognised  a page, but no notice links on it or no readable notice behind them
    unreachable   DNS, TCP, TLS failures, timeouts, 5xx answers after retries

`crawler/spiders/check.py` runs the checks, `scrapy check-sites` prints and writes the report.
"""

from __future__ import annotations

import json
import logging
import os
import re
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.http import HtmlResponse

from crawler.middlewares.blocking import challenge_product
from crawler.middlewares.soft404 import soft404_reason
from crawler.pages.urls import same_site

logger = logging.getLogger(__name__)

WORKING, MOVED, BLOCKED, UNRECOGNISED, UNREACHABLE = (
    "working", "moved", "blocked", "unrecognised", "unreachable")
CLASSES = (WORKING, MOVED, BLOCKED, UNRECOGNISED, UNREACHABLE)
# File names that stand for their folder (`/index.html` is `/`).
INDEX_NAMES = re.compile(r"^(?:index|default|main)\.(?:s?html?|jsp|php|aspx?)$", re.I)
# Statuses a site answers when it refuses a client (no challenge page recognised).
REFUSAL_STATUSES = frozenset({401, 403, 412, 521})


@dataclass
class CheckRow:
    """One checked URL: a column, a sample notice, or a column suggested by a breadcrumb."""

    site_id: str
    kind: str  # column | sample_notice | suggested_column | page
    url: str
    column: str | None = None
    platform_registry: str | None = None
    platform_detected: str | None = None
    check_class: str | None = None
    detail: str = "not finished"
    status: int | None = None
    final_url: str | None = None
    product: str | None = None
    notice_links: int | None = None
    notice_url: str | None = None
    notice_title: str | None = None

    def finish(self, check_class: str, detail: str, product: str | None = None) -> None:
        self.check_class, self.detail, self.product = check_class, detail, product
        logger.info("site %s: %s %s: %s (%s)", self.site_id, self.kind, self.url, check_class,
                    detail)

    def asdict(self) -> dict:
        row = asdict(self)
        row["class"] = row.pop("check_class")
        return row


@dataclass(frozen=True)
class Verdict:
    check_class: str
    detail: str
    product: str | None = None


def _folder(path: str) -> str:
    head, _, name = (path or "/").rpartition("/")
    return f"{head}/" if INDEX_NAMES.match(name) else path or "/"


def is_home_page(url: str, base_url: str | None = None) -> bool:
    """The root page of the host (`/`, `/index.html` …) or the site's registry base URL."""
    parts = urlsplit(url)
    if parts.query:
        return False
    folder = _folder(parts.path)
    if folder == "/":
        return True
    base = urlsplit(base_url or "")
    return parts.hostname == base.hostname and folder == _folder(base.path)


def redirect_verdict(from_url: str, to_url: str, base_url: str | None) -> Verdict | None:
    """`moved` when a redirect leaves the host or lands on the home page, else None."""
    if not same_site(to_url, from_url):
        return Verdict(MOVED, f"redirected to another host: {to_url}")
    if is_home_page(to_url, base_url) and not is_home_page(from_url, base_url):
        return Verdict(MOVED, f"redirected to the home page: {to_url}")
    return None


def answer_verdict(response) -> Verdict | None:
    """The class an answer's status or body decides (challenge, 404 …), or None when it is a
    page to read."""
    product = challenge_product(response)
    if product:
        return Verdict(BLOCKED, f"anti-bot challenge: {product} (HTTP {response.status})",
                       product)
    status = response.status
    if status in (404, 410):
        return Verdict(MOVED, f"HTTP {status}")
    if status in REFUSAL_STATUSES:
        return Verdict(BLOCKED, f"HTTP {status}: access refused, no known anti-bot product")
    if status >= 500:
        return Verdict(UNREACHABLE, f"HTTP {status} after retries")
    if status >= 400:
        return Verdict(UNRECOGNISED, f"HTTP {status}")
    if not response.body.strip():
        return Verdict(UNRECOGNISED, "empty answer")
    not_found = soft404_reason(response.text, response.url) \
        if isinstance(response, HtmlResponse) else None
    if not_found:
        return Verdict(MOVED, not_found)
    return None


def failure_verdict(failure) -> Verdict:
    """The class of a request that got no answer: robots.txt, DNS/TCP/TLS, timeouts."""
    message = failure.getErrorMessage()
    if "robots.txt" in message:
        return Verdict(BLOCKED, "robots.txt forbids this URL (the entry's politeness.obey_robots "
                                "can switch it off)", "robots.txt")
    return Verdict(UNREACHABLE, f"{failure.type.__name__}: {message}")


def site_class(rows: list[CheckRow]) -> str | None:
    """`working` when any of the site's checks works, else the class of its first check."""
    classes = [row.check_class for row in rows]
    return WORKING if WORKING in classes else (classes[0] if classes else None)


def build_report(rows: list[CheckRow], sites: dict, checked_at: str, registry: str) -> dict:
    """The report: per site its class, platforms, suggested columns and every checked URL."""
    by_site: dict[str, list[CheckRow]] = {}
    for row in rows:
        by_site.setdefault(row.site_id, []).append(row)
    entries = []
    for site_id, site_rows in by_site.items():
        site = sites.get(site_id)
        working = [row for row in site_rows if row.check_class == WORKING]
        entries.append({
            "id": site_id,
            "name": site.name if site else None,
            "province": site.region.get("province") if site else None,
            "class": site_class(site_rows),
            "platform_registry": site.platform if site else None,
            "platform_detected": working[0].platform_detected if working else None,
            "suggested_columns": [
                {"name": row.column, "url": row.url, "notice_links": row.notice_links,
                 "class": row.check_class}
                for row in site_rows if row.kind == "suggested_column"],
            "checks": [row.asdict() for row in site_rows],
        })
    counts = {name: sum(entry["class"] == name for entry in entries) for name in CLASSES}
    return {"checked_at": checked_at, "registry": registry, "site_count": len(entries),
            "counts": counts, "summary": summarise(entries), "sites": entries}


def summarise(entries: list[dict]) -> dict:
    """Site counts per class, by province and by platform (detected, else the registry's)."""
    summary: dict[str, dict[str, dict[str, int]]] = {"province": {}, "platform": {}}
    for entry in entries:
        keys = {"province": entry["province"] or "-",
                "platform": entry["platform_detected"] or entry["platform_registry"] or "-"}
        for by, key in keys.items():
            row = summary[by].setdefault(key, dict.fromkeys(CLASSES, 0))
            row[entry["class"] or UNREACHABLE] += 1
    return {by: dict(sorted(rows.items())) for by, rows in summary.items()}


def format_summary(report: dict) -> str:
    """The report's summary: one table by province, one by platform, a column per class."""
    out = []
    for by, rows in report["summary"].items():
        header = (by, "sites", *CLASSES)
        lines = [(key, str(sum(row.values())), *(str(row[name]) for name in CLASSES))
                 for key, row in rows.items()]
        widths = [max(_width(line[i]) for line in [header, *lines]) for i in range(len(header))]
        out += ["  ".join(_pad(cell, width) for cell, width in zip(line, widths, strict=True))
                .rstrip() for line in [header, *lines]]
        out.append("")
    return "\n".join(out).rstrip("\n")


def platform_updates(report: dict) -> dict[str, str | None]:
    """{site id: detected platform} of the working sites (what `--update` writes)."""
    return {entry["id"]: entry["platform_detected"] for entry in report["sites"]
            if entry["class"] == WORKING}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(report: dict) -> str:
    """The report as a text table, one line per checked URL, then the counts per class."""
    header = ("site", "class", "platform registry→detected", "links", "url", "detail")
    lines = []
    for entry in report["sites"]:
        for row in entry["checks"]:
            platforms = f"{row['platform_registry'] or '-'}→{row['platform_detected'] or '-'}"
            links = "-" if row["notice_links"] is None else str(row["notice_links"])
            detail = row["detail"] if row["kind"] != "suggested_column" else (
                f"suggested column {row['column'] or ''}: {row['detail']}")
            lines.append((entry["id"], row["class"] or "-", platforms, links, row["url"],
                          detail))
    widths = [max(_width(line[i]) for line in [header, *lines]) for i in range(len(header) - 1)]
    out = ["  ".join(_pad(cell, width) for cell, width in zip(line, widths, strict=False))
           + "  " + line[-1] for line in [header, *lines]]
    counts = ", ".join(f"{n} {name}" for name, n in report["counts"].items())
    out.append(f"{report['site_count']} sites checked: {counts}")
    return "\n".join(out)


def write_report(report: dict, path: str | Path) -> None:
    """The report as JSON (UTF-8, characters not escapes), replacing `path` in one step."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f"{path.name}.{os.getpid()}.part")
    part.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    part.replace(path)
