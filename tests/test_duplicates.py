"""Duplicate clustering across sites, on generated corpora with known copies and look-alikes."""

from __future__ import annotations

import copy
import csv
import hashlib
import random
import subprocess
import sys
from collections import defaultdict

import pytest

from pipelines.corpus.duplicates import (
    CLUSTER_ID_LENGTH,
    CONTAINMENT_THRESHOLD,
    JACCARD_FLOOR,
    cluster_records,
    containment,
    jaccard,
    near_duplicate_pairs,
    sentence_lines,
    shingles,
)
from pipelines.validate import record_errors
from tests.conftest import REPO
from tests.corpus_factory import VARIANTS, make_corpus, write_jsonl


@pytest.fixture(scope="module")
def corpus():
    return make_corpus(40, seed=11)


@pytest.fixture(scope="module")
def clusters(corpus):
    memberships = cluster_records(corpus.records)
    return {r["url"]: m for r, m in zip(corpus.records, memberships, strict=True)}


def test_generated_records_are_valid(corpus):
    invalid = {r["url"]: record_errors(r) for r in corpus.records if record_errors(r)}
    assert invalid == {}


def test_generated_corpus_has_every_kind_of_pair(corpus):
    variants = {variant for _, _, variant in corpus.must_cluster}
    assert variants >= set(VARIANTS)
    assert any(variant.startswith("launch ") for variant in variants)
    assert {relation for _, _, relation in corpus.must_not_cluster} == {
        "sibling", "follow-up", "launch-sibling"}


def test_copies_join_their_original(corpus, clusters):
    apart = [(variant, a, b) for a, b, variant in corpus.must_cluster
             if clusters[a].cluster_id != clusters[b].cluster_id]
    assert apart == []


def test_look_alike_notices_stay_apart(corpus, clusters):
    joined = [(relation, a, b) for a, b, relation in corpus.must_not_cluster
              if clusters[a].cluster_id == clusters[b].cluster_id]
    assert joined == []


def test_clusters_are_the_true_notices(corpus, clusters):
    def partition(label_of):
        groups = defaultdict(set)
        for url in corpus.truth:
            groups[label_of(url)].add(url)
        return {frozenset(group) for group in groups.values()}

    assert partition(lambda url: clusters[url].cluster_id) == partition(corpus.truth.get)


def test_every_copy_is_kept_with_its_size_and_sites(corpus, clusters):
    members = defaultdict(list)
    for record in corpus.records:
        members[clusters[record["url"]].cluster_id].append(record)
    for cluster_id, records in members.items():
        for record in records:
            membership = clusters[record["url"]]
            assert membership.cluster_size == len(records)
            assert membership.site_count == len({r["site_id"] for r in records})
        firsts = [r for r in records if clusters[r["url"]].match == "first"]
        assert len(firsts) == 1
        assert cluster_id == hashlib.sha1(
            firsts[0]["url"].encode()).hexdigest()[:CLUSTER_ID_LENGTH]
        assert firsts[0]["published_at"][:10] == min(r["published_at"][:10] for r in records)


def test_match_and_similarity_describe_each_copy(corpus, clusters):
    by_url = {r["url"]: r for r in corpus.records}
    first_of = {m.cluster_id: url for url, m in clusters.items() if m.match == "first"}
    for url, membership in clusters.items():
        first = by_url[first_of[membership.cluster_id]]
        same_text = by_url[url]["content_sha1"] == first["content_sha1"]
        assert (membership.match in ("first", "exact")) == same_text
        expected = jaccard(shingles(by_url[url]["body_text"]), shingles(first["body_text"]))
        assert membership.similarity == pytest.approx(expected, abs=1e-4)


def test_cluster_ids_do_not_depend_on_input_order(corpus, clusters):
    shuffled = list(corpus.records)
    random.Random(3).shuffle(shuffled)
    again = cluster_records(shuffled)
    assert {r["url"]: m.cluster_id for r, m in zip(shuffled, again, strict=True)} == {
        url: m.cluster_id for url, m in clusters.items()}


