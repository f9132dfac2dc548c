"""Site health for `jiwei-overview --state DIR`: every site's runs read from the crawl state.

DIR holds the per-site state files (`NOTICES_STATE_PATH`, e.g. `state/{site_id}.sqlite`); every
`*.sqlite` below it is read, read-only, with `read_health`. Per site: a small
chart of its history (notices found on the columns' first pages and emitted, per run; field
coverage per run) and the checks it fails. Flagged sites come first: an alert open, or a check
failing in the last run.
"""

from __future__ import annotations

import html
import json
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from pipelines.corpus.overview import Chart, configure_cjk_font, figure_html, figure_png
from pipelines.corpus.statedir import read_only, state_files

logger = logging.getLogger(__name__)

FIELD_COLORS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#a6761d", "#666666")


def read_health(path: Path) -> tuple[list[dict], dict[str, dict]]:
    """One state file's health records (oldest first) and open alerts, opened read-only;
    ([], {}) for a file that has none."""
    with read_only(path) as (db, tables):
        if "health_run" not in tables:
            return [], {}
        runs = [json.loads(record) for (record,) in db.execute(
            "SELECT record FROM health_run ORDER BY finished_at, rowid")]
        alerts = {check: json.loads(alert) for check, alert in db.execute(
            "SELECT check_name, alert FROM health_alert")}
        return runs, alerts


@dataclass(frozen=True)
class SiteHistory:
    """A site's health records, oldest first, and its open alerts."""

    site_id: str
    runs: list[dict]
    open_alerts: dict[str, dict]

    @property
    def failing(self) -> list[str]:
        """Checks with an open alert or failing in the last run."""
        return sorted(set(self.open_alerts) | set(self.runs[-1].get("failing", ())))

    @property
    def flagged(self) -> bool:
        return bool(self.failing)


def read_state_dir(folder: Path) -> list[SiteHistory]:
    """Every site with health records under `folder`, flagged sites first, then by site id."""
    sites = []
    for path in state_files(folder):
        try:
            runs, alerts = read_health(path)
        except sqlite3.Error as error:
            logger.warning("%s: not a readable crawl state (%s); left out", path, error)
            continue
        if runs:
            sites.append(SiteHistory(runs[-1]["site_id"], runs, alerts))
    return sorted(sites, key=lambda site: (not site.flagged, site.site_id))


def history_chart(site: SiteHistory) -> Chart:
    """Two small panels over the site's runs (labelled by when each finished, red where a
    check failed): notices found on the first pages and emitted; field coverage."""
    runs = site.runs
    x = list(range(len(runs)))
    labels = [r["finished_at"][5:16].replace("T", " ") for r in runs]
    figure, (counts, coverage) = plt.subplots(1, 2, figsize=(9, 2.6))
    counts.bar([i - 0.2 for i in x], [r["first_page_listed"] for r in runs], width=0.4,
               color="#9bb7d9", label="found on first pages")
    counts.bar([i + 0.2 for i in x], [r["emitted"] for r in runs], width=0.4, color="#2b5d9b",
               label="emitted")
    counts.set_ylabel("notices", fontsize=8)
    counts.yaxis.set_major_locator(MaxNLocator(integer=True))
    fields = list(dict.fromkeys(field for r in runs for field in r.get("coverage") or {}))
    for index, field in enumerate(fields):
        values = [(r.get("coverage") or {}).get(field) for r in runs]
        coverage.plot(x, [float("nan") if v is None else v for v in values], marker="o",
                      markersize=3, color=FIELD_COLORS[index % len(FIELD_COLORS)], label=field)
    coverage.set_ylim(-0.05, 1.05)
    coverage.set_ylabel("coverage", fontsize=8)
    for axes, columns in ((counts, 2), (coverage, max(len(fields), 1))):
        axes.legend(fontsize=6, ncol=columns, loc="lower center", bbox_to_anchor=(0.5, 1.0),
                    frameon=False)
        axes.set_xticks(x, labels, rotation=30, ha="right")
        axes.tick_params(labelsize=6)
        for tick, run in zip(axes.get_xticklabels(), runs, strict=True):
            if run.get("failing"):
                tick.set_color("#c0392b")
    return Chart(f"health-{site.site_id}", f"Site {site.site_id}: notices and field coverage "
                 f"over {len(runs)} runs (run times in red: a check failed)", figure_png(figure))


def findings_text(site: SiteHistory) -> list[str]:
    """One line per open alert or failing check, with the figures of its message."""
    lines = [f"{check}: {alert['message']} (since {alert['at']})"
             for check, alert in sorted(site.open_alerts.items())]
    return lines + [f"{check}: failing in the last run" for check in site.runs[-1].get(
        "failing", ()) if check not in site.open_alerts]


@dataclass(frozen=True)
class HealthPage:
    """The Site health section: the sites (flagged first) and one history chart each."""

    sites: list[SiteHistory]
    charts: list[Chart]

    @classmethod
    def from_state_dir(cls, folder: Path) -> HealthPage:
        configure_cjk_font()
        sites = read_state_dir(folder)
        return cls(sites, [history_chart(site) for site in sites])

    def _heading(self) -> str:
        flagged = sum(site.flagged for site in self.sites)
        return f"Site health ({len(self.sites)} sites, {flagged} flagged)"

    def html(self) -> str:
        parts = [f'<h2 id="site-health">{html.escape(self._heading())}</h2>']
        if not self.sites:
            parts.append("<p>No health records in the crawl state.</p>")
        for site, chart in zip(self.sites, self.charts, strict=True):
            flag = " (flagged)" if site.flagged else ""
            parts.append(f'<section class="site-health" id="health-{html.escape(site.site_id)}">'
                         f"<h3>{html.escape(site.site_id)}{flag}</h3>")
            lines = findings_text(site)
            if lines:
                parts.append("<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in lines)
                             + "</ul>")
            parts.append(figure_html(chart) + "</section>")
        return "\n".join(parts)

    def markdown(self, chart_paths: dict[str, str]) -> str:
        parts = [f"## {self._heading()}"]
        for site, chart in zip(self.sites, self.charts, strict=True):
            parts.append(f"### {site.site_id}{' (flagged)' if site.flagged else ''}")
            parts += [f"- {line}" for line in findings_text(site)]
            parts.append(f"![{chart.caption}]({chart_paths[chart.slug]})")
        return "\n\n".join(parts)
