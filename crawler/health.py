"""Site health checks: one run of a site against that site's own recent runs.

A run's health record (a JSON dict, kept in the crawl state by `crawler/extensions/health.py`):

    listed, first_page_listed   notice links on the list pages walked, on the columns' first pages
    emitted                     notices emitted
    list_pages                  list pages read
    walks                       column walks: columns, ended (the list's end), stopped (known
                                notices, NOTICES_SEEN_RUN), cut ({reason: n}: since, page_limit,
                                no_links)
    coverage                    share of emitted notices with each of FIELDS (None: none emitted)
    body_length                 median body length of the emitted notices (characters)
    errors                      errors by class (crawler/middlewares/blocking.py)
    blocked                     whether an anti-bot challenge answered
    columns                     {column URL: {outcome, status, url}} of each column's first page
    failing                     the checks that found something in this run

Each check judges the run against the `usual`: the median over the earlier runs (newest first,
at most NOTICES_HEALTH_HISTORY_RUNS) in which that check found nothing, so that an open problem
does not become the usual. A check answers a Finding, OK (judged, nothing wrong) or None (no
figures to judge by: no history, or too few notices this run).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from statistics import median

# Sent by the spider when the first page of a crawl target (a column) answers or fails
# (kwargs: target, request, response or None, reason: None, or why the request failed).
column_answered = object()

FIELDS = ("title", "date", "source", "hit_count", "body", "kind")
# Column outcomes that say the column is no longer where the registry says.
MOVED_OUTCOMES = ("gone", "soft404", "redirected_home", "redirected")
OK = "ok"


@dataclass(frozen=True)
class Thresholds:
    """The NOTICES_HEALTH_* settings of the checks."""

    found_share: float
    coverage_drop: float
    min_notices: int
    body_share: float
    walk_share: float

    @classmethod
    def from_settings(cls, settings) -> Thresholds:
        return cls(settings.getfloat("NOTICES_HEALTH_FOUND_SHARE"),
                   settings.getfloat("NOTICES_HEALTH_COVERAGE_DROP"),
                   settings.getint("NOTICES_HEALTH_MIN_NOTICES"),
                   settings.getfloat("NOTICES_HEALTH_BODY_SHARE"),
                   settings.getfloat("NOTICES_HEALTH_WALK_SHARE"))


@dataclass(frozen=True)
class Finding:
    """Something wrong with a site in this run: `check` names it (`found`, `coverage.date`,
    `body_length`, `walk`, `blocked`, `column`), `message` gives the figures."""

    site_id: str
    check: str
    level: str  # WARNING or ERROR
    message: str
    figures: dict

    def asdict(self) -> dict:
        return asdict(self)


def _usual(history: list[dict], check: str, value) -> float | None:
    """The median of `value(run)` over the earlier runs where `check` found nothing."""
    values = [v for run in history if check not in run.get("failing", ())
              if (v := value(run)) is not None]
    return median(values) if values else None


def check_found(site_id, run, history, limits):
    """Notice links on the columns' first pages drop to zero, or below a share of the usual."""
    usual = _usual(history, "found", lambda r: r.get("first_page_listed"))
    if not usual:
        return None
    found = run["first_page_listed"]
    figures = {"found": found, "usual": usual, "share": limits.found_share}
    if found == 0:
        return Finding(site_id, "found", "ERROR", f"no notice links on the columns' first pages "
                       f"(usually {usual:g})", figures)
    if found < limits.found_share * usual:
        return Finding(site_id, "found", "WARNING", f"{found} notice links on the columns' "
                       f"first pages, below {limits.found_share:.0%} of the usual {usual:g}",
                       figures)
    return OK


def coverage_check(field: str):
    """The check that the share of notices with `field` falls by at least the drop."""
    def check(site_id, run, history, limits):
        name = f"coverage.{field}"
        if run["emitted"] < limits.min_notices:
            return None
        usual = _usual([r for r in history if r.get("emitted", 0) >= limits.min_notices],
                       name, lambda r: (r.get("coverage") or {}).get(field))
        if usual is None:
            return None
        share = run["coverage"][field]
        if usual - share < limits.coverage_drop:
            return OK
        return Finding(site_id, name, "ERROR" if share == 0 else "WARNING",
                       f"{field} coverage fell from {usual:.0%} to {share:.0%} of "
                       f"{run['emitted']} notices", {"coverage": share, "usual": usual,
                                                     "notices": run["emitted"],
                                                     "drop": limits.coverage_drop})
    check.__name__ = f"check_coverage_{field}"
    return check


