"""Overview: a report to look at before reading anything — an HTML page (charts embedded as PNG,
each scaled to the page width) or Markdown (charts as PNG files beside it).

Charts (matplotlib, Agg backend): notices by province, per month (the whole corpus, and per
site), kinds of notice, inspected units, problem counts, hit counts, field coverage per site.
Each says what it leaves out (`top 30 of 52 sites`); the tables below the charts list
everything. Count axes have integer ticks. Chinese labels need a CJK font: the first installed
of CJK_FONTS is configured as matplotlib's fallback, and a WARNING says when there is none.
"""

from __future__ import annotations

import base64
import html
import io
import logging
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
from matplotlib import font_manager  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from pipelines.corpus.duplicates import CONTAINMENT_THRESHOLD, cluster_records  # noqa: E402
from pipelines.corpus.records import latest_per_url  # noqa: E402

if TYPE_CHECKING:
    from pipelines.corpus.health import HealthPage

logger = logging.getLogger(__name__)

REPORT_SUFFIXES = (".html", ".htm", ".md")
MAX_ROWS = 30  # sites and units shown in a chart (the ones with most notices)
MAX_CLUSTERS = 20  # rows of the republished-notices table shown before "all N rows"
MAX_CHART_WIDTH = 12.0  # inches at 100 dpi: the page scales a chart down, never beyond this
UNKNOWN = "(unknown)"
# Fonts with Chinese glyphs, in order of preference (Debian/Ubuntu: fonts-noto-cjk,
# fonts-wqy-zenhei; Windows and macOS: the last ones).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC",
             "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "AR PL UMing CN", "Droid Sans Fallback",
             "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC")
