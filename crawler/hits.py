"""Hit counters: finding a page's counter request and reading the count from its answer."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit


@dataclass(frozen=True)
class CounterScript:
    """A platform's hit-counter script: how to ask it for the count, and whether asking counts.

    `counts_reads`: True when every request for the count (as this crawler asks for it) adds
    one to it, False when reading leaves it as it was, None when the script is not known
    (closed source). docs/platforms.md gives the source of each answer.
    """

    platform: str
    pattern: re.Pattern[str]
    counts_reads: bool | None
    # Query fields it needs to display the count (not only count), and ones that would make
    # the read count as a view although the count displays without them.
    set_query: dict[str, str] = field(default_factory=dict)
    drop_query: tuple[str, ...] = ()


COUNTER_SCRIPTS = (
    # count.php adds one on every request (`click=click+1`); `view=yes` only prints the count.
    CounterScript("dedecms", re.compile(r"/plus/count\.php\?", re.I), True, {"view": "yes"}),
    # api.php?op=count (api/count.php) adds one to `views` on every request.
    CounterScript("phpcms", re.compile(r"/api\.php\?(?:.*&)?op=count", re.I), True),
    # ViewClick adds one only with `addclick=1`, and prints the stored count + 1 either way.
    CounterScript("empirecms", re.compile(r"/e/public/ViewClick/", re.I), False,
                  drop_query=("addclick",)),
    CounterScript("hanweb", re.compile(r"/module/visitcount/articlehits\.jsp", re.I), None),
    CounterScript("vsb", re.compile(r"/system/resource/code/news/click/dynclicks\.jsp", re.I),
                  None),
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
        script = counter_script(url)
        if script is not None:
            return _with_query(url, script.set_query, script.drop_query)
    match = _VSB_DYNCLICKS_RE.search(page_html)
    if match:
        clicktype, owner, clickid = match.groups()
        query = urlencode({"clickid": clickid, "owner": owner, "clicktype": clicktype})
        return urljoin(page_url, f"{_VSB_COUNTER_PATH}?{query}")
    return None


def counter_script(url: str) -> CounterScript | None:
    """The known counter script a counter URL calls, if any."""
    return next((script for script in COUNTER_SCRIPTS if script.pattern.search(url)), None)


def _with_query(url: str, needed: dict[str, str], unwanted: tuple[str, ...]) -> str:
    if not needed and not unwanted:
        return url
    parts = urlsplit(url)
    query = {name: value for name, value in parse_qsl(parts.query, keep_blank_values=True)
             if name not in unwanted}
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
