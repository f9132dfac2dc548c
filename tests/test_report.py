"""The crawl report (logged table and JSON next to the feed) and the progress line."""

from __future__ import annotations

import json

from tests.conftest import run_crawl
from tests.sitegen import serve_sites, write_registry


def test_report_next_to_the_feed(tmp_path):
    server = serve_sites(tmp_path, {
        "good": {"count": 6, "per_page": 3,
                 "site_toml": '[[routes]]\npath = "/list/n002.html"\nhandler = "empty"\n'},
        "waf": {"site_toml": '[[routes]]\npath = "/list/index.html"\nhandler = "waf360"\n'},
    })
    try:
        registry = write_registry(tmp_path / "sites.toml", server)
        settings = {"NOTICES_REGISTRY_PATH": str(registry), "DOWNLOAD_DELAY": "0.05",
                    "CONCURRENT_REQUESTS_PER_DOMAIN": "1", "NOTICES_PROGRESS_INTERVAL": "0.1",
                    "NOTICES_STATE_PATH": str(tmp_path / "state" / "{site_id}.sqlite")}
        out = tmp_path / "out"
        out.mkdir()
        result = run_crawl(out, "notices", "sites=all", settings=settings)
    finally:
        server.stop()
    [feed] = out.glob("*.jsonl")
    report = json.loads(feed.with_name(feed.name.replace(".jsonl", ".report.json")).read_text())
    assert report["finish_reason"] == "finished"
    good, waf = report["sites"]["good"], report["sites"]["waf"]
    assert (good["list_pages"], good["notice_pages"], good["emitted"]) == (2, 5, 5)
    assert (good["new"], good["revised"], good["unchanged"]) == (5, 0, 0)
    assert good["errors"] == {"http_error": 0, "network_error": 0, "challenge": 0,
                              "empty_body": 1, "unexpected_structure": 0}
    assert good["coverage"] == {"date": 1.0, "source": 1.0, "hit_count": 1.0, "body": 1.0,
                                "kind": good["coverage"]["kind"]}
    assert waf["emitted"] == 0 and waf["errors"]["challenge"] == 1
    assert waf["coverage"]["date"] is None
    table = result.log.split("crawl report (finished):\n", 1)[1].splitlines()
    assert table[0].split()[:8] == ["site", "lists", "notices", "emitted", "new", "revised",
                                    "unchanged", "errors"]
    assert table[1].split()[:8] == ["good", "2", "5", "5", "5", "0", "0", "empty_body=1"]
    assert table[2].split()[:8] == ["waf", "0", "0", "0", "0", "0", "0", "challenge=1"]
    assert "progress: " in result.log and " notices in " in result.log
