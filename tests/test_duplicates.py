"""Duplicate clustering across sites, on generated corpora with known copies and look-alikes."""

from __future__ import annotations

import csv
import random
import subprocess
import sys
from collections import defaultdict

import pytest

from pipelines.corpus.duplicates import (
    CLUSTER_ID_LENGTH,
    CONTAINMENT_THRESHOLD,
    cluster_records,
    containment,
    jaccard,
    near_duplicate_pairs,
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
        assert cluster_id == firsts[0]["content_sha1"][:CLUSTER_ID_LENGTH]
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


def test_containment_not_jaccard_tells_a_copy_from_a_template_sibling():
    copy = ("来源：县纪委监委 作者：县委第二巡察组 发布时间：2021-08-02 09:30 浏览次数：88\n"
            + BASE + "\n（责任编辑：王敏）\n中共某县委巡察工作领导小组办公室\n2021年8月2日")
    a, b, c = shingles(BASE), shingles(copy), shingles(SIBLING)
    assert jaccard(a, c) > jaccard(a, b)  # Jaccard alone would rank the sibling closer
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
