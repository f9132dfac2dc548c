"""Reading crawl outputs: JSON Lines files (or folders of them) into records.

A line that is not a JSON object with a `url` and a `site_id` is logged with its file, line
number and reason, counted, and skipped; every other line is kept.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)
REQUIRED_STRINGS = ("url", "site_id")


@dataclass
class Corpus:
    """Records read from crawl outputs, in input order, and the lines that could not be read."""

    records: list[dict] = field(default_factory=list)
    skipped: list[tuple[str, int, str]] = field(default_factory=list)  # (file, line, reason)


def input_files(paths: Iterable[str | Path]) -> list[Path]:
    """The JSON Lines files named: a folder stands for its `*.jsonl` files, sorted."""
    files = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(path.glob("*.jsonl")))
        elif path.exists():
            files.append(path)
        else:
            raise FileNotFoundError(f"no such crawl output: {path}")
    return files


def record_problem(record) -> str | None:
    """Why a decoded line cannot be used as a record, or None when it can."""
    if not isinstance(record, dict):
        return f"not a JSON object but {type(record).__name__}"
    for key in REQUIRED_STRINGS:
        if not isinstance(record.get(key), str) or not record[key]:
            return f"no {key}"
    return None


def read_corpus(paths: Iterable[str | Path]) -> Corpus:
    """Every usable record of the given crawl outputs (files or folders of `*.jsonl`)."""
    corpus = Corpus()
    for path in input_files(paths):
        with path.open(encoding="utf-8", errors="replace") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    problem = f"invalid JSON: {error.msg} at column {error.colno}"
                else:
                    problem = record_problem(record)
                if problem:
                    logger.error("skipped %s line %d: %s", path, number, problem)
                    corpus.skipped.append((str(path), number, problem))
                else:
                    corpus.records.append(record)
    return corpus


def latest_per_url(records: Iterable[dict]) -> list[dict]:
    """One record per notice URL: the one crawled last (input order breaks ties)."""
    latest: dict[str, dict] = {}
    for record in records:
        kept = latest.get(record["url"])
        if kept is None or (record.get("crawled_at") or "") >= (kept.get("crawled_at") or ""):
            latest[record["url"]] = record
    return list(latest.values())
