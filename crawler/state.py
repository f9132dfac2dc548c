"""Persistent crawl state: which notices were exported, with which content, per site.

The store is one SQLite file per site (`NOTICES_STATE_PATH`, a template with `{site_id}`).
Its interface is small on purpose, so another backend can implement the same methods:

    state = CrawlState(path_template, run_id)    # open
    state.known(site_id, url) -> Known | None     # last version exported (or staged by this run)
    state.stage(site_id, url, sha1, revision)     # an item of this run, not yet durable
    state.walk_finished(site_id, list_url)        # a list walk of this run reached its end
    state.walk_complete(site_id, list_url)        # did an earlier, committed walk end?
    state.commit()                                # this run's output is durable: staged -> known
    state.close()

Site health (`crawler/extensions/health.py`) keeps one row per run and the alerts still open:

    state.record_health(site_id, run)             # this run's health record (a JSON dict)
    state.health_history(site_id, limit) -> [run] # earlier runs' records, newest first
    state.open_alerts(site_id) -> {check: alert}  # alerts sent and not yet recovered
    state.open_alert(site_id, check, alert) / state.close_alert(site_id, check)
    state.undelivered_alerts(site_id) / state.keep_undelivered(site_id, alerts)  # webhook outbox

Removed notices (`crawler/middlewares/removals.py`) keep which notices each column listed and
what became of those that left it:

    state.record_listed(site_id, list_url, [(url, title)])  # listed by a page of this run
    state.missing(site_id, list_url, limit) -> [Missing]    # listed before, not by this run
    state.record_removal(site_id, Missing, status, how, detail)  # removed / unlisted
    state.open_removals(site_id, urls) -> {url: status}     # removed or unlisted, not back
    state.record_returned(site_id, url, how)                # an open removal came back
    state.removals_to_archive(site_id) -> [(url, exported)] # this run's, no archived copy yet
    state.record_archived_copy(site_id, url, copy, archived_at)

Exactly-once output rests on `commit()` being called only once the feed holding this run's
items has been moved into place (`crawler/feeds.py`): a run killed before that leaves its
staged rows uncommitted; the next run takes the complete records of its `.part` file into its
own feed (staged again), and fetches and emits the others again.

`CrawlStatePipeline` is the item pipeline that consults and fills the store.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from pipelines.dates import utc_now_iso

logger = logging.getLogger(__name__)

# Sent by the atomic feed storage once a feed file is in place (kwargs: path).
feed_committed = object()

_SCHEMA = """
CREATE TABLE IF NOT EXISTS notice (
    url TEXT PRIMARY KEY,
    content_sha1 TEXT NOT NULL,
    revision INTEGER NOT NULL,
    first_exported_at TEXT NOT NULL,
    last_exported_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS staged (
    run_id TEXT NOT NULL,
    url TEXT NOT NULL,
    content_sha1 TEXT NOT NULL,
    revision INTEGER NOT NULL,
    PRIMARY KEY (run_id, url)
);
CREATE TABLE IF NOT EXISTS walk (
    list_url TEXT PRIMARY KEY,
    completed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS staged_walk (
    run_id TEXT NOT NULL,
    list_url TEXT NOT NULL,
    PRIMARY KEY (run_id, list_url)
);
CREATE TABLE IF NOT EXISTS health_run (
    run_id TEXT PRIMARY KEY,
    finished_at TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS health_alert (
    check_name TEXT PRIMARY KEY,
    opened_at TEXT NOT NULL,
    alert TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS health_outbox (
    alert TEXT PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS listed (
    list_url TEXT NOT NULL,
    url TEXT NOT NULL,
    title TEXT,
    last_listed_run TEXT NOT NULL,
    last_listed_at TEXT NOT NULL,
    PRIMARY KEY (list_url, url)
);
CREATE TABLE IF NOT EXISTS removal (
    url TEXT NOT NULL,
    site_id TEXT NOT NULL,
    list_url TEXT NOT NULL,
    title TEXT,
    status TEXT NOT NULL,
    how TEXT NOT NULL,
    detail TEXT NOT NULL,
    last_listed_at TEXT NOT NULL,
    missing_run TEXT NOT NULL,
    missing_at TEXT NOT NULL,
    removed_run TEXT,
    removed_at TEXT,
    probed_at TEXT NOT NULL,
    last_exported_at TEXT,
    archived_copy TEXT,
    archived_at TEXT,
    returned_run TEXT,
    returned_at TEXT,
    returned_how TEXT,
    PRIMARY KEY (url, missing_run)
);
"""


# Removal statuses: still open (`removed`, `unlisted`) or closed (`returned`).
REMOVED, UNLISTED, RETURNED = "removed", "unlisted", "returned"
OPEN_STATUSES = (REMOVED, UNLISTED)


@dataclass(frozen=True)
class Missing:
    """A notice listed by a column in an earlier run and not by this run's complete walk;
    `status` is its open removal's (None when this run is the first to miss it)."""

    url: str
    list_url: str
    title: str | None
    last_listed_at: str
    last_exported_at: str
    status: str | None


@dataclass(frozen=True)
class Known:
    """The last exported version of a notice."""

    content_sha1: str
    revision: int


def _sync_to_disk(connections) -> None:
    """Every write made so far on the disk, before `commit()` returns (a commit lost to a
    power cut would emit the run's notices again): one sync(2) for all the sites' files, where
    a synced transaction per file costs a file-system journal commit each (0.1-0.2 s on the
    development machine, minutes for a registry of sites); a full checkpoint of each file
    where the system has no sync(2)."""
    if hasattr(os, "sync"):
        os.sync()
        return
    for db in connections:
        db.execute("PRAGMA wal_checkpoint(FULL)")


class CrawlState:
    """SQLite files, one per site, opened on first use."""

    def __init__(self, path_template: str, run_id: str | None = None):
        if "{site_id}" not in path_template:
            raise ValueError(f"state path must contain {{site_id}}, got {path_template!r}")
        self.path_template = path_template
        self.run_id = run_id or uuid.uuid4().hex
        self._connections: dict[str, sqlite3.Connection] = {}

    def path(self, site_id: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in site_id)
        return Path(self.path_template.format(site_id=safe))

    def _db(self, site_id: str) -> sqlite3.Connection:
        db = self._connections.get(site_id)
        if db is None:
            path = self.path(site_id)
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            # Writes reach the disk at `commit()`; until then they survive a killed process
            # (the OS holds them) but not a power cut, which only loses rows a run that never
            # committed would lose anyway (staged rows of a dead run are deleted on open).
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            # Rows staged by runs that never committed (killed) are dead.
            with db:
                db.execute("DELETE FROM staged WHERE run_id != ?", (self.run_id,))
                db.execute("DELETE FROM staged_walk WHERE run_id != ?", (self.run_id,))
            self._connections[site_id] = db
        return db

    def known(self, site_id: str, url: str) -> Known | None:
        db = self._db(site_id)
        row = db.execute("SELECT content_sha1, revision FROM staged WHERE run_id = ? AND url = ?",
                         (self.run_id, url)).fetchone() or db.execute(
            "SELECT content_sha1, revision FROM notice WHERE url = ?", (url,)).fetchone()
        return Known(*row) if row else None

    def stage(self, site_id: str, url: str, content_sha1: str, revision: int) -> None:
        with self._db(site_id) as db:
            db.execute("INSERT OR REPLACE INTO staged VALUES (?, ?, ?, ?)",
                       (self.run_id, url, content_sha1, revision))

    def walk_finished(self, site_id: str, list_url: str) -> None:
        with self._db(site_id) as db:
            db.execute("INSERT OR IGNORE INTO staged_walk VALUES (?, ?)", (self.run_id, list_url))

    def walk_complete(self, site_id: str, list_url: str) -> bool:
        return self._db(site_id).execute(
            "SELECT 1 FROM walk WHERE list_url = ?", (list_url,)).fetchone() is not None

    def commit(self) -> int:
        """Make this run's staged notices and walks known; returns how many notices."""
        now, total = utc_now_iso(), 0
        for db in self._connections.values():
            with db:
                rows = db.execute("SELECT url, content_sha1, revision FROM staged "
                                  "WHERE run_id = ?", (self.run_id,)).fetchall()
                db.executemany(
                    "INSERT INTO notice VALUES (?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
                    "content_sha1 = excluded.content_sha1, revision = excluded.revision, "
                    "last_exported_at = excluded.last_exported_at",
                    [(url, sha1, revision, now, now) for url, sha1, revision in rows])
                db.execute("INSERT OR REPLACE INTO walk SELECT list_url, ? FROM staged_walk "
                           "WHERE run_id = ?", (now, self.run_id))
                db.execute("DELETE FROM staged WHERE run_id = ?", (self.run_id,))
                db.execute("DELETE FROM staged_walk WHERE run_id = ?", (self.run_id,))
            total += len(rows)
        _sync_to_disk(self._connections.values())
        return total

    def record_health(self, site_id: str, run: dict) -> None:
        with self._db(site_id) as db:
            db.execute("INSERT OR REPLACE INTO health_run VALUES (?, ?, ?)",
                       (self.run_id, utc_now_iso(), json.dumps(run, ensure_ascii=False)))

    def health_history(self, site_id: str, limit: int) -> list[dict]:
        """Earlier runs' health records, newest first."""
        rows = self._db(site_id).execute(
            "SELECT record FROM health_run WHERE run_id != ? ORDER BY finished_at DESC, rowid "
            "DESC LIMIT ?", (self.run_id, limit)).fetchall()
        return [json.loads(record) for (record,) in rows]

    def open_alerts(self, site_id: str) -> dict[str, dict]:
        return {check: json.loads(alert) for check, alert in self._db(site_id).execute(
            "SELECT check_name, alert FROM health_alert")}

    def open_alert(self, site_id: str, check: str, alert: dict) -> None:
        with self._db(site_id) as db:
            db.execute("INSERT OR REPLACE INTO health_alert VALUES (?, ?, ?)",
                       (check, utc_now_iso(), json.dumps(alert, ensure_ascii=False)))

    def close_alert(self, site_id: str, check: str) -> None:
        with self._db(site_id) as db:
            db.execute("DELETE FROM health_alert WHERE check_name = ?", (check,))

    def undelivered_alerts(self, site_id: str) -> list[dict]:
        """Alerts and recoveries that earlier runs could not deliver to the webhook."""
        return [json.loads(alert) for (alert,) in self._db(site_id).execute(
            "SELECT alert FROM health_outbox ORDER BY rowid")]

    def keep_undelivered(self, site_id: str, alerts: list[dict]) -> None:
        """The site's undelivered alerts are now these (sent again by the next run)."""
        with self._db(site_id) as db:
            db.execute("DELETE FROM health_outbox")
            db.executemany("INSERT OR IGNORE INTO health_outbox VALUES (?)",
                           [(json.dumps(alert, ensure_ascii=False),) for alert in alerts])

    def record_listed(self, site_id: str, list_url: str,
                      notices: list[tuple[str, str | None]]) -> None:
        now = utc_now_iso()
        with self._db(site_id) as db:
            db.executemany(
                "INSERT INTO listed VALUES (?, ?, ?, ?, ?) ON CONFLICT(list_url, url) DO UPDATE "
                "SET title = coalesce(excluded.title, title), "
                "last_listed_run = excluded.last_listed_run, "
                "last_listed_at = excluded.last_listed_at",
                [(list_url, url, title, self.run_id, now) for url, title in notices])

    def missing(self, site_id: str, list_url: str, limit: int) -> list[Missing]:
        """Exported notices the column listed in an earlier run but not in this one: those
        this run is the first to miss first, then open removals probed longest ago."""
        rows = self._db(site_id).execute(
            "SELECT l.url, l.list_url, l.title, l.last_listed_at, n.last_exported_at, r.status "
            "FROM listed l JOIN notice n ON n.url = l.url "
            "LEFT JOIN removal r ON r.url = l.url AND r.status IN (?, ?) "
            "WHERE l.list_url = ? AND l.last_listed_run != ? "
            "AND NOT EXISTS (SELECT 1 FROM listed o WHERE o.url = l.url "
            "                AND o.last_listed_run = ?) "
            "ORDER BY r.status IS NOT NULL, r.probed_at, l.url LIMIT ?",
            (*OPEN_STATUSES, list_url, self.run_id, self.run_id, limit)).fetchall()
        return [Missing(*row) for row in rows]

    def record_removal(self, site_id: str, missing: Missing, status: str, how: str,
                       detail: str) -> None:
        """A missing notice probed: `removed` (how: `404`, `410`, `soft_404`, `redirect`) or
        `unlisted` (how: `answers`). An open removal keeps the run that first missed it."""
        now = utc_now_iso()
        removed = (self.run_id, now) if status == REMOVED else (None, None)
        with self._db(site_id) as db:
            if missing.status is None:
                db.execute(
                    "INSERT OR REPLACE INTO removal VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, NULL)",
                    (missing.url, site_id, missing.list_url, missing.title, status, how, detail,
                     missing.last_listed_at, self.run_id, now, *removed, now,
                     missing.last_exported_at))
            elif missing.status == UNLISTED and status == REMOVED:
                db.execute("UPDATE removal SET status = ?, how = ?, detail = ?, removed_run = ?, "
                           "removed_at = ?, probed_at = ? WHERE url = ? AND status = ?",
                           (status, how, detail, *removed, now, missing.url, UNLISTED))
            else:  # still as it was
                db.execute("UPDATE removal SET probed_at = ? WHERE url = ? AND status = ?",
                           (now, missing.url, missing.status))

    def open_removals(self, site_id: str, urls: list[str]) -> dict[str, str]:
        """The open removals' statuses among these URLs."""
        db = self._db(site_id)
        found = {}
        for start in range(0, len(urls), 500):
            chunk = urls[start:start + 500]
            found.update(db.execute(
                f"SELECT url, status FROM removal WHERE status IN (?, ?) "
                f"AND url IN ({', '.join('?' * len(chunk))})", (*OPEN_STATUSES, *chunk)))
        return found

    def record_returned(self, site_id: str, url: str, how: str) -> None:
        """An open removal is closed: the notice is listed again (`listed`) or its page
        answers again (`answers`)."""
        with self._db(site_id) as db:
            db.execute("UPDATE removal SET status = ?, returned_run = ?, returned_at = ?, "
                       "returned_how = ? WHERE url = ? AND status IN (?, ?)",
                       (RETURNED, self.run_id, utc_now_iso(), how, url, *OPEN_STATUSES))

    def removals_to_archive(self, site_id: str) -> list[tuple[str, str]]:
        """(URL, last exported at) of the notices this run found removed, no copy found yet."""
        return self._db(site_id).execute(
            "SELECT url, last_exported_at FROM removal WHERE removed_run = ? "
            "AND archived_copy IS NULL AND last_exported_at IS NOT NULL",
            (self.run_id,)).fetchall()

    def record_archived_copy(self, site_id: str, url: str, copy: str, archived_at: str) -> None:
        with self._db(site_id) as db:
            db.execute("UPDATE removal SET archived_copy = ?, archived_at = ? "
                       "WHERE url = ? AND removed_run = ?", (copy, archived_at, url, self.run_id))

    def site_ids(self) -> list[str]:
        """The sites whose state this run has opened."""
        return list(self._connections)

    def close(self) -> None:
        for db in self._connections.values():
            db.close()
        self._connections.clear()


def state_from_crawler(crawler) -> CrawlState:
    """The crawl's one state store (shared by the middleware and the pipeline)."""
    state = getattr(crawler, "notices_state", None)
    if state is None:
        template = crawler.settings.get("NOTICES_STATE_PATH")
        if not template:
            raise NotConfigured  # incremental re-crawls are off
        state = CrawlState(template)
        crawler.notices_state = state
        crawler.signals.connect(lambda: state.close(), signal=signals.engine_stopped, weak=False)
        crawler.signals.connect(lambda path: _commit(state, crawler, path),
                                signal=feed_committed, weak=False)
    return state


def _commit(state: CrawlState, crawler, path: str) -> None:
    count = state.commit()
    crawler.stats.inc_value("notices/state_committed_count", count)
    logger.info("crawl state: %d notices recorded as exported (feed %s)", count, path)


def spider_flag(spider, name: str) -> bool:
    """A yes/no spider argument (`-a full=1`)."""
    return str(getattr(spider, name, "") or "").lower() in ("1", "true", "yes", "on")


class CrawlStatePipeline:
    """Item pipeline: mark each record new, revised or unchanged against the crawl state.

    An unchanged notice is dropped, unless the crawl refreshes hit counts
    (`-a refresh_hits=1`): it is then emitted again as a new hit-count reading.
    Adds `revision` (0 for a notice's first version) and `change` (`new`, `revised`,
    `hit_reading`) to every record.
    """

    def __init__(self, state: CrawlState, crawler):
        self.state = state
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(state_from_crawler(crawler), crawler)

    def process_item(self, item):
        site_id, url = item["site_id"], item["url"]
        known = self.state.known(site_id, url)
        stats = self.crawler.stats
        if known is None:
            item["revision"], item["change"] = 0, "new"
        elif known.content_sha1 != item["content_sha1"]:
            item["revision"], item["change"] = known.revision + 1, "revised"
        else:
            stats.inc_value(f"notices/unchanged_count/{site_id}")
            if not spider_flag(self.crawler.spider, "refresh_hits"):
                raise DropItem(f"unchanged notice {url}", log_level="DEBUG")
            item["revision"], item["change"] = known.revision, "hit_reading"
        stats.inc_value(f"notices/emitted_count/{item['change']}/{site_id}")
        self.state.stage(site_id, url, item["content_sha1"], item["revision"])
        return item
