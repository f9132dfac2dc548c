"""Overview: a report to look at before reading anything — an HTML page (charts embedded as PNG)
or Markdown (charts as PNG files beside it).

Charts (matplotlib, Agg backend, ASCII labels so that no CJK font is needed): notices per site
per month, kinds of notice, problem counts, field coverage per site. Tables: the sites, and the
notices republished by more than one site.
"""

from __future__ import annotations

import base64
import html
import io
import logging
import os
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

from pipelines.corpus.duplicates import CONTAINMENT_THRESHOLD, cluster_records  # noqa: E402
from pipelines.corpus.records import latest_per_url  # noqa: E402

logger = logging.getLogger(__name__)

REPORT_SUFFIXES = (".html", ".htm", ".md")
MAX_SITES = 30  # sites shown in the per-site charts (the ones with most notices)
MAX_CLUSTERS = 20  # rows of the table of notices republished across sites
COVERAGE_FIELDS = {  # chart label -> value of a record
    "title": lambda r: r.get("title"),
    "source": lambda r: r.get("source"),
    "published_at": lambda r: r.get("published_at"),
    "hit_count": lambda r: r.get("hit_count"),
    "author": lambda r: r.get("author"),
    "editor": lambda r: r.get("editor"),
    "attachments": lambda r: r.get("attachments"),
    "notice.kind": lambda r: (r.get("notice") or {}).get("kind"),
    "notice.inspection_body": lambda r: (r.get("notice") or {}).get("inspection_body"),
    "notice.inspected_unit": lambda r: (r.get("notice") or {}).get("inspected_unit"),
    "notice.problem_count": lambda r: (r.get("notice") or {}).get("problem_count"),
    "notice.outline": lambda r: (r.get("notice") or {}).get("outline"),
    "notice.contacts": lambda r: [v for vs in ((r.get("notice") or {}).get("contacts")
                                               or {}).values() for v in vs],
}


@dataclass(frozen=True)
class Chart:
    """One chart of the report: a file-name slug, a caption and the PNG bytes."""

    slug: str
    caption: str
    png: bytes


def has_value(value) -> bool:
    return value not in (None, "", [], {})


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue()


def _top_sites(records: list[dict]) -> list[str]:
    counts = Counter(r["site_id"] for r in records)
    return sorted(counts, key=lambda s: (-counts[s], s))[:MAX_SITES]


