"""Duplicates across sites: the same notice republished by several sites, grouped by `cluster_id`.

Exact copies share `content_sha1`. Near-duplicates — the same text with other whitespace, an
added header line (来源/时间), a signature or date line — are proposed by MinHash LSH
(datasketch) on character shingles of the body text, and each proposed pair is confirmed on its
exact shingle sets: nearly all of the shorter text's shingles must be in the longer one
(containment), and the two must still be of comparable size (Jaccard floor). Containment, not
Jaccard alone, is what tells a copy with a header or signature added (containment near 1) from a
template-built notice about another unit (units, dates and phone numbers substituted all through
the text: containment well below, Jaccard often as high as the copy's).

Clusters are the connected groups of confirmed pairs; every copy is kept with its URL. A cluster
is named after its earliest published copy.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from datasketch import MinHash, MinHashLSH

logger = logging.getLogger(__name__)

SHINGLE_SIZE = 5  # characters per shingle: about two Chinese words
NUM_PERM = 128  # MinHash permutations; the LSH bands are derived from them
CANDIDATE_THRESHOLD = 0.4  # estimated Jaccard at which LSH proposes a pair (below the floor)
CONTAINMENT_THRESHOLD = 0.9  # share of the shorter text's shingles found in the longer one
JACCARD_FLOOR = 0.5  # and the pair's Jaccard: a short text quoted in a long one is no copy
ESTIMATE_MARGIN = 0.15  # a candidate whose MinHash estimate is this far below the floor is
#                         dropped unverified (over 3 standard errors at 128 permutations)
CLUSTER_ID_LENGTH = 16  # hex characters of the earliest copy's content_sha1
WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Membership:
    """Where one record stands among the copies of its notice."""

    cluster_id: str
    cluster_size: int  # copies (records) in the cluster, this one included
    site_count: int  # distinct sites among them
    match: str  # "first" (the earliest copy), "exact" (same content_sha1 as it) or "near"
    similarity: float  # shingle Jaccard with the earliest copy's body (1.0 for exact copies)


def comparable_text(body_text: str) -> str:
    """Body text as compared: NFKC (full-width → half-width), every whitespace removed."""
    return WHITESPACE.sub("", unicodedata.normalize("NFKC", body_text or ""))


@lru_cache(maxsize=4096)
def shingles(body_text: str, size: int = SHINGLE_SIZE) -> frozenset[str]:
    """The set of `size`-character shingles of the comparable text (the text itself if shorter)."""
    text = comparable_text(body_text)
    if len(text) <= size:
        return frozenset([text]) if text else frozenset()
    return frozenset(text[i:i + size] for i in range(len(text) - size + 1))


def overlap(a: frozenset, b: frozenset) -> tuple[float, float]:
    """(Jaccard |a ∩ b| / |a ∪ b|, containment |a ∩ b| / min(|a|, |b|)); 0.0 for empty sets."""
    if not a or not b:
        return 0.0, 0.0
    common = len(a & b) if len(a) <= len(b) else len(b & a)
    return common / (len(a) + len(b) - common), common / min(len(a), len(b))


def jaccard(a: frozenset, b: frozenset) -> float:
    """|a ∩ b| / |a ∪ b| (0.0 for empty sets)."""
    return overlap(a, b)[0]


def containment(a: frozenset, b: frozenset) -> float:
    """|a ∩ b| / min(|a|, |b|): the share of the smaller set found in the larger (0.0 if empty)."""
    return overlap(a, b)[1]


def minhash(shingle_set: frozenset[str], num_perm: int = NUM_PERM) -> MinHash:
    """MinHash signature of a shingle set (fixed seed: the same text always gives the same one)."""
    signature = MinHash(num_perm=num_perm)
    signature.update_batch([s.encode("utf-8") for s in shingle_set])
    return signature


def record_sha1(record: dict) -> str:
    """`content_sha1` of a record, computed from `body_text` where the record lacks it."""
    return record.get("content_sha1") or hashlib.sha1(
        (record.get("body_text") or "").encode("utf-8")).hexdigest()


class _UnionFind:
    def __init__(self, keys):
        self.parent = {key: key for key in keys}

    def find(self, key):
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, a, b):
        self.parent[self.find(a)] = self.find(b)


def near_duplicate_pairs(texts: dict[str, str], *, threshold: float = CONTAINMENT_THRESHOLD,
                         jaccard_floor: float = JACCARD_FLOOR,
                         candidate_threshold: float = CANDIDATE_THRESHOLD,
                         num_perm: int = NUM_PERM) -> list[tuple[str, str, float]]:
    """(key, key, Jaccard) of every pair of distinct texts that are near-duplicates: containment
    at or above `threshold` and Jaccard at or above `jaccard_floor`.

    `texts` maps a key (a content SHA-1) to its body text. LSH proposes the pairs; each is
    confirmed on exact shingle sets, so a false candidate never makes a pair.
    """
    lsh = MinHashLSH(threshold=candidate_threshold, num_perm=num_perm)
    signatures = {}
    for key, text in texts.items():
        shingle_set = shingles(text)
        if shingle_set:
            signatures[key] = minhash(shingle_set, num_perm)
            lsh.insert(key, signatures[key])
    pairs = []
    seen = set()
    for key, signature in signatures.items():
        for other in lsh.query(signature):
            pair = (key, other) if key < other else (other, key)
            if other == key or pair in seen:
                continue
            seen.add(pair)
            if signature.jaccard(signatures[other]) < jaccard_floor - ESTIMATE_MARGIN:
                continue
            a, b = shingles(texts[key]), shingles(texts[other])
            if min(len(a), len(b)) < jaccard_floor * max(len(a), len(b)):
                continue  # sizes too far apart for the Jaccard floor
            similarity, share = overlap(a, b)
            if similarity >= jaccard_floor and share >= threshold:
                pairs.append((*pair, similarity))
    return pairs


def first_copy_order(record: dict) -> tuple:
    """Sort key of the copy a cluster is named after: earliest published, then site, then URL."""
    published = record.get("published_at")
    return (published is None, (published or "")[:10], record.get("site_id") or "",
            record.get("url") or "")


def cluster_records(records: list[dict], *, threshold: float = CONTAINMENT_THRESHOLD,
                    num_perm: int = NUM_PERM) -> list[Membership]:
    """The cluster membership of every record, in the order of `records`."""
    by_sha1: dict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        by_sha1[record_sha1(record)].append(index)
    texts = {sha1: records[indices[0]].get("body_text") or ""
             for sha1, indices in by_sha1.items()}
    groups = _UnionFind(by_sha1)
    pairs = near_duplicate_pairs(texts, threshold=threshold, num_perm=num_perm)
    for a, b, _ in pairs:
        groups.union(a, b)
    clusters: dict[str, list[str]] = defaultdict(list)
    for sha1 in by_sha1:
        clusters[groups.find(sha1)].append(sha1)

    memberships: list[Membership | None] = [None] * len(records)
    for sha1s in clusters.values():
        indices = [i for sha1 in sha1s for i in by_sha1[sha1]]
        first = min(indices, key=lambda i: first_copy_order(records[i]))
        first_sha1 = record_sha1(records[first])
        cluster_id = first_sha1[:CLUSTER_ID_LENGTH]
        sites = len({records[i].get("site_id") for i in indices})
        for index in indices:
            sha1 = record_sha1(records[index])
            if index == first:
                match, similarity = "first", 1.0
            elif sha1 == first_sha1:
                match, similarity = "exact", 1.0
            else:
                match = "near"
                similarity = jaccard(shingles(texts[sha1]), shingles(texts[first_sha1]))
            memberships[index] = Membership(cluster_id, len(indices), sites, match,
                                            round(similarity, 4))
    logger.info("%d records, %d distinct texts, %d near-duplicate pairs, %d clusters",
                len(records), len(by_sha1), len(pairs), len(clusters))
    return memberships
