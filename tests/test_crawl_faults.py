"""A crawl meets broken pages and bad answers: each is logged and counted, the rest goes on."""

from __future__ import annotations

import pytest

from tests.conftest import run_crawl


@pytest.fixture(scope="module")
def faults_crawl(behaviours_server, tmp_path_factory):
    start = behaviours_server.base_urls["behaviours"] + "list.html"
    return run_crawl(tmp_path_factory.mktemp("faults"), "notices", f"start_url={start}")


def test_good_notices_survive(faults_crawl):
    titles = sorted(r["title"] for r in faults_crawl.records)
    assert titles == sorted(["县委巡察组反馈会召开", "巡察整改推进会", "关于巡察整改情况的通报"])


def test_traditional_header_and_counter(faults_crawl):
    [good] = [r for r in faults_crawl.records if r["url"].endswith("/good.html")]
    assert good["source"] == "本站"
    assert good["published_at"] == "2020-12-31T14:29:32+08:00"
    assert good["hit_count"] == 1206  # PHPCMS: `$('#hits').html('1206')` among other calls
    assert good["hit_count_observed_at"].endswith("+00:00")
    assert good["attachments"] == [{"url": good["url"].replace("good.html", "files/report.pdf"),
                                    "name": "整改报告.pdf", "media_type": "application/pdf"}]


def test_one_time_503_is_retried(faults_crawl):
    [flaky] = [r for r in faults_crawl.records if r["url"].endswith("/flaky.html")]
    assert flaky["published_at"] == "2022-05-05T10:20:00+08:00"
    assert faults_crawl.stat("retry/count") >= 1


def test_broken_counter_keeps_the_notice(faults_crawl):
    [record] = [r for r in faults_crawl.records if r["url"].endswith("/badcounter.html")]
    assert record["hit_count"] is None and record["hit_count_observed_at"] is None
    assert faults_crawl.stat("notices/hit_counter_failed_count") == 1
    assert "hit counter http://127.0.0.1:" in faults_crawl.log


def test_missing_page_is_an_error_naming_the_url(faults_crawl):
    assert "request failed: http://127.0.0.1:" in faults_crawl.log
    assert "/gone.html (HTTP 404)" in faults_crawl.log
    assert faults_crawl.stat("notices/request_failed_count") == 1


def test_attachment_and_offsite_links_are_not_followed(faults_crawl):
    assert faults_crawl.stat("notices/attachment_link_count") == 1
    assert faults_crawl.stat("notices/offsite_link_count") == 1
    # Named in the list page's line of links not followed, and nowhere else (never requested).
    mentions = [line for line in faults_crawl.log.splitlines() if "127.0.0.2" in line]
    assert len(mentions) == 1
    assert "attachment (1): http://127.0.0.1:" in mentions[0]
    assert "offsite (1): http://127.0.0.2:9/elsewhere.html" in mentions[0]


def test_invalid_record_is_dropped_with_an_error(behaviours_server, tmp_path):
    start = behaviours_server.base_urls["behaviours"] + "notitle.html"
    result = run_crawl(tmp_path, "notices", f"start_url={start}")
    assert result.records == []
    assert "ERROR" in result.log and f"invalid record {start}: title:" in result.log
    assert result.stat("notices/invalid_count/title") == 1


def test_bad_arguments_fail_clearly(tmp_path):
    result = run_crawl(tmp_path, "notices", "since=yesterday", "start_url=http://127.0.0.1:9/")
    assert result.returncode != 0
    assert "since must be YYYY-MM-DD, got 'yesterday'" in result.log
    result = run_crawl(tmp_path, "notices", "sites=nowhere")
    assert "unknown site id(s) nowhere" in result.log


def test_loopback_only_refuses_other_hosts(tmp_path):
    result = run_crawl(tmp_path, "notices", "start_url=http://192.0.2.1/xcgz/index.html")
    assert result.records == []
    assert "refused http://192.0.2.1/xcgz/index.html: NOTICES_LOOPBACK_ONLY" in result.log
    assert result.stat("notices/non_loopback_refused_count") == 1


def test_user_agent_names_the_contact_url(behaviours_server, tmp_path):
    start = behaviours_server.base_urls["behaviours"] + "good.html"
    before = behaviours_server.user_agents.copy()
    run_crawl(tmp_path, "notices", f"start_url={start}",
              settings={"NOTICES_CONTACT_URL": "https://example.org/contact"})
    assert behaviours_server.user_agents - before == {
        "jiwei-notices/0.1 (+https://example.org/contact)"}


def test_user_agent_set_by_hand_wins(behaviours_server, tmp_path):
    start = behaviours_server.base_urls["behaviours"] + "good.html"
    before = behaviours_server.user_agents.copy()
    run_crawl(tmp_path, "notices", f"start_url={start}", settings={"USER_AGENT": "MyLab/1.0"})
    assert behaviours_server.user_agents - before == {"MyLab/1.0"}
