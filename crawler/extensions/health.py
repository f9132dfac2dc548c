"""Site health across runs: each run's figures per site kept in the crawl state, judged against
the site's own earlier runs (`crawler/health.py`), findings logged, reported and alerted.

Per site of the crawl, at its close: one health record (crawler/health.py) into the state's
`health_run` table; each finding as one WARNING or ERROR line
`site SITE: health check CHECK: FIGURES`, counted in `health/finding_count[/CHECK]` and listed
under `health` in the crawl report. A finding whose check has no open alert for the site opens
one and is sent (`crawler/alerts.py`); while it stays open nothing more is sent; the first run
where that check passes again closes it and sends one recovery notice. Open alerts live in the
state's `health_alert` table, so they hold across runs; an alert or recovery the webhook did
not take is kept in `health_outbox` and sent again by the site's next finished run.

A crawl that does not finish (`finish_reason` other than `finished`) records nothing: its
figures are partial. Needs the crawl state (`NOTICES_STATE_PATH`); off with
`NOTICES_HEALTH_ENABLED = False`.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from dataclasses import asdict
from statistics import median
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future

from crawler.alerts import Alert, AlertSender
from crawler.extensions.report import COVERAGE, ERROR_CLASSES
from crawler.health import CHECKS, FIELDS, OK, Finding, Thresholds, column_answered, run_checks
from crawler.state import state_from_crawler
from pipelines.dates import utc_now_iso

logger = logging.getLogger(__name__)

HAS_FIELD = {"title": lambda r: bool(r.get("title")), **COVERAGE}
HOME_PATH = re.compile(r"^/?(?:(?:index|default)\.\w+)?$", re.I)


def column_answer(request, response, reason: str | None) -> dict:
    """How a column's first page answered: outcome `ok`, `redirected`, `redirected_home`,
    `gone` (HTTP 404 or 410), `soft404` or `failed`; its status and final URL."""
    status = response.status if response is not None else None
    url = response.url if response is not None else request.url
    if reason is None:
        if not request.meta.get("redirect_urls"):
            outcome = "ok"
        else:
            outcome = "redirected_home" if HOME_PATH.match(urlsplit(url).path) else "redirected"
    elif status in (404, 410):
        outcome = "gone"
    elif reason.startswith("soft 404"):
        outcome = "soft404"
    else:
        outcome = "failed"
    return {"outcome": outcome, "status": status, "url": url}


class SiteHealth:
    def __init__(self, crawler, state, limits: Thresholds, history_runs: int,
                 checks: list[str], sender: AlertSender):
        self.crawler = crawler
        self.state = state
        self.limits = limits
        self.history_runs = history_runs
        self.checks = checks
        self.sender = sender
        self.emitted: Counter[str] = Counter()
        self.covered: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.body_lengths: defaultdict[str, list[int]] = defaultdict(list)
        self.columns: defaultdict[str, dict] = defaultdict(dict)
        self.results: dict[str, tuple[dict, dict]] | None = None

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.getbool("NOTICES_HEALTH_ENABLED"):
            raise NotConfigured
        state = state_from_crawler(crawler)  # NotConfigured without a crawl state
        checks = settings.getlist("NOTICES_HEALTH_CHECKS") or list(CHECKS)
        unknown = sorted(set(checks) - set(CHECKS))
        if unknown:
            raise ValueError(f"NOTICES_HEALTH_CHECKS: unknown check(s) {', '.join(unknown)}; "
                             f"known: {', '.join(CHECKS)}")
        health = cls(crawler, state, Thresholds.from_settings(settings),
                     settings.getint("NOTICES_HEALTH_HISTORY_RUNS"), checks,
                     AlertSender.from_crawler(crawler))
        crawler.notices_health = health
        crawler.signals.connect(health.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(health.column_answered, signal=column_answered)
        crawler.signals.connect(health.spider_closed, signal=signals.spider_closed)
        return health

    def item_scraped(self, item):
        site_id = item.get("site_id") or "?"
        self.emitted[site_id] += 1
        self.body_lengths[site_id].append(len(item.get("body_text") or ""))
        for name, has in HAS_FIELD.items():
            if has(item):
                self.covered[site_id][name] += 1

    def column_answered(self, target, request, response, reason):
        self.columns[target.site_id][target.url] = column_answer(request, response, reason)

    def _record(self, site_id: str, columns: int, stats: dict, cuts: dict) -> dict:
        """This run's health record of a site (crawler/health.py)."""
        def stat(key):
            return stats.get(key, 0)

        emitted = self.emitted[site_id]
        errors = {c: stat(f"notices/error_count/{c}/{site_id}") for c in ERROR_CLASSES}
        return {
            "site_id": site_id, "run_id": self.state.run_id, "finished_at": utc_now_iso(),
            "listed": stat(f"notices/listed_count/{site_id}"),
            "first_page_listed": stat(f"notices/first_page_listed_count/{site_id}"),
            "emitted": emitted, "list_pages": stat(f"notices/list_page_count/{site_id}"),
            "walks": {"columns": columns,
                      "ended": stat(f"notices/list_walk_ended_count/{site_id}"),
                      "stopped": stat(f"notices/list_walk_stopped_count/{site_id}"),
                      "cut": cuts.get(site_id, {})},
            "coverage": {name: (round(self.covered[site_id][name] / emitted, 3)
                                if emitted else None) for name in FIELDS},
            "body_length": median(self.body_lengths[site_id]) if emitted else None,
            "errors": errors, "blocked": errors["challenge"] > 0,
            "columns": self.columns.get(site_id, {}),
        }

    def finish(self) -> dict[str, tuple[dict, dict]]:
        """Per site of the crawl: (health record, check answers); computed once."""
        if self.results is None:
            targets = getattr(self.crawler.spider, "targets", [])
            columns = Counter(target.site_id for target in targets)
            stats = self.crawler.stats.get_stats()
            cuts: defaultdict[str, dict] = defaultdict(dict)  # site -> {reason: walks cut}
            for key, value in stats.items():
                if key.startswith("notices/list_walk_cut_count/") and key.count("/") == 3:
                    reason, site_id = key.split("/")[2:]
                    cuts[site_id][reason] = value
            self.results = {}
            for site_id in sorted(columns):
                run = self._record(site_id, columns[site_id], stats, cuts)
                history = self.state.health_history(site_id, self.history_runs)
                answers = run_checks(site_id, run, history, self.limits, self.checks)
                run["failing"] = sorted(name for name, answer in answers.items()
                                        if isinstance(answer, Finding))
                self.results[site_id] = (run, answers)
        return self.results

    def findings(self) -> list[Finding]:
        """This run's findings (for the crawl report); none for a crawl that did not finish."""
        if self.crawler.stats.get_value("finish_reason") != "finished":
            return []
        return [answer for _, answers in self.finish().values() for answer in answers.values()
                if isinstance(answer, Finding)]

    async def spider_closed(self, spider, reason):
        if reason != "finished":
            logger.warning("site health not recorded: the crawl ended with %r, its figures are "
                           "partial", reason)
            return
        alerts = self.record()
        if not alerts:
            return
        fresh = [alert for alert in alerts if alert.run_id == self.state.run_id]  # not resent
        delivered = await maybe_deferred_to_future(self.sender.send(alerts, mailed=fresh))
        # What did not reach the webhook is sent again by the next run. A site without alerts
        # this run had none kept from earlier runs either (they are among `alerts`).
        for site_id in sorted({alert.site_id for alert in alerts}):
            self.state.keep_undelivered(site_id, [
                asdict(alert) for alert, ok in zip(alerts, delivered, strict=True)
                if not ok and alert.site_id == site_id])

    def record(self) -> list[Alert]:
        """Store this run's records, log its findings; the alerts and recoveries to send."""
        stats, alerts, now = self.crawler.stats, [], utc_now_iso()
        for site_id, (run, answers) in self.finish().items():
            self.state.record_health(site_id, run)
            open_alerts = self.state.open_alerts(site_id)
            undelivered = [Alert(**alert) for alert in self.state.undelivered_alerts(site_id)]
            if undelivered:
                logger.info("site %s: sending again %d health alerts an earlier run could not "
                            "deliver", site_id, len(undelivered))
                stats.inc_value("health/alert_resent_count", len(undelivered))
            alerts += undelivered
            for name, answer in answers.items():
                if isinstance(answer, Finding):
                    logger.log(logging.getLevelName(answer.level), "site %s: health check %s: "
                               "%s", site_id, name, answer.message)
                    stats.inc_value("health/finding_count")
                    stats.inc_value(f"health/finding_count/{name}")
                    if name not in open_alerts:
                        alert = Alert("alert", site_id, name, answer.level, answer.message,
                                      answer.figures, self.state.run_id, now)
                        self.state.open_alert(site_id, name, asdict(alert))
                        alerts.append(alert)
                elif answer == OK and name in open_alerts:
                    opened = open_alerts[name]
                    self.state.close_alert(site_id, name)
                    logger.info("site %s: health check %s passes again (alert of run %s: %s)",
                                site_id, name, opened["run_id"], opened["message"])
                    alerts.append(Alert("recovery", site_id, name, "INFO",
                                        f"passes again; the alert of {opened['at']} said: "
                                        f"{opened['message']}", {}, self.state.run_id, now))
        fresh = [a for a in alerts if a.run_id == self.state.run_id]
        stats.inc_value("health/alert_count", sum(a.kind == "alert" for a in fresh))
        stats.inc_value("health/recovery_count", sum(a.kind == "recovery" for a in fresh))
        return alerts