CJK_FONT_FILE = re.compile(r"CJK|wqy|DroidSansFallback|SourceHan|uming|ukai", re.IGNORECASE)
COVERAGE_FIELDS = {  # chart label -> value of a record
    "title": lambda r: r.get("title"),
    "source": lambda r: r.get("source"),
    "published_at": lambda r: r.get("published_at"),
    "hit_count": lambda r: r.get("hit_count"),
    "author": lambda r: r.get("author"),
    "editor": lambda r: r.get("editor"),
    "attachments": lambda r: r.get("attachments"),
    "region.province": lambda r: (r.get("region") or {}).get("province"),
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
    """One chart of the report: a file-name slug, a caption (saying what is left out) and the
    PNG bytes."""

    slug: str
    caption: str
    png: bytes


def _installed_cjk_fonts() -> list[str]:
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return [name for name in CJK_FONTS if name in installed]


@cache
def configure_cjk_font() -> str | None:
    """Make the first installed CJK font matplotlib's fallback for Chinese labels; its name, or
    None (with a WARNING) when no CJK font is installed."""
    found = _installed_cjk_fonts()
    if not found:  # matplotlib's font cache predates the font: add the system's CJK files
        for path in font_manager.findSystemFonts():
            if CJK_FONT_FILE.search(Path(path).name):
                font_manager.fontManager.addfont(path)
        found = _installed_cjk_fonts()
    if not found:
        logger.warning("no CJK font installed: Chinese labels of the charts show as boxes; "
                       "install one (Debian/Ubuntu: apt-get install fonts-noto-cjk)")
        return None
    plt.rcParams["font.family"] = ["sans-serif"]
    plt.rcParams["font.sans-serif"] = [*found, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    return found[0]


def has_value(value) -> bool:
    return value not in (None, "", [], {})


def figure_png(figure) -> bytes:
    """The figure as PNG bytes (closed after)."""
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue()


def _ranked(counts: Counter) -> list:
    return sorted(counts, key=lambda key: (-counts[key], str(key)))


def _shown(shown: int, total: int, what: str, where: str) -> str:
    """`top 30 of 52 sites, all in the Sites table` when some are left out, else ``."""
    return f"; top {shown} of {total} {what}, all in {where}" if shown < total else ""


def _top_sites(records: list[dict]) -> tuple[list[str], int]:
    ranked = _ranked(Counter(r["site_id"] for r in records))
    return ranked[:MAX_ROWS], len(ranked)


def _count_axis(axes, axis: str = "x") -> None:
    (axes.xaxis if axis == "x" else axes.yaxis).set_major_locator(MaxNLocator(integer=True))


def _bars(labels: list[str], values: list[int], *, title: str, xlabel: str) -> bytes:
    figure, axes = plt.subplots(figsize=(8, 1.2 + 0.3 * len(labels)))
    bars = axes.barh(labels[::-1], values[::-1], color="#4a7ab5")
    axes.bar_label(bars, padding=3)
    axes.set_xlabel(xlabel)
    axes.set_title(title)
    axes.margins(x=0.12)
    _count_axis(axes)
    return figure_png(figure)


def _heatmap(rows: list[str], columns: list[str], values, *, title: str, fmt: str,
             vmax: float | None = None, width: float = 8.0, counts: bool = False) -> bytes:
    label_height = 0.075 * max(map(len, columns))  # column labels stand at 60 degrees
    figure, axes = plt.subplots(figsize=(min(width, MAX_CHART_WIDTH),
                                         1.2 + 0.35 * len(rows) + label_height))
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
    bar = figure.colorbar(image, ax=axes, fraction=0.03)
    if counts:
        bar.locator = MaxNLocator(integer=True)
        bar.update_ticks()
    return figure_png(figure)


def months_between(first: str, last: str) -> list[str]:
    """Every `YYYY-MM` from `first` to `last`, both included."""
    year, month = map(int, first.split("-"))
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _month(record: dict) -> str | None:
    value = record.get("published_at")
    return value[:7] if isinstance(value, str) and len(value) >= 7 else None


def province_chart(records: list[dict]) -> Chart:
    """Bars: notices per province (`region.province`; every province, none left out)."""
    counts = Counter((r.get("region") or {}).get("province") or UNKNOWN for r in records)
    provinces = _ranked(counts)
    return Chart("provinces", "Notices by province (region.province)", _bars(
        provinces, [counts[p] for p in provinces], title="notices by province",
        xlabel="notices"))


def timeline_chart(records: list[dict]) -> Chart | None:
    """Bars: notices of the whole corpus per month of publication."""
    counts = Counter(month for r in records if (month := _month(r)))
    if not counts:
        return None
    months = months_between(min(counts), max(counts))
    figure, axes = plt.subplots(figsize=(min(MAX_CHART_WIDTH, max(6.0, 2 + 0.12 * len(months))),
                                         3.5))
    axes.bar(range(len(months)), [counts[m] for m in months], color="#4a7ab5")
    step = max(1, len(months) // 24)
    axes.set_xticks(range(0, len(months), step), months[::step], rotation=60, ha="right")
    axes.set_ylabel("notices")
    axes.set_title("notices per month of publication")
    _count_axis(axes, "y")
    undated = len(records) - sum(counts.values())
    return Chart("timeline", "Notices per month of publication, whole corpus"
                 + (f"; {undated} without a date not shown" if undated else ""), figure_png(figure))


def per_month_chart(records: list[dict]) -> Chart | None:
    """Heatmap: notices per site (rows) per month of publication (columns)."""
    dated = [r for r in records if _month(r)]
    if not dated:
        return None
    sites, total = _top_sites(dated)
    counts = Counter((r["site_id"], _month(r)) for r in dated)
    months = months_between(min(m for _, m in counts), max(m for _, m in counts))
    values = [[counts[(site, month)] for month in months] for site in sites]
    undated = len(records) - len(dated)
    caption = ("Notices per site per month of publication"
               + _shown(len(sites), total, "sites", "the Sites table")
               + (f"; {undated} without a date not shown" if undated else ""))
    return Chart("per-site-month", caption, _heatmap(
        sites, months, values, title="notices per site per month", fmt="d",
        vmax=max(max(row) for row in values), width=2 + 0.3 * len(months), counts=True))


def kinds_chart(records: list[dict]) -> Chart:
    """Bars: notices per `notice.kind` (`(unknown)` where the parser found none)."""
    counts = Counter((r.get("notice") or {}).get("kind") or UNKNOWN for r in records)
    kinds = _ranked(counts)
    return Chart("kinds", "Kinds of notice (notice.kind)", _bars(
        kinds, [counts[k] for k in kinds], title="kinds of notice", xlabel="notices"))


def unit_counts(records: list[dict]) -> Counter:
    """Notices per inspected unit (`notice.inspected_unit`), the notices naming none left out."""
    return Counter(unit for r in records if (unit := (r.get("notice") or {}).get("inspected_unit")))


def units_chart(records: list[dict]) -> Chart | None:
    """Bars: the inspected units with most notices."""
    counts = unit_counts(records)
    if not counts:
        return None
    units = _ranked(counts)[:MAX_ROWS]
    unnamed = len(records) - sum(counts.values())
    caption = ("Inspected units (notice.inspected_unit)"
               + _shown(len(units), len(counts), "units", "the Inspected units table")
               + (f"; {unnamed} notices name none" if unnamed else ""))
    return Chart("units", caption, _bars(units, [counts[u] for u in units],
                                         title="notices per inspected unit", xlabel="notices"))


def problem_count_chart(records: list[dict]) -> Chart | None:
    """Histogram of `notice.problem_count` over the notices that state one."""
    values = [c for r in records
              if (c := (r.get("notice") or {}).get("problem_count")) is not None]
    if not values:
        return None
    figure, axes = plt.subplots(figsize=(8, 3.5))
    bins = range(0, max(values) + 2) if max(values) <= 60 else 30
    axes.hist(values, bins=bins, color="#4a7ab5", edgecolor="white")
    axes.set_xlabel("problems fed back (notice.problem_count)")
    axes.set_ylabel("notices")
    axes.set_title("problem counts")
    _count_axis(axes, "y")
    _count_axis(axes, "x")
    return Chart("problem-counts", f"Problem counts stated by the notices ({len(values)} of "
                 f"{len(records)} notices state one)", figure_png(figure))


def hit_count_chart(records: list[dict]) -> Chart | None:
    """Histogram of `hit_count` (the latest reading) on a logarithmic scale of counts."""
    values = [c for r in records if isinstance(c := r.get("hit_count"), int)]
    if not values:
        return None
    figure, axes = plt.subplots(figsize=(8, 3.5))
    edges = [0, 1] + [10 ** (k / 4) for k in range(1, 4 * len(str(max(values))) + 1)]
    edges = [e for e in edges if e <= max(values) * 1.8] + [max(values) + 1]
    axes.hist([v + 0.5 for v in values], bins=sorted(set(edges)), color="#4a7ab5",
              edgecolor="white")
    axes.set_xscale("symlog", linthresh=1)
    axes.set_xlabel("hit count (page views the site shows)")
    axes.set_ylabel("notices")
    axes.set_title("hit counts")
    _count_axis(axes, "y")
    return Chart("hit-counts", f"Hit counts ({len(values)} of {len(records)} notices show "
                 "one; the hit_counts table holds every reading)", figure_png(figure))


def coverage_chart(records: list[dict]) -> Chart:
    """Heatmap: share of a site's notices with a value, per field."""
    sites, total = _top_sites(records)
    per_site = defaultdict(list)
    for record in records:
        per_site[record["site_id"]].append(record)
    values = [[round(sum(has_value(read(r)) for r in per_site[site]) / len(per_site[site]), 2)
               for read in COVERAGE_FIELDS.values()] for site in sites]
    return Chart("coverage", "Field coverage per site (share of notices with a value)"
                 + _shown(len(sites), total, "sites", "the Sites table"), _heatmap(
                     sites, list(COVERAGE_FIELDS), values, title="field coverage per site",
                     fmt=".0%", vmax=1.0, width=10.0))


def site_rows(records: list[dict], memberships) -> list[dict]:
    """One summary row per site: name, notices, first and last publication day, copies."""
    rows: dict[str, dict] = {}
    for record, membership in zip(records, memberships, strict=True):
        row = rows.setdefault(record["site_id"], {
            "site": record["site_id"], "name": record.get("site_name") or "",
            "province": (record.get("region") or {}).get("province") or "", "notices": 0,
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
                     "origin": first["site_id"], "copies": len(members),
                     "sites": members[0][1].site_count,
                     "site_ids": ", ".join(sorted({r["site_id"] for r, _ in members}))})
    return sorted(rows, key=lambda row: (-row["sites"], -row["copies"], row["cluster_id"]))


@dataclass
class Overview:
    """Everything the report shows."""

    notices: int
    sites: list[dict]
    units: list[dict]
    clusters: list[dict]
    cluster_count: int
    charts: list[Chart]
    missing: list[str]  # charts left out, with the reason
    font: str | None  # the CJK font of the charts


def removal_rows(removals: list[dict]) -> list[dict]:
    """Removal rows (`pipelines.corpus.removals.read_removals`) as the report shows them:
    notices gone first, then those off their list, then those that came back."""
    order = {"removed": 0, "unlisted": 1, "returned": 2}
    rows = [{"site": row["site_id"], "title": row["title"] or "", "url": row["url"],
             "status": row["status"] + (f" ({row['returned_how']})" if row["returned_how"]
                                        else ""),
             "missing": f"{row['missing_at'][:16].replace('T', ' ')} (run "
                        f"{row['missing_run'][:8]})",
             "how": row["how"],
             "copy": (f"{row['archived_at'][:16].replace('T', ' ')}: "
                      f"{Path(row['archived_copy']).name}" if row["archived_copy"] else "")}
            for row in removals]
    return sorted(rows, key=lambda row: (order.get(row["status"].split()[0], 3), row["site"],
                                         row["missing"], row["url"]))


def build_overview(records: list[dict], *, threshold: float = CONTAINMENT_THRESHOLD) -> Overview:
    """The overview of a corpus (one notice per URL: the latest crawl of it)."""
    font = configure_cjk_font()
    notices = latest_per_url(records)
    memberships = cluster_records(notices, threshold=threshold)
    charts, missing = [], []
    if notices:
        charts += [province_chart(notices)]
    for chart, reason in ((timeline_chart(notices), "no notice has a publication date"),
                          (per_month_chart(notices), None),
                          (kinds_chart(notices) if notices else None, "no notices"),
                          (units_chart(notices), "no notice names its inspected unit"),
                          (problem_count_chart(notices), "no notice states a problem count"),
                          (hit_count_chart(notices), "no notice shows a hit count"),
                          (coverage_chart(notices) if notices else None, "no notices")):
        if chart:
            charts.append(chart)
        elif reason:
            missing.append(reason)
    counts = unit_counts(notices)
    units = [{"unit": unit, "notices": counts[unit]} for unit in _ranked(counts)]
    return Overview(len(notices), site_rows(notices, memberships), units,
                    shared_clusters(notices, memberships),
                    len({m.cluster_id for m in memberships}), charts, sorted(set(missing)),
                    font)


SITE_COLUMNS = ("site", "name", "province", "notices", "first", "last", "shared")
SITE_HEADINGS = ("site", "name", "province", "notices", "first published", "last published",
                 "republished elsewhere")
UNIT_COLUMNS = ("unit", "notices")
CLUSTER_COLUMNS = ("cluster_id", "title", "origin", "copies", "sites", "site_ids")
REMOVAL_COLUMNS = ("site", "title", "url", "status", "missing", "how", "copy")
REMOVAL_HEADINGS = ("site", "title", "URL", "status", "first run missing", "how",
                    "last good copy")
STYLE = ("*{box-sizing:border-box}body{font-family:sans-serif;max-width:72em;margin:1em auto;"
         "padding:0 1em}img{display:block;max-width:100%;height:auto}"
         "table{border-collapse:collapse;width:100%;table-layout:fixed}"
         "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;overflow-wrap:anywhere}"
         "figure{margin:0 0 1.5em}figcaption{font-style:italic}")


def _summary(overview: Overview) -> str:
    return (f"{overview.notices} notices from {len(overview.sites)} sites; "
            f"{overview.cluster_count} distinct notices after grouping duplicates; "
            f"{len(overview.clusters)} notices published by more than one site.")


def _sections(overview: Overview):
    """(anchor, heading, rows, columns, headings, rows shown before the rest is folded)."""
    return (("sites", "Sites", overview.sites, SITE_COLUMNS, SITE_HEADINGS, None),
            ("units", "Inspected units", overview.units, UNIT_COLUMNS, UNIT_COLUMNS, MAX_ROWS),
            ("republished", "Notices published by more than one site", overview.clusters,
             CLUSTER_COLUMNS, CLUSTER_COLUMNS, MAX_CLUSTERS))


def _removals_section(removals: list[dict]):
    """The removed notices (rows of `read_removals`) as a section like those of `_sections`."""
    return ("removals", "Notices removed from their lists", removal_rows(removals),
            REMOVAL_COLUMNS, REMOVAL_HEADINGS, MAX_ROWS)


def figure_html(chart: Chart) -> str:
    """The chart as a figure with its PNG inline (a data: URI) and its caption."""
    data = base64.b64encode(chart.png).decode("ascii")
    return (f"<figure><img alt=\"{html.escape(chart.caption)}\" "
            f"src=\"data:image/png;base64,{data}\"><figcaption>"
            f"{html.escape(chart.caption)}</figcaption></figure>")


def render_html(overview: Overview | None, title: str, health: HealthPage | None = None,
                removals: list[dict] | None = None) -> str:
    """A self-contained HTML page (charts as data: URIs, as wide as the page allows): the
    corpus overview, the Site health section, or both, then the removed notices if given."""
    def table(rows, columns, headings):
        head = "".join(f"<th>{html.escape(h)}</th>" for h in headings)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(row[c] or ''))}</td>"
                                        for c in columns) + "</tr>" for row in rows)
        return f"<table><tr>{head}</tr>{body}</table>"

    def section(anchor, heading, rows, columns, headings, shown):
        text = f"<h2 id=\"{anchor}\">{html.escape(heading)} ({len(rows)})</h2>"
        if shown is None or len(rows) <= shown:
            return text + table(rows, columns, headings)
        return (text + f"<p>The first {shown} of {len(rows)}:</p>"
                + table(rows[:shown], columns, headings)
                + f"<details><summary>All {len(rows)} rows</summary>"
                + table(rows, columns, headings) + "</details>")

    parts = [f"<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\">"
             f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
             f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
             f"<body><h1>{html.escape(title)}</h1>"]
    if overview is not None:
        parts.append(f"<p>{html.escape(_summary(overview))}</p>")
        if overview.font is None:
            parts.append("<p>No CJK font was installed where this report was made: Chinese "
                         "labels of the charts may show as boxes; the tables hold the same "
                         "names.</p>")
        parts += [figure_html(chart) for chart in overview.charts]
        parts += [f"<p>Not charted: {html.escape(reason)}.</p>" for reason in overview.missing]
        parts += [section(*rows) for rows in _sections(overview)]
    if health is not None:
        parts.append(health.html())
    if removals is not None:
        parts.append(section(*_removals_section(removals)))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def render_markdown(overview: Overview | None, title: str, chart_paths: dict[str, str],
                    health: HealthPage | None = None, removals: list[dict] | None = None) -> str:
    """Markdown referring to the chart files by their paths relative to the report."""
    def table(rows, columns, headings):
        lines = ["| " + " | ".join(headings) + " |", "|" + "---|" * len(headings)]
        lines += ["| " + " | ".join(str(row[c] or "").replace("|", "\\|") for c in columns)
                  + " |" for row in rows]
        return "\n".join(lines)

    def section(_anchor, heading, rows, columns, headings, _shown):
        return f"## {heading} ({len(rows)})\n\n" + table(rows, columns, headings)

    parts = [f"# {title}"]
    if overview is not None:
        parts.append(_summary(overview))
        for chart in overview.charts:
            parts.append(f"## {chart.caption}\n\n![{chart.caption}]({chart_paths[chart.slug]})")
        parts += [f"Not charted: {reason}." for reason in overview.missing]
        parts += [section(*rows) for rows in _sections(overview)]
    if health is not None:
        parts.append(health.markdown(chart_paths))
    if removals is not None:
        parts.append(section(*_removals_section(removals)))
    return "\n\n".join(parts) + "\n"


