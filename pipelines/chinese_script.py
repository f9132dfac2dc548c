"""Traditional Chinese characters to simplified (OpenCC's `t2s`), for the texts that contain them.

A notice republished in traditional characters (a Big5 gateway, a Hong Kong or Taiwan outlet, a
site's traditional edition) shares no character shingles with its simplified source, and the
notice parser's patterns are written in simplified characters. Texts with no traditional
character are returned unchanged, after one scan for the characters OpenCC converts.
"""

from __future__ import annotations

import re
from functools import lru_cache

from opencc import OpenCC

CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))  # ext. A, unified, compat.
# Lone surrogates (broken bytes decoded with `surrogateescape`) cannot reach OpenCC's UTF-8.
SURROGATES = re.compile("([\ud800-\udfff]+)")


@lru_cache(maxsize=1)
def _converter() -> OpenCC:
    return OpenCC("t2s")


@lru_cache(maxsize=1)
def _traditional_pattern() -> re.Pattern:
    """One character class of every CJK character that `t2s` changes on its own (worked out
    once from OpenCC's own tables; about 4,200 characters)."""
    chars = [chr(code) for low, high in CJK_RANGES for code in range(low, high + 1)]
    converted = _converter().convert("\n".join(chars)).split("\n")
    changed = [char for char, simple in zip(chars, converted, strict=True) if char != simple]
    return re.compile("[" + "".join(re.escape(char) for char in changed) + "]")


def has_traditional(text: str) -> bool:
    """Whether `text` holds a character that OpenCC writes otherwise in simplified Chinese."""
    return bool(text) and _traditional_pattern().search(text) is not None


def to_simplified(text: str) -> str:
    """`text` in simplified characters (phrase-aware `t2s`); unchanged if it has no traditional
    character. Lone surrogates are kept where they are, the text around them converted."""
    if not has_traditional(text):
        return text
    parts = SURROGATES.split(text)  # odd places: runs of surrogates
    return "".join(part if index % 2 else _converter().convert(part)
                   for index, part in enumerate(parts))
