"""The duplicate finder on the real republication set (`fixtures/republished/`): stored public
pages of 巡察/巡视 notices, official texts carried by several outlets and their look-alikes,
labelled by reading under the rules of `fixtures/republished/LABELLING.md`. Real look-alikes —
template siblings, follow-ups, articles quoting a notice — are never linked; real copies (4
notices on 2-4 hosts, in simplified and traditional characters) are linked as far as the
shipped rule reaches, which these tests hold it to."""

from __future__ import annotations

import json
from collections import defaultdict
from urllib.parse import urlsplit

import opencc
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


def _cluster_of(real, memberships) -> dict[str, str]:
    return {r["url"]: m.cluster_id for r, m in zip(real.records, memberships, strict=True)}


def test_the_set_holds_copies_of_notices_on_several_hosts(real):
    hosts = defaultdict(set)
    for record in real.records:
        hosts[real.notice_of[record["url"]]].add(record["site_id"])
    assert sorted(len(found) for found in hosts.values() if len(found) > 1) == [2, 4]
    assert len(real.copy_pairs()) == 9


def test_real_copies_are_linked_without_a_false_link(real):
    """Measured on the set (`python -m bench.duplicates --real`): pair precision 1.0, pair
    recall 8/9, 3 of the 4 copied notices found whole. The pair left apart is a syndicated
    article in another house style (rule 10: numbers in other digits, 大陸 for 中國)."""
    memberships = cluster_records(real.records)
    found = real.scores([m.cluster_id for m in memberships])
    assert found["pair_precision"] == 1.0 and found["cluster_precision"] == 1.0
    assert found["pair_recall"] >= 8 / 9 and found["cluster_recall"] >= 3 / 4


def test_a_lead_re_cast_and_furniture_lines_do_not_keep_copies_apart(real):
    """Xinhua's bulletin on four hosts: one with a summary, editor and 原标题 lines, one with a
    breadcrumb and 来源 lines, one in traditional characters, one in traditional with its
    opening sentence re-cast (新華社報道，…今午…): one cluster."""
    cluster_of = _cluster_of(real, cluster_records(real.records))
    copies = [url for url, notice in real.notice_of.items()
              if notice == "xinhua_2023_second_plenum_opening"]
    assert len(copies) == 4 and len({cluster_of[url] for url in copies}) == 1


def test_a_traditional_copy_links_with_its_simplified_source(real):
    """Real pages in traditional characters (a site's traditional edition, a Hong Kong paper's
    reprint of a Xinhua bulletin) link with their simplified copies on other pages."""
    cluster_of = _cluster_of(real, cluster_records(real.records))
    by_stem = {urlsplit(r["url"]).path: r["url"] for r in real.records}
    pairs = [("/realtime-china/3539755/", "/zh-hans/realtime-china/3539755/"),
             ("/realtime-china/3530565/", "/zh-hans/realtime-china/3530565/"),
             ("/hkcdweb/content/2023/02/26/content_1387862.html",
              "/news/zj/2023/02/1824182.shtml"),
             ("/hkcdweb/content/2023/02/26/content_1387862.html", "/P/C/154990.htm")]
    for traditional, simplified in pairs:
        a = next(url for path, url in by_stem.items() if path.startswith(traditional))
        b = next(url for path, url in by_stem.items() if path.startswith(simplified))
        assert cluster_of[a] == cluster_of[b], (a, b)


def test_template_siblings_in_traditional_stay_apart(real):
    """One province's 进驻 template for other counties and batches, and the CCDI's monthly
    report for other months, each converted to traditional by OpenCC's `s2t` (conversion, not
    pages found in traditional): each converted copy joins its own source only."""
    to_traditional = opencc.OpenCC("s2t")
    siblings = [r for r in real.records
                if real.family_of[r["url"]] in ("fujian_entry_template", "ccdi_monthly_report")]
    converted = [{**r, "url": r["url"] + "#traditional",
                  "body_text": to_traditional.convert(r["body_text"]),
                  "title": to_traditional.convert(r["title"] or "")}
                 for r in siblings]
    assert all(c["body_text"] != r["body_text"] for c, r in zip(converted, siblings, strict=True))
    both = siblings + converted
    cluster_of = {r["url"]: m.cluster_id for r, m in zip(both, cluster_records(both),
                                                         strict=True)}
    source = {r["url"]: r["url"].removesuffix("#traditional") for r in both}
    members = defaultdict(set)
    for url, cluster in cluster_of.items():
        members[cluster].add(real.notice_of[source[url]])
    assert all(len(notices) == 1 for notices in members.values())
    joined = sum(cluster_of[r["url"]] == cluster_of[c["url"]]
                 for r, c in zip(siblings, converted, strict=True))
    assert len(siblings) >= 15 and joined == len(siblings)
