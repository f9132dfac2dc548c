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

What a run took from the shared queue is recorded in its taken-hash until it commits
(`crawler.distributed.scheduler`). A worker killed before its feed is moved into place leaves
staged rows, claims and that hash behind: once its heartbeat has lapsed, a live worker (or
`scrapy seed`) takes them back — `take_back_from_dead` puts the requests into the queue
again and frees the claims — so another worker fetches and emits those notices. A worker
closing without committing a file feed (the feed could not be stored) gives its requests
back the same way.
"""

from __future__ import annotations

import logging

from scrapy.exceptions import DropItem

from crawler.state import CrawlStatePipeline, Known

logger = logging.getLogger(__name__)

SEP = "\x1f"  # joins site id and URL in the per-run keys
CLAIMED, ALREADY_MINE, HELD_ELSEWHERE = 1, 0, -1

# KEYS: claims hash, this run's claimed set, this run's staged hash; ARGV: url, run id,
# worker-key prefix, member. A claim of this run's not yet staged is a claim retried after
# its answer was lost: still CLAIMED.
CLAIM = """
local owner = redis.call('HGET', KEYS[1], ARGV[1])
if owner == ARGV[2] then return redis.call('HEXISTS', KEYS[3], ARGV[4]) == 1 and 0 or 1 end
if owner and redis.call('EXISTS', ARGV[3] .. owner) == 1 then return -1 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[2], ARGV[4])
return 1
"""

# The scripts below take KEYS: staged hash, staged walks set, claimed set, taken hash, queue;
# ARGV: key prefix, run id, sep. This part frees the run's claims (those no other run has
# taken over).
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
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
return #rows / 2
"""

# ARGV[4]: "1" to put the taken requests back into the queue. Returns how many went back.
RELEASE = FREE_OWN_CLAIMS + """
local back = 0
if ARGV[4] == '1' then
  local taken = redis.call('HGETALL', KEYS[4])
  for i = 1, #taken, 2 do redis.call('ZADD', KEYS[5], taken[i + 1], taken[i]) end
  back = #taken / 2
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
return back
"""

# RELEASE for a run whose heartbeat (ARGV[5]) is gone; -1 if it is alive.
TAKE_BACK = """
if redis.call('EXISTS', ARGV[5]) == 1 then return -1 end
""" + RELEASE


class RedisCrawlState:
    """The crawl state of all sites in one Redis, for the run `run_id`."""

    def __init__(self, server, keys, spider: str, run_id: str, keep_seconds: int):
        self.server = server
        self.keys = keys
        self.spider = spider
        self.run_id = run_id
        self.keep_seconds = keep_seconds
        self._claim = server.register_script(CLAIM)
        self._commit = server.register_script(COMMIT)
        self._release = server.register_script(RELEASE)

    @property
    def _run_keys(self) -> list[str]:
        return run_keys(self.keys, self.spider, self.run_id)

    def claim(self, site_id: str, url: str) -> int:
        """CLAIMED, ALREADY_MINE (this run emitted it) or HELD_ELSEWHERE (a live worker did)."""
        return int(self._claim(
            keys=[self.keys.claims(site_id), self.keys.claimed(self.run_id),
                  self.keys.staged(self.run_id)],
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
            for key in self._run_keys[:3]:  # the taken-hash waits until it is taken back
                pipe.expire(key, self.keep_seconds)
            pipe.execute()

    def close(self, give_back: bool) -> int:
        """Forget what this run staged but never committed and free its claims; with
        `give_back`, put the requests it took back into the queue (returns how many)."""
        return int(self._release(keys=self._run_keys,
                                 args=[self.keys.prefix, self.run_id, SEP, int(give_back)]))


def run_keys(keys, spider: str, run_id: str) -> list[str]:
    """The KEYS of COMMIT and RELEASE for a run of `spider`."""
    return [keys.staged(run_id), keys.staged_walks(run_id), keys.claimed(run_id),
            keys.taken(spider, run_id), keys.requests(spider)]


def dead_runs(server, keys, spider: str) -> list[str]:
    """Runs of `spider` that hold taken requests and have no heartbeat."""
    prefix = keys.taken(spider, "")
    runs = [key[len(prefix):] for key in server.scan_iter(prefix + "*", count=1000)]
    return [run for run in runs if not server.exists(keys.worker(run))]


def take_back_from_dead(server, keys, spider: str) -> int:
    """Put the requests of `spider`'s dead runs back into its queue, free their claims and
    forget their staged notices; returns how many requests went back."""
    take_back = server.register_script(TAKE_BACK)
    return sum(max(0, int(take_back(keys=run_keys(keys, spider, run),
                                    args=[keys.prefix, run, SEP, 1, keys.worker(run)])))
               for run in dead_runs(server, keys, spider))


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
