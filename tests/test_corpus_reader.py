"""The one reader of the corpus tools, on messy crawl outputs: records of the wrong shape, broken
lines, byte order marks, GBK lines, gzip files and empty inputs. Every bad line is skipped and
named, everything else is read, and export, duplicates and overview read the same corpus."""

from __future__ import annotations

import copy
import csv
import gzip
import json
import re
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from pipelines.corpus.cli import main
from pipelines.corpus.records import InputError, read_corpus
from pipelines.validate import record_schemas
from tests.conftest import REPO
from tests.corpus_factory import as_version_1, make_corpus, write_jsonl


def _set(path: str, value):
    """A change of one field (dotted path) of a record."""
    def change(record):
        target = record
        *parents, name = path.split(".")
        for parent in parents:
            target = target[parent]
        target[name] = value
    return change


def _drop(name: str):
    return lambda record: record.pop(name)


# name -> (change of a valid record, the field the skip line must name)
BAD_RECORDS = {
    "string hit_count": (_set("hit_count", "1,234"), "hit_count"),
    "int title": (_set("title", 20210802), "title"),
    "int adcode": (_set("region.adcode", 341823), "region/adcode"),
    "region a string": (_set("region", "安徽省宣城市泾县"), "region"),
    "attachments an object": (_set("attachments", {"url": "http://a.gov.cn/1.pdf"}),
                              "attachments"),
    "attachments of strings": (_set("attachments", ["http://a.gov.cn/1.pdf"]), "attachments/0"),
    "outline a string": (_set("notice.outline", "一、整改工作的组织领导"), "notice/outline"),
    "outline node without children": (
        lambda r: r["notice"].__setitem__("outline", [{"level": 1, "heading": "x"}]),
        "notice/outline/0"),
    "int published_at": (_set("published_at", 20210802), "published_at"),
    "int body_text": (_set("body_text", 1), "body_text"),
    "phones a string": (_set("notice.contacts.phones", "0563-5021234"),
                        "notice/contacts/phones"),
    "null title": (_set("title", None), "title"),
    "no schema_version": (_drop("schema_version"), "schema_version"),
    "unknown schema_version": (_set("schema_version", 99), "schema_version"),
    "no url": (_drop("url"), "(record)"),
}
BROKEN_LINES = {  # name -> (raw line, reason the skip line must give)
    "cut-off line": (b'{"url": "http://a.example.gov.cn/1.html", "title": "\xe6\x88\xaa\n',
                     "invalid JSON"),
    "JSON list": (b'["not", "a", "record"]\n', "not a record"),
}


@pytest.fixture(scope="module")
def valid():
    return make_corpus(10, seed=21).records


