"""The folder that `--state DIR` names: the per-site crawl state files (`NOTICES_STATE_PATH`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class StateDirError(ValueError):
    """A --state folder that holds no crawl state."""


def state_files(folder: Path) -> list[Path]:
    """Every state file (`*.sqlite`) under the folder, in name order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise StateDirError(f"--state {folder}: not a folder")
    paths = sorted(folder.rglob("*.sqlite"))
    if not paths:
        raise StateDirError(f"--state {folder}: no crawl state files (*.sqlite) in it; "
                            "give the folder of NOTICES_STATE_PATH")
    return paths


@contextmanager
def read_only(path: Path) -> Iterator[tuple[sqlite3.Connection, set[str]]]:
    """One state file opened read-only, with the names of its tables."""
    db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        yield db, {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    finally:
        db.close()
