"""The raw archive: rotating gzip WARC files written during a real crawl, read by warcio's tools."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from crawler.warc import (
    INFO_ARGUMENTS,
    INFO_SETTINGS,
    INFO_SPIDER,
    RotatingWarcWriter,
    WarcArchive,
    WarcWriterMiddleware,
    archived_settings,
    read_warcinfo,
)
from fixtures.server import SITES_DIR
from tests.conftest import fixture_settings, run_crawl

WARCIO = str(Path(sys.executable).with_name("warcio"))


def warc_records(path: Path) -> list:
    with path.open("rb") as fh:
        return [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"),
                 r.content_stream().read()) for r in ArchiveIterator(fh)]


# --- components alone -------------------------------------------------------------------------
def test_writer_rotates_and_closes_files(tmp_path):
    writer = RotatingWarcWriter(tmp_path, 2000, "notices-test", {"spider": "test"})

    noise = random.Random(0).randbytes(900)  # incompressible, so each record takes ~900 bytes

    def resource(writer):
        record = writer.create_warc_record("http://example.invalid/x", "resource",
                                           payload=BytesIO(noise), length=len(noise))
        writer.write_record(record)

    for _ in range(5):
        writer.write(resource)
    writer.close()
    files = sorted(tmp_path.iterdir())
    assert [p.name.rsplit("-", 1)[1] for p in files] == [
        "00000.warc.gz", "00001.warc.gz", "00002.warc.gz"]
    assert files == writer.paths
    for path in files:
        records = warc_records(path)
        assert records[0][0] == "warcinfo"
        assert read_warcinfo(path) == {"spider": "test"}
    assert sum(len(warc_records(p)) - 1 for p in files) == 5


def test_middleware_off_without_warc_dir():
    with pytest.raises(NotConfigured):
        WarcWriterMiddleware.from_crawler(get_crawler(settings_dict={}))


def test_archived_settings_are_the_command_line_ones():
    settings = Settings({"NOTICES_MAX_PAGES": 200, "ROBOTSTXT_OBEY": True})
    settings.set("NOTICES_BASE_URLS", '{"jingxian": "http://127.0.0.1:1/"}', priority="cmdline")
    settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
    assert archived_settings(settings) == {
        "NOTICES_BASE_URLS": '{"jingxian": "http://127.0.0.1:1/"}'}


# --- a crawl with the archive on ----------------------------------------------------------------
@pytest.fixture(scope="module")
def archived(fixture_server, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("warc")
    result = run_crawl(tmp, "jingxian", settings={
        **fixture_settings(fixture_server),
        "WARC_DIR": str(tmp / "warc"), "WARC_MAX_FILE_SIZE": "20000"})
    result.files = sorted((tmp / "warc").iterdir())
    return result


def test_crawl_writes_rotated_gzip_warc_files(archived):
    assert archived.returncode == 0
    assert len(archived.records) == 5
    assert len(archived.files) >= 2
    assert all(p.name.startswith("notices-jingxian-") and p.name.endswith(".warc.gz")
               for p in archived.files)
    for path in archived.files:
        assert path.read_bytes()[:2] == b"\x1f\x8b"


def test_warcio_index_and_check_read_the_files(archived, fixture_server):
    files = [str(p) for p in archived.files]
    check = subprocess.run([WARCIO, "check", *files], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    index = subprocess.run([WARCIO, "index", "-f", "warc-type,warc-target-uri", *files],
                           capture_output=True, text=True, check=True)
    entries = [json.loads(line) for line in index.stdout.splitlines()]
    responses = {e["warc-target-uri"] for e in entries if e["warc-type"] == "response"}
    requests = {e["warc-target-uri"] for e in entries if e["warc-type"] == "request"}
    assert responses == requests
    base = fixture_server.base_urls["jingxian"]
    paths = {uri.removeprefix(base) for uri in responses}
    assert {"robots.txt", "a/xcgz/list_12_1.html", "a/xcgz/list_12_2.html",
            "a/xcgz/2022/0225/1234.html"} <= paths
    counters = [p for p in paths if p.startswith("plus/count.php?")]
    assert len(counters) == 5  # every counter answer is kept
    assert sum(e["warc-type"] == "warcinfo" for e in entries) == len(files)


def test_every_response_is_archived_once(archived):
    archive = WarcArchive(archived.files)
    assert sum(len(answers) for answers in archive.answers.values()) == archived.stat(
        "downloader/response_count") == archived.stat("notices/warc_response_count")


def test_payload_is_the_bytes_sent(archived, fixture_server):
    page = "a/xcgz/2022/0225/1234.html"
    url = fixture_server.base_urls["jingxian"] + page
    sent = (SITES_DIR / "jingxian" / "root" / page).read_text(encoding="utf-8").encode("gb18030")
    bodies = [body for path in archived.files for kind, uri, body in warc_records(path)
              if kind == "response" and uri == url]
    assert bodies == [sent]


def test_warcinfo_names_the_crawl(archived, fixture_server):
    infos = [read_warcinfo(path) for path in archived.files]
    assert {info["crawl-id"] for info in infos} and len({i["crawl-id"] for i in infos}) == 1
    info = infos[0]
    assert info[INFO_SPIDER] == "jingxian"
    assert json.loads(info[INFO_ARGUMENTS]) == {}
    settings = json.loads(info[INFO_SETTINGS])
    assert {name: settings[name] for name in fixture_settings(fixture_server)} == (
        fixture_settings(fixture_server))
    assert "DOWNLOAD_DELAY" not in settings and "WARC_DIR" not in settings
