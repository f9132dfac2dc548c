"""Spider middleware: notices that leave their list, probed once and recorded as removed.

Every list page's notices are recorded in the crawl state as listed by their column. Once a
column's walk has reached the list's own end in this run, the exported notices it listed in an
earlier run and not now are each requested once more (a probe, through the same polite
downloader) and recorded as

- `removed`: the page answers 404 or 410, a soft 404 (a 200 page that says "not found" or
  holds no notice), or redirects to the site's home page or to the column;
- `unlisted`: the page still answers with a notice (off the list, not gone).

A notice listed again, or a removed one whose page answers again, is recorded as `returned`.
For each notice this run found removed, the last good copy in the raw archive (`WARC_DIR`) is
looked up at the end of the crawl.

A walk proves that a notice is gone from its list only when it read, in this run, the
column's first page and every list page it was led to: none failed, none cut the walk short
(`since`, the page limit, a page without notice links), and the crawl state did not stop it
early after known notices (`NOTICES_SEEN_RUN`); a run resumed from a job directory, which takes
up a walk halfway, proves nothing.
This component sits before the incremental middleware, so it sees the spider's own requests:
one that the incremental middleware drops, or that fails, is never read and the walk does not
count. A distributed worker never sees a whole walk, so it declares nothing.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import TextResponse

from crawler.distributed import distributed_mode
from crawler.middlewares.incremental import is_next_list_request, is_notice_request
from crawler.middlewares.soft404 import HOME_PATHS, SoftNotFound, soft404_reason
from crawler.platforms import detect_platform, platform_named
from crawler.state import REMOVED, UNLISTED, Missing, state_from_crawler
from crawler.warc import last_good_copies

logger = logging.getLogger(__name__)

# Request meta of a probe: the missing notice it classifies.
PROBE = "removal_probe"
# Request meta of a list-page request: its fingerprint when the spider asked for it.
WALK_REQUEST = "walk_request"


class Walk:
    """One column's list walk in this run: the pages asked for, read, whether it read its
    first page (a run resumed from a job directory may start halfway) and was cut."""

    def __init__(self):
        self.asked: set[bytes] = set()
        self.read: set[bytes] = set()
        self.started = False
        self.cut = False
        self.declared = False

    def complete(self) -> bool:
        return self.started and not self.cut and self.asked <= self.read


class RemovalsMiddleware:
    def __init__(self, state, crawler, probe_limit: int, warc_dir: str | None):
        self.state = state
        self.crawler = crawler
        self.stats = crawler.stats
        self.probe_limit = probe_limit
        self.warc_dir = Path(warc_dir) if warc_dir else None
        self.walks: dict[tuple[str, str], Walk] = {}
        self.probed: set[tuple[str, str]] = set()  # (site, URL): one probe a run

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("NOTICES_REMOVALS") or distributed_mode(crawler.settings):
            raise NotConfigured
        middleware = cls(state_from_crawler(crawler), crawler,
                         crawler.settings.getint("NOTICES_REMOVAL_PROBES"),
                         crawler.settings.get("WARC_DIR"))
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_spider_output(self, response, result):
        yield from self._outputs(response, list(result))

    async def process_spider_output_async(self, response, result):
        for output in self._outputs(response, [o async for o in result]):
            yield output

    # --- list walks -------------------------------------------------------------------------
    def _outputs(self, response, outputs: list) -> list:
        target = response.meta.get("target")
        if target is None or not response.meta.get("list_page"):
            return outputs
        site_id = target.site_id
        walk = self.walks.setdefault((site_id, target.url), Walk())
        fingerprint = self.crawler.request_fingerprinter.fingerprint
        walk.started |= WALK_REQUEST not in response.meta  # the column's own URL
        walk.read.add(response.meta.get(WALK_REQUEST) or fingerprint(response.request))
        walk.read.update(fingerprint(Request(url))
                         for url in response.meta.get("redirect_urls", ()))
        if response.meta.get("walk_cut") or getattr(self.crawler.spider, "since", None):
            walk.cut = True  # `since` leaves older rows unfollowed: not the whole list
        listed = []
        for output in outputs:
            if is_next_list_request(output):
                output.meta[WALK_REQUEST] = fingerprint(output)
                walk.asked.add(output.meta[WALK_REQUEST])
            elif is_notice_request(output):
                entry = output.meta["entry"]
                listed.append((output.meta.get("page_url") or output.url, entry.title))
        if listed:
            self.state.record_listed(site_id, target.url, listed)
            self._returned_on_list(site_id, [url for url, _ in listed])
        if walk.complete() and not walk.declared:
            walk.declared = True
            outputs = outputs + self._probes(target)
        return outputs

    def _returned_on_list(self, site_id: str, urls: list[str]) -> None:
        for url, status in self.state.open_removals(site_id, urls).items():
            self.state.record_returned(site_id, url, "listed")
            self._count(site_id, "returned")
            logger.info("site %s: notice %s is listed again (it was %s) [returned]", site_id,
                        url, status)

    def _probes(self, target) -> list[Request]:
        missing = [m for m in self.state.missing(target.site_id, target.url, self.probe_limit)
                   if (target.site_id, m.url) not in self.probed]
        self.probed.update((target.site_id, m.url) for m in missing)
        if len(missing) == self.probe_limit:
            logger.info("site %s: list walk of %s complete; probing %d notices missing from it "
                        "(NOTICES_REMOVAL_PROBES), the rest on a later run", target.site_id,
                        target.url, len(missing))
        return [Request(m.url, callback=self.probe_answered, errback=self.probe_failed,
                        dont_filter=True, priority=-10,
                        meta={"download_slot": target.site_id, "target": target, PROBE: m,
                              "handle_httpstatus_list": [404, 410]})
                for m in missing]

    # --- probes -----------------------------------------------------------------------------
    def probe_answered(self, response):
        """A probe's answer: 404/410, a redirect home, a page without a notice, or a notice."""
        missing: Missing = response.meta[PROBE]
        target = response.meta["target"]
        self._count(target.site_id, "removal_probe")
        redirects = response.meta.get("redirect_urls", [])
        if response.status in (404, 410):
            via = f" after redirects from {redirects[0]}" if redirects else ""
            self._removed(target, missing, str(response.status),
                          f"HTTP {response.status} at {response.url}{via}")
        elif redirects and _is_home_or_column(response.url, missing):
            self._removed(target, missing, "redirect", f"redirects to {response.url}")
        elif (reason := _not_a_notice(response, target)) is not None:
            self._removed(target, missing, "soft_404", reason)
        else:
            moved = f" (moved to {response.url})" if redirects else ""
            self._answers(target, missing, f"answers HTTP {response.status}{moved}")
        return []

    def probe_failed(self, failure):
        request = failure.request
        missing: Missing = request.meta[PROBE]
        target = request.meta["target"]
        self._count(target.site_id, "removal_probe")
        reason = str(failure.value) or failure.type.__name__
        if failure.check(SoftNotFound):
            self._removed(target, missing, "soft_404", reason)
            return []
        response = getattr(failure.value, "response", None)
        status = response.status if response is not None else "-"
        self._count(target.site_id, "removal_probe_failed")
        logger.warning("site %s: probe of %s (missing from %s) failed (HTTP %s): %s; it is "
                       "probed again on a later run", target.site_id, missing.url,
                       missing.list_url, status, reason)
        return []

    def _removed(self, target, missing: Missing, how: str, detail: str) -> None:
        site_id = target.site_id
        if missing.status == REMOVED:
            self.state.record_removal(site_id, missing, REMOVED, how, detail)
            return
        self.state.record_removal(site_id, missing, REMOVED, how, detail)
        self._count(site_id, "removed")
        logger.warning("site %s: notice removed (%s): %s %r, gone from its list %s (last listed "
                       "%s); %s; run %s [removed]", site_id, how, missing.url, missing.title,
                       missing.list_url, missing.last_listed_at, detail, self.state.run_id)

    def _answers(self, target, missing: Missing, detail: str) -> None:
        site_id = target.site_id
        if missing.status == REMOVED:
            self.state.record_returned(site_id, missing.url, "answers")
            self._count(site_id, "returned")
            logger.info("site %s: removed notice %s answers again, %s [returned]", site_id,
                        missing.url, detail)
            return
        self.state.record_removal(site_id, missing, UNLISTED, "answers", detail)
        if missing.status is None:
            self._count(site_id, "unlisted")
            logger.info("site %s: notice %s is no longer on its list %s but %s [unlisted]",
                        site_id, missing.url, missing.list_url, detail)

    def _count(self, site_id: str, metric: str) -> None:
        self.stats.inc_value(f"notices/{metric}_count")
        self.stats.inc_value(f"notices/{metric}_count/{site_id}")

    # --- archive ----------------------------------------------------------------------------
    def spider_closed(self, spider) -> None:
        """Find in the raw archive the last good copy of each notice this run found removed."""
        wanted = {site_id: dict(self.state.removals_to_archive(site_id))
                  for site_id in self.state.site_ids()}
        urls = {url: at for rows in wanted.values() for url, at in rows.items()}
        if not urls:
            return
        paths = sorted(self.warc_dir.glob("*.warc.gz")) if self.warc_dir else []
        copies = last_good_copies(paths, urls) if paths else {}
        for site_id, rows in wanted.items():
            for url in rows:
                if url in copies:
                    self.state.record_archived_copy(site_id, url, *copies[url])
        logger.info("removed notices: %d of %d with a last good copy in the raw archive%s",
                    len(copies), len(urls), f" {self.warc_dir}" if self.warc_dir else
                    " (none: WARC_DIR is not set)")


def _is_home_or_column(url: str, missing: Missing) -> bool:
    """Whether a redirect ended at the site's home page or at the notice's own column."""
    if url.split("#")[0] == missing.list_url:
        return True
    parts = urlsplit(url)
    return (parts.netloc == urlsplit(missing.url).netloc and not parts.query
            and parts.path.lower() in HOME_PATHS and not parts.path.lower().startswith("/404"))


def _not_a_notice(response, target) -> str | None:
    """Why a 200 answer is no notice (a soft 404), or None when it reads as one."""
    if isinstance(response, TextResponse) and (reason := soft404_reason(response.text,
                                                                         response.url)):
        return reason
    platform = platform_named(target.platform) or detect_platform(response)
    try:
        page = platform.notice_page(response)
        empty = not page.body_text and not page.attachments
    except Exception as exc:  # a page the platform cannot read holds no notice either
        return f"soft 404: the page cannot be read as a notice ({type(exc).__name__}: {exc})"
    return "soft 404: a page without a notice" if empty else None
