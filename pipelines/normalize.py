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
    r"\s*(?P<sep>\s[-－—|｜_]+\s*|--+|[-－_｜|]|——)\s*(?P<tail>[^-－—|｜_]{2,40})$"
)
# A suffix after a bare `-` is dropped only when it names a site this way.
SITE_NAME_END_RE = re.compile(
    r"(?:网|网站|政府|纪委监委|监委|纪委|委员会|门户|信息公开|杂志|日报|报社)$")
# A byline the page title carries after the title (`标题 本刊记者 杨巨帅`).
_TITLE_BYLINE_RE = re.compile(
    r"\s+(?:本报|本刊|本台|本网)?(?:特约|见习)?记者\s*[:：]?\s*[\u4e00-\u9fff·]{2,4}"
    r"(?:[\s、，,]+[\u4e00-\u9fff·]{2,4}){0,3}$")
_SITE_WORDS = ("网", "政府", "纪委", "监委", "门户", "纪检", "监察")
# A column name (`_通知公告_网站名`) is this short.
_COLUMN_NAME_MAX_CHARS = 10
# Notice titles are shorter than this: a page title is not cut further in.
_TITLE_MAX_CHARS = 200
_TITLE_SEPARATOR_RE = re.compile(r"_+|——|\s[-－—]+\s|[-－|｜]|::|(?=[(（])")


def collapse_whitespace(text: str | None) -> str:
    """Runs of whitespace (ASCII, full-width, nbsp, zero-width) -> one space, ends stripped;
    control characters and lone surrogates dropped."""
    return _WS_RE.sub(" ", _UNWRITABLE_RE.sub("", text or "")).strip()


def normalize_body(text: str | None) -> str:
    """Paragraphs (lines) whitespace-collapsed, empty ones dropped, joined by `\\n`."""
    lines = (collapse_whitespace(line) for line in (text or "").split("\n"))
    return "\n".join(line for line in lines if line)


def clean_title(title: str | None, site_name: str | None = None) -> str:
    """Collapse whitespace and drop trailing ` - 网站名` / `_栏目_网站名` suffixes: a site
    name, then the column names before it behind the same separator. A `__` (a template
    joining title and issue, never part of a title) ends the title."""
    title = collapse_whitespace(title)
    head, double_underscore, _ = title.partition("__")
    if double_underscore and len(head.strip()) >= 4:
        title = head.rstrip()
    separator = None
    while True:
        match = _TITLE_SUFFIX_RE.search(title)
        if not match or match.start() == 0:
            return _without_byline(title)
        sep, tail = match.group("sep").strip(), match.group("tail")
        is_column = (sep == separator and sep not in ("-", "－", "——")
                     and len(tail) <= _COLUMN_NAME_MAX_CHARS)
        if not (is_column or _names_site(tail, sep, site_name)):
            return _without_byline(title)
        title, separator = title[: match.start()].rstrip(), sep


def _without_byline(title: str) -> str:
    if "记者" not in title:  # (and no regex search over long runs of whitespace)
        return title
    return _TITLE_BYLINE_RE.sub("", title)


def _names_site(tail: str, separator: str, site_name: str | None) -> bool:
    if site_name and (tail in site_name or site_name in tail):
        return True
    if separator in ("-", "－", "——", "--"):  # separators that also join a title's parts
        return bool(SITE_NAME_END_RE.search(tail))
    return any(word in tail for word in _SITE_WORDS)


def title_prefixes(title: str | None) -> list[str]:
    """The page title cut at each separator (`__`, `_`, `-`, `|`, `——`, ` - `, before a
    bracket), shortest first, ending with the whole title: the candidates for the notice
    title it starts with."""
    title = collapse_whitespace(title)
    cuts = []
    for match in _TITLE_SEPARATOR_RE.finditer(title):
        if match.start() > _TITLE_MAX_CHARS:
            break
        if match.start():
            cuts.append(match.start())
    prefixes = [title[:cut].rstrip() for cut in cuts]
    return [prefix for prefix in prefixes if prefix] + ([title] if title else [])


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
