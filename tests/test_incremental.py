"""Re-crawls against the crawl state: only new notice pages are fetched, changes are revisions."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from crawler.registry import load_registry
from crawler.state import CrawlState, Known
from tests.conftest import FIXTURE_REGISTRY, fixture_settings, run_crawl
from tests.sitegen import build_site, notice_path, serve, write_notice


@pytest.fixture
def site(tmp_path):
    server, root = serve(tmp_path, count=12, per_page=4)
    yield server, root
    server.stop()


def crawl(tmp_path, server, *args, seen_run=3):
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    start = server.base_urls["gen"] + "list/index.html"
    return run_crawl(out, "notices", f"start_url={start}", *args,
                     settings={"NOTICES_STATE_PATH": str(tmp_path / "state" / "{site_id}.sqlite"),
                               "NOTICES_SEEN_RUN": str(seen_run)})


def site_id_of(server) -> str:
    """A start-URL crawl's site id: the host and the port (`127.0.0.1_PORT`)."""
    return "127.0.0.1_" + server.base_urls["gen"].rstrip("/").rsplit(":", 1)[1]


def notice_fetches(server) -> int:
    return sum(server.request_count("gen", notice_path(n)) for n in range(1, 40))


def test_unchanged_site_fetches_no_notice_page_again(site, tmp_path):
    server, _ = site
    first = crawl(tmp_path, server)
    assert first.returncode == 0 and len(first.records) == 12
    assert {r["change"] for r in first.records} == {"new"}
    assert {r["revision"] for r in first.records} == {0}
    assert notice_fetches(server) == 12

    second = crawl(tmp_path, server)
    assert second.returncode == 0
    assert second.records == []
    assert notice_fetches(server) == 12
    # 4 known notices on the first list page pass NOTICES_SEEN_RUN=3: page 2 is not read
    assert server.request_count("gen", "/list/index_1.html") == 1
    assert second.stat(f"notices/list_walk_stopped_count/{site_id_of(server)}") == 1


def test_new_notice_alone_is_fetched(site, tmp_path):
    server, root = site
    crawl(tmp_path, server)
    build_site(root, count=13, per_page=4)
    second = crawl(tmp_path, server)
    assert [(r["url"].split("/")[-1], r["change"]) for r in second.records] == [
        ("n013.html", "new")]
    assert notice_fetches(server) == 13


def test_changed_notice_is_a_revision_in_a_full_crawl(site, tmp_path):
    server, root = site
    first = crawl(tmp_path, server)
    write_notice(root, 7, body="整改情况已更新：第7巡察组反馈的问题全部整改到位。")
    second = crawl(tmp_path, server, "full=1")
    [revised] = second.records
    assert revised["url"].endswith("/n007.html")
    assert (revised["change"], revised["revision"]) == ("revised", 1)
    [before] = [r for r in first.records if r["url"] == revised["url"]]
    assert revised["content_sha1"] != before["content_sha1"]
    assert notice_fetches(server) == 24
    assert second.stat(f"notices/unchanged_count/{site_id_of(server)}") == 11

    write_notice(root, 7, body="整改情况再次更新。")
    third = crawl(tmp_path, server, "full=1")
    assert [(r["change"], r["revision"]) for r in third.records] == [("revised", 2)]


def test_refresh_hits_emits_new_readings(site, tmp_path):
    server, root = site
    first = crawl(tmp_path, server)
    build_site(root, count=12, per_page=4, hits=250)
    second = crawl(tmp_path, server, "refresh_hits=1")
    assert len(second.records) == 12
    assert {r["change"] for r in second.records} == {"hit_reading"}
    assert {r["hit_count"] for r in first.records} == {100}
    assert {r["hit_count"] for r in second.records} == {250}
    assert all(r["hit_count_observed_at"] for r in second.records)


def test_known_notices_are_skipped_on_every_list_page(site, tmp_path):
    server, _ = site
    first = crawl(tmp_path, server, "max_pages=1")
    assert len(first.records) == 4
    second = crawl(tmp_path, server, seen_run=99)
    assert len(second.records) == 8
    assert notice_fetches(server) == 12


