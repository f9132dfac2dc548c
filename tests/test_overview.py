"""The overview report: charts and tables of a generated corpus, as HTML and as Markdown."""

from __future__ import annotations

import base64
import html
import io
import logging
import re
import subprocess
import sys
from collections import Counter

import matplotlib
import matplotlib.image
import pytest
from matplotlib import font_manager

from pipelines.corpus import overview
from pipelines.corpus.overview import months_between, write_overview
from tests.conftest import REPO
from tests.corpus_factory import make_corpus, write_jsonl

CHARTS = ("provinces", "timeline", "per-site-month", "kinds", "units", "problem-counts",
          "hit-counts", "coverage")


@pytest.fixture(scope="module")
def corpus():
    return make_corpus(15, seed=2)


def png_shape(data: bytes) -> tuple[int, ...]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return matplotlib.image.imread(io.BytesIO(data), format="png").shape


def test_html_report_embeds_every_chart(tmp_path, corpus):
    page = write_overview(corpus.records, tmp_path / "overview.html").read_text(encoding="utf-8")
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(images) == len(CHARTS)
    for data in images:
        height, width, _ = png_shape(base64.b64decode(data))
        assert height > 100 and width > 100
    assert "Not charted" not in page


def test_html_report_counts_notices_per_site(tmp_path, corpus):
    page = write_overview(corpus.records, tmp_path / "overview.html").read_text(encoding="utf-8")
    per_site = Counter(r["site_id"] for r in corpus.records)
    names = {r["site_id"]: r["site_name"] for r in corpus.records}
    for site, count in per_site.items():
        province = next(r["region"]["province"] for r in corpus.records if r["site_id"] == site)
        assert (f"<td>{site}</td><td>{html.escape(names[site])}</td><td>{province}</td>"
                f"<td>{count}</td>") in page
    assert f"{len(corpus.records)} notices from {len(per_site)} sites" in page
    distinct = len(set(corpus.truth.values()))
    assert f"{distinct} distinct notices after grouping duplicates" in page


def test_markdown_report_links_chart_files(tmp_path, corpus):
    report = write_overview(corpus.records, tmp_path / "report" / "overview.md")
    text = report.read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert sorted(links) == sorted(f"overview_charts/{slug}.png" for slug in CHARTS)
    for link in links:
        png_shape((report.parent / link).read_bytes())


def test_missing_notice_fields_are_said_not_charted(tmp_path, corpus):
    bare = [{**r, "published_at": None,
             "notice": {**r["notice"], "kind": None, "problem_count": None}}
            for r in corpus.records]
    page = write_overview(bare, tmp_path / "bare.html").read_text(encoding="utf-8")
    # provinces, kinds (all unknown), units, hit counts and coverage
    assert page.count("data:image/png;base64,") == 5
    assert "Not charted: no notice has a publication date." in page
    assert "Not charted: no notice states a problem count." in page


def test_months_between_spans_year_ends():
    assert months_between("2021-11", "2022-02") == ["2021-11", "2021-12", "2022-01", "2022-02"]
    assert months_between("2022-03", "2022-03") == ["2022-03"]


def test_overview_command_with_chart_files(tmp_path, corpus):
    write_jsonl(corpus.records, tmp_path / "crawl.jsonl")
    proc = subprocess.run([sys.executable, "-m", "pipelines.corpus", "overview", str(tmp_path),
                           "-o", str(tmp_path / "out" / "overview.html"),
                           "--charts-dir", str(tmp_path / "charts")],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "overview.html").exists()
    assert sorted(p.name for p in (tmp_path / "charts").iterdir()) == sorted(
        f"{slug}.png" for slug in CHARTS)


def test_a_missing_cjk_font_is_warned_about(monkeypatch, caplog):
    monkeypatch.setattr(overview, "CJK_FONTS", ("No Such CJK Font",))
    with caplog.at_level(logging.WARNING):
        assert overview.configure_cjk_font.__wrapped__() is None
    assert "no CJK font installed" in caplog.text and "fonts-noto-cjk" in caplog.text


def test_installed_cjk_font_is_configured():
    installed = {font.name for font in font_manager.fontManager.ttflist}
    expected = next((name for name in overview.CJK_FONTS if name in installed), None)
    assert overview.configure_cjk_font() == expected
    if expected:
        assert matplotlib.rcParams["font.sans-serif"][0] == expected
