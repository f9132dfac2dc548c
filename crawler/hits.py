"""Hit counters: the counter scripts platforms declare, and reading the count from an answer."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit


@dataclass(frozen=True)
class CounterScript:
    """A hit-counter script: how to ask it for the count, and whether asking counts.

    Platform modules declare theirs (`Platform.counters`), which names them `platform`.
    `counts_reads`: True when every request for the count (as this crawler asks for it) adds
    one to it, False when reading leaves it as it was, None when the script is not known
    (closed source). docs/platforms.md gives the source of each answer.
    """

    pattern: re.Pattern[str]
    counts_reads: bool | None
    # Query fields it needs to display the count (not only count), and ones that would make
    # the read count as a view although the count displays without them.
    set_query: dict[str, str] = field(default_factory=dict)
    drop_query: tuple[str, ...] = ()
    platform: str = ""


def counter_request_url(url: str, script: CounterScript) -> str:
    """The counter URL a page loads, as the crawler asks it: with the fields the script needs
    to display the count, without those that would count the read as a view."""
    if not script.set_query and not script.drop_query:
        return url
    parts = urlsplit(url)
    query = {name: value for name, value in parse_qsl(parts.query, keep_blank_values=True)
             if name not in script.drop_query}
    query.update(script.set_query)
    return parts._replace(query=urlencode(query)).geturl()


_ANSWER_PATTERNS = (
    re.compile(r"""\$\(\s*['"]#hits['"]\s*\)\.html\(\s*['"]?(\d+)"""),
    re.compile(r"""document\.write\(\s*['"]?\s*(\d+)"""),
    re.compile(r"""\.(?:html|text)\(\s*['"]?(\d+)['"]?\s*\)"""),
)
_JSON_COUNT_KEYS = ("hits", "count", "clicks", "views", "visitcount", "data")


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