BASE = ("根据县委统一部署，2021年3月15日至5月10日，县委第二巡察组对县教育局党组开展了常规巡察。\n"
        "一、整改工作的组织领导\n县教育局党组把巡察整改作为重大政治任务，召开专题会议研究部署。\n"
        "二、巡察反馈问题的整改落实情况\n（一）关于干部队伍建设方面的问题\n"
        "问题：干部选拔任用程序不严谨，涉及12项具体事项。整改情况：修订完善相关管理制度，目前已整改完成。")


@pytest.mark.parametrize("copy", [
    pytest.param("\u3000\u3000" + BASE.replace("\n", "\n\n").replace("，", "， "), id="whitespace"),
    pytest.param("来源：县纪委监委 发布时间：2021-08-02 浏览次数：88\n" + BASE, id="header"),
    pytest.param(BASE + "\n中共某县委巡察工作领导小组办公室\n2021年8月2日", id="signature"),
    pytest.param(BASE.replace("12", "１２"), id="full-width-digits"),
])
def test_altered_copy_is_a_near_duplicate(copy):
    assert [(a, b) for a, b, _ in near_duplicate_pairs({"a": BASE, "b": copy})] == [("a", "b")]


SIBLING = BASE.replace("县教育局", "县财政局").replace("干部选拔任用程序不严谨，涉及12项",
                                                   "专项资金拨付滞后，涉及3项")


@pytest.mark.parametrize("other", [
    pytest.param(SIBLING, id="sibling"),
    pytest.param("县委第二巡察组进驻县教育局党组开展常规巡察的公告。", id="unrelated"),
])
def test_different_notice_is_not_a_near_duplicate(other):
    assert near_duplicate_pairs({"a": BASE, "b": other}) == []


def test_furniture_lines_are_not_compared():
    """A republisher's header, editor and signature lines hold no sentence end: they are left
    out, and the copy compares as its source."""
    copy = ("来源：县纪委监委 作者：县委第二巡察组 发布时间：2021-08-02 09:30 浏览次数：88\n"
            + BASE + "\n（责任编辑：王敏）\n中共某县委巡察工作领导小组办公室\n2021年8月2日")
    assert sentence_lines(copy) == sentence_lines(BASE)
    assert shingles(copy) == shingles(BASE)
    assert sentence_lines("县委第二巡察组\n2021年8月2日") == "县委第二巡察组\n2021年8月2日"


def test_containment_not_jaccard_tells_a_copy_from_a_template_sibling():
    """Additions that are sentences (an editor's note, a lead of the republisher's) stay in the
    comparison: the copy holds the whole source (containment 1), the sibling does not."""
    copy = ("本网讯（通讯员 王敏）近日，县委巡察办公布了一份整改情况报告，现全文转载如下。\n"
            + BASE + "\n（本文转载自县纪委监委网站，原文发布于2021年8月2日，责任编辑王敏。）")
    a, b, c = shingles(BASE), shingles(copy), shingles(SIBLING)
    assert jaccard(a, c) >= JACCARD_FLOOR  # the Jaccard floor alone would take the sibling
    assert containment(a, b) == 1.0
    assert containment(a, c) < CONTAINMENT_THRESHOLD
    assert [p[:2] for p in near_duplicate_pairs({"a": BASE, "b": copy, "c": SIBLING})] == [
        ("a", "b")]


def test_threshold_decides_between_look_alikes():
    share = containment(shingles(BASE), shingles(SIBLING))
    assert near_duplicate_pairs({"a": BASE, "b": SIBLING}, threshold=share + 0.01) == []
    assert len(near_duplicate_pairs({"a": BASE, "b": SIBLING}, threshold=share - 0.01)) == 1


