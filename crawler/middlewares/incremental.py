"""Spider middleware for re-crawls: skip notices already exported, stop a list walk early.

On a list page's output it drops requests for notices the crawl state already knows, and
once `NOTICES_SEEN_RUN` known notices follow each other in a column it drops the request for
the next list page — but only when an earlier, committed walk of that column reached its end
(an interrupted first crawl is finished on the next run, not cut short).

`-a full=1` walks every list and fetches every notice again (changed ones come out as
revisions); `-a refresh_hits=1` does the same and re-emits unchanged notices as new hit-count
readings. Off when `NOTICES_STATE_PATH` is not set.
"""

from __future__ import annotations

import logging

from scrapy import Request

from crawler.state import spider_flag, state_from_crawler

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
    def __init__(self, state, crawler, seen_run: int):
        self.state = state
        self.crawler = crawler
        self.seen_run = seen_run
        self.runs: dict[tuple[str, str], int] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(state_from_crawler(crawler), crawler,
                   crawler.settings.getint("NOTICES_SEEN_RUN"))

    def process_spider_output(self, response, result):
        yield from self._filter(response, list(result))

    async def process_spider_output_async(self, response, result):
        for output in self._filter(response, [o async for o in result]):
            yield output

    def _filter(self, response, outputs: list) -> list:
        target = response.meta.get("target")
        if target is None or not any(is_notice_request(o) for o in outputs):
            return outputs
        spider = self.crawler.spider
        full = spider_flag(spider, "full") or spider_flag(spider, "refresh_hits")
        stats = self.crawler.stats
        site_id, key = target.site_id, (target.site_id, target.url)
        run = self.runs.get(key, 0)
        kept, next_pages = [], []
        for output in outputs:
            if is_next_list_request(output):
                next_pages.append(output)
                continue
            if is_notice_request(output):
                if self.state.known(site_id, output.url) is None:
                    run = 0
                else:
                    run += 1
                    if not full:
                        stats.inc_value(f"notices/known_skipped_count/{site_id}")
                        continue
            kept.append(output)
        self.runs[key] = run
        stop = (next_pages and not full and run >= self.seen_run
                and self.state.walk_complete(site_id, target.url))
        if stop:
            logger.info("site %s: list walk of %s stopped at %s after %d known notices",
                        site_id, target.url, response.url, run)
            stats.inc_value(f"notices/list_walk_stopped_count/{site_id}")
        if stop or not next_pages:
            self.state.walk_finished(site_id, target.url)
            return kept
        return kept + next_pages
