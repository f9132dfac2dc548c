"""Command lines of the corpus tools: `jiwei-export`, `jiwei-duplicates`, `jiwei-overview`, and
`python -m pipelines.corpus {export,duplicates,overview}` for the same three.

Each takes one or more crawl outputs (JSON Lines files, gzip-compressed or not, or folders of
them) and reads them with the one reader of `pipelines.corpus.records`: a line that is not a
valid record is skipped with one line naming file, line, URL and fields, and the counts are
printed at the end. Exit status: 0 when every line was read; 1 when the output was written but
lines were skipped; 2 for a usage error (one line, no traceback); 3 when there is no valid
record to work on (nothing is written).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from pipelines.corpus.duplicates import CONTAINMENT_THRESHOLD
from pipelines.corpus.export import (
    FORMATS,
    TABLE_SUFFIXES,
    duplicates_table,
    export_corpus,
    write_table,
)
from pipelines.corpus.health import HealthPage
from pipelines.corpus.overview import REPORT_SUFFIXES, write_overview
from pipelines.corpus.records import Corpus, InputError, read_corpus
from pipelines.corpus.removals import read_removals, removals_table
from pipelines.corpus.statedir import StateDirError

EXIT_OK, EXIT_SKIPPED, EXIT_USAGE, EXIT_EMPTY = 0, 1, 2, 3


class UsageError(Exception):
    """A command-line argument that cannot be used, said in one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line instead of argparse's usage block
        raise UsageError(f"{message} (see {self.prog} --help)")


def _parser(prog: str, description: str, inputs: str = "+") -> argparse.ArgumentParser:
    parser = _Parser(prog=prog, description=description, epilog=(
        "exit status: 0 every line read; 1 written, but lines skipped (each named on stderr); "
        "2 usage error; 3 no valid record (nothing written)"))
    parser.add_argument("inputs", nargs=inputs, type=Path,
                        help="crawl outputs: JSON Lines files (.jsonl or .jsonl.gz) or folders "
                             "of them")
    return parser


def _threshold_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--threshold", type=float, default=CONTAINMENT_THRESHOLD,
                        help="share (0-1) of the shorter text's 5-character shingles that must "
                             "be in the representative's text for a copy to join its cluster "
                             f"(default {CONTAINMENT_THRESHOLD})")


def _excel_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--excel", action="store_true",
                        help="CSV for Excel: UTF-8 with a byte order mark, timestamps as plain "
                             "Asia/Shanghai time (2021-08-02 09:30:00), identifiers (adcodes, "
                             "outline item ids, cluster ids) kept as text")


def _check_threshold(threshold: float) -> None:
    if not 0 < threshold <= 1:
        raise UsageError(f"--threshold must be above 0 and at most 1, not {threshold}")


def _check_suffix(path: Path, suffixes: tuple[str, ...], option: str) -> None:
    if path.suffix.lower() not in suffixes:
        raise UsageError(f"{option} {path}: unknown format {path.suffix or '(no suffix)'}; "
                         f"use {' or '.join(suffixes)}")


def _read(inputs: list[Path]) -> Corpus:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return read_corpus(inputs)


def _finish(corpus: Corpus, written: str) -> int:
    print(corpus.summary(), file=sys.stderr)
    print(written, file=sys.stderr)
    return EXIT_SKIPPED if corpus.skipped else EXIT_OK


def _run(command, argv) -> int:
    """Run a command body; an argument, input or output error ends it in one line."""
    prog = command.__name__.removesuffix("_command").replace("_", "-")
    try:
        return command(argv)
    except (UsageError, InputError) as error:
        print(f"jiwei-{prog}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        print(f"jiwei-{prog}: error: {error.filename or ''}: {error.strerror or error}",
              file=sys.stderr)
        return EXIT_USAGE


def _empty(corpus: Corpus, prog: str) -> int | None:
    """EXIT_EMPTY, said in one line, when no record is valid; None otherwise."""
    if corpus.records:
        return None
    print(corpus.summary(), file=sys.stderr)
    print(f"{prog}: error: no valid record in the input; nothing written", file=sys.stderr)
    return EXIT_EMPTY


def _state_option(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--state", type=Path, metavar="DIR",
                        help="the folder of the per-site crawl state files "
                             f"(NOTICES_STATE_PATH): {help_text}")


def export_command(argv: list[str] | None) -> int:
    parser = _parser("jiwei-export", "Export crawl outputs as Parquet and CSV tables: notices, "
                     "outline, attachments, contacts, hit_counts; with --removals, the removed "
                     "notices of the crawl state as one table.", inputs="*")
    parser.add_argument("-o", "--output-dir", type=Path,
                        help="folder of the tables (default: corpus); with --removals, the "
                             "table file, .csv or .parquet (default: removals.csv)")
    parser.add_argument("--format", dest="formats", action="append", choices=FORMATS,
                        help="table format, repeatable (default: parquet and csv)")
    parser.add_argument("--removals", action="store_true",
                        help="export the notices removed from their sites, read from --state")
    _state_option(parser, "where --removals reads the removed notices")
    _excel_option(parser)
    _threshold_option(parser)
    args = parser.parse_args(argv)
    _check_threshold(args.threshold)
    if args.removals or args.state is not None:
        return _export_removals(args)
    if not args.inputs:
        raise UsageError("give crawl outputs, or --removals --state DIR")
    args.output_dir = args.output_dir or Path("corpus")
    if args.output_dir.suffix.lower() in TABLE_SUFFIXES + (".xlsx", ".xls") \
            and not args.output_dir.is_dir():
        raise UsageError(f"-o {args.output_dir}: -o names the folder the tables are written "
                         "to (notices.parquet, notices.csv, …), not a file")
    corpus = _read(args.inputs)
    if (status := _empty(corpus, "jiwei-export")) is not None:
        return status
    tables = export_corpus(corpus, args.output_dir, args.formats or FORMATS,
                           threshold=args.threshold, excel=args.excel)
    rows = ", ".join(f"{name} {table.num_rows}" for name, table in tables.items())
    return _finish(corpus, f"tables written to {args.output_dir} (rows: {rows})")


