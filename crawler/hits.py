"""Hit counters: finding a page's counter request and reading the count from its answer."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

# Counter scripts that display a count, with query fields they need to display (not only count).
COUNTER_SCRIPTS: tuple[tuple[re.Pattern[str], dict[str, str]], ...] = (
    (re.compile(r"/plus/count\.php\?", re.I), {"view": "yes"}),          # DedeCMS
    (re.compile(r"/api\.php\?(?:.*&)?op=count", re.I), {}),               # PHPCMS v9
    (re.compile(r"/e/public/ViewClick/", re.I), {}),                      # 帝国CMS
    (re.compile(r"/module/visitcount/articlehits\.jsp", re.I), {}),       # Hanweb
    (re.compile(r"/system/resource/code/news/click/dynclicks\.jsp", re.I), {}),  # VSB
)
# VSB prints the counter as a call, not a script URL.
_VSB_DYNCLICKS_RE = re.compile(r"_showDynClicks\(\s*[\"'](\w+)[\"']\s*,\s*(\d+)\s*,\s*(\d+)\s*\)")
_VSB_COUNTER_PATH = "/system/resource/code/news/click/dynclicks.jsp"

_ANSWER_PATTERNS = (
    re.compile(r"""\$\(\s*['"]#hits['"]\s*\)\.html\(\s*['"]?(\d+)"""),
    re.compile(r"""document\.write\(\s*['"]?\s*(\d+)"""),
    re.compile(r"""\.(?:html|text)\(\s*['"]?(\d+)['"]?\s*\)"""),
)
_JSON_COUNT_KEYS = ("hits", "count", "clicks", "views", "visitcount", "data")


def counter_url(script_srcs: list[str], page_html: str, page_url: str) -> str | None:
    """Absolute URL of the request that answers the page's displayed hit count, if any."""
    for src in script_srcs:
        url = urljoin(page_url, src.strip())
        for pattern, needed in COUNTER_SCRIPTS:
            if pattern.search(url):
                return _with_query(url, needed)
    match = _VSB_DYNCLICKS_RE.search(page_html)
    if match:
        clicktype, owner, clickid = match.groups()
        query = urlencode({"clickid": clickid, "owner": owner, "clicktype": clicktype})
        return urljoin(page_url, f"{_VSB_COUNTER_PATH}?{query}")
    return None


def _with_query(url: str, needed: dict[str, str]) -> str:
    if not needed:
        return url
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(needed)
    return parts._replace(query=urlencode(query)).geturl()


def parse_counter_answer(text: str) -> int | None:
    """The count in a counter's answer: `document.write('N')`, `$('#hits').html('N')` among
    other calls, a bare integer, or JSON with a count field; None when there is none."""
    text = text.strip().lstrip("\ufeff")
    if _is_ascii_number(text):
        return int(text)
    for pattern in _ANSWER_PATTERNS:
        match = pattern.search(text)
        if match:
            return int(match.group(1))
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
        return None
    return _json_count(data)


def _is_ascii_number(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _json_count(data) -> int | None:
    """A count is never negative: a negative number is no count."""
    if isinstance(data, int) and not isinstance(data, bool):
        return data if data >= 0 else None
    if isinstance(data, str) and _is_ascii_number(data):
        return int(data)
    if isinstance(data, dict):
        for key in _JSON_COUNT_KEYS:
            if key in data:
                found = _json_count(data[key])
                if found is not None:
                    return found
    return None
