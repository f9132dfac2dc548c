"""Duplicates across sites: the same notice republished by several sites, grouped by `cluster_id`.

Exact copies share `content_sha1`. Near-duplicates — the same text with other whitespace, a
republisher's header and footer lines (title, 来源/日期/编辑, breadcrumbs, share and tag lines),
the end cut off, a lead sentence re-worded, or in traditional characters (compared in
simplified) — are proposed by MinHash LSH (datasketch) on character shingles of the body's
sentence lines (`sentence_lines`: furniture lines hold no sentence end), and each proposed pair
is confirmed on its exact shingle sets: most of the shorter text's shingles must be in the
longer one (containment), and the two must still be of comparable size (Jaccard floor).
Containment, not Jaccard alone, is what tells a copy with a header or signature added
(containment near 1) from a template-built notice about another unit; the Jaccard floor is what
tells a copy from an article that quotes the whole notice inside text of its own.

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

import numpy as np
from datasketch import LeanMinHash, MinHashLSH

from pipelines.chinese_script import to_simplified

logger = logging.getLogger(__name__)

SHINGLE_SIZE = 5  # characters per shingle: about two Chinese words
NUM_PERM = 128  # MinHash permutations; the LSH bands are derived from them
CANDIDATE_THRESHOLD = 0.4  # estimated Jaccard at which LSH proposes a pair (below the floor)
# Set on the real set (fixtures/republished/: 9 copy pairs, 221 look-alike pairs) and checked on
# the generated corpora; the margins are in docs/corpus-tools.md.
CONTAINMENT_THRESHOLD = 0.85  # share of the shorter text's shingles found in the longer one
JACCARD_FLOOR = 0.6  # and the pair's Jaccard: a short text quoted in a long one is no copy
MINHASH_SCHEME = "affine32"  # 32-bit hash values, the scheme datasketch's index expects
SHINGLE_MULTIPLIER = np.uint64(0x100000001B3)  # FNV-1a's prime: a polynomial hash of 5 code points
SHINGLE_MIXER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: spreads the low bits
CLUSTER_ID_LENGTH = 16  # hex characters of the SHA-1 of the origin's URL
WHITESPACE = re.compile(r"\s+")
SENTENCE_END = re.compile(r"[。！？!?；;]")
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
    """Body text as compared: NFKC (full-width → half-width), every whitespace removed, and in
    simplified characters (a copy in traditional characters compares as its source)."""
    return to_simplified(WHITESPACE.sub("", unicodedata.normalize("NFKC", body_text or "")))


def sentence_lines(body_text: str) -> str:
    """The lines of a body that hold a sentence end (。！？；), the ones compared: a republisher's
    furniture — its title line, 来源/日期/编辑 lines, breadcrumbs, share and tag lines — holds
    none. The whole text where no line does."""
    lines = [line for line in (body_text or "").split("\n") if SENTENCE_END.search(line)]
    return "\n".join(lines) if lines else body_text or ""


@lru_cache(maxsize=4096)
def shingles(body_text: str, size: int = SHINGLE_SIZE) -> frozenset[str]:
    """The set of `size`-character shingles of the comparable sentence lines (the text itself if
    shorter)."""
    text = comparable_text(sentence_lines(body_text))
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


def shingle_hashes(body_text: str, size: int = SHINGLE_SIZE) -> np.ndarray:
    """The shingles of the comparable sentence lines as sorted distinct 64-bit hashes (numpy,
    many times smaller and faster to intersect than sets of strings; collisions are
    negligible)."""
    codes = np.frombuffer(comparable_text(sentence_lines(body_text)).encode("utf-32-le"),
                          dtype=np.uint32)
    codes = codes.astype(np.uint64)
    if codes.size == 0:
        return codes
    if codes.size < size:
        codes = np.concatenate([codes, np.zeros(size - codes.size, np.uint64)])
    count = codes.size - size + 1
    hashes = np.zeros(count, np.uint64)
    with np.errstate(over="ignore"):  # arithmetic modulo 2**64
        for offset in range(size):
            hashes = hashes * SHINGLE_MULTIPLIER + codes[offset:offset + count]
        hashes ^= hashes >> np.uint64(29)
        hashes *= SHINGLE_MIXER
    return np.unique(hashes)


def array_overlap(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """`overlap` of two `shingle_hashes` arrays."""
    if not a.size or not b.size:
        return 0.0, 0.0
    common = np.intersect1d(a, b, assume_unique=True).size
    return common / (a.size + b.size - common), common / min(a.size, b.size)


@lru_cache
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) of the fixed-seed hash functions x -> (a·x + b) mod 2**64 >> 32 of MinHash
    (multiply-shift hashing: a odd; no division, unlike the modulo of a prime)."""
    rng = np.random.default_rng(1)
    a = rng.integers(0, 2**63, num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    return a[:, None], rng.integers(0, 2**63, num_perm, dtype=np.uint64)[:, None]


def minhash(hashes: np.ndarray, num_perm: int = NUM_PERM) -> LeanMinHash:
    """MinHash signature of `shingle_hashes`, computed in one numpy step (the same text always
    gives the same signature), for datasketch's LSH index."""
    a, b = _permutations(num_perm)
    with np.errstate(over="ignore"):
        values = ((a * hashes[None, :] + b) >> np.uint64(32)).min(axis=1)
    return LeanMinHash(seed=1, hashvalues=values, scheme=MINHASH_SCHEME)


@lru_cache
def lsh_bands(candidate_threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) of an LSH index proposing pairs at `candidate_threshold`, worked out once:
    datasketch's optimisation costs a tenth of a second per index."""
    index = MinHashLSH(threshold=candidate_threshold, num_perm=num_perm)
    return index.b, index.r


def new_index(candidate_threshold: float, num_perm: int) -> MinHashLSH:
    return MinHashLSH(num_perm=num_perm, params=lsh_bands(candidate_threshold, num_perm))


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


def confirmed(a: np.ndarray, b: np.ndarray, *, threshold: float,
              jaccard_floor: float) -> tuple[float, float] | None:
    """(Jaccard, containment) of two `shingle_hashes` arrays when they are near-duplicates,
    else None."""
    if min(a.size, b.size) < jaccard_floor * max(a.size, b.size):
        return None  # sizes too far apart for the Jaccard floor
    similarity, share = array_overlap(a, b)
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
    lsh = new_index(candidate_threshold, num_perm)
    hashes = {key: shingle_hashes(text) for key, text in texts.items()}
    signatures = {}
    for key, values in hashes.items():
        if values.size:
            signatures[key] = minhash(values, num_perm)
            lsh.insert(key, signatures[key])
    pairs, seen = [], set()
    for key, signature in signatures.items():
        for other in lsh.query(signature):
            pair = (key, other) if key < other else (other, key)
            if other == key or pair in seen:
                continue
            seen.add(pair)
            scores = confirmed(hashes[key], hashes[other], threshold=threshold,
                               jaccard_floor=jaccard_floor)
            if scores:
                pairs.append((*pair, scores[0]))
    return pairs


def cluster_name(origin: dict) -> str:
    """`cluster_id`: hex characters of the SHA-1 of the origin's URL (one text can be several
    notices, so its content_sha1 does not name one)."""
    return hashlib.sha1(origin["url"].encode("utf-8")).hexdigest()[:CLUSTER_ID_LENGTH]


def _facts_said(known: tuple) -> str:
    said = [f"{name} {value}" for name, value in zip(FACT_FIELDS, known, strict=True) if value]
    return f"; same {', '.join(said)}" if said else "; no facts parsed"


def cluster_records(records: list[dict], *, threshold: float = CONTAINMENT_THRESHOLD,
                    jaccard_floor: float = JACCARD_FLOOR,
                    candidate_threshold: float = CANDIDATE_THRESHOLD,
                    num_perm: int = NUM_PERM) -> list[Membership]:
    """The cluster membership of every record, in the order of `records`.

    Records with the same text and the same facts are exact copies, taken together; each such
    group, in origin order, joins the closest representative with its facts or founds a cluster.
    """
    groups: dict[tuple, list[int]] = defaultdict(list)  # (content_sha1, facts) -> records
    for index, record in enumerate(records):
        groups[(record_sha1(record), facts(record))].append(index)
    for indices in groups.values():
        indices.sort(key=lambda i: first_copy_order(records[i]))
    order = sorted(groups, key=lambda group: first_copy_order(records[groups[group][0]]))
    texts: dict[str, np.ndarray] = {}  # content_sha1 -> shingle hashes
    for (sha1, _), indices in groups.items():
        if sha1 not in texts:
            texts[sha1] = shingle_hashes(records[indices[0]].get("body_text") or "")
    indexes: dict[tuple, MinHashLSH] = {}  # facts -> LSH of the representatives' texts
    representative: dict[tuple, tuple] = {}  # group -> the group of its cluster's origin
    scores: dict[tuple, tuple[float, float]] = {}  # group -> (Jaccard, containment) with it
    for group in order:
        sha1, known = group
        hashes = texts[sha1]
        representative[group], scores[group] = group, (1.0, 1.0)
        if not hashes.size:
            continue
        signature = minhash(hashes, num_perm)
        lsh = indexes.get(known)
        if lsh is None:
            lsh = indexes[known] = new_index(candidate_threshold, num_perm)
        best = None
        for candidate in lsh.query(signature):
            found = confirmed(hashes, texts[candidate], threshold=threshold,
                              jaccard_floor=jaccard_floor)
            if found and (best is None or (found[1], found[0]) > (best[1][1], best[1][0])):
                best = ((candidate, known), found)
        if best:
            representative[group], scores[group] = best
        else:
            lsh.insert(sha1, signature)

    members: dict[tuple, list[int]] = defaultdict(list)
    for group, indices in groups.items():
        members[representative[group]].extend(indices)
    memberships: list[Membership | None] = [None] * len(records)
    for origin_group, indices in members.items():
        origin = groups[origin_group][0]
        cluster_id = cluster_name(records[origin])
        sites = len({records[i].get("site_id") for i in indices})
        for index in indices:
            group = (record_sha1(records[index]), facts(records[index]))
            similarity, share = scores[group]
            if index == origin:
                match, reason = "first", "origin"
            elif group == origin_group:
                match, reason = "exact", "same content_sha1" + _facts_said(group[1])
            else:
                match = "near"
                reason = (f"near copy: containment {share:.3f}, Jaccard {similarity:.3f}"
                          + _facts_said(group[1]))
            memberships[index] = Membership(cluster_id, len(indices), sites, match,
                                            round(similarity, 4), round(share, 4), reason)
    logger.info("%d records, %d distinct texts and facts, %d clusters, %d fact groups",
                len(records), len(groups), len(members), len(indexes))
    return memberships
