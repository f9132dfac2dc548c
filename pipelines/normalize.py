"""Text and field normalization of a notice record (the first pipeline stage)."""

from __future__ import annotations

import hashlib
import re

from itemadapter import ItemAdapter

from pipelines.dates import to_iso_date, utc_now_iso

SCHEMA_VERSION = 2  # docs/record.md: what changed from version 1
# Every field of the record contract with its value when the page does not give it.
RECORD_DEFAULTS: dict[str, object] = {
    "schema_version": SCHEMA_VERSION,
    "url": None,
    "site_id": None,
    "site_name": None,
    "column": None,
    "list_url": None,
    "title": None,
    "source": None,
    "published_at": None,
    "hit_count": None,
    "hit_count_observed_at": None,
    "author": None,
    "editor": None,
    "body_text": "",
    "attachments": [],
    "crawled_at": None,
    "content_sha1": None,
    "region": None,
    "notice": None,
}
_WS_RE = re.compile(r"[\s\u3000\xa0\u200b\ufeff]+")
# Code points no text field keeps: C0/C1 controls that are not whitespace, and lone
# surrogates (they cannot be written as UTF-8).
_UNWRITABLE_RE = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff]")
_TITLE_SUFFIX_RE = re.compile(
    r"\s*(?P<sep>\s[-－—|｜_]+\s*|[-－_｜|]|——)\s*(?P<tail>[^-－—|｜_]{2,40})$"
)
# A suffix after a bare `-` is dropped only when it names a site this way.
_SITE_NAME_END_RE = re.compile(r"(?:网|网站|政府|纪委监委|监委|纪委|委员会|门户|信息公开)$")
_SITE_WORDS = ("网", "政府", "纪委", "监委", "门户", "纪检", "监察")


def collapse_whitespace(text: str | None) -> str:
    """Runs of whitespace (ASCII, full-width, nbsp, zero-width) -> one space, ends stripped;
    control characters and lone surrogates dropped."""
    return _WS_RE.sub(" ", _UNWRITABLE_RE.sub("", text or "")).strip()


def normalize_body(text: str | None) -> str:
    """Paragraphs (lines) whitespace-collapsed, empty ones dropped, joined by `\\n`."""
    lines = (collapse_whitespace(line) for line in (text or "").split("\n"))
    return "\n".join(line for line in lines if line)


def clean_title(title: str | None, site_name: str | None = None) -> str:
    """Collapse whitespace and drop a trailing ` - 网站名` / `_网站名` suffix."""
    title = collapse_whitespace(title)
    match = _TITLE_SUFFIX_RE.search(title)
    if match and match.start() > 0:
        tail = match.group("tail")
        bare_dash = match.group("sep").strip() in ("-", "－")
        names_site = bool(site_name) and (tail in site_name or site_name in tail)
        if names_site or (_SITE_NAME_END_RE.search(tail) if bare_dash
                          else any(word in tail for word in _SITE_WORDS)):
            title = title[: match.start()].rstrip()
    return title


def content_sha1(body_text: str) -> str:
    """SHA-1 hex digest of the body text (dedup and change detection)."""
    return hashlib.sha1(body_text.encode("utf-8")).hexdigest()


def normalize_record(record: dict) -> dict:
    """A record with every contract field present and text and dates normalized."""
    out = {name: record.get(name, default) for name, default in RECORD_DEFAULTS.items()}
    out.update({k: v for k, v in record.items() if k not in out})
    out["schema_version"] = SCHEMA_VERSION
    out["title"] = clean_title(out["title"], out["site_name"])
    for name in ("source", "author", "editor", "column", "site_name"):
        out[name] = collapse_whitespace(out[name]) or None
    out["published_at"] = to_iso_date(out["published_at"])
    out["body_text"] = normalize_body(out["body_text"])
    out["attachments"] = [{**a, "name": collapse_whitespace(a.get("name")) or None}
                          for a in out["attachments"]]
    out["content_sha1"] = content_sha1(out["body_text"])
    out["crawled_at"] = out["crawled_at"] or utc_now_iso()
    if out["hit_count"] is None:
        out["hit_count_observed_at"] = None
    return out


_SCALARS = (str, int, float, type(None))


def plain_value(value):
    """What `ItemAdapter.asdict` makes of a field value (nested items as dicts, containers
    copied), without its item-class checks on every string and number."""
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, dict):
        return {key: plain_value(child) for key, child in value.items()}
    if isinstance(value, list | set | tuple):
        return value.__class__(plain_value(child) for child in value)
    if isinstance(value, ItemAdapter):
        return value.asdict()
    return ItemAdapter(value).asdict() if ItemAdapter.is_item(value) else value


class NormalizePipeline:
    """Item pipeline: `normalize_record` on every item."""

    def process_item(self, item):
        return normalize_record({key: plain_value(value)
                                 for key, value in ItemAdapter(item).items()})