def _export_removals(args) -> int:
    if not (args.removals and args.state is not None):
        raise UsageError("--removals and --state DIR go together")
    if args.inputs:
        raise UsageError("--removals reads --state DIR, not crawl outputs")
    output = args.output_dir or Path("removals.csv")
    _check_suffix(output, TABLE_SUFFIXES, "-o")
    try:
        rows = read_removals(args.state)
    except StateDirError as error:
        raise UsageError(str(error)) from None
    output.parent.mkdir(parents=True, exist_ok=True)
    write_table(removals_table(rows), output, excel=args.excel)
    removed = sum(row["status"] == "removed" for row in rows)
    print(f"{len(rows)} removal rows ({removed} removed now) written to {output}",
          file=sys.stderr)
    return EXIT_OK


def duplicates_command(argv: list[str] | None) -> int:
    parser = _parser("jiwei-duplicates", "List the notices carried by more than one URL (exact "
                     "and near-duplicate copies), one row per copy, grouped by cluster_id.")
    parser.add_argument("-o", "--output", type=Path, default=Path("duplicates.csv"),
                        help="output table, .csv or .parquet (default: duplicates.csv)")
    parser.add_argument("--all", dest="single_copies", action="store_true",
                        help="also list the notices that only one URL carries")
    _excel_option(parser)
    _threshold_option(parser)
    args = parser.parse_args(argv)
    _check_threshold(args.threshold)
    _check_suffix(args.output, TABLE_SUFFIXES, "-o")
    corpus = _read(args.inputs)
    if (status := _empty(corpus, "jiwei-duplicates")) is not None:
        return status
    table = duplicates_table(corpus, threshold=args.threshold,
                             single_copies=args.single_copies)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    write_table(table, args.output, excel=args.excel)
    clusters = len(set(table.column("cluster_id").to_pylist()))
    return _finish(corpus, f"{table.num_rows} copies in {clusters} clusters written to "
                           f"{args.output}")


def overview_command(argv: list[str] | None) -> int:
    parser = _parser("jiwei-overview", "Write an overview report of crawl outputs: notices by "
                     "province, over time and per site, kinds, inspected units, problem and hit "
                     "counts, field coverage and the notices republished across sites; with "
                     "--state, every site's health across runs and the notices removed from "
                     "their sites.", inputs="*")
    _state_option(parser, "add the Site health section (every site's runs charted, flagged "
                  "sites first) and the table of notices removed from their lists (without "
                  "inputs: those alone)")
    parser.add_argument("-o", "--output", type=Path, default=Path("overview.html"),
                        help="report file, .html (self-contained) or .md (default: overview.html)")
    parser.add_argument("--charts-dir", type=Path,
                        help="also write each chart there as a PNG file")
    parser.add_argument("--title",
                        help="title of the report: its <title> and first heading "
                             "(default: Corpus overview; with --state alone: Site health)")
    _threshold_option(parser)
    args = parser.parse_args(argv)
    _check_threshold(args.threshold)
    _check_suffix(args.output, REPORT_SUFFIXES, "-o")
    if not args.inputs and args.state is None:
        raise UsageError("give crawl outputs, --state DIR, or both")
    try:
        health = HealthPage.from_state_dir(args.state) if args.state is not None else None
        removals = read_removals(args.state) if args.state is not None else None
    except StateDirError as error:
        raise UsageError(str(error)) from None
    if not args.inputs:
        path = write_overview([], args.output, charts_dir=args.charts_dir,
                              title=args.title or "Site health", health=health,
                              removals=removals)
        print(f"site health of {len(health.sites)} sites written to {path}", file=sys.stderr)
        return EXIT_OK
    corpus = _read(args.inputs)
    if (status := _empty(corpus, "jiwei-overview")) is not None:
        return status
    path = write_overview(corpus.records, args.output, charts_dir=args.charts_dir,
                          title=args.title or "Corpus overview", threshold=args.threshold,
                          health=health, removals=removals)
    return _finish(corpus, f"overview written to {path}")


def export_main(argv: list[str] | None = None) -> int:
    """`jiwei-export`: crawl outputs -> `<dir>/<table>.parquet` and `.csv`."""
    return _run(export_command, argv)


def duplicates_main(argv: list[str] | None = None) -> int:
    """`jiwei-duplicates`: crawl outputs -> one row per copy of a notice carried by several URLs."""
    return _run(duplicates_command, argv)


def overview_main(argv: list[str] | None = None) -> int:
    """`jiwei-overview`: crawl outputs -> an HTML or Markdown report with charts."""
    return _run(overview_command, argv)


COMMANDS = {"export": export_main, "duplicates": duplicates_main, "overview": overview_main}


def main(argv: list[str] | None = None) -> int:
    """`python -m pipelines.corpus COMMAND …`."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in COMMANDS:
        print("usage: python -m pipelines.corpus {export,duplicates,overview} INPUT... "
              "[options]   (COMMAND --help for each)", file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else EXIT_USAGE
    return COMMANDS[argv[0]](argv[1:])
