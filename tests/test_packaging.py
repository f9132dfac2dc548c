"""The package as users get it: the wheel (`pip install .`) and the egg `scrapyd-deploy` builds.

Both are built from a copy of the source, without the network, and must carry the registry,
the record schema, the adcode table and the fixture sites. The wheel is installed into a fresh
venv (its dependencies come from the test venv's site-packages, nothing is downloaded) and
crawls from another folder; the egg runs a crawl the way Scrapyd runs a job from an upload.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import FAST, GOLDEN, REPO
from tests.test_seed_sites import VOLATILE

PACKAGES = ("crawler", "pipelines", "fixtures")
DATA_FILES = ("crawler/sites.toml", "pipelines/schema/notice-record.schema.json",
              "pipelines/data/adcodes.tsv")
BUILD_LEFTOVERS = shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", "output",
                                         "__pycache__", "*.pyc", ".pytest_cache", ".ruff_cache")


def source_files(root: Path) -> list[str]:
    """Every file of the three packages, as a path relative to `root`."""
    return sorted(str(path.relative_to(root)) for package in PACKAGES
                  for path in (root / package).rglob("*")
                  if path.is_file() and "__pycache__" not in path.parts)


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """A copy of the repository without build leftovers; its registry gains `eggcheck`, the
    seed site of the fixture registry under another id, so that a crawl of it shows which
    registry was read."""
    root = tmp_path_factory.mktemp("source") / "jiwei-notices"
    shutil.copytree(REPO, root, ignore=BUILD_LEFTOVERS)
    registry = root / "crawler" / "sites.toml"
    fixture_sites = (root / "fixtures" / "registry.toml").read_text(encoding="utf-8")
    start = fixture_sites.index('[[site]]\nid = "jingxian"\n')
    end = fixture_sites.index('[[site]]\nid = "longting"')
    jingxian = fixture_sites[start:end]
    registry.write_text(registry.read_text(encoding="utf-8") + "\n"
                        + jingxian.replace('id = "jingxian"', 'id = "eggcheck"'), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def wheel(source, tmp_path_factory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--no-index", "--wheel-dir", str(dist), str(source)],
                   check=True, capture_output=True, timeout=300)
    [built] = dist.glob("jiwei_notices-*.whl")
    return built


@pytest.fixture(scope="module")
def egg(source, tmp_path_factory) -> Path:
    """The egg as `scrapyd-deploy` builds it: `python setup.py bdist_egg` in the project."""
    dist = tmp_path_factory.mktemp("eggs")
    subprocess.run([sys.executable, "setup.py", "--quiet", "clean", "-a", "bdist_egg",
                    "-d", str(dist)], cwd=source, check=True, capture_output=True, timeout=300)
    [built] = dist.glob("jiwei_notices-*.egg")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed and the test venv's packages for dependencies."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    python = venv / "bin" / "python"
    own_site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path("
                               "'purelib'))"], check=True, capture_output=True, text=True)
    # Appended after the venv's own site-packages: the wheel's packages come first.
    Path(own_site.stdout.strip(), "test-venv-dependencies.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True,
                   timeout=300)
    return python


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without anything pointing at the repository."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "SCRAPY_SETTINGS_MODULE", "VIRTUAL_ENV")}
    return {**env, **extra}


def serve_fixture_site(python: Path, site_id: str, folder: Path) -> tuple[subprocess.Popen, str]:
    """`python -m fixtures.server --site SITE` of the given interpreter; its base URL."""
    urls_file = folder / "urls.json"
    proc = subprocess.Popen([str(python), "-m", "fixtures.server", "--site", site_id,
                             "--urls-file", str(urls_file)], cwd=folder, env=clean_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not urls_file.exists() or not urls_file.read_text(encoding="utf-8"):
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "the fixture server did not start"
        time.sleep(0.1)
    return proc, json.loads(urls_file.read_text(encoding="utf-8"))[site_id]


def crawl_settings(base_urls: dict[str, str]) -> list[str]:
    settings = {**FAST, "NOTICES_BASE_URLS": json.dumps(base_urls)}
    return [arg for key, value in settings.items() for arg in ("-s", f"{key}={value}")]


def golden_jingxian(records: list[dict], base_url: str) -> list[dict]:
    """Records comparable with tests/golden/sites/jingxian.jsonl."""
    text = json.dumps(sorted(records, key=lambda r: r["url"]), ensure_ascii=False)
    text = text.replace(base_url, "http://jingxian.fixture/")
    return [{k: v for k, v in r.items() if k not in VOLATILE} for r in json.loads(text)]


def read_feed(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def expected_jingxian() -> list[dict]:
    return read_feed(GOLDEN / "sites" / "jingxian.jsonl")


def test_wheel_carries_every_file_of_the_packages(wheel, source):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert set(DATA_FILES) <= names
    assert [path for path in source_files(source) if path not in names] == []


def test_egg_carries_every_file_and_the_scrapy_entry_point(egg, source):
    archive = zipfile.ZipFile(egg)
    assert [path for path in source_files(source) if path not in archive.namelist()] == []
    entry_points = archive.read("EGG-INFO/entry_points.txt").decode()
    assert "[scrapy]\nsettings = crawler.settings" in entry_points


def test_installed_wheel_crawls_from_another_folder(installed, tmp_path):
    """The fixture server and the crawl both from the installed package, in a folder that
    holds neither the source nor a scrapy.cfg."""
    where = subprocess.run([str(installed), "-c", "import crawler, pipelines, fixtures; "
                            "print(crawler.__file__, pipelines.__file__, fixtures.__file__)"],
                           cwd=tmp_path, env=clean_env(), check=True, capture_output=True,
                           text=True)
    venv = installed.parent.parent
    assert all(Path(path).is_relative_to(venv) for path in where.stdout.split())
    server, base_url = serve_fixture_site(installed, "jingxian", tmp_path)
    try:
        site_crawl = subprocess.run(
            [str(installed), "-m", "scrapy", "crawl", "eggcheck", "-O", "site.jsonl",
             *crawl_settings({"eggcheck": base_url})],
            cwd=tmp_path, env=clean_env(SCRAPY_SETTINGS_MODULE="crawler.settings"),
            capture_output=True, text=True, timeout=300)
        adhoc_crawl = subprocess.run(
            [str(installed), "-m", "scrapy", "crawl", "notices", "-a",
             f"start_url={base_url}a/xcgz/list_12_1.html", "-O", "adhoc.jsonl",
             *crawl_settings({})],
            cwd=tmp_path, env=clean_env(SCRAPY_SETTINGS_MODULE="crawler.settings"),
            capture_output=True, text=True, timeout=300)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert site_crawl.returncode == 0, site_crawl.stderr[-3000:]
    records = read_feed(tmp_path / "site.jsonl")
    assert {r["site_id"] for r in records} == {"eggcheck"}  # the packaged registry was read
    for record in records:
        record["site_id"] = "jingxian"
    assert golden_jingxian(records, base_url) == expected_jingxian()
    assert adhoc_crawl.returncode == 0, adhoc_crawl.stderr[-3000:]
    adhoc = read_feed(tmp_path / "adhoc.jsonl")
    # an ad-hoc crawl's region comes from the packaged adcode table: the seed notice's title
    # names 泾县 (341823 in crawler/sites.toml)
    [seed] = [r for r in adhoc if r["title"].startswith("中共泾县城管执法局党组")]
    assert seed["region"]["adcode"] == "341823"
    assert len(adhoc) == len(records)


def test_scrapyd_runs_a_crawl_from_the_egg(egg, tmp_path):
    """Scrapyd's own runner, as for a job of an uploaded egg: the egg on sys.path, the
    settings module named by its entry point, the registry and data read from the zip."""
    eggs = tmp_path / "eggs" / "jiwei-notices"
    eggs.mkdir(parents=True)
    shutil.copy(egg, eggs / "1.egg")
    (tmp_path / "scrapyd.conf").write_text("[scrapyd]\neggs_dir = eggs\n", encoding="utf-8")
    server, base_url = serve_fixture_site(Path(sys.executable), "jingxian", tmp_path)
    try:
        job = subprocess.run(
            [sys.executable, "-m", "scrapyd.runner", "crawl", "eggcheck", "-O", "job.jsonl",
             *crawl_settings({"eggcheck": base_url})],
            cwd=tmp_path, env=clean_env(SCRAPY_PROJECT="jiwei-notices"),
            capture_output=True, text=True, timeout=300)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert job.returncode == 0, job.stderr[-3000:]
    records = read_feed(tmp_path / "job.jsonl")
    assert {r["site_id"] for r in records} == {"eggcheck"}  # the egg's registry was read
    for record in records:
        record["site_id"] = "jingxian"
    assert golden_jingxian(records, base_url) == expected_jingxian()