def write_overview(records: list[dict], path: Path, *, charts_dir: Path | None = None,
                   title: str = "Corpus overview",
                   threshold: float = CONTAINMENT_THRESHOLD,
                   health: HealthPage | None = None,
                   removals: list[dict] | None = None) -> Path:
    """Write the report: `.html` (self-contained) or `.md` (charts in `<stem>_charts/`).

    `charts_dir` also writes each chart there as `<slug>.png` (for an HTML report too).
    With `health` (`jiwei-overview --state`) the Site health section follows, and `removals`
    (rows of `read_removals`) adds the table of removed notices; without records the report is
    those sections alone.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    overview = build_overview(records, threshold=threshold) \
        if records or (health is None and removals is None) else None
    if path.suffix == ".md" and charts_dir is None:
        charts_dir = path.with_name(f"{path.stem}_charts")
    chart_paths = {}
    if charts_dir is not None:
        charts_dir.mkdir(parents=True, exist_ok=True)
        charts = (overview.charts if overview else []) + (health.charts if health else [])
        for chart in charts:
            chart_file = charts_dir / f"{chart.slug}.png"
            chart_file.write_bytes(chart.png)
            chart_paths[chart.slug] = Path(os.path.relpath(chart_file, path.parent)).as_posix()
    if path.suffix == ".md":
        text = render_markdown(overview, title, chart_paths, health, removals)
    elif path.suffix in (".html", ".htm"):
        text = render_html(overview, title, health, removals)
    else:
        raise ValueError(f"unknown report format: {path.suffix} (use .html or .md)")
    path.write_text(text, encoding="utf-8")
    logger.info("overview of %d notices%s written to %s", overview.notices if overview else 0,
                f" and {len(health.sites)} sites' health" if health else "", path)
    return path
