"""Politeness under the settings a user gets (AutoThrottle on, real delays), measured at the
server: when each request of a site reached it. These tests take seconds of crawling each and
assert lower bounds on gaps (and which site's request came first), never that a crawl is fast.
"""

from __future__ import annotations

from tests.conftest import PRODUCTION, run_crawl
from tests.sitegen import serve_sites, write_registry

# Clock and thread scheduling at the server may shift an arrival by a few milliseconds.
NOISE = 0.05
# Scrapy waits between 0.5 and 1.5 times a slot's delay (DOWNLOAD_DELAY_JITTER).
JITTER_LOW = 0.5


def gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in zip(times, times[1:], strict=False)]


def test_a_sites_own_delay_holds_under_autothrottle(tmp_path):
    """A registry site asking for 3 s keeps 3 s (±50%) although AutoThrottle would take its
    slot down to DOWNLOAD_DELAY (1 s) after a few quick answers."""
    delay = 3.0
    server = serve_sites(tmp_path, {"slow": {"count": 4, "per_page": 10}})
    try:
        registry = write_registry(
            tmp_path / "sites.toml", server,
            extra=f"politeness = {{ download_delay = {delay}, concurrency = 1 }}\n")
        result = run_crawl(tmp_path, "notices", "sites=slow",
                           settings={**PRODUCTION, "NOTICES_REGISTRY_PATH": str(registry)})
    finally:
        server.stop()
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.records) == 4
    times = server.arrival_times("slow")
    assert len(times) == 6  # robots.txt, the list page, 4 notices
    assert min(gaps(times)) >= delay * JITTER_LOW - NOISE, gaps(times)


def test_a_failing_sites_back_off_does_not_hold_up_a_healthy_site(tmp_path):
    """Two sites answer 503 to their list pages; their retries wait out a 20 s back-off. The
    global cap stands at two requests in progress: a waiting retry that kept its place (as in
    a province-wide outage filling the 100 of production) would stall the healthy site until
    the back-offs end. Held by the scheduler instead, the healthy site is crawled meanwhile."""
    backoff = 20.0
    failing = ('[[routes]]\npath = "/list/index.html"\nhandler = "status"\nstatus = 503\n')
    server = serve_sites(tmp_path, {
        "down1": {"count": 2, "site_toml": failing},
        "down2": {"count": 2, "site_toml": failing},
        "healthy": {"count": 5, "per_page": 10},
    })
    try:
        registry = write_registry(tmp_path / "sites.toml", server)
        result = run_crawl(tmp_path, "notices", "sites=down1,down2,healthy", settings={
            **PRODUCTION, "NOTICES_REGISTRY_PATH": str(registry), "CONCURRENT_REQUESTS": "2",
            "RETRY_TIMES": "1", "NOTICES_RETRY_BACKOFF": str(backoff)})
    finally:
        server.stop()
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.records) == 5
    assert result.stat("notices/retry_backoff_count") == 2
    healthy = server.arrival_times("healthy")
    assert len(healthy) == 7  # robots.txt, the list page, 5 notices
    for site in ("down1", "down2"):
        first, retry = server.arrival_times(site, "/list/index.html")
        assert retry - first >= backoff - NOISE  # the back-off itself is kept
        assert max(healthy) < retry, (site, healthy, retry)
    assert min(gaps(healthy)) >= 1.0 * JITTER_LOW - NOISE  # and the healthy site's delay
