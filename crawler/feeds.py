"""Atomic file feeds: items go to `<path>.<pid>.part`, moved onto `<path>` when the feed closes.

A crawl that dies (SIGKILL, power loss) leaves only a `.part` file, never a truncated feed
under the final name. Once the file is in place the storage sends `feed_committed`, on which
the crawl state (`crawler/state.py`) records this run's notices as exported.

With `-o` (append) the existing feed is copied into the temporary file first, so the move
still replaces it in one step. `-O` (overwrite) appends as well, with a warning, when the file
exists and the crawl resumes a paused job or keeps a crawl state: the records in it would
otherwise never be emitted again. Per-worker or per-run files come from the feed URI, e.g.
`-o 'output/%(name)s/%(time)s-%(worker)s.jsonl' -a worker=w1`.

A JSON Lines feed takes in the `.part` files that dead crawls left in its folder: their
complete records (those not already in the part's own final file) are staged in the crawl
state when the crawl opens, like this run's items, written at the start of this feed, and the
part file is deleted. Distributed workers leave parts alone: the others emit a dead worker's
notices again.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from scrapy.exceptions import NotConfigured
from scrapy.extensions.feedexport import FileFeedStorage

from crawler.distributed import distributed_mode
from crawler.extensions.jobdir import job_resumed, pid_alive
from crawler.state import feed_committed, state_from_crawler

logger = logging.getLogger(__name__)
PART_RE = re.compile(r"(?P<final>.+)\.(?P<pid>\d+)\.part")
JSON_LINES_FORMATS = {"jsonlines", "jsonl", "jl"}
JSON_LINES_SUFFIXES = {".jsonlines", ".jsonl", ".jl"}


class AtomicFileFeedStorage(FileFeedStorage):
    """`FileFeedStorage` that writes to a temporary name and renames on close."""

    def __init__(self, uri: str, *, feed_options: dict | None = None, crawler=None):
        super().__init__(uri, feed_options=feed_options)
        self.crawler = crawler
        self.part_path = Path(f"{self.path}.{os.getpid()}.part")
        feed_options = feed_options or {}
        # Taken when the crawl opens (the feed file itself opens at the first item, after the
        # crawl state has been asked about the first notices). Not by distributed workers: the
        # others emit a dead worker's notices again once its claims are freed.
        self.dead_parts: list[DeadPart] = []
        if (crawler is not None and feed_options.get("format") in JSON_LINES_FORMATS
                and not feed_options.get("postprocessing")
                and not distributed_mode(crawler.settings)):
            self.dead_parts = take_dead_parts(Path(self.path).parent, crawler)

    @classmethod
    def from_crawler(cls, crawler, uri: str, *, feed_options: dict | None = None):
        return cls(uri, feed_options=feed_options, crawler=crawler)

    def open(self, spider):
        final = Path(self.path)
        final.parent.mkdir(parents=True, exist_ok=True)
        if self.write_mode == "wb" and final.exists() and final.stat().st_size:
            self._keep_existing(final)
        file = self.part_path.open("wb")
        if self.write_mode == "ab" and final.exists():
            with final.open("rb") as existing:
                shutil.copyfileobj(existing, file)
        for part in self.dead_parts:
            part.move_into(file, self.crawler)
        self.dead_parts = []
        return file

    def _keep_existing(self, final: Path) -> None:
        """Switch -O to appending when overwriting would lose exported records."""
        if self.crawler is None:
            return
        if job_resumed(self.crawler):
            why = "this crawl resumes a paused job, whose records are in it"
        elif self.crawler.settings.get("NOTICES_STATE_PATH"):
            why = "the crawl state records its notices as exported"
        else:
            return
        logger.warning("feed %s exists and %s: appending to it instead of overwriting (-O); "
                       "give another file name to start a new one", final, why)
        self.crawler.stats.inc_value("feeds/overwrite_refused_count")
        self.write_mode = "ab"

    def store(self, file):
        file.flush()
        os.fsync(file.fileno())
        file.close()
        os.replace(self.part_path, self.path)
        logger.debug("feed moved into place: %s", self.path)
        if self.crawler is not None:
            self.crawler.signals.send_catch_log(feed_committed, path=str(self.path))


@dataclass
class DeadPart:
    """A `.part` file of a crawl that died, locked by this crawl, and its complete records."""

    path: Path
    handle: BinaryIO
    records: list[bytes]
    broken: int

    def move_into(self, into: BinaryIO, crawler) -> None:
        """Write the records into this crawl's feed file, durably; delete the part."""
        for line in self.records:
            into.write(line + b"\n")
        into.flush()
        os.fsync(into.fileno())
        self.path.unlink()
        self.handle.close()
        stats = crawler.stats
        stats.inc_value("feeds/part_recovered_count")
        stats.inc_value("feeds/part_record_recovered_count", len(self.records))
        if self.broken:
            stats.inc_value("feeds/part_record_broken_count", self.broken)
        logger.warning("feed part %s was left by a crawl that died: %d complete records taken "
                       "into %s, %d broken (their notices are fetched again); part deleted",
                       self.path, len(self.records), into.name, self.broken)


def take_dead_parts(folder: Path, crawler) -> list[DeadPart]:
    """Lock the JSON Lines `.part` files of dead crawls in `folder` and stage their complete
    records in the crawl state (so this crawl emits those notices no more)."""
    try:
        state = state_from_crawler(crawler)
    except NotConfigured:
        state = None
    parts = []
    for path in sorted(folder.glob("*.part")) if folder.is_dir() else ():
        match = PART_RE.fullmatch(path.name)
        if (match is None or Path(match["final"]).suffix not in JSON_LINES_SUFFIXES
                or int(match["pid"]) == os.getpid() or pid_alive(int(match["pid"]))):
            continue
        handle = path.open("rb")
        try:  # another crawl may be taking the same part
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        if not path.exists() or os.stat(path).st_ino != os.fstat(handle.fileno()).st_ino:
            handle.close()  # taken and deleted by that other crawl
            continue
        records, broken = complete_records(handle.read(), folder / match["final"])
        if state is not None:
            for _, record in records:
                if {"site_id", "url", "content_sha1"} <= record.keys():
                    state.stage(record["site_id"], record["url"], record["content_sha1"],
                                record.get("revision", 0))
        parts.append(DeadPart(path, handle, [line for line, _ in records], broken))
    return parts


def complete_records(data: bytes, final: Path) -> tuple[list[tuple[bytes, dict]], int]:
    """The part's whole JSON records not already in its final file (an appending crawl copied
    that in first), and how many lines were cut short or unreadable."""
    *whole, tail = data.split(b"\n")
    already = set(final.read_bytes().split(b"\n")) if final.exists() else set()
    records, broken = [], int(bool(tail.strip()))
    for line in whole:
        if not line.strip() or line in already:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if not isinstance(record, dict):
            broken += 1
            continue
        records.append((line, record))
    return records, broken
