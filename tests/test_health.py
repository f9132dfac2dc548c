"""Site health across runs: real crawls of a loopback site that changes between runs, alerts
POSTed to a loopback webhook receiver and mailed to a loopback SMTP server."""

from __future__ import annotations

import json
import re
import socket
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from scrapy.settings import Settings

import crawler.settings
from crawler.health import OK, Thresholds, run_checks
from pipelines.corpus.health import read_health
from tests.conftest import run_crawl
from tests.sitegen import build_site, serve, write_registry

PER_PAGE = 3
DATE_ON_LIST = re.compile(r"<span>\d{4}-\d{2}-\d{2}</span>")
DATE_ON_PAGE = re.compile(r" 日期：\d{4}-\d{2}-\d{2}")


class WebhookReceiver:
    """A loopback HTTP server recording the JSON bodies POSTed to it; the first `failures`
    POSTs answer HTTP 500, the others `answer`."""

    def __init__(self, failures: int = 0, answer: dict | None = None):
        self.posts: list[dict] = []
        self.attempts = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the http.server interface)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.attempts += 1
                if receiver.attempts <= failures:
                    self.send_response(500)
                    self.end_headers()
                    return
                receiver.posts.append(json.loads(body))
                text = json.dumps(answer or {}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            def log_message(self, format, *args):  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class ChangingSite:
    """A generated site (tests/sitegen.py) crawled run after run with one crawl state."""

    def __init__(self, tmp_path: Path, count: int, **settings: str):
        self.tmp_path = tmp_path
        self.server, self.root = serve(tmp_path, count=count, per_page=PER_PAGE)
        self.settings = {"NOTICES_REGISTRY_PATH": str(write_registry(tmp_path / "sites.toml",
                                                                     self.server)),
                         "NOTICES_STATE_PATH": str(tmp_path / "state" / "{site_id}.sqlite"),
                         "NOTICES_ALERT_RETRY_DELAY": "0.05", **settings}

    def crawl(self, *args: str):
        result = run_crawl(self.tmp_path, "notices", "sites=gen", *args, settings=self.settings)
        assert result.returncode == 0, result.log[-3000:]
        return result

    def publish(self, count: int, dates: bool = True) -> None:
        """The site now lists `count` notices; without `dates` its template shows none."""
        build_site(self.root, count=count, per_page=PER_PAGE)
        if not dates:
            for page in (self.root / "list").glob("*.html"):
                text = page.read_text(encoding="utf-8")
                page.write_text(DATE_ON_PAGE.sub("", DATE_ON_LIST.sub("", text)),
                                encoding="utf-8")

    @property
    def column(self) -> str:
        return self.server.base_urls["gen"] + "list/index.html"

    def route(self, **route) -> None:
        """From now on the site answers `route` (fixtures/server.py routes)."""
        self.server.sites[0].routes.insert(0, route)


@pytest.fixture
def receiver():
    made = WebhookReceiver()
    yield made
    made.stop()


@pytest.fixture
def site_factory(tmp_path):
    made = []

    def make(count: int = 6, **settings: str) -> ChangingSite:
        made.append(ChangingSite(tmp_path, count, **settings))
        return made[-1]

    yield make
    for site in made:
        site.server.stop()


def finding_lines(log: str) -> list[str]:
    return re.findall(r"(?:WARNING|ERROR): site gen: health check .*", log)


def test_template_change_alerts_once_and_recovery_is_sent_once(site_factory, receiver):
    """Dates vanish from the template: one alert on the run that meets it, none while it
    lasts, one recovery notice when the dates come back, nothing after."""
    site = site_factory(6, NOTICES_ALERT_WEBHOOK=receiver.url)
    first = site.crawl()
    assert len(first.records) == 6 and receiver.posts == []
    assert finding_lines(first.log) == []

    site.publish(9, dates=False)  # three new notices, none dated
    second = site.crawl()
    assert [r["published_at"] for r in second.records] == [None, None, None]
    assert finding_lines(second.log) == [
        "ERROR: site gen: health check coverage.date: date coverage fell from 100% to 0% of 3 "
        "notices"]
    assert second.stat("health/finding_count/coverage.date") == 1
    assert second.stat("health/alert_count") == 1
    [alert] = receiver.posts
    assert {key: alert[key] for key in ("kind", "site_id", "check", "level")} == {
        "kind": "alert", "site_id": "gen", "check": "coverage.date", "level": "ERROR"}
    assert alert["figures"] == {"coverage": 0.0, "usual": 1.0, "notices": 3, "drop": 0.5}
    report = json.loads(_latest_report(site.tmp_path))
    assert [(f["check"], f["level"]) for f in report["health"]] == [("coverage.date", "ERROR")]

    site.publish(12, dates=False)  # still undated: the finding stands, no second alert
    third = site.crawl()
    assert len(third.records) == 3
    assert len(finding_lines(third.log)) == 1
    assert len(receiver.posts) == 1

    site.publish(15)  # the dates are back
    fourth = site.crawl()
    assert all(r["published_at"] for r in fourth.records) and len(fourth.records) == 3
    assert finding_lines(fourth.log) == []
    assert len(receiver.posts) == 2
    recovery = receiver.posts[1]
    assert (recovery["kind"], recovery["check"], recovery["site_id"]) == (
        "recovery", "coverage.date", "gen")
    assert "date coverage fell from 100% to 0%" in recovery["message"]

    site.publish(18)
    site.crawl()
    assert len(receiver.posts) == 2


def _latest_report(folder: Path) -> str:
    return sorted(folder.glob("notices-*.report.json"),
                  key=lambda p: int(p.stem.split("-")[1].split(".")[0]))[-1].read_text()


def test_column_gone_is_an_error_in_dingtalk_markdown(site_factory):
    """The column answers 404: the column check and the found check alert, as DingTalk robot
    markdown messages."""
    robot = WebhookReceiver(answer={"errcode": 0, "errmsg": "ok"})
    try:
        site = site_factory(6, NOTICES_ALERT_WEBHOOK=robot.url,
                            NOTICES_ALERT_FORMAT="dingtalk-markdown")
        site.crawl()
        (site.root / "list" / "index.html").unlink()
        second = site.crawl()
        assert finding_lines(second.log) == [
            "ERROR: site gen: health check found: no notice links on the columns' first pages "
            "(usually 3)",
            f"ERROR: site gen: health check column: column moved: {site.column} answers "
            "HTTP 404"]
        assert [post["msgtype"] for post in robot.posts] == ["markdown", "markdown"]
        titles = sorted(post["markdown"]["title"] for post in robot.posts)
        assert titles == ["jiwei-notices: site gen column ERROR",
                          "jiwei-notices: site gen found ERROR"]
        assert all(post["markdown"]["text"].startswith("### jiwei-notices: site gen")
                   for post in robot.posts)
        assert second.stat("health/webhook_sent_count") == 2
    finally:
        robot.stop()


def test_column_redirected_to_the_home_page_in_wecom_text(site_factory):
    robot = WebhookReceiver(answer={"errcode": 0, "errmsg": "ok"})
    try:
        site = site_factory(6, NOTICES_ALERT_WEBHOOK=robot.url, NOTICES_ALERT_FORMAT="wecom-text")
        site.crawl()
        (site.root / "index.html").write_text(
            '<html><head><meta charset="utf-8"><title>县纪委监委</title></head><body>'
            '<a href="/list/index.html">巡察整改</a></body></html>', encoding="utf-8")
        site.route(path="/list/index.html", handler="redirect", location="/")
        second = site.crawl()
        home = site.server.base_urls["gen"]
        assert (f"ERROR: site gen: health check column: column moved: {site.column} redirects "
                f"to {home} (the home page)") in finding_lines(second.log)
        contents = [post["text"]["content"] for post in robot.posts
                    if post["msgtype"] == "text"]
        assert any(c.startswith("jiwei-notices: site gen column ERROR\n") for c in contents)
    finally:
        robot.stop()


def test_column_answering_a_soft_404(site_factory):
    site = site_factory(6)
    site.crawl()
    (site.root / "list" / "index.html").write_text(
        '<html><head><meta charset="utf-8"><title>提示</title></head><body>'
        "<p>您访问的页面不存在或已被删除</p></body></html>", encoding="utf-8")
    second = site.crawl()
    assert (f"ERROR: site gen: health check column: column moved: {site.column} answers a "
            "soft 404") in finding_lines(second.log)


def test_a_crawl_that_does_not_finish_records_no_health(site_factory):
    """Closed after one page, its figures would be partial: nothing is recorded, so the next
    complete run is judged against the first."""
    site = site_factory(6)
    site.crawl()
    site.publish(9, dates=False)
    cut = run_crawl(site.tmp_path, "notices", "sites=gen",
                    settings={**site.settings, "CLOSESPIDER_PAGECOUNT": "1"})
    assert "site health not recorded: the crawl ended with 'closespider_pagecount'" in cut.log
    assert cut.stat("health/finding_count") == 0
    assert json.loads(_latest_report(site.tmp_path))["health"] == []
    runs, _ = read_health(site.tmp_path / "state" / "gen.sqlite")
    assert len(runs) == 1
    assert "health check coverage.date" in "\n".join(finding_lines(site.crawl().log))


def test_new_anti_bot_block(site_factory, receiver):
    site = site_factory(6, NOTICES_ALERT_WEBHOOK=receiver.url)
    site.crawl()
    site.route(path_prefix="/list/", handler="challenge")
    second = site.crawl()
    assert ("ERROR: site gen: health check blocked: anti-bot block (1 challenge answers; "
            "earlier runs passed)") in finding_lines(second.log)
    assert "blocked" in {post["check"] for post in receiver.posts}


def test_list_walk_ending_early(site_factory):
    """Run 1 walks the column's 3 list pages to the end; on run 2 its second page has no
    notice links, so the walk stops there."""
    site = site_factory(9)
    site.crawl()
    page = site.root / "list" / "index_1.html"
    page.write_text(re.sub(r"<li>.*?</li>", "", page.read_text(encoding="utf-8")),
                    encoding="utf-8")
    second = site.crawl()
    assert ("ERROR: site gen: health check walk: 1 of 1 column walks ended early (usually 0; "
            "cut: no_links=1)") in finding_lines(second.log)


def test_failing_webhook_is_retried_and_never_fails_the_crawl(site_factory):
    down = WebhookReceiver(failures=100)
    try:
        site = site_factory(6, NOTICES_ALERT_WEBHOOK=down.url, NOTICES_ALERT_RETRIES="2")
        site.crawl()
        site.publish(9, dates=False)
        second = site.crawl()  # asserts exit status 0
        assert len(second.records) == 3
        assert down.attempts == 3 and down.posts == []
        assert len(re.findall(r"WARNING: health alert webhook attempt \d failed", second.log)) == 2
        assert ("ERROR: health alert for site gen (coverage.date) not delivered to the webhook "
                "after 3 attempts: HTTP Error 500") in second.log
        assert second.stat("health/webhook_failed_count") == 1
    finally:
        down.stop()


def test_an_alert_the_webhook_did_not_take_is_sent_by_the_next_run(site_factory):
    """The webhook is down through the run that meets the finding (no retries): the next run,
    the finding still open, sends that alert once; the run after sends nothing."""
    down_once = WebhookReceiver(failures=1)
    try:
        site = site_factory(6, NOTICES_ALERT_WEBHOOK=down_once.url, NOTICES_ALERT_RETRIES="0")
        site.crawl()
        site.publish(9, dates=False)
        second = site.crawl()
        assert down_once.attempts == 1 and down_once.posts == []
        assert second.stat("health/webhook_failed_count") == 1
        site.publish(12, dates=False)  # still undated: no new alert, the kept one goes out
        third = site.crawl()
        [alert] = down_once.posts
        assert (alert["kind"], alert["check"]) == ("alert", "coverage.date")
        assert "date coverage fell from 100% to 0%" in alert["message"]
        assert third.stat("health/alert_resent_count") == 1
        assert third.stat("health/alert_count") == 0  # no new alert: the resent one only
        assert "sending again 1 health alerts an earlier run could not deliver" in third.log
        site.publish(15, dates=False)
        site.crawl()
        assert len(down_once.posts) == 1
    finally:
        down_once.stop()


def test_flaky_webhook_delivers_on_a_retry(site_factory):
    flaky = WebhookReceiver(failures=1)
    try:
        site = site_factory(6, NOTICES_ALERT_WEBHOOK=flaky.url)
        site.crawl()
        site.publish(9, dates=False)
        second = site.crawl()
        assert flaky.attempts == 2 and [p["check"] for p in flaky.posts] == ["coverage.date"]
        assert second.stat("health/webhook_sent_count") == 1
        assert second.stat("health/webhook_failed_count") == 0
    finally:
        flaky.stop()


class Mailbox:
    """aiosmtpd handler keeping what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd interface)
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def test_alert_by_mail_through_a_loopback_smtp_server(site_factory):
    mailbox = Mailbox()
    with socket.socket() as probe:  # a free port (aiosmtpd's Controller needs one named)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(mailbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        site = site_factory(6, MAIL_HOST="127.0.0.1", MAIL_PORT=str(port),
                            MAIL_FROM="crawler@example.org",
                            NOTICES_ALERT_MAIL_TO="ops@example.org")
        site.crawl()
        site.publish(9, dates=False)
        second = site.crawl()
        assert second.stat("health/mail_sent_count") == 1
        [(recipients, message)] = mailbox.messages
        assert recipients == ["ops@example.org"]
        assert "Subject: jiwei-notices: site gen coverage.date ERROR" in message
    finally:
        smtp.stop()


def test_without_crawl_state_health_is_off(tmp_path, site_factory):
    site = site_factory(3)
    result = run_crawl(tmp_path, "notices", "sites=gen",
                       settings={"NOTICES_REGISTRY_PATH": site.settings["NOTICES_REGISTRY_PATH"]})
    assert result.returncode == 0 and len(result.records) == 3
    assert "crawler.extensions.health.SiteHealth" not in result.log


# --- the checks alone, on health records -------------------------------------------------

def project_settings() -> Settings:
    settings = Settings()
    settings.setmodule(crawler.settings)
    return settings


DEFAULTS = Thresholds.from_settings(project_settings())  # the thresholds a user gets


def record(**fields) -> dict:
    """A health record of a healthy run of one column (crawler/health.py), `fields` changed."""
    base = {"first_page_listed": 20, "emitted": 10, "list_pages": 5, "body_length": 800,
            "walks": {"columns": 1, "ended": 1, "stopped": 0, "cut": {}},
            "coverage": dict.fromkeys(("title", "date", "source", "hit_count", "body", "kind"),
                                      1.0),
            "errors": {"challenge": 0}, "blocked": False,
            "columns": {"http://x/list/": {"outcome": "ok", "status": 200,
                                           "url": "http://x/list/"}}}
    return {**base, **fields}


def failing(run: dict, history: list[dict], **limits) -> dict:
    answers = run_checks("x", run, history, replace(DEFAULTS, **limits))
    return {name: answer.message for name, answer in answers.items()
            if answer not in (OK, None)}


def test_found_below_a_share_of_the_usual():
    history = [record(first_page_listed=20), record(first_page_listed=18)]
    assert failing(record(first_page_listed=10), history) == {}  # 10 of a usual 19: not below half
    assert failing(record(first_page_listed=9), history) == {
        "found": "9 notice links on the columns' first pages, below 50% of the usual 19"}
    assert failing(record(first_page_listed=12), history, found_share=0.7) == {
        "found": "12 notice links on the columns' first pages, below 70% of the usual 19"}


def test_the_usual_leaves_out_runs_where_the_check_failed():
    broken = record(coverage={**record()["coverage"], "date": 0.0}, failing=["coverage.date"])
    answers = run_checks("x", record(coverage=broken["coverage"]), [broken, record()],
                         DEFAULTS)
    assert answers["coverage.date"].figures["usual"] == 1.0


def test_coverage_is_not_judged_on_too_few_notices():
    run = record(emitted=1, coverage={**record()["coverage"], "source": 0.0})
    assert run_checks("x", run, [record()], DEFAULTS)["coverage.source"] is None
    assert "coverage.source" in failing(run, [record()], min_notices=1)


def test_a_site_blocked_on_every_run_is_not_news():
    blocked = record(blocked=True, errors={"challenge": 1})
    assert run_checks("x", blocked, [blocked, blocked], DEFAULTS)["blocked"] is None
    assert "blocked" in failing(blocked, [record()])


def test_a_walk_reaching_its_end_much_sooner():
    assert failing(record(list_pages=2), [record(list_pages=5)]) == {
        "walk": "the list ended after 2 pages, below 50% of the 5 of the last walk to its end"}
    stopped = record(list_pages=1, walks={"columns": 1, "ended": 0, "stopped": 1, "cut": {}})
    assert failing(stopped, [record(list_pages=5)]) == {}  # known notices end a re-crawl
