"""Removed notices as a table: the `removal` rows of the per-site crawl state files.

    read_removals(state_dir) -> [row]   every state file (`*.sqlite`) of the folder, read-only
    removals_table(rows) -> pyarrow table (times as UTC timestamps)

One row per notice and episode: a notice that left its column's list (`missing_run`,
`missing_at`), what its page answered (`status` `removed` or `unlisted`, `how` `404`, `410`,
`soft_404`, `redirect` or `answers`, `detail`), when it was found gone (`removed_run`,
`removed_at`), its last export and its last good copy in the raw archive (`archived_copy`,
`<WARC file>#<offset>`), and, for one that came back, `returned_run`, `returned_at` and
`returned_how` (`listed`, `answers`). `crawler/middlewares/removals.py` writes them.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from pipelines.corpus.export import UTC_TIMESTAMP
from pipelines.corpus.statedir import StateDirError, read_only, state_files

COLUMNS = ("site_id", "title", "url", "list_url", "status", "how", "detail", "last_listed_at",
           "missing_run", "missing_at", "removed_run", "removed_at", "probed_at",
           "last_exported_at", "archived_copy", "archived_at", "returned_run", "returned_at",
           "returned_how")
TIMES = {"last_listed_at", "missing_at", "removed_at", "probed_at", "last_exported_at",
         "archived_at", "returned_at"}
REMOVALS = pa.schema([(name, UTC_TIMESTAMP if name in TIMES else pa.string())
                      for name in COLUMNS])


def read_removals(state_dir: Path) -> list[dict]:
    """The removal rows of every state file in the folder, by site and first run missing."""
    rows = [row for path in state_files(state_dir) for row in _read_file(path)]
    return sorted(rows, key=lambda row: (row["site_id"], row["missing_at"], row["url"]))


def _read_file(path: Path) -> list[dict]:
    try:
        with read_only(path) as (db, tables):
            if "removal" not in tables:
                return []
            cursor = db.execute(f"SELECT {', '.join(COLUMNS)} FROM removal")
            return [dict(zip(COLUMNS, values, strict=True)) for values in cursor]
    except sqlite3.DatabaseError as error:
        raise StateDirError(f"{path}: not a crawl state file ({error})") from None


def removals_table(rows: list[dict]) -> pa.Table:
    def value(row: dict, name: str):
        raw = row[name]
        return datetime.fromisoformat(raw) if raw and name in TIMES else raw

    return pa.table({name: pa.array([value(row, name) for row in rows],
                                    type=REMOVALS.field(name).type) for name in COLUMNS},
                    schema=REMOVALS)
