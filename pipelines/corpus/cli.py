"""Command lines of the corpus tools: `jiwei-export`, `jiwei-duplicates`, `jiwei-overview`, and
`python -m pipelines.corpus {export,duplicates,overview}` for the same three.

Each takes one or more crawl outputs (JSON Lines files, or folders of `*.jsonl`). A line that
cannot be read is logged with its file and line number and skipped; the command still writes
everything else and says how many lines it skipped.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from pipelines.corpus.duplicates import CONTAINMENT_THRESHOLD
from pipelines.corpus.export import FORMATS, duplicates_table, export_corpus, write_table
from pipelines.corpus.overview import write_overview
from pipelines.corpus.records import Corpus, read_corpus

logger = logging.getLogger(__name__)


def _parser(prog: str, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("inputs", nargs="+", type=Path,
                        help="crawl outputs: JSON Lines files or folders of *.jsonl")
    return parser


def _threshold_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--threshold", type=float, default=CONTAINMENT_THRESHOLD,
                        help="share of the shorter text's shingles that must be in the longer "
                             f"one for two texts to be near-duplicates (default "
                             f"{CONTAINMENT_THRESHOLD})")


def _read(inputs: list[Path]) -> Corpus:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    corpus = read_corpus(inputs)
    skipped = f", {len(corpus.skipped)} unreadable lines skipped" if corpus.skipped else ""
    print(f"read {len(corpus.records)} records{skipped}", file=sys.stderr)
    return corpus


def export_main(argv: list[str] | None = None) -> int:
    """`jiwei-export`: crawl outputs -> `<dir>/<table>.parquet` and `.csv`."""
    parser = _parser("jiwei-export", "Export crawl outputs as Parquet and CSV tables: notices, "
                     "outline, attachments, contacts, hit_counts.")
    parser.add_argument("-o", "--output-dir", type=Path, default=Path("corpus"),
                        help="folder of the tables (default: corpus)")
    parser.add_argument("--format", dest="formats", action="append", choices=FORMATS,
                        help="table format, repeatable (default: parquet and csv)")
    _threshold_option(parser)
    args = parser.parse_args(argv)
    tables = export_corpus(_read(args.inputs), args.output_dir, args.formats or FORMATS,
                           threshold=args.threshold)
    for name, table in tables.items():
        print(f"{name}: {table.num_rows} rows", file=sys.stderr)
    print(f"tables written to {args.output_dir}", file=sys.stderr)
    return 0


def duplicates_main(argv: list[str] | None = None) -> int:
    """`jiwei-duplicates`: crawl outputs -> one row per copy of a notice carried by several URLs."""
    parser = _parser("jiwei-duplicates", "List the notices carried by more than one URL (exact "
                     "and near-duplicate copies), one row per copy, grouped by cluster_id.")
    parser.add_argument("-o", "--output", type=Path, default=Path("duplicates.csv"),
                        help="output table, .csv or .parquet (default: duplicates.csv)")
    parser.add_argument("--all", dest="single_copies", action="store_true",
                        help="also list the notices that only one URL carries")
    _threshold_option(parser)
    args = parser.parse_args(argv)
    table = duplicates_table(_read(args.inputs), threshold=args.threshold,
                             single_copies=args.single_copies)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    write_table(table, args.output)
    clusters = len(set(table.column("cluster_id").to_pylist()))
    print(f"{table.num_rows} copies in {clusters} clusters written to {args.output}",
          file=sys.stderr)
    return 0


def overview_main(argv: list[str] | None = None) -> int:
    """`jiwei-overview`: crawl outputs -> an HTML or Markdown report with charts."""
    parser = _parser("jiwei-overview", "Write an overview report of crawl outputs: charts of "
                     "notices per site per month, kinds, problem counts and field coverage.")
    parser.add_argument("-o", "--output", type=Path, default=Path("overview.html"),
                        help="report file, .html (self-contained) or .md (default: overview.html)")
    parser.add_argument("--charts-dir", type=Path,
                        help="also write each chart there as a PNG file")
    parser.add_argument("--title", default="Corpus overview", help="report title")
    args = parser.parse_args(argv)
    path = write_overview(_read(args.inputs).records, args.output, charts_dir=args.charts_dir,
                          title=args.title)
    print(f"overview written to {path}", file=sys.stderr)
    return 0


COMMANDS = {"export": export_main, "duplicates": duplicates_main, "overview": overview_main}


def main(argv: list[str] | None = None) -> int:
    """`python -m pipelines.corpus COMMAND …`."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        print("usage: python -m pipelines.corpus {export,duplicates,overview} INPUT... "
              "[options]   (COMMAND --help for each)", file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    return COMMANDS[argv[0]](argv[1:])