def check_body_length(site_id, run, history, limits):
    """The median body length falls below a share of the usual (a wrong text container)."""
    if run["emitted"] < limits.min_notices:
        return None
    usual = _usual([r for r in history if r.get("emitted", 0) >= limits.min_notices],
                   "body_length", lambda r: r.get("body_length"))
    if not usual:
        return None
    length = run["body_length"]
    if length >= limits.body_share * usual:
        return OK
    return Finding(site_id, "body_length", "WARNING",
                   f"median body length {length:g} characters, below {limits.body_share:.0%} of "
                   f"the usual {usual:g}", {"body_length": length, "usual": usual,
                                            "share": limits.body_share})


def _unfinished(run: dict) -> int:
    """Column walks that reached neither the list's end nor known notices (nor `since`); a
    column whose first page failed is left to the column and found checks."""
    walks = run["walks"]
    unread = sum(answer["outcome"] in ("gone", "soft404", "failed")
                 for answer in run.get("columns", {}).values())
    return max(0, walks["columns"] - walks["ended"] - walks["stopped"]
               - walks["cut"].get("since", 0) - unread)


def check_walk(site_id, run, history, limits):
    """A column walk stops short (page limit, a list page without links, a failed list page),
    or reaches its end after fewer pages than the last walk to the end did."""
    usual = _usual(history, "walk", _unfinished)
    if usual is None:
        return None
    unfinished = _unfinished(run)
    if unfinished > usual:
        cut = {reason: n for reason, n in run["walks"]["cut"].items() if reason != "since"}
        return Finding(site_id, "walk", "ERROR", f"{unfinished} of {run['walks']['columns']} "
                       f"column walks ended early (usually {usual:g}; cut: "
                       f"{', '.join(f'{r}={n}' for r, n in cut.items()) or 'a list page failed'})",
                       {"unfinished": unfinished, "usual": usual, "cut": cut})
    to_end = [r for r in history if "walk" not in r.get("failing", ())
              and r["walks"]["ended"] == r["walks"]["columns"] > 0]
    if run["walks"]["ended"] == run["walks"]["columns"] > 0 and to_end:
        before = to_end[0]["list_pages"]
        if run["list_pages"] < limits.walk_share * before:
            return Finding(site_id, "walk", "WARNING",
                           f"the list ended after {run['list_pages']} pages, below "
                           f"{limits.walk_share:.0%} of the {before} of the last walk to its end",
                           {"list_pages": run["list_pages"], "before": before,
                            "share": limits.walk_share})
    return OK


def check_blocked(site_id, run, history, limits):
    """An anti-bot challenge answers where the earlier runs passed."""
    if not history:
        return None
    if not run["blocked"]:
        return OK
    if all(r.get("blocked") and "blocked" not in r.get("failing", ()) for r in history):
        return None  # blocked on every run: a site known to need the browser, not news
    challenges = run["errors"].get("challenge", 0)
    return Finding(site_id, "blocked", "ERROR", f"anti-bot block ({challenges} challenge "
                   "answers; earlier runs passed)", {"challenges": challenges})


def check_column(site_id, run, history, limits):
    """A column that answered before now answers 404, a soft 404 or a redirect elsewhere."""
    before = next((r["columns"] for r in history if "column" not in r.get("failing", ())), None)
    if before is None or not run["columns"]:
        return None
    moved = {url: answer for url, answer in run["columns"].items()
             if answer["outcome"] in MOVED_OUTCOMES and before.get(url) is not None
             and (before[url]["outcome"], before[url].get("url"))
             != (answer["outcome"], answer.get("url"))}
    if not moved:
        return OK
    return Finding(site_id, "column", "ERROR", "column moved: " + "; ".join(
        f"{url} {describe_column(answer)}" for url, answer in moved.items()), {"columns": moved})


def describe_column(answer: dict) -> str:
    outcome = answer["outcome"]
    if outcome == "gone":
        return f"answers HTTP {answer['status']}"
    if outcome == "soft404":
        return "answers a soft 404"
    return f"redirects to {answer['url']}" + (" (the home page)"
                                              if outcome == "redirected_home" else "")


CHECKS = {"found": check_found, **{f"coverage.{f}": coverage_check(f) for f in FIELDS},
          "body_length": check_body_length, "walk": check_walk, "blocked": check_blocked,
          "column": check_column}


def run_checks(site_id: str, run: dict, history: list[dict], limits: Thresholds,
               enabled=CHECKS) -> dict[str, Finding | str | None]:
    """Each enabled check's answer: a Finding, OK or None (nothing to judge by)."""
    return {name: CHECKS[name](site_id, run, history, limits) for name in enabled}
