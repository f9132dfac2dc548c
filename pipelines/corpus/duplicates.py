"""Duplicates across sites: the same notice republished by several sites, grouped by `cluster_id`.

Exact copies share `content_sha1`. Near-duplicates — the same text with other whitespace, an
added header line (来源/时间), a signature or date line — are proposed by MinHash LSH
(datasketch) on character shingles of the body text, and each proposed pair is confirmed on its
exact shingle sets: nearly all of the shorter text's shingles must be in the longer one
(containment), and the two must still be of comparable size (Jaccard floor). Containment, not
Jaccard alone, is what tells a copy with a header or signature added (containment near 1) from a
template-built notice about another unit.

The notice's facts come first: two records whose parsed inspected unit, inspection body (or,
in schema version 2, inspection round) differ are different notices however alike their text;
LSH indexes are kept per set of facts, so they are never even compared.

Clusters cannot chain. Texts are taken in origin order (below); each joins the cluster whose
representative — the cluster's origin — it is closest to, or founds a new cluster. Every member
is confirmed against the representative itself, never through another member. The origin is the
earliest publication (`published_at` with its time of day; a bare date counts as the end of its
day), then the publisher's own site: the inspected unit's site, then a 纪委 site at the level of
the inspection body, then other sites; crawl time and URL only break what remains.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from datasketch import MinHash, MinHashLSH

logger = logging.getLogger(__name__)

SHINGLE_SIZE = 5  # characters per shingle: about two Chinese words
NUM_PERM = 128  # MinHash permutations; the LSH bands are derived from them
CANDIDATE_THRESHOLD = 0.4  # estimated Jaccard at which LSH proposes a pair (below the floor)
CONTAINMENT_THRESHOLD = 0.9  # share of the shorter text's shingles found in the longer one
JACCARD_FLOOR = 0.5  # and the pair's Jaccard: a short text quoted in a long one is no copy
CLUSTER_ID_LENGTH = 16  # hex characters of the origin's content_sha1
WHITESPACE = re.compile(r"\s+")
CHINA_TIME = timezone(timedelta(hours=8))
# Facts of `notice` that tell one notice from another (inspection_round: schema version 2).
FACT_FIELDS = ("inspected_unit", "inspection_body", "inspection_round")
PARTY_SUFFIX = re.compile(r"(党组|党委|党总支|党支部|领导班子)+$")
DISCIPLINE_SITE = re.compile(r"纪委|纪检|监委|监察|清风|廉")
LEVELS = (("省委", "province"), ("自治区党委", "province"), ("市委", "city"),
          ("州委", "city"), ("盟委", "city"), ("县委", "county"), ("区委", "county"),
          ("旗委", "county"))


@dataclass(frozen=True)
class Membership:
    """Where one record stands among the copies of its notice, and why it is there."""

    cluster_id: str
    cluster_size: int  # copies (records) in the cluster, this one included
    site_count: int  # distinct sites among them
    match: str  # "first" (the origin), "exact" (same content_sha1 as it) or "near"
    similarity: float  # shingle Jaccard with the origin's body (1.0 for exact copies)
    containment: float  # share of the shorter of the two texts' shingles found in the other
    reason: str  # why it is in the cluster: "origin", "same content_sha1", "near copy: …"


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


def normalized_fact(value) -> str | None:
    """A fact as compared: NFKC, no whitespace, no trailing 党组/党委 (the same unit either way)."""
    if not isinstance(value, str | int) or value == "":
        return None
    text = comparable_text(str(value))
    return PARTY_SUFFIX.sub("", text) or text


def facts(record: dict) -> tuple:
    """The facts that tell notices apart (None where the parser found none)."""
    notice = record.get("notice") or {}
    return tuple(normalized_fact(notice.get(name)) for name in FACT_FIELDS)


def _level(text: str | None) -> str | None:
    for prefix, level in LEVELS:
        if text and prefix in text:
            return level
    return None


def own_site_rank(record: dict) -> int:
    """0 for the inspected unit's own site, 1 for a 纪委 site at the inspection body's level,
    2 for another 纪委 site, 3 for any other site."""
    notice = record.get("notice") or {}
    name = comparable_text(record.get("site_name") or "")
    unit = normalized_fact(notice.get("inspected_unit"))
    region = record.get("region") or {}
    if unit and name:
        core = unit
        for place in (region.get("county"), region.get("city"), region.get("province")):
            if place:
                core = core.removeprefix(place)
        if len(core) >= 2 and core in name and not DISCIPLINE_SITE.search(name):
            return 0
    if DISCIPLINE_SITE.search(name):
        site_level = ("county" if region.get("county") else "city" if region.get("city")
                      else "province" if region.get("province") else None)
        body_level = _level(notice.get("inspection_body"))
        return 1 if body_level and body_level == site_level else 2
    return 3


def published_moment(record: dict) -> datetime | None:
    """When a record was published, in China time; a bare date stands for the end of its day."""
    value = record.get("published_at")
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if len(value) <= 10:
        return moment.replace(hour=23, minute=59, second=59, tzinfo=CHINA_TIME)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA_TIME)
    return moment.astimezone(CHINA_TIME)


def first_copy_order(record: dict) -> tuple:
    """Sort key of a cluster's origin: earliest publication, own site, earliest crawl, URL."""
    moment = published_moment(record)
    return (moment is None, moment.isoformat() if moment else "", own_site_rank(record),
            record.get("crawled_at") or "", record.get("url") or "")