def _heatmap(rows: list[str], columns: list[str], values, *, title: str, fmt: str,
             vmax: float | None = None, width: float = 8.0) -> bytes:
    label_height = 0.075 * max(map(len, columns))  # column labels stand at 60 degrees
    figure, axes = plt.subplots(figsize=(width, 1.2 + 0.35 * len(rows) + label_height))
    image = axes.imshow(values, aspect="auto", cmap="Blues", vmin=0, vmax=vmax)
    axes.set_yticks(range(len(rows)), rows)
    step = max(1, len(columns) // 24)
    axes.set_xticks(range(0, len(columns), step), columns[::step], rotation=60, ha="right")
    if len(rows) * len(columns) <= 400:
        for y, row in enumerate(values):
            for x, value in enumerate(row):
                if value:
                    axes.text(x, y, format(value, fmt), ha="center", va="center", fontsize=7,
                              color="white" if vmax and value > 0.6 * vmax else "black")
    axes.set_title(title)
    figure.colorbar(image, ax=axes, fraction=0.03)
    return _png(figure)


def months_between(first: str, last: str) -> list[str]:
    """Every `YYYY-MM` from `first` to `last`, both included."""
    year, month = map(int, first.split("-"))
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def per_month_chart(records: list[dict]) -> Chart | None:
    """Heatmap: notices per site (rows) per month of publication (columns)."""
    dated = [r for r in records if r.get("published_at")]
    if not dated:
        return None
    sites = _top_sites(dated)
    counts = Counter((r["site_id"], r["published_at"][:7]) for r in dated)
    months = months_between(min(m for _, m in counts), max(m for _, m in counts))
    values = [[counts[(site, month)] for month in months] for site in sites]
    undated = len(records) - len(dated)
    caption = ("Notices per site per month of publication"
               + (f" ({undated} without a date not shown)" if undated else ""))
    return Chart("per-site-month", caption, _heatmap(
        sites, months, values, title="notices per site per month", fmt="d",
        vmax=max(max(row) for row in values), width=max(6.0, min(16.0, 2 + 0.3 * len(months)))))


def kinds_chart(records: list[dict]) -> Chart:
    """Bars: notices per `notice.kind` (`unknown` where the parser found none)."""
    counts = Counter((r.get("notice") or {}).get("kind") or "unknown" for r in records)
    kinds = sorted(counts, key=lambda k: (-counts[k], k))
    figure, axes = plt.subplots(figsize=(7, 1.2 + 0.4 * len(kinds)))
    bars = axes.barh(kinds[::-1], [counts[k] for k in kinds[::-1]], color="#4a7ab5")
    axes.bar_label(bars, padding=3)
    axes.set_xlabel("notices")
    axes.set_title("kinds of notice")
    return Chart("kinds", "Kinds of notice (notice.kind)", _png(figure))


def problem_count_chart(records: list[dict]) -> Chart | None:
    """Histogram of `notice.problem_count` over the notices that state one."""
    values = [c for r in records
              if (c := (r.get("notice") or {}).get("problem_count")) is not None]
    if not values:
        return None
    figure, axes = plt.subplots(figsize=(7, 3.2))
    bins = range(0, max(values) + 2) if max(values) <= 60 else 30
    axes.hist(values, bins=bins, color="#4a7ab5", edgecolor="white")
    axes.set_xlabel("problems fed back (notice.problem_count)")
    axes.set_ylabel("notices")
    axes.set_title(f"problem counts ({len(values)} of {len(records)} notices state one)")
    return Chart("problem-counts", "Problem counts stated by the notices", _png(figure))


def coverage_chart(records: list[dict]) -> Chart:
    """Heatmap: share of a site's notices with a value, per field."""
    sites = _top_sites(records)
    per_site = defaultdict(list)
    for record in records:
        per_site[record["site_id"]].append(record)
    values = [[round(sum(has_value(read(r)) for r in per_site[site]) / len(per_site[site]), 2)
               for read in COVERAGE_FIELDS.values()] for site in sites]
    return Chart("coverage", "Field coverage per site (share of notices with a value)", _heatmap(
        sites, list(COVERAGE_FIELDS), values, title="field coverage per site", fmt=".0%",
        vmax=1.0, width=9.0))


def site_rows(records: list[dict], memberships) -> list[dict]:
    """One summary row per site: name, notices, first and last publication day, copies."""
    rows: dict[str, dict] = {}
    for record, membership in zip(records, memberships, strict=True):
        row = rows.setdefault(record["site_id"], {
            "site": record["site_id"], "name": record.get("site_name") or "", "notices": 0,
            "first": None, "last": None, "shared": 0})
        row["notices"] += 1
        day = (record.get("published_at") or "")[:10] or None
        if day:
            row["first"] = min(filter(None, [row["first"], day]))
            row["last"] = max(filter(None, [row["last"], day]))
        row["shared"] += membership.site_count > 1
    return sorted(rows.values(), key=lambda row: (-row["notices"], row["site"]))


def shared_clusters(records: list[dict], memberships) -> list[dict]:
    """Clusters whose copies are on more than one site, most sites first."""
    clusters = defaultdict(list)
    for record, membership in zip(records, memberships, strict=True):
        if membership.site_count > 1:
            clusters[membership.cluster_id].append((record, membership))
    rows = []
    for cluster_id, members in clusters.items():
        first = next(r for r, m in members if m.match == "first")
        rows.append({"cluster_id": cluster_id, "title": first.get("title") or "",
                     "copies": len(members), "sites": members[0][1].site_count,
                     "site_ids": ", ".join(sorted({r["site_id"] for r, _ in members}))})
    return sorted(rows, key=lambda row: (-row["sites"], -row["copies"], row["cluster_id"]))


@dataclass
class Overview:
    """Everything the report shows."""

    notices: int
    sites: list[dict]
    clusters: list[dict]
    cluster_count: int
    charts: list[Chart]
    missing: list[str]  # charts left out, with the reason


def build_overview(records: list[dict], *, threshold: float = CONTAINMENT_THRESHOLD
                   ) -> Overview:
    """The overview of a corpus (one notice per URL: the latest crawl of it)."""
    notices = latest_per_url(records)
    memberships = cluster_records(notices, threshold=threshold)
    charts, missing = [], []
    for chart, reason in ((per_month_chart(notices), "no notice has a publication date"),
                          (kinds_chart(notices) if notices else None, "no notices"),
                          (problem_count_chart(notices), "no notice states a problem count"),
                          (coverage_chart(notices) if notices else None, "no notices")):
        if chart:
            charts.append(chart)
        else:
            missing.append(reason)
    return Overview(len(notices), site_rows(notices, memberships),
                    shared_clusters(notices, memberships),
                    len({m.cluster_id for m in memberships}), charts, sorted(set(missing)))


SITE_COLUMNS = ("site", "name", "notices", "first", "last", "shared")
SITE_HEADINGS = ("site", "name", "notices", "first published", "last published",
                 "republished elsewhere")
CLUSTER_COLUMNS = ("cluster_id", "title", "copies", "sites", "site_ids")


def _summary(overview: Overview) -> str:
    return (f"{overview.notices} notices from {len(overview.sites)} sites; "
            f"{overview.cluster_count} distinct notices after grouping duplicates; "
            f"{len(overview.clusters)} notices published by more than one site.")


def render_html(overview: Overview, title: str) -> str:
    """A self-contained HTML page (charts as data: URIs)."""
    def table(rows, columns, headings):
        head = "".join(f"<th>{html.escape(h)}</th>" for h in headings)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(row[c] or ''))}</td>"
                                        for c in columns) + "</tr>" for row in rows)
        return f"<table><tr>{head}</tr>{body}</table>"

    parts = [f"<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\">"
             f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;"
             f"max-width:70em;margin:2em auto}}table{{border-collapse:collapse}}"
             f"td,th{{border:1px solid #ccc;padding:2px 6px;text-align:left}}</style></head>"
             f"<body><h1>{html.escape(title)}</h1><p>{html.escape(_summary(overview))}</p>"]
    for chart in overview.charts:
        data = base64.b64encode(chart.png).decode("ascii")
        parts.append(f"<h2>{html.escape(chart.caption)}</h2>"
                     f"<img alt=\"{html.escape(chart.caption)}\" src=\"data:image/png;base64,"
                     f"{data}\">")
    parts += [f"<p>Not charted: {html.escape(reason)}.</p>" for reason in overview.missing]
    parts.append("<h2>Sites</h2>" + table(overview.sites, SITE_COLUMNS, SITE_HEADINGS))
    parts.append("<h2>Notices published by more than one site</h2>"
                 + table(overview.clusters[:MAX_CLUSTERS], CLUSTER_COLUMNS, CLUSTER_COLUMNS))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def render_markdown(overview: Overview, title: str, chart_paths: dict[str, str]) -> str:
    """Markdown referring to the chart files by their paths relative to the report."""
    def table(rows, columns, headings):
        lines = ["| " + " | ".join(headings) + " |", "|" + "---|" * len(headings)]
        lines += ["| " + " | ".join(str(row[c] or "").replace("|", "\\|") for c in columns)
                  + " |" for row in rows]
        return "\n".join(lines)

    parts = [f"# {title}", _summary(overview)]
    for chart in overview.charts:
        parts.append(f"## {chart.caption}\n\n![{chart.caption}]({chart_paths[chart.slug]})")
    parts += [f"Not charted: {reason}." for reason in overview.missing]
    parts.append("## Sites\n\n" + table(overview.sites, SITE_COLUMNS, SITE_HEADINGS))
    parts.append("## Notices published by more than one site\n\n"
                 + table(overview.clusters[:MAX_CLUSTERS], CLUSTER_COLUMNS, CLUSTER_COLUMNS))
    return "\n\n".join(parts) + "\n"


