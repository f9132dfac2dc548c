"""Rewrite the golden notice outputs (``*.json``) from the current parser.

Use only after a deliberate change to the parser, then review every change by hand::

    .venv/bin/python tests/golden/notice/regen.py
    git diff tests/golden/notice/

The cases (the two seeds and every ``*.txt`` here) are those of
``tests/test_notice_parser.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

GOLDEN_DIR = Path(__file__).resolve().parent
TESTS_DIR = GOLDEN_DIR.parents[1]


def main() -> None:
    """Write ``<case>.json`` for every golden case."""
    sys.path[:0] = [str(TESTS_DIR.parent), str(TESTS_DIR)]
    from test_notice_parser import golden_cases

    from pipelines.notice import parse_notice

    for name, case in golden_cases().items():
        path = GOLDEN_DIR / f"{name}.json"
        text = json.dumps(parse_notice(*case), ensure_ascii=False, indent=1) + "\n"
        changed = not path.exists() or path.read_text(encoding="utf-8") != text
        path.write_text(text, encoding="utf-8")
        print(f"{'rewrote' if changed else 'same   '} {path.name}")


if __name__ == "__main__":
    main()
