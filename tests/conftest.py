"""Shared test fixtures: the fixture HTTP server and a runner for real `scrapy crawl` processes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from crawler import settings as crawler_settings
from fixtures.server import REGISTRY_PATH as FIXTURE_REGISTRY
from fixtures.server import FixtureServer

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "fixtures" / "seeds"
REALPAGES = REPO / "fixtures" / "realpages"
TEST_SITES = Path(__file__).with_name("fixture_sites")
GOLDEN = Path(__file__).with_name("golden")
# Fuzz tests (tests/test_fuzz_*.py): short and seeded by default; `make fuzz` selects "fuzz".
_FUZZ_BASE = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow,
                                                          HealthCheck.data_too_large]}
hypothesis_settings.register_profile("short", max_examples=40, derandomize=True, **_FUZZ_BASE)
hypothesis_settings.register_profile("fuzz", max_examples=2500, **_FUZZ_BASE)
# Cases the fuzz tests ran, by property; summed up at the end of the run.
FUZZ_CASES: Counter[str] = Counter()

# Politeness off for loopback fixture crawls, the network out of reach; else as in production.
FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "RETRY_TIMES": "2",
        "NOTICES_LOOPBACK_ONLY": "True"}
# The politeness a user gets (crawler/settings.py), for tests that measure it at the server.
PRODUCTION = {name: str(getattr(crawler_settings, name)) for name in (
    "DOWNLOAD_DELAY", "AUTOTHROTTLE_ENABLED", "AUTOTHROTTLE_START_DELAY",
    "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "RETRY_TIMES",
    "NOTICES_RETRY_BACKOFF")}


@pytest.fixture(scope="session")
def fuzz_cases() -> Counter[str]:
    """The run's fuzz case counter: a property adds one per case it checks."""
    return FUZZ_CASES


@pytest.fixture(scope="session")
def fixture_server():
    """The bundled fixture sites (fixtures/sites/), each on its own loopback port."""
    with FixtureServer() as server:
        yield server


@pytest.fixture(scope="session")
def behaviours_server():
    """The test-only site of platform behaviours (tests/fixture_sites/behaviours/)."""
    with FixtureServer(["behaviours"], sites_dir=TEST_SITES) as server:
        yield server


@pytest.fixture(scope="session")
def hostile_server():
    """The test-only site of hostile answers (tests/fixture_sites/hostile/)."""
    with FixtureServer(["hostile"], sites_dir=TEST_SITES) as server:
        yield server


@dataclass
class CrawlResult:
    records: list[dict]
    log: str
    returncode: int

    def stat(self, key: str) -> int:
        return log_stat(self.log, key)


def log_stat(log: str, key: str) -> int:
    """A counter from the stats dump at the end of a crawl's log (0 when absent)."""
    match = re.search(rf"'{re.escape(key)}': (\d+)", log)
    return int(match.group(1)) if match else 0


def run_crawl(tmp_path: Path, spider: str, *args: str, settings: dict | None = None,
              timeout: float = 120, env: dict | None = None) -> CrawlResult:
    """Run `scrapy crawl` in a subprocess from the repo root and read its JSON Lines feed."""
    out = tmp_path / f"{spider}-{len(list(tmp_path.iterdir()))}.jsonl"
    command = [sys.executable, "-m", "scrapy", "crawl", spider, "-O", str(out)]
    for arg in args:
        command += ["-a", arg]
    for key, value in {**FAST, **(settings or {})}.items():
        command += ["-s", f"{key}={value}"]
    proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})
    records = []
    if out.exists():
        with out.open(encoding="utf-8") as fh:
            records = [json.loads(line) for line in fh]
    return CrawlResult(records, proc.stderr, proc.returncode)


def fixture_settings(server: FixtureServer) -> dict[str, str]:
    """Settings for crawling the served fixture sites by their registry ids: the fixture
    registry, its entries moved from their placeholder hosts to the server's ports."""
    return {"NOTICES_REGISTRY_PATH": str(FIXTURE_REGISTRY),
            "NOTICES_BASE_URLS": json.dumps(server.base_urls)}


def pytest_configure(config):
    """The short fuzz profile unless `--hypothesis-profile` names another."""
    if not config.getoption("hypothesis_profile", None):
        hypothesis_settings.load_profile("short")


def pytest_terminal_summary(terminalreporter):
    """Say how many fuzz cases ran (and under which hypothesis profile)."""
    if FUZZ_CASES:
        for name, count in sorted(FUZZ_CASES.items()):
            terminalreporter.write_line(f"  {count:7d}  {name}")
        terminalreporter.write_line(
            f"fuzz cases run: {sum(FUZZ_CASES.values())} in {len(FUZZ_CASES)} properties "
            f"(hypothesis profile {hypothesis_settings.get_current_profile_name()!r})")