def test_duplicates_command_lists_every_copy(tmp_path, corpus, clusters):
    write_jsonl(corpus.records, tmp_path / "crawl.jsonl")
    out = tmp_path / "duplicates.csv"
    proc = subprocess.run([sys.executable, "-m", "pipelines.corpus", "duplicates",
                           str(tmp_path / "crawl.jsonl"), "-o", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    expected = {url for url, m in clusters.items() if m.cluster_size > 1}
    assert {row["url"] for row in rows} == expected
    assert all(row["cluster_id"] == clusters[row["url"]].cluster_id for row in rows)
    firsts = [i for i, row in enumerate(rows) if row["match"] == "first"]
    assert all(rows[i - 1]["cluster_id"] != rows[i]["cluster_id"] for i in firsts if i)


def _record(url, site_name, body, unit=None, published_at="2021-08-02", county="泾县"):
    record = {"url": url, "site_id": url.split("/")[2], "site_name": site_name,
              "published_at": published_at, "body_text": body,
              "content_sha1": hashlib.sha1(body.encode()).hexdigest(),
              "region": {"province": "安徽省", "city": "宣城市", "county": county},
              "notice": {"inspected_unit": unit, "inspection_body": "县委第二巡察组"}}
    return record


TEMPLATE = BASE * 2  # a long template: one unit name in it weighs little


def test_template_notices_of_different_units_never_cluster():
    units = ["县教育局党组", "县财政局党组", "县民政局党组", "县水利局党组"]
    records = [_record(f"http://a{i}.gov.cn/{i}.html", "泾县纪委监委",
                       TEMPLATE.replace("县教育局", unit.removesuffix("党组"), 1), unit)
               for i, unit in enumerate(units)]
    texts = {r["content_sha1"]: r["body_text"] for r in records}
    assert len(near_duplicate_pairs(texts)) == len(units) * (len(units) - 1) // 2  # alike texts
    memberships = cluster_records(records)
    assert len({m.cluster_id for m in memberships}) == len(units)


def test_clusters_do_not_chain():
    """A ~ B and B ~ C but not A ~ C: C does not join A's cluster through B."""
    rng = random.Random(1)

    def text(n):
        return "".join(chr(0x4E00 + rng.randrange(5000)) for _ in range(n))

    a = text(1200)
    b = a[:-120] + text(120)  # the end rewritten
    c = text(120) + b[120:]  # and then the start
    sets = [shingles(t) for t in (a, b, c)]
    assert containment(sets[0], sets[1]) >= CONTAINMENT_THRESHOLD
    assert containment(sets[1], sets[2]) >= CONTAINMENT_THRESHOLD
    assert containment(sets[0], sets[2]) < CONTAINMENT_THRESHOLD
    records = [_record(f"http://s{i}.gov.cn/{i}.html", "某县人民政府", text,
                       published_at=f"2021-08-0{i + 1}") for i, text in enumerate((a, b, c))]
    first, second, third = cluster_records(records)
    assert second.cluster_id == first.cluster_id and third.cluster_id != first.cluster_id


def test_the_origin_is_the_earliest_then_the_own_site():
    body = BASE + "\n县教育局党组\n2021年8月2日"
    city = _record("http://a.city.gov.cn/1.html", "宣城市人民政府", body, "县教育局党组",
                   "2021-08-02T09:00:00+08:00")
    county_gov = _record("http://b.county.gov.cn/1.html", "泾县人民政府", body, "县教育局党组",
                         "2021-08-02")
    jiwei = _record("http://c.jiwei.gov.cn/1.html", "泾县纪委监委", body, "县教育局党组",
                    "2021-08-02")
    own = _record("http://d.edu.gov.cn/1.html", "泾县教育局", body, "县教育局党组",
                  "2021-08-02")
    # the timed copy is the earliest: 09:00 is before a bare date's end of day
    memberships = cluster_records([county_gov, jiwei, own, city])
    assert [m.match for m in memberships] == ["exact", "exact", "exact", "first"]
    # same day, no times: the inspected unit's own site, then the 纪委 site at the body's level
    later_city = {**copy.deepcopy(city), "published_at": "2021-08-03"}
    assert [m.match for m in cluster_records([county_gov, later_city, jiwei, own])] == [
        "exact", "exact", "exact", "first"]
    assert [m.match for m in cluster_records([county_gov, later_city, jiwei])] == [
        "exact", "exact", "first"]
    assert all(m.reason for m in memberships)


def test_no_cluster_holds_two_inspected_units(corpus, clusters):
    units = defaultdict(set)
    for record in corpus.records:
        units[clusters[record["url"]].cluster_id].add(record["notice"]["inspected_unit"])
    assert [found for found in units.values() if len(found) > 1] == []
