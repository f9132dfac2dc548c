"""Alerts of site health: a webhook POST (generic JSON, DingTalk or WeCom robot) and e-mail.

`NOTICES_ALERT_WEBHOOK` receives one JSON POST per alert or recovery, in the format
`NOTICES_ALERT_FORMAT` names (FORMATS). A POST that fails (no connection, an HTTP error, a
robot answering a non-zero `errcode`) is tried again up to `NOTICES_ALERT_RETRIES` times,
`NOTICES_ALERT_RETRY_DELAY` seconds apart (doubled each time), then logged as an ERROR and kept
for the site's next run to send again; it never fails the crawl. Posts run in a thread of the
reactor's pool, outside the downloader (no site's politeness slot is used). With
`NOTICES_ALERT_MAIL_TO` set, each alert also goes by e-mail through Scrapy's `MailSender`
(MAIL_HOST, MAIL_PORT, MAIL_FROM, MAIL_USER, MAIL_PASS).
"""

from __future__ import annotations

import json
import logging
import time
import urllib.request
from dataclasses import asdict, dataclass

from twisted.internet.defer import DeferredList, succeed
from twisted.internet.threads import deferToThread

logger = logging.getLogger(__name__)

FORMATS = ("json", "dingtalk-markdown", "dingtalk-text", "wecom-markdown", "wecom-text")


@dataclass(frozen=True)
class Alert:
    """One message: a finding newly seen (`alert`) or a check passing again (`recovery`)."""

    kind: str  # alert or recovery
    site_id: str
    check: str
    level: str  # WARNING or ERROR (INFO for a recovery)
    message: str
    figures: dict
    run_id: str
    at: str

    @property
    def title(self) -> str:
        what = "recovered" if self.kind == "recovery" else self.level
        return f"jiwei-notices: site {self.site_id} {self.check} {what}"

    @property
    def text(self) -> str:
        return f"site {self.site_id}, check {self.check}: {self.message} (run {self.run_id})"


def webhook_body(alert: Alert, fmt: str) -> dict:
    """The JSON body of the POST in format `fmt` (one of FORMATS)."""
    if fmt == "json":
        return asdict(alert)
    robot, message_type = fmt.split("-")
    if message_type == "text":
        return {"msgtype": "text", "text": {"content": f"{alert.title}\n{alert.text}"}}
    markdown = f"### {alert.title}\n\n{alert.text}"
    if robot == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": alert.title, "text": markdown}}
    return {"msgtype": "markdown", "markdown": {"content": markdown}}


class AlertSender:
    """Sends alerts to the webhook and by mail; `send` returns a Deferred that never fails."""

    def __init__(self, crawler, webhook: str | None, fmt: str, retries: int, delay: float,
                 timeout: float, mail_to: list[str]):
        if fmt not in FORMATS:
            raise ValueError(f"NOTICES_ALERT_FORMAT must be one of {', '.join(FORMATS)}, "
                             f"not {fmt!r}")
        self.stats = crawler.stats
        self.webhook, self.fmt = webhook, fmt
        self.retries, self.delay, self.timeout = retries, delay, timeout
        self.user_agent = crawler.settings.get("USER_AGENT")
        self.mail_to = mail_to
        self.mailer = None
        if mail_to:
            from scrapy.mail import MailSender  # imported only when used: deprecated in 2.19

            self.mailer = MailSender.from_crawler(crawler)

    @classmethod
    def from_crawler(cls, crawler) -> AlertSender:
        settings = crawler.settings
        return cls(crawler, settings.get("NOTICES_ALERT_WEBHOOK"),
                   settings.get("NOTICES_ALERT_FORMAT"), settings.getint("NOTICES_ALERT_RETRIES"),
                   settings.getfloat("NOTICES_ALERT_RETRY_DELAY"),
                   settings.getfloat("NOTICES_ALERT_TIMEOUT"),
                   settings.getlist("NOTICES_ALERT_MAIL_TO"))

    def send(self, alerts: list[Alert], mailed: list[Alert] | None = None):
        """Posts `alerts` and mails `mailed` (default: the same); fires with whether each alert
        reached the webhook (True for all without one)."""
        posted = (deferToThread(self._post_all, alerts).addCallback(self._count)
                  if self.webhook and alerts else succeed([True] * len(alerts)))
        sends = [posted]
        for alert in (alerts if mailed is None else mailed) if self.mailer else ():
            sent = self.mailer.send(self.mail_to, alert.title, alert.text, charset="utf-8")
            if sent is not None:  # None: MAIL_DEBUG, logged instead of sent
                sends.append(sent.addCallbacks(
                    lambda _: self.stats.inc_value("health/mail_sent_count"), self._mail_failed))
        return DeferredList(sends, consumeErrors=True).addCallback(
            lambda results: results[0][1] if results[0][0] else [False] * len(alerts))

    def _count(self, delivered: list[bool]) -> list[bool]:
        self.stats.inc_value("health/webhook_sent_count", sum(delivered))
        self.stats.inc_value("health/webhook_failed_count", len(delivered) - sum(delivered))
        return delivered

    def _mail_failed(self, failure) -> None:
        logger.error("health alert mail to %s failed: %s", ", ".join(self.mail_to),
                     failure.getErrorMessage())
        self.stats.inc_value("health/mail_failed_count")

    def _post_all(self, alerts: list[Alert]) -> list[bool]:
        """(In a pool thread.) Whether each alert was delivered."""
        return [self._post(alert) for alert in alerts]

    def _post(self, alert: Alert) -> bool:
        body = json.dumps(webhook_body(alert, self.fmt), ensure_ascii=False).encode("utf-8")
        delay = self.delay
        for attempt in range(1, self.retries + 2):
            try:
                self._post_once(body)
                return True
            except (OSError, ValueError) as error:
                if attempt > self.retries:
                    logger.error("health alert for site %s (%s) not delivered to the webhook "
                                 "after %d attempts: %s", alert.site_id, alert.check, attempt,
                                 error)
                    return False
                logger.warning("health alert webhook attempt %d failed (%s); trying again in "
                               "%gs", attempt, error, delay)
                time.sleep(delay)
                delay *= 2
        return False

    def _post_once(self, body: bytes) -> None:
        """One POST; raises OSError (HTTP and connection errors) or ValueError (a robot's
        non-zero errcode)."""
        request = urllib.request.Request(self.webhook, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "User-Agent": self.user_agent})
        with urllib.request.urlopen(request, timeout=self.timeout) as answer:
            text = answer.read(65536)
        if self.fmt != "json":  # DingTalk and WeCom answer 200 with an errcode
            try:
                errcode = json.loads(text).get("errcode", 0)
            except (json.JSONDecodeError, AttributeError):
                raise ValueError(f"the robot answered no JSON: {text[:100]!r}") from None
            if errcode:
                raise ValueError(f"the robot answered errcode {errcode}: {text[:200]!r}")
