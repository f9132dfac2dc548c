"""Atomic file feeds: items go to `<path>.<pid>.part`, moved onto `<path>` when the feed closes.

A crawl that dies (SIGKILL, power loss) leaves only a `.part` file, never a truncated feed
under the final name. Once the file is in place the storage sends `feed_committed`, on which
the crawl state (`crawler/state.py`) records this run's notices as exported.

With `-o` (append) the existing feed is copied into the temporary file first, so the move
still replaces it in one step. Per-worker or per-run files come from the feed URI, e.g.
`-o 'output/%(name)s/%(time)s-%(worker)s.jsonl' -a worker=w1`.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from scrapy.extensions.feedexport import FileFeedStorage

from crawler.state import feed_committed

logger = logging.getLogger(__name__)


class AtomicFileFeedStorage(FileFeedStorage):
    """`FileFeedStorage` that writes to a temporary name and renames on close."""

    def __init__(self, uri: str, *, feed_options: dict | None = None, crawler=None):
        super().__init__(uri, feed_options=feed_options)
        self.crawler = crawler
        self.part_path = Path(f"{self.path}.{os.getpid()}.part")

    @classmethod
    def from_crawler(cls, crawler, uri: str, *, feed_options: dict | None = None):
        return cls(uri, feed_options=feed_options, crawler=crawler)

    def open(self, spider):
        final = Path(self.path)
        final.parent.mkdir(parents=True, exist_ok=True)
        if self.write_mode == "ab" and final.exists():
            shutil.copyfile(final, self.part_path)
        return self.part_path.open(self.write_mode)

    def store(self, file):
        file.flush()
        os.fsync(file.fileno())
        file.close()
        os.replace(self.part_path, self.path)
        logger.debug("feed moved into place: %s", self.path)
        if self.crawler is not None:
            self.crawler.signals.send_catch_log(feed_committed, path=str(self.path))