WALK_SITES = ("jingxian", "longting", "hanweb_demo", "trs_demo", "vsb_demo", "phpcms_demo",
              "empirecms_demo", "ajax_demo", "unknown_markup")


def walked_lists(state_dir, site_id) -> set[str]:
    with sqlite3.connect(state_dir / f"{site_id}.sqlite") as db:
        return {url for (url,) in db.execute("SELECT list_url FROM walk")}


def test_every_platform_records_its_list_walks_complete(fixture_server, tmp_path):
    state_dir = tmp_path / "state"
    result = run_crawl(tmp_path, "notices", "sites=" + ",".join(WALK_SITES),
                       settings={**fixture_settings(fixture_server),
                                 "NOTICES_STATE_PATH": str(state_dir / "{site_id}.sqlite")})
    assert result.returncode == 0
    registry = load_registry(FIXTURE_REGISTRY)
    for site_id in WALK_SITES:
        base = fixture_server.base_urls[site_id]
        columns = {column.url.replace(registry[site_id].base_url, base)
                   for column in registry[site_id].columns}
        assert walked_lists(state_dir, site_id) == columns, site_id


def test_dedecms_recrawl_stops_early_once_its_walk_ended(fixture_server, tmp_path):
    """jingxian's last list page links back to list_12_1.html; its first page lists 3."""
    def crawl_jingxian():
        return run_crawl(tmp_path, "notices", "sites=jingxian", settings={
            **fixture_settings(fixture_server), "NOTICES_SEEN_RUN": "3",
            "NOTICES_STATE_PATH": str(tmp_path / "state" / "{site_id}.sqlite")})

    def page_two_fetches():
        return fixture_server.request_count("jingxian", "/a/xcgz/list_12_2.html")

    before = page_two_fetches()
    first = crawl_jingxian()
    assert first.returncode == 0 and len(first.records) == 5
    assert page_two_fetches() == before + 1
    second = crawl_jingxian()
    assert second.returncode == 0 and second.records == []
    assert second.stat("notices/list_walk_stopped_count/jingxian") == 1
    assert page_two_fetches() == before + 1


def test_dedecms_link_back_to_page_one_is_not_a_page_past_the_limit(fixture_server, tmp_path):
    """jingxian has 2 list pages: max_pages=2 reads them all, with no page-limit error."""
    result = run_crawl(tmp_path, "notices", "sites=jingxian", "max_pages=2",
                       settings=fixture_settings(fixture_server))
    assert result.returncode == 0 and len(result.records) == 5
    assert result.stat("notices/page_limit_count") == 0
    assert " ERROR: " not in result.log


_KILLED_RUN = """
import sys, time
from crawler.state import CrawlState, Known
state = CrawlState(sys.argv[1], "a" * 32)
for n in range(3):
    state.stage("gen", f"http://gen.invalid/{n}.html", f"sha{n}", 0)
state.commit()
state.stage("gen", "http://gen.invalid/late.html", "sha-late", 0)  # never committed
print("committed", flush=True)
time.sleep(60)
"""


def test_a_commit_outlives_the_process_killed_after_it(tmp_path):
    """State files are written without a sync per write; what `commit()` made known survives
    a SIGKILL right after it, and what was only staged is gone."""
    template = str(tmp_path / "{site_id}.sqlite")
    run = subprocess.Popen([sys.executable, "-c", _KILLED_RUN, template],
                           stdout=subprocess.PIPE, text=True)
    try:
        assert run.stdout.readline().strip() == "committed"
    finally:
        run.kill()
        run.wait()
    state = CrawlState(template, "b" * 32)
    assert [state.known("gen", f"http://gen.invalid/{n}.html") for n in range(3)] == [
        Known(f"sha{n}", 0) for n in range(3)]
    assert state.known("gen", "http://gen.invalid/late.html") is None
    state.close()