def confirmed(a: frozenset, b: frozenset, *, threshold: float,
              jaccard_floor: float) -> tuple[float, float] | None:
    """(Jaccard, containment) of two shingle sets when they are near-duplicates, else None."""
    if min(len(a), len(b)) < jaccard_floor * max(len(a), len(b)):
        return None  # sizes too far apart for the Jaccard floor
    similarity, share = overlap(a, b)
    return (similarity, share) if similarity >= jaccard_floor and share >= threshold else None


def near_duplicate_pairs(texts: dict[str, str], *, threshold: float = CONTAINMENT_THRESHOLD,
                         jaccard_floor: float = JACCARD_FLOOR,
                         candidate_threshold: float = CANDIDATE_THRESHOLD,
                         num_perm: int = NUM_PERM) -> list[tuple[str, str, float]]:
    """(key, key, Jaccard) of every pair of distinct texts that are near-duplicates: containment
    at or above `threshold` and Jaccard at or above `jaccard_floor`.

    `texts` maps a key (a content SHA-1) to its body text. LSH proposes the pairs; each is
    confirmed on exact shingle sets, so a false candidate never makes a pair. (The pairwise
    relation, for comparisons; clusters are made by `cluster_records`.)
    """
    lsh = MinHashLSH(threshold=candidate_threshold, num_perm=num_perm)
    signatures = {}
    for key, text in texts.items():
        shingle_set = shingles(text)
        if shingle_set:
            signatures[key] = minhash(shingle_set, num_perm)
            lsh.insert(key, signatures[key])
    pairs, seen = [], set()
    for key, signature in signatures.items():
        for other in lsh.query(signature):
            pair = (key, other) if key < other else (other, key)
            if other == key or pair in seen:
                continue
            seen.add(pair)
            scores = confirmed(shingles(texts[key]), shingles(texts[other]),
                               threshold=threshold, jaccard_floor=jaccard_floor)
            if scores:
                pairs.append((*pair, scores[0]))
    return pairs


def cluster_records(records: list[dict], *, threshold: float = CONTAINMENT_THRESHOLD,
                    jaccard_floor: float = JACCARD_FLOOR,
                    candidate_threshold: float = CANDIDATE_THRESHOLD,
                    num_perm: int = NUM_PERM) -> list[Membership]:
    """The cluster membership of every record, in the order of `records`."""
    by_sha1: dict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        by_sha1[record_sha1(record)].append(index)
    for indices in by_sha1.values():
        indices.sort(key=lambda i: first_copy_order(records[i]))
    # texts in origin order: each is compared only with the representatives before it
    order = sorted(by_sha1, key=lambda sha1: first_copy_order(records[by_sha1[sha1][0]]))
    indexes: dict[tuple, MinHashLSH] = {}
    representative: dict[str, str] = {}  # sha1 -> the sha1 of its cluster's origin
    scores: dict[str, tuple[float, float]] = {}  # sha1 -> (Jaccard, containment) with it
    for sha1 in order:
        first = records[by_sha1[sha1][0]]
        shingle_set = shingles(first.get("body_text") or "")
        representative[sha1], scores[sha1] = sha1, (1.0, 1.0)
        if not shingle_set:
            continue
        signature = minhash(shingle_set, num_perm)
        lsh = indexes.get(key := facts(first))
        if lsh is None:
            lsh = indexes[key] = MinHashLSH(threshold=candidate_threshold, num_perm=num_perm)
        best = None
        for candidate in lsh.query(signature):
            other = shingles(records[by_sha1[candidate][0]].get("body_text") or "")
            found = confirmed(shingle_set, other, threshold=threshold,
                              jaccard_floor=jaccard_floor)
            if found and (best is None or (found[1], found[0]) > (best[1][1], best[1][0])):
                best = (candidate, found)
        if best:
            representative[sha1], scores[sha1] = best
        else:
            lsh.insert(sha1, signature)

    members: dict[str, list[int]] = defaultdict(list)
    for sha1, indices in by_sha1.items():
        members[representative[sha1]].extend(indices)
    memberships: list[Membership | None] = [None] * len(records)
    for origin_sha1, indices in members.items():
        origin = by_sha1[origin_sha1][0]
        cluster_id = origin_sha1[:CLUSTER_ID_LENGTH]
        sites = len({records[i].get("site_id") for i in indices})
        for index in indices:
            sha1 = record_sha1(records[index])
            similarity, share = scores[sha1]
            if index == origin:
                match, reason = "first", "origin"
            elif sha1 == origin_sha1:
                match, reason = "exact", "same content_sha1"
            else:
                known = [f"{name} {value}" for name, value
                         in zip(FACT_FIELDS, facts(records[index]), strict=True) if value]
                match = "near"
                reason = (f"near copy: containment {share:.3f}, Jaccard {similarity:.3f}"
                          + (f"; same {', '.join(known)}" if known else "; no facts parsed"))
            memberships[index] = Membership(cluster_id, len(indices), sites, match,
                                            round(similarity, 4), round(share, 4), reason)
    logger.info("%d records, %d distinct texts, %d clusters, %d fact groups",
                len(records), len(by_sha1), len(members), len(indexes))
    return memberships
