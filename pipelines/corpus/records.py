"""Reading crawl outputs: the one reader of every corpus tool.

Inputs are JSON Lines files, gzip-compressed or not (told by their first bytes, not their
name), or folders of `*.jsonl` and `*.jsonl.gz`. A UTF-8 byte order mark is skipped. Every
line is decoded as UTF-8 and validated against the published schema of the version it declares
(`schema_version`, see `pipelines.validate`). A line that fails is skipped with one log line
naming its file, line number, URL and the fields at fault, and counted by reason; every other
line is kept. A file in another encoding (UTF-16, GB18030/GBK) is named as such and refused:
JSON Lines is UTF-8, and a guess would turn text silently into mojibake.
"""

from __future__ import annotations

import codecs
import gzip
import json
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.validate import record_errors, record_schemas

logger = logging.getLogger(__name__)
GZIP_MAGIC = b"\x1f\x8b"
PATTERNS = ("*.jsonl", "*.jsonl.gz")
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class InputError(Exception):
    """An input that cannot be read at all (missing, not a file, no crawl output in a folder)."""


@dataclass(frozen=True)
class Skipped:
    """A line left out of the corpus, and why."""

    file: str
    line: int
    url: str | None
    reason: str  # "invalid JSON", "not UTF-8", "schema", …
    detail: str

    def __str__(self) -> str:
        return (f"skipped {self.file} line {self.line}"
                + (f" {self.url}" if self.url else "") + f": {self.reason}: {self.detail}")


@dataclass
class Corpus:
    """Records read from crawl outputs, in input order, and the lines left out."""

    records: list[dict] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        """One line: records read, from how many files, and the lines skipped by reason."""
        line = f"read {len(self.records)} records from {len(self.files)} files"
        if self.skipped:
            reasons = Counter(s.reason for s in self.skipped)
            line += f", {len(self.skipped)} lines skipped (" + ", ".join(
                f"{reason}: {count}" for reason, count in sorted(reasons.items())) + ")"
        return line


def input_files(paths: Iterable[str | Path]) -> list[Path]:
    """The crawl outputs named: a folder stands for its `*.jsonl` and `*.jsonl.gz` files."""
    files = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted({f for pattern in PATTERNS for f in path.glob(pattern)})
            if not found:
                raise InputError(f"no *.jsonl or *.jsonl.gz file in folder {path}")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            raise InputError(f"not a file or folder: {path}")
        else:
            raise InputError(f"no such crawl output: {path}")
    return files


def _raw_lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as probe:
        compressed = probe.read(2) == GZIP_MAGIC
    opener = gzip.open if compressed else open
    with opener(path, "rb") as fh:
        try:
            yield from fh
        except (OSError, EOFError) as error:  # a truncated or corrupt gzip stream
            raise InputError(f"{path}: cannot be decompressed after the lines read: "
                             f"{error}") from error


def _not_utf8(raw: bytes, error: UnicodeDecodeError) -> str:
    """What a line that is not UTF-8 is, as far as can be told."""
    where = f"invalid byte 0x{raw[error.start]:02x} at byte {error.start + 1}"
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return where
    return f"{where}; the line decodes as GB18030/GBK: convert the file to UTF-8 " \
           "(iconv -f GB18030 -t UTF-8)"


def record_problem(record) -> tuple[str, str] | None:
    """(reason, detail) of why a decoded line is not a valid record, or None when it is one."""
    if not isinstance(record, dict):
        return "not a record", f"a JSON {type(record).__name__}, not an object"
    version = record.get("schema_version")
    schemas = record_schemas()
    if not isinstance(version, int) or isinstance(version, bool) or version not in schemas:
        known = ", ".join(map(str, schemas))
        return "schema", f"schema_version: {version!r} is not a published version ({known})"
    errors = record_errors(record, version)
    if not errors:
        return None
    return "schema", "; ".join(f"{path}: {message}" for path, message in errors)


def read_file(path: Path, corpus: Corpus) -> None:
    """Add the valid records of one crawl output to `corpus`, and its skipped lines."""
    def skip(number, url, reason, detail):
        entry = Skipped(str(path), number, url, reason, detail)
        logger.error("%s", entry)
        corpus.skipped.append(entry)

    corpus.files.append(path)
    for number, raw in enumerate(_raw_lines(path), start=1):
        if number == 1:
            if raw.startswith(UTF16_BOMS):
                raise InputError(f"{path}: UTF-16 text, not UTF-8: convert it "
                                 "(iconv -f UTF-16 -t UTF-8)")
            raw = raw.removeprefix(codecs.BOM_UTF8)
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            skip(number, None, "not UTF-8", _not_utf8(raw, error))
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            skip(number, None, "invalid JSON", f"{error.msg} at column {error.colno}")
            continue
        problem = record_problem(record)
        if problem:
            url = record.get("url") if isinstance(record, dict) else None
            skip(number, url if isinstance(url, str) else None, *problem)
        else:
            corpus.records.append(record)


def read_corpus(paths: Iterable[str | Path]) -> Corpus:
    """Every valid record of the given crawl outputs (files or folders), and the lines skipped.
    Raises `InputError` for an input that cannot be read at all."""
    corpus = Corpus()
    for path in input_files(paths):
        read_file(path, corpus)
    return corpus


def latest_per_url(records: Iterable[dict]) -> list[dict]:
    """One record per notice URL: the one crawled last (input order breaks ties)."""
    latest: dict[str, dict] = {}
    for record in records:
        kept = latest.get(record["url"])
        if kept is None or (record.get("crawled_at") or "") >= (kept.get("crawled_at") or ""):
            latest[record["url"]] = record
    return list(latest.values())