def write_overview(records: list[dict], path: Path, *, charts_dir: Path | None = None,
                   title: str = "Corpus overview",
                   threshold: float = CONTAINMENT_THRESHOLD) -> Path:
    """Write the report: `.html` (self-contained) or `.md` (charts in `<stem>_charts/`).

    `charts_dir` also writes each chart there as `<slug>.png` (for an HTML report too).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    overview = build_overview(records, threshold=threshold)
    if path.suffix == ".md" and charts_dir is None:
        charts_dir = path.with_name(f"{path.stem}_charts")
    chart_paths = {}
    if charts_dir is not None:
        charts_dir.mkdir(parents=True, exist_ok=True)
        for chart in overview.charts:
            chart_file = charts_dir / f"{chart.slug}.png"
            chart_file.write_bytes(chart.png)
            chart_paths[chart.slug] = Path(os.path.relpath(chart_file, path.parent)).as_posix()
    if path.suffix == ".md":
        text = render_markdown(overview, title, chart_paths)
    elif path.suffix in (".html", ".htm"):
        text = render_html(overview, title)
    else:
        raise ValueError(f"unknown report format: {path.suffix} (use .html or .md)")
    path.write_text(text, encoding="utf-8")
    logger.info("overview of %d notices written to %s", overview.notices, path)
    return path
