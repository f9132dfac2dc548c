"""Duplicate clustering: precision, recall and time of the shipped method and its alternatives.

On generated corpora with known clusters (tests/corpus_factory.py: copies with other whitespace,
header lines and signatures; template-built look-alikes that are different notices), every
method groups the records, and the grouping is scored over record pairs: precision = pairs
grouped together that are copies of one notice / pairs grouped together; recall = copies grouped
together / all pairs of copies. Times are medians of REPEATS runs; ratios are against the
shipped method.

On the real set (`fixtures/republished/`: stored public pages of 巡察/巡视 notices and their
look-alikes, labelled by reading), the same methods group the real records, and the table
counts the labelled look-alike pairs each joins and scores its copies: pair and cluster precision
and recall, and the shipped method's choice of each notice's first copy where the labels tell it.

At scale, the shipped clustering runs on about 20,000 records twice: a generated corpus as
above, and a templated one (one report template filled in for TEMPLATE_UNITS units, each
notice republished with header lines and signatures, so that all 20,000 texts are near
one another); every look-alike pair is a candidate there, and the check is that the time stays
near-linear and that no cluster holds two inspected units.

    python -m bench.run duplicates
    python -m bench.duplicates --real    (the real set only: seconds)
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable

from fixtures.republished import corpus_records
from pipelines.corpus.duplicates import (
    CONTAINMENT_THRESHOLD,
    JACCARD_FLOOR,
    cluster_records,
    containment,
    jaccard,
    near_duplicate_pairs,
    record_sha1,
    shingles,
)
from tests.corpus_factory import UNITS, make_corpus, sha1

CORPORA = ((150, 1), (150, 2), (300, 3))  # (original notices, seed)
REPEATS = 3
PLAIN_JACCARD = 0.7  # the usual near-duplicate rule: shingle Jaccard at or above this
SIMHASH_DISTANCE = 3  # 64-bit SimHash: Hamming distance at or below this
LOOSE_CONTAINMENT = 0.5  # a looser rule, on the real set: containment alone at or above this
SCALE_NOTICES = (1400, 2800, 5700)  # generated corpora of about 5,000, 10,000 and 20,000 records
TEMPLATE_UNITS = 50  # units of the templated corpus …
TEMPLATE_RECORDS = (5000, 10000, 20000)  # … and its sizes


def _labels_from_pairs(records: list[dict], pairs: list[tuple[str, str]]) -> list[str]:
    """Cluster label per record: records joined by equal SHA-1 or by a (sha1, sha1) pair."""
    parent = {record_sha1(r): record_sha1(r) for r in records}

    def find(key):
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for a, b in pairs:
        parent[find(a)] = find(b)
    return [find(record_sha1(r)) for r in records]


def _texts(records: list[dict]) -> dict[str, str]:
    return {record_sha1(r): r["body_text"] for r in records}


def shipped(records):
    """MinHash LSH candidates confirmed on containment (the default of pipelines.corpus)."""
    return [m.cluster_id for m in cluster_records(records)]


def exact_only(records):
    """Equal content_sha1 only."""
    return _labels_from_pairs(records, [])


def lsh_plain_jaccard(records):
    """MinHash LSH candidates confirmed on Jaccard >= PLAIN_JACCARD alone."""
    pairs = near_duplicate_pairs(_texts(records), threshold=0.0, jaccard_floor=PLAIN_JACCARD)
    return _labels_from_pairs(records, [p[:2] for p in pairs])


def all_pairs_containment(records):
    """Every pair of distinct texts compared on the shipped rule, without LSH."""
    texts = _texts(records)
    keys = sorted(texts)
    sets = {key: shingles(texts[key]) for key in keys}
    pairs = [(a, b) for i, a in enumerate(keys) for b in keys[i + 1:]
             if jaccard(sets[a], sets[b]) >= JACCARD_FLOOR
             and containment(sets[a], sets[b]) >= CONTAINMENT_THRESHOLD]
    return _labels_from_pairs(records, pairs)


def simhash_index(records):
    """64-bit SimHash of the shingles (the `simhash` package), Hamming distance <= 3."""
    from simhash import Simhash, SimhashIndex

    texts = _texts(records)
    hashes = {key: Simhash(sorted(shingles(text)), f=64) for key, text in texts.items()}
    index = SimhashIndex(list(hashes.items()), f=64, k=SIMHASH_DISTANCE)
    pairs = [(key, other) for key, value in hashes.items()
             for other in index.get_near_dups(value) if other != key]
    return _labels_from_pairs(records, pairs)


def all_pairs_loose_containment(records):
    """Every pair of distinct texts joined on containment >= LOOSE_CONTAINMENT alone."""
    texts = _texts(records)
    keys = sorted(texts)
    sets = {key: shingles(texts[key]) for key in keys}
    pairs = [(a, b) for i, a in enumerate(keys) for b in keys[i + 1:]
             if containment(sets[a], sets[b]) >= LOOSE_CONTAINMENT]
    return _labels_from_pairs(records, pairs)


METHODS: dict[str, Callable] = {
    "minhash-lsh + containment (shipped)": shipped,
    "exact content_sha1 only": exact_only,
    "minhash-lsh + jaccard>=0.7": lsh_plain_jaccard,
    "all pairs + containment (no LSH)": all_pairs_containment,
    "simhash-64, hamming<=3": simhash_index,
}


def pair_scores(truth: list[str], predicted: list[str]) -> tuple[float, float]:
    """(precision, recall) over record pairs of a predicted grouping against the true one."""
    def pairs(counts):
        return sum(n * (n - 1) // 2 for n in counts.values())

    together = pairs(Counter(predicted))
    true = pairs(Counter(truth))
    right = pairs(Counter(zip(truth, predicted, strict=True)))
    return (right / together if together else 1.0, right / true if true else 1.0)


def look_alike_errors(corpus, predicted: list[str]) -> tuple[int, int]:
    """(copies left apart, look-alike notices joined) among the corpus's labelled pairs."""
    label = {r["url"]: p for r, p in zip(corpus.records, predicted, strict=True)}
    missed = sum(label[a] != label[b] for a, b, _ in corpus.must_cluster)
    joined = sum(label[a] == label[b] for a, b, _ in corpus.must_not_cluster)
    return missed, joined


