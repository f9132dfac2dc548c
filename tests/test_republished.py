"""The duplicate finder on the real republication set (`fixtures/republished/`): stored public
pages of 巡察/巡视 notices and their look-alikes, labelled by reading under the rules of
`fixtures/republished/LABELLING.md`. The set holds no two copies of one notice (the stored
corpus keeps one copy of each text: `SOURCES.md`), so what is measured here is that real
look-alikes — template siblings, follow-ups, articles quoting a notice — are never linked."""

from __future__ import annotations

import json
from collections import defaultdict
from urllib.parse import urlsplit

import pytest

from fixtures.republished import REPUBLISHED_DIR, corpus_records, label_files
from pipelines.corpus.duplicates import cluster_records


@pytest.fixture(scope="module")
def real():
    return corpus_records()


def _joined_look_alikes(real, memberships) -> list[tuple[str, str]]:
    cluster_of = {r["url"]: m.cluster_id
                  for r, m in zip(real.records, memberships, strict=True)}
    return [(a, b) for a, b in real.look_alike_pairs() if cluster_of[a] == cluster_of[b]]


def test_every_record_is_a_labelled_stored_page_with_its_address_in_sources():
    sources = (REPUBLISHED_DIR / "SOURCES.md").read_text(encoding="utf-8")
    urls = []
    for path in label_files():
        record = json.loads(path.read_text(encoding="utf-8"))
        assert record["site_id"] == urlsplit(record["url"]).hostname, path.name
        assert record["body_text"].strip(), path.name
        assert record["label"]["notice_id"] and record["label"]["family"], path.name
        assert f"| `{path.stem}` |" in sources and record["url"] in sources, path.name
        urls.append(record["url"])
    assert len(urls) == len(set(urls))


def test_the_set_holds_look_alikes_of_the_same_template_round_or_event(real):
    families = defaultdict(set)
    for url, family in real.family_of.items():
        families[family].add(real.notice_of[url])
    assert sum(len(notices) >= 3 for notices in families.values()) >= 5
    assert len(real.look_alike_pairs()) >= 100


def test_no_cluster_holds_two_real_notices(real):
    memberships = cluster_records(real.records)
    notices_in = defaultdict(set)
    for record, membership in zip(real.records, memberships, strict=True):
        notices_in[membership.cluster_id].add(real.notice_of[record["url"]])
    mixed = {cluster: notices for cluster, notices in notices_in.items() if len(notices) > 1}
    assert mixed == {}
    assert _joined_look_alikes(real, memberships) == []


def test_a_looser_rule_links_real_look_alikes(real):
    """The set is close enough to tell: containment 0.5 (Jaccard 0.2) joins look-alikes that the
    shipped thresholds keep apart."""
    loose = cluster_records(real.records, threshold=0.5, jaccard_floor=0.2,
                            candidate_threshold=0.2)
    assert _joined_look_alikes(real, loose)
