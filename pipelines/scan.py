"""Regex matches tried only at the offsets where a match can start.

Patterns without a literal prefix make the regex engine attempt a match at every
character; when a cheap literal search finds every offset where a match can start,
``matches_at`` gives the same matches as ``finditer`` for a fraction of the work.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator


def offsets(text: str, literal: str) -> Iterator[int]:
    """Offsets of every occurrence of ``literal`` in ``text``."""
    position = text.find(literal)
    while position != -1:
        yield position
        position = text.find(literal, position + 1)


def matches_at(
    pattern: re.Pattern[str],
    text: str,
    starts: Iterable[int],
    endpos: Callable[[int], int] | None = None,
) -> Iterator[re.Match[str]]:
    """Non-overlapping matches of ``pattern`` in ``text``, left to right, tried at ``starts``.

    ``starts`` are ascending offsets that include the start of every match, so the result
    is that of ``finditer``. ``endpos(start)``, when given, bounds the match tried there.
    """
    position = 0
    for start in starts:
        if start < position:
            continue
        match = pattern.match(text, start, endpos(start) if endpos else len(text))
        if match:
            yield match
            position = match.end()
