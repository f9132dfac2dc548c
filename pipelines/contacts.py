"""Contact details printed in a notice: phone numbers, e-mail addresses, postal mailboxes.

Every value is returned exactly as printed (``0563—5035580`` keeps its dash), in order of
first appearance, without duplicates.

- Phones: landlines with an area code (``0371—23399567``, ``0558-6021357``, ``(0563)5035580``),
  mobiles (``13912345678``), and short service numbers such as ``12388`` — the latter only
  right after a phone label (``举报电话：12388``, ``拨打12388``), because bodies also mention
  hotlines they do not offer as contacts (``12319城市管理服务热线``).
- E-mails: ``name@host.tld``. Digits inside an address are never read as a phone.
- Mailboxes: the value after a postal label (``来信地址：``, ``邮政信箱：``, ``来信请寄``),
  up to the next clause mark. ``电子信箱：`` is an e-mail label, not a postal one.
"""

from __future__ import annotations

import re

from pipelines.scan import offsets

# Qualifiers such as 举报/联系 before 电话 need no matching: the label's last word suffices.
PHONE_LABEL_PATTERN = r"(?:电话|热线|拨打)"
POSTAL_LABELS = (
    "来信地址",
    "通信地址",
    "通讯地址",
    "邮寄地址",
    "信件地址",
    "邮政信箱",
    "来信请寄",
    "来信寄至",
    "信函请寄",
    "写信至",
)
NOT_POSTAL_PREFIXES = ("电子", "网络", "网上")

# "No digit before the number" is checked on each match (`_after_non_digit`) instead of by
# a leading lookbehind, which would keep the regex engine from skipping ahead.
LANDLINE_PATTERN = re.compile(
    r"(?:[（(]0\d{2,3}[）)]\s?|0\d{2,3}\s?(?:[-—–－‐]{1,2}\s?)?)[2-9]\d{6,7}(?!\d)"
)
MOBILE_PATTERN = re.compile(r"1[3-9]\d{9}(?!\d)")
SERVICE_NUMBER_PATTERN = re.compile(
    PHONE_LABEL_PATTERN + r"[：:\s为是]{0,2}(?P<number>1\d{4})(?!\d)"
)
EMAIL_LOCAL_PATTERN = re.compile(r"[A-Za-z0-9._%+-]{1,64}\Z")
EMAIL_DOMAIN_PATTERN = re.compile(
    r"[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,6}\.[A-Za-z]{2,24}"
)
EMAIL_AT_PATTERN = re.compile(r"(?<=[A-Za-z0-9._%+-])@(?=[A-Za-z0-9-]{1,63}\.[A-Za-z0-9])")
EMAIL_LOCAL_WINDOW = 64
EMAIL_DOMAIN_WINDOW = 260
POSTAL_PATTERN = re.compile(
    "(?P<label>" + "|".join(POSTAL_LABELS) + r")[：:]?\s?(?P<value>[^；;。，,\n]{2,80})"
)


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def find_emails(text: str) -> list[tuple[int, int, str]]:
    """E-mail addresses as ``(start, end, address)``.

    Searches only around an ``@`` with an address character on each side, so that long
    texts without addresses stay linear-time.
    """
    found: list[tuple[int, int, str]] = []
    previous_end = 0
    for position in offsets(text, "@"):
        if position < previous_end or not EMAIL_AT_PATTERN.match(text, position):
            continue
        window_start = max(previous_end, position - EMAIL_LOCAL_WINDOW)
        local = EMAIL_LOCAL_PATTERN.search(text, window_start, position)
        domain = EMAIL_DOMAIN_PATTERN.match(text, position + 1, position + 1 + EMAIL_DOMAIN_WINDOW)
        if local and domain and not local.group().startswith("."):
            found.append((local.start(), domain.end(), text[local.start() : domain.end()]))
            previous_end = domain.end()
    return found


def find_phones(text: str, emails: list[tuple[int, int, str]] | None = None) -> list[str]:
    """Phone numbers as printed, in order. E-mail addresses (``emails``, found in ``text``
    when not given) are skipped."""
    pieces, previous_end = [], 0
    for start, end, _ in find_emails(text) if emails is None else emails:
        pieces += [text[previous_end:start], " " * (end - start)]
        previous_end = end
    masked = "".join(pieces) + text[previous_end:]
    hits: list[tuple[int, str]] = []
    for matches in (LANDLINE_PATTERN.finditer(masked), MOBILE_PATTERN.finditer(masked)):
        hits += [(m.start(), m.group()) for m in matches if _after_non_digit(masked, m.start())]
    hits += [(m.start("number"), m["number"]) for m in SERVICE_NUMBER_PATTERN.finditer(masked)]
    return _unique([number.strip() for _, number in sorted(hits)])


def _after_non_digit(text: str, start: int) -> bool:
    return start == 0 or not text[start - 1].isdigit()


def find_mailboxes(text: str) -> list[str]:
    """Postal addresses or mailboxes after a postal label, as printed."""
    values = []
    for match in POSTAL_PATTERN.finditer(text):
        if text[max(0, match.start() - 2) : match.start()] in NOT_POSTAL_PREFIXES:
            continue
        value = match.group("value").strip()
        if "@" in value or "http" in value.lower():
            continue
        values.append(value)
    return _unique(values)


def extract_contacts(text: str) -> dict:
    """``{"phones": [...], "emails": [...], "mailboxes": [...]}`` found in ``text``."""
    emails = find_emails(text)
    return {
        "phones": find_phones(text, emails),
        "emails": _unique([address for _, _, address in emails]),
        "mailboxes": find_mailboxes(text),
    }