@pytest.fixture(scope="module")
def messy(tmp_path_factory, valid):
    """A folder of crawl outputs: a plain file with every bad record and broken line between
    valid ones, a GBK line, a file with a byte order mark and a gzip file."""
    folder = tmp_path_factory.mktemp("messy")
    lines, expected_skips = [], []
    good = iter(valid)
    for name, (change, field) in BAD_RECORDS.items():
        lines.append(json.dumps(next(good), ensure_ascii=False).encode("utf-8") + b"\n")
        bad = copy.deepcopy(valid[0])
        bad["url"] = f"http://bad.example.gov.cn/{len(lines)}.html"
        change(bad)
        lines.append(json.dumps(bad, ensure_ascii=False).encode("utf-8") + b"\n")
        expected_skips.append((len(lines), bad.get("url"), field, name))
    for name, (raw, reason) in BROKEN_LINES.items():
        lines.append(raw)
        expected_skips.append((len(lines), None, reason, name))
    gbk = copy.deepcopy(valid[0])
    gbk["url"] = "http://gbk.example.gov.cn/1.html"
    lines.append(json.dumps(gbk, ensure_ascii=False).encode("gbk") + b"\n")
    expected_skips.append((len(lines), None, "GB18030", "GBK line"))
    lines.append(b"\n")  # blank lines are no records and no errors
    (folder / "a-messy.jsonl").write_bytes(b"".join(lines))
    rest = list(good)
    half = len(rest) // 2
    bom = folder / "b-bom.jsonl"
    write_jsonl(rest[:half], bom)
    bom.write_bytes(b"\xef\xbb\xbf" + bom.read_bytes())
    with gzip.open(folder / "c-packed.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rest[half:])
    kept = len(BAD_RECORDS) + len(rest)
    return folder, expected_skips, kept


def run(command: str, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelines.corpus", command, *map(str, args)],
                          cwd=REPO, capture_output=True, text=True, timeout=180)


def test_bad_lines_are_skipped_each_named(messy):
    folder, expected, kept = messy
    corpus = read_corpus([folder])
    assert len(corpus.records) == kept
    assert not any(r["url"].startswith(("http://bad.", "http://gbk.")) for r in corpus.records)
    named = {(s.line, s.url) for s in corpus.skipped}
    assert named == {(line, url) for line, url, _, _ in expected}
    for skipped, (line, url, field, name) in zip(corpus.skipped, expected, strict=True):
        assert skipped.file.endswith("a-messy.jsonl"), name
        assert (skipped.line, skipped.url) == (line, url), name
        assert field in str(skipped), (name, str(skipped))


def test_bom_and_gzip_files_lose_no_record(messy, valid):
    folder, _, _ = messy
    corpus = read_corpus([folder / "b-bom.jsonl", folder / "c-packed.jsonl.gz"])
    assert corpus.skipped == []
    half = (len(valid) - len(BAD_RECORDS)) // 2
    assert [r["url"] for r in corpus.records] == [r["url"] for r in valid[len(BAD_RECORDS):]]
    assert corpus.records[0] == valid[len(BAD_RECORDS)]  # the first record, after the BOM
    assert len(corpus.records) == 2 * half + (len(valid) - len(BAD_RECORDS)) % 2


def test_gzip_is_told_by_its_bytes_not_its_name(tmp_path, valid):
    packed = tmp_path / "crawl.jsonl"
    with gzip.open(packed, "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in valid[:3])
    assert [r["url"] for r in read_corpus([packed]).records] == [r["url"] for r in valid[:3]]


def test_utf16_file_is_refused_by_name(tmp_path, valid):
    path = tmp_path / "crawl.jsonl"
    path.write_bytes(json.dumps(valid[0], ensure_ascii=False).encode("utf-16"))
    with pytest.raises(InputError, match="UTF-16"):
        read_corpus([path])


def test_phones_as_a_string_do_not_become_characters(tmp_path, valid):
    record = copy.deepcopy(valid[0])
    record["notice"]["contacts"]["phones"] = "0563-5021234"
    corpus = read_corpus([write_jsonl([record], tmp_path / "crawl.jsonl")])
    assert corpus.records == []
    assert "notice/contacts/phones" in str(corpus.skipped[0])


def test_every_published_schema_version_is_read(tmp_path, valid):
    """A record is checked against the schema of the version it declares."""
    versions = record_schemas()
    assert 1 in versions
    for version, schema in versions.items():
        record = copy.deepcopy(valid[0])
        record["schema_version"] = version
        notice = schema["properties"]["notice"]
        for name in notice["required"]:  # fields a later version adds, left unknown
            record["notice"].setdefault(name, None if "null" in json.dumps(
                notice["properties"][name]) else [])
        corpus = read_corpus([write_jsonl([record], tmp_path / f"v{version}.jsonl")])
        assert corpus.skipped == [], (version, [str(s) for s in corpus.skipped])


@pytest.fixture(scope="module")
def outputs(messy, tmp_path_factory):
    folder, _, _ = messy
    out = tmp_path_factory.mktemp("out")
    return out, {
        "export": run("export", folder, "-o", out / "tables"),
        "duplicates": run("duplicates", folder, "-o", out / "duplicates.parquet", "--all"),
        "overview": run("overview", folder, "-o", out / "overview.html"),
    }


def test_the_three_tools_read_the_same_corpus(messy, outputs):
    folder, expected, kept = messy
    out, procs = outputs
    summaries = set()
    for name, proc in procs.items():
        assert proc.returncode == 1, (name, proc.stderr)  # written, but lines skipped
        skip_lines = [line for line in proc.stderr.splitlines() if "skipped " in line
                      and " line " in line]
        assert len(skip_lines) == len(expected), (name, proc.stderr)
        assert "Traceback" not in proc.stderr
        summaries |= {line for line in proc.stderr.splitlines() if line.startswith("read ")}
    assert summaries == {f"read {kept} records from 3 files, {len(expected)} lines skipped "
                         "(invalid JSON: 1, not UTF-8: 1, not a record: 1, schema: "
                         f"{len(BAD_RECORDS)})"}
    notices = pq.read_table(out / "tables" / "notices.parquet")
    copies = pq.read_table(out / "duplicates.parquet")
    page = (out / "overview.html").read_text(encoding="utf-8")
    assert notices.num_rows == copies.num_rows == kept
    assert re.search(rf"\b{kept} notices from \d+ sites", page)


def test_a_clean_corpus_exits_zero(tmp_path, valid):
    write_jsonl(valid, tmp_path / "crawl.jsonl")
    proc = run("duplicates", tmp_path / "crawl.jsonl", "-o", tmp_path / "d.csv")
    assert proc.returncode == 0, proc.stderr
    with (tmp_path / "d.csv").open(encoding="utf-8") as fh:
        assert all(row["reason"] for row in csv.DictReader(fh))


@pytest.mark.parametrize(("command", "output"), [
    ("export", "tables"), ("duplicates", "d.csv"), ("overview", "o.html")])
def test_empty_input_is_an_error(tmp_path, capsys, command, output):
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    assert main([command, str(empty), "-o", str(tmp_path / output)]) == 3
    assert "no valid record in the input; nothing written" in capsys.readouterr().err
    assert not (tmp_path / output).exists()


@pytest.mark.parametrize(("command", "args", "message"), [
    ("export", ["missing.jsonl"], "no such crawl output: missing.jsonl"),
    ("export", ["{crawl}", "-o", "x.xlsx"], "-o x.xlsx: -o names the folder"),
    ("duplicates", ["{crawl}", "-o", "x.xlsx"], "unknown format .xlsx; use .parquet or .csv"),
    ("overview", ["{crawl}", "-o", "x.pdf"], "unknown format .pdf; use .html or .htm or .md"),
    ("overview", ["{crawl}", "--threshold", "abc"], "invalid float value: 'abc'"),
    ("duplicates", ["{crawl}", "--threshold", "1.5"], "--threshold must be above 0"),
    ("export", ["{crawl}", "--format", "xlsx"], "invalid choice: 'xlsx'"),
    ("overview", ["{folder}"], "no *.jsonl or *.jsonl.gz file in folder"),
])
def test_argument_errors_are_one_line(tmp_path, monkeypatch, capsys, valid, command, args,
                                      message):
    crawl = write_jsonl(valid[:2], tmp_path / "crawl.jsonl")
    (tmp_path / "nothing").mkdir()
    monkeypatch.chdir(tmp_path)
    assert main([command, *(a.format(crawl=crawl, folder="nothing") for a in args)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert message in err and err.startswith(f"jiwei-{command}: error: ")
    assert not (tmp_path / "x.xlsx").exists() and not (tmp_path / "x.pdf").exists()


def test_versions_1_and_2_are_each_checked_by_their_own_schema(tmp_path, valid):
    v2 = valid[0]
    v1 = as_version_1(valid[1])
    v1_claiming_2 = {**as_version_1(valid[2]), "schema_version": 2}
    corpus = read_corpus([write_jsonl([v2, v1, v1_claiming_2], tmp_path / "crawl.jsonl")])
    assert [r["url"] for r in corpus.records] == [v2["url"], v1["url"]]
    [skipped] = corpus.skipped
    assert (skipped.line, skipped.url) == (3, valid[2]["url"])
    assert "'inspection_round' is a required property" in skipped.detail


def test_duplicates_csv_for_excel(tmp_path, capsys, valid):
    crawl = write_jsonl(valid, tmp_path / "crawl.jsonl")
    assert main(["duplicates", str(crawl), "-o", str(tmp_path / "d.csv"), "--excel"]) == 0
    raw = (tmp_path / "d.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with (tmp_path / "d.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(re.fullmatch(r'="[0-9a-f]{16}"', row["cluster_id"]) for row in rows)
