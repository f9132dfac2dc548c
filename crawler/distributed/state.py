"""The crawl state in Redis, shared by every worker: exported notices, claims, list walks.

`RedisCrawlState` implements the interface of `crawler.state.CrawlState` (known, stage,
walk_finished, walk_complete, commit, close), so the incremental middleware and the crawl
state pipeline work unchanged; what it adds is the claim that keeps two live workers from
emitting the same notice:

    claim(site, url)   before a notice is emitted, atomically: this run takes it unless a
                       live worker (heartbeat key present) holds it; a dead worker's claim
                       is taken over, and a notice this run already holds is a duplicate
    stage(...)         the notice is in this run's feed, not yet durable
    commit()           the feed file is in place: staged -> known, this run's claims freed
                       (one Lua script, so another worker sees either the claim or the
                       exported notice, never neither)

A worker killed before its feed is moved into place leaves staged rows and claims that die
with its heartbeat: the next `scrapy seed` walks the lists again and another worker emits
those notices. Its staged rows expire after `NOTICES_REDIS_SEEN_TTL`.
"""

from __future__ import annotations

import logging

from scrapy.exceptions import DropItem

from crawler.state import CrawlStatePipeline, Known

logger = logging.getLogger(__name__)

SEP = "\x1f"  # joins site id and URL in the per-run keys
CLAIMED, ALREADY_MINE, HELD_ELSEWHERE = 1, 0, -1

# KEYS: claims hash, this run's claimed set; ARGV: url, run id, worker-key prefix, member.
CLAIM = """
local owner = redis.call('HGET', KEYS[1], ARGV[1])
if owner == ARGV[2] then return 0 end
if owner and redis.call('EXISTS', ARGV[3] .. owner) == 1 then return -1 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[4])
return 1
"""

# The scripts below take KEYS: staged hash, staged walks set, claimed set; ARGV: key prefix,
# run id, sep. This part frees the run's claims (those no other run has taken over).
FREE_OWN_CLAIMS = """
for _, member in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  local at = string.find(member, ARGV[3], 1, true)
  local claims = ARGV[1] .. ':claims:' .. string.sub(member, 1, at - 1)
  local url = string.sub(member, at + 1)
  if redis.call('HGET', claims, url) == ARGV[2] then redis.call('HDEL', claims, url) end
end
"""

COMMIT = """
local rows = redis.call('HGETALL', KEYS[1])
for i = 1, #rows, 2 do
  local at = string.find(rows[i], ARGV[3], 1, true)
  local site, url = string.sub(rows[i], 1, at - 1), string.sub(rows[i], at + 1)
  redis.call('HSET', ARGV[1] .. ':known:' .. site, url, rows[i + 1])
end
for _, member in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local at = string.find(member, ARGV[3], 1, true)
  redis.call('SADD', ARGV[1] .. ':walks:' .. string.sub(member, 1, at - 1),
             string.sub(member, at + 1))
end
""" + FREE_OWN_CLAIMS + """
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return #rows / 2
"""

RELEASE = FREE_OWN_CLAIMS + """
return redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
"""


class RedisCrawlState:
    """The crawl state of all sites in one Redis, for the run `run_id`."""

    def __init__(self, server, keys, run_id: str, keep_seconds: int):
        self.server = server
        self.keys = keys
        self.run_id = run_id
        self.keep_seconds = keep_seconds
        self._claim = server.register_script(CLAIM)
        self._commit = server.register_script(COMMIT)
        self._release = server.register_script(RELEASE)

    @property
    def _run_keys(self) -> list[str]:
        return [self.keys.staged(self.run_id), self.keys.staged_walks(self.run_id),
                self.keys.claimed(self.run_id)]

    def claim(self, site_id: str, url: str) -> int:
        """CLAIMED, ALREADY_MINE (this run emitted it) or HELD_ELSEWHERE (a live worker did)."""
        return int(self._claim(
            keys=[self.keys.claims(site_id), self.keys.claimed(self.run_id)],
            args=[url, self.run_id, self.keys.worker(""), f"{site_id}{SEP}{url}"]))

    def known(self, site_id: str, url: str) -> Known | None:
        value = self.server.hget(self.keys.known(site_id), url)
        if value is None:
            return None
        sha1, revision = value.split()
        return Known(sha1, int(revision))

    def stage(self, site_id: str, url: str, content_sha1: str, revision: int) -> None:
        self.server.hset(self.keys.staged(self.run_id), f"{site_id}{SEP}{url}",
                         f"{content_sha1} {revision}")

    def walk_finished(self, site_id: str, list_url: str) -> None:
        self.server.sadd(self.keys.staged_walks(self.run_id), f"{site_id}{SEP}{list_url}")

    def walk_complete(self, site_id: str, list_url: str) -> bool:
        return bool(self.server.sismember(self.keys.walks(site_id), list_url))

    def commit(self) -> int:
        """This run's feed is in place: its staged notices and walks become known."""
        return int(self._commit(keys=self._run_keys, args=[self.keys.prefix, self.run_id, SEP]))

    def keep_alive(self) -> None:
        """Push back the expiry of this run's staged rows (called with every heartbeat)."""
        with self.server.pipeline(transaction=False) as pipe:
            for key in self._run_keys:
                pipe.expire(key, self.keep_seconds)
            pipe.execute()

    def close(self) -> None:
        """Forget what this run staged but never committed (no file feed) and free its claims."""
        self._release(keys=self._run_keys, args=[self.keys.prefix, self.run_id, SEP])


class DistributedStatePipeline(CrawlStatePipeline):
    """The crawl state pipeline, claiming each notice first: no notice twice across workers.

    A notice this run has already emitted, or one a live worker is emitting, is dropped and
    counted in `notices/duplicate_dropped_count/<site_id>`.
    """

    def process_item(self, item):
        site_id, url = item["site_id"], item["url"]
        outcome = self.state.claim(site_id, url)
        if outcome != CLAIMED:
            self.crawler.stats.inc_value(f"notices/duplicate_dropped_count/{site_id}")
            who = "this worker" if outcome == ALREADY_MINE else "another live worker"
            raise DropItem(f"notice {url} already emitted by {who}", log_level="DEBUG")
        return super().process_item(item)