def real_set() -> None:
    """Every method on the real set: look-alike pairs joined, and the pair and cluster scores of
    its copies (`RealSet.scores`); the origin choice of the shipped method."""
    real = corpus_records()
    truth = [real.notice_of[r["url"]] for r in real.records]
    copies, look_alikes = real.copy_pairs(), real.look_alike_pairs()
    print(f"real set (fixtures/republished/): {len(real.records)} records, {len(set(truth))} "
          f"notices, {len(copies)} copy pairs, {len(look_alikes)} look-alike pairs, "
          f"{len(set(real.family_of.values()))} families")
    print(f"  {'method':38} {'joined':>6} {'of':>4} {'pair prec.':>10} {'pair rec.':>9} "
          f"{'clus. prec.':>11} {'clus. rec.':>10} {'median s':>9}")
    methods = {**METHODS, f"all pairs, containment>={LOOSE_CONTAINMENT} alone":
               all_pairs_loose_containment}

    def shown(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"  # "-": nothing to count

    for name, method in methods.items():
        try:
            seconds = []
            for _ in range(REPEATS):
                shingles.cache_clear()
                start = time.perf_counter()
                predicted = method(real.records)
                seconds.append(time.perf_counter() - start)
        except ImportError as error:
            print(f"  {name:38} skipped: {error.name} not installed (pip install -e '.[bench]')")
            continue
        label = {r["url"]: p for r, p in zip(real.records, predicted, strict=True)}
        joined = sum(label[a] == label[b] for a, b in look_alikes)
        missed = sum(label[a] != label[b] for a, b in copies)
        found = real.scores(predicted)
        print(f"  {name:38} {joined:6d} {len(look_alikes):4d} {shown(found['pair_precision']):>10} "
              f"{shown(found['pair_recall']):>9} {shown(found['cluster_precision']):>11} "
              f"{shown(found['cluster_recall']):>10} {statistics.median(seconds):9.3f}"
              + (f"  ({missed} copy pairs apart)" if copies else ""))
    memberships = cluster_records(real.records)
    found = real.scores([m.cluster_id for m in memberships],
                        {r["url"] for r, m in zip(real.records, memberships, strict=True)
                         if m.match == "first"})
    judged, labelled = found["origin_counted"]
    print(f"  origin (shipped): {shown(found['origin_accuracy'])} of the {judged} notices with a "
          f"labelled first copy found whole ({labelled} labelled)")
    sets = {r["url"]: shingles(r["body_text"]) for r in real.records}
    closest = max((containment(sets[a], sets[b]), jaccard(sets[a], sets[b]), a, b)
                  for a, b in look_alikes)
    print(f"  closest look-alike pair: containment {closest[0]:.3f}, Jaccard {closest[1]:.3f} "
          f"(shipped rule: containment >= {CONTAINMENT_THRESHOLD}, Jaccard >= {JACCARD_FLOOR})"
          f": {closest[2]} / {closest[3]}")
    cluster_of = {r["url"]: m.cluster_id for r, m in zip(real.records, memberships, strict=True)}
    apart = [(containment(sets[a], sets[b]), jaccard(sets[a], sets[b]), a, b)
             for a, b in copies if cluster_of[a] != cluster_of[b]]
    for share, similarity, a, b in sorted(apart, reverse=True):
        print(f"  copies left apart (shipped): containment {share:.3f}, Jaccard "
              f"{similarity:.3f}: {a} / {b}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.duplicates")
    parser.add_argument("--real", action="store_true", help="the real set only")
    options = parser.parse_args(argv if argv is not None else [])
    real_set()
    if options.real:
        return
    for notices, seed in CORPORA:
        corpus = make_corpus(notices, seed=seed)
        truth = [corpus.truth[r["url"]] for r in corpus.records]
        kinds = Counter(v.split(" ")[0] if v.startswith("launch") else "report"
                        for _, _, v in corpus.must_cluster)
        print(f"corpus: {len(corpus.records)} records, {len(set(truth))} notices, "
              f"{len(corpus.must_cluster)} copies ({dict(kinds)}), "
              f"{len(corpus.must_not_cluster)} look-alikes (seed {seed})")
        print(f"  {'method':38} {'precision':>9} {'recall':>7} {'missed':>6} {'joined':>6} "
              f"{'median s':>9} {'ratio':>7}")
        base_time = None
        results = defaultdict(list)
        for name, method in METHODS.items():
            try:
                for _ in range(REPEATS):
                    shingles.cache_clear()
                    start = time.perf_counter()
                    predicted = method(corpus.records)
                    results[name].append(time.perf_counter() - start)
            except ImportError as error:
                print(f"  {name:38} skipped: {error.name} not installed "
                      f"(pip install -e '.[bench]')")
                continue
            seconds = statistics.median(results[name])
            base_time = base_time or seconds
            precision, recall = pair_scores(truth, predicted)
            missed, joined = look_alike_errors(corpus, predicted)
            print(f"  {name:38} {precision:9.3f} {recall:7.3f} {missed:6d} {joined:6d} "
                  f"{seconds:9.3f} {seconds / base_time:7.3f}")
    print("at scale: the shipped clustering, one run per corpus")
    scale()


def templated_corpus(records: int, seed: int = 1) -> list[dict]:
    """`records` copies of TEMPLATE_UNITS notices written from one template (the unit and a
    few numbers substituted), each copy with a header line or a signature of its own."""
    rng = random.Random(seed)
    template = make_corpus(1, seed=seed).records[0]
    base_unit = template["notice"]["inspected_unit"]
    units = [f"{county}{unit}党组" for county in ("泾县", "绩溪县", "寿县") for unit in UNITS]
    out = []
    for index in range(records):
        unit = units[index % TEMPLATE_UNITS]
        body = template["body_text"].replace(base_unit, unit)
        body = (f"来源：县纪委监委 浏览次数：{rng.randint(1, 999)}\n" if index % 2 else "") + body \
            + (f"\n{unit}\n2021年{rng.randint(1, 12)}月{rng.randint(1, 28)}日" if index % 3 else "")
        out.append({**template, "url": f"http://s{index % 97}.example.gov.cn/{index}.html",
                    "site_id": f"s{index % 97}", "body_text": body, "content_sha1": sha1(body),
                    "published_at": f"2021-0{1 + index % 9}-1{index % 10}",
                    "notice": {**template["notice"], "inspected_unit": unit}})
    return out


def scale() -> None:
    """Seconds of the shipped clustering on growing corpora (one run each: minutes in all);
    CPU time beside wall time, the machine being shared."""
    print(f"  {'corpus':28} {'records':>8} {'clusters':>8} {'mixed units':>11} {'wall s':>7} "
          f"{'CPU s':>7} {'CPU s/1k':>8} {'peak RSS MB':>11}")
    corpora = [(f"generated ({n} notices)", make_corpus(n, seed=4).records)
               for n in SCALE_NOTICES]
    corpora += [(f"templated ({TEMPLATE_UNITS} units)", templated_corpus(n))
                for n in TEMPLATE_RECORDS]
    for name, records in corpora:
        start, cpu = time.perf_counter(), time.process_time()
        memberships = cluster_records(records)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        units = defaultdict(set)
        for record, membership in zip(records, memberships, strict=True):
            units[membership.cluster_id].add(record["notice"]["inspected_unit"])
        mixed = sum(len(found) > 1 for found in units.values())
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  {name:28} {len(records):8d} {len(units):8d} {mixed:11d} {seconds:7.1f} "
              f"{cpu:7.1f} {1000 * cpu / len(records):8.2f} {peak:11.0f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
