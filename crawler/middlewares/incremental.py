"""Spider middleware for re-crawls: skip notices already exported, stop a list walk early.

On a list page's output it drops requests for notices the crawl state already knows, and
once `NOTICES_SEEN_RUN` known notices follow each other in a column it drops the request for
the next list page — but only when an earlier, committed walk of that column reached its end
(an interrupted first crawl is finished on the next run, not cut short). Known notices the list
dates within `NOTICES_RECHECK_DAYS` are fetched again (a changed one comes out as a revision)
and do not count towards that run.

A walk reaches its end at a list page that leads to no list page the walk has not met on its
way there (each list request carries the pages met: those read and those they asked for), so
pagers that link back to page 1 (DedeCMS `list_N_1.html`, page-number links) end too. This is
decided page by page, the same on every worker of a distributed crawl. A list page where the
spider cut the walk short (`since`, the page limit, a broken list page) is no end.

`-a full=1` walks every list and fetches every notice again (changed ones come out as
revisions); `-a refresh_hits=1` does the same and re-emits unchanged notices as new hit-count
readings. Off when `NOTICES_STATE_PATH` is not set.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from scrapy import Request

from crawler.state import spider_flag, state_from_crawler
from pipelines.dates import to_iso_date

logger = logging.getLogger(__name__)
# Name of the spider callback that reads a list page (next-page requests go there).
LIST_CALLBACK = "parse_list"


def is_notice_request(output) -> bool:
    """A request for a notice page found on a list page."""
    return isinstance(output, Request) and "entry" in output.meta


def is_next_list_request(output) -> bool:
    return (isinstance(output, Request)
            and getattr(output.callback, "__name__", None) == LIST_CALLBACK)


class IncrementalMiddleware:
    def __init__(self, state, crawler, seen_run: int, recheck_days: float):
        self.state = state
        self.crawler = crawler
        self.seen_run = seen_run
        self.recheck_since = (datetime.now(UTC) - timedelta(days=recheck_days)).date()
        self.runs: dict[tuple[str, str], int] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(state_from_crawler(crawler), crawler,
                   crawler.settings.getint("NOTICES_SEEN_RUN"),
                   crawler.settings.getfloat("NOTICES_RECHECK_DAYS"))

    def process_spider_output(self, response, result):
        yield from self._filter(response, list(result))

    async def process_spider_output_async(self, response, result):
        for output in self._filter(response, [o async for o in result]):
            yield output

    def _filter(self, response, outputs: list) -> list:
        target = response.meta.get("target")
        if target is None or not response.meta.get("list_page"):
            return outputs
        spider = self.crawler.spider
        full = spider_flag(spider, "full") or spider_flag(spider, "refresh_hits")
        stats = self.crawler.stats
        site_id, key = target.site_id, (target.site_id, target.url)
        run = self.runs.get(key, 0)  # known notices in a row, outside the re-check window
        kept, next_pages = [], []
        for output in outputs:
            if is_next_list_request(output):
                next_pages.append(output)
                continue
            if is_notice_request(output):
                if self.state.known(site_id, output.url) is None:
                    run = 0
                elif self._recent(output.meta["entry"].date):
                    stats.inc_value(f"notices/rechecked_count/{site_id}")
                elif not full:
                    run += 1
                    stats.inc_value(f"notices/known_skipped_count/{site_id}")
                    continue
            kept.append(output)
        self.runs[key] = run
        leads_on = self._pages_met(response, next_pages)
        stop = (leads_on and not full and run >= self.seen_run
                and self.state.walk_complete(site_id, target.url))
        if stop:
            logger.info("site %s: list walk of %s stopped at %s after %d known notices",
                        site_id, target.url, response.url, run)
            stats.inc_value(f"notices/list_walk_stopped_count/{site_id}")
        if stop or not (leads_on or response.meta.get("walk_cut")):
            self.state.walk_finished(site_id, target.url)
            if not stop:  # the list's own end (site health compares how many pages it took)
                stats.inc_value(f"notices/list_walk_ended_count/{site_id}")
        return kept if stop else kept + next_pages

    def _pages_met(self, response, next_pages: list) -> bool:
        """Give the next-page requests the pages their walk has met; whether one of them is
        a page it had not met (else the walk ends here)."""
        fingerprint = self.crawler.request_fingerprinter.fingerprint
        met = set(response.meta.get("walk_pages", ())) | {fingerprint(response.request)}
        pages = [fingerprint(request) for request in next_pages]
        leads_on = any(page not in met for page in pages)
        met.update(pages)
        for request in next_pages:
            request.meta["walk_pages"] = frozenset(met)
        return leads_on

    def _recent(self, listed: str | None) -> bool:
        """Whether a list date falls within the re-check window."""
        iso = to_iso_date(listed) if listed else None
        return bool(iso) and date.fromisoformat(iso[:10]) >= self.recheck_since
