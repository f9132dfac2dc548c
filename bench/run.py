"""Run every benchmark module of this folder in turn: `python -m bench.run [NAME ...]`.

A benchmark module defines `main() -> int` and prints its own table; modules named `_…` are
helpers. The targets the benchmarks report are summed up at the end.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from bench._harness import SUMMARY

BENCH_DIR = Path(__file__).parent


def bench_modules() -> list[str]:
    """Names of the benchmark modules (every bench/*.py but this runner and the helpers)."""
    return sorted(p.stem for p in BENCH_DIR.glob("*.py")
                  if p.stem != "run" and not p.stem.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    names = (argv if argv is not None else sys.argv[1:]) or bench_modules()
    unknown = set(names) - set(bench_modules())
    if unknown:
        print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; "
              f"known: {', '.join(bench_modules())}", file=sys.stderr)
        return 2
    status = 0
    for name in names:
        print(f"== bench/{name}.py", flush=True)
        status |= importlib.import_module(f"bench.{name}").main() or 0
        print(flush=True)
    SUMMARY.print()
    return status


if __name__ == "__main__":
    sys.exit(main())
