"""``RedisCrawlState``: the crawl state of ``traceur.orchestra.state`` in the queue's Redis,
so that whichever worker collects a source next knows what the previous passes did: feed
and sitemap entries already collected, forum threads' progress, page memos, revisions.

One key per source and kind (a sorted set of seen entries scored by when each was first
seen, a hash of threads, a hash of page memos) and one list per document for its
revisions. Every write is one Redis command or one small script, so two workers never
half-write an entry. ``open_crawl_state`` chooses it when a queue is configured, the
SQLite file of the data directory otherwise.

``purge`` applies the retention periods as ``CrawlState.purge`` does to ``state.db``,
walking the keys with ``SCAN`` in batches (never ``KEYS``, which blocks every worker while
it lists a large Redis).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from traceur.config import Settings
from traceur.orchestra.queue.connection import connect, key
from traceur.orchestra.state import CrawlState, CrawlStateStore, PageMemo, Revision

# Append a revision unless the last one has the same content hash. KEYS: the list.
# ARGV: content hash, the revision as JSON.
_REVISE = """
local last = redis.call('lindex', KEYS[1], -1)
if last and cjson.decode(last)['content_hash'] == ARGV[1] then
    return 0
end
redis.call('rpush', KEYS[1], ARGV[2])
return 1
"""

# Retention of one document's revisions, as ``CrawlState.purge`` does in SQL: drop those
# recorded before the cutoff, except the latest (what the document is now). KEYS: the
# list. ARGV: the cutoff (``recorded_at`` text, which sorts as time), "1" to delete.
# Returns how many go. The list is rewritten in one script, so a revision a worker appends
# meanwhile is never lost between reading and writing.
_TRIM_REVISIONS = """
local rows = redis.call('lrange', KEYS[1], 0, -1)
if #rows < 2 then
    return 0
end
local stamps, latest = {}, ''
for i, row in ipairs(rows) do
    stamps[i] = cjson.decode(row)['recorded_at']
    if stamps[i] > latest then
        latest = stamps[i]
    end
end
local kept = {}
for i, row in ipairs(rows) do
    if stamps[i] >= ARGV[1] or stamps[i] == latest then
        kept[#kept + 1] = row
    end
end
local removed = #rows - #kept
if removed > 0 and ARGV[2] == '1' then
    redis.call('del', KEYS[1])
    for start = 1, #kept, 1000 do
        redis.call('rpush', KEYS[1], unpack(kept, start, math.min(start + 999, #kept)))
    end
end
return removed
"""

# Keys asked of Redis per SCAN step, and per pipeline of deletions.
_BATCH = 500

# Seen entries were a plain set before they were scored by their first sighting: such a
# key becomes a sorted set whose entries count as first seen now (their real date was
# never kept), so that a Redis filled by an earlier version goes on working. KEYS: the
# key. ARGV: now (epoch seconds). Returns whether it was converted.
_UPGRADE_SEEN = """
if redis.call('type', KEYS[1])['ok'] ~= 'set' then
    return 0
end
local entries = redis.call('smembers', KEYS[1])
redis.call('del', KEYS[1])
for start = 1, #entries, 1000 do
    local args = {}
    for i = start, math.min(start + 999, #entries) do
        args[#args + 1] = ARGV[1]
        args[#args + 1] = entries[i]
    end
    redis.call('zadd', KEYS[1], unpack(args))
end
return 1
"""


def open_crawl_state(settings: Settings) -> CrawlStateStore:
    """The crawl state every worker shares (with a queue), or this data directory's."""
    if settings.queue:
        return RedisCrawlState(connect(settings))
    return CrawlState.in_data_dir(settings.data_dir)


def _now(precise: bool = False) -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ" if precise else "%Y-%m-%dT%H:%M:%SZ")


class RedisCrawlState:
    """The crawl state in Redis (a ``CrawlStateStore``)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._revise = client.register_script(_REVISE)
        self._trim_revisions = client.register_script(_TRIM_REVISIONS)
        self._upgrade_seen = client.register_script(_UPGRADE_SEEN)

    def _seen(self, source_id: str, command: str, *args: Any, **kwargs: Any) -> Any:
        """``command`` on ``source_id``'s seen entries, upgrading a set of an earlier
        version to a sorted set first when Redis answers WRONGTYPE."""
        import redis

        name = key("state", "seen", source_id)
        try:
            return getattr(self._client, command)(name, *args, **kwargs)
        except redis.ResponseError as exc:
            if not str(exc).startswith("WRONGTYPE"):
                raise
            self._upgrade_seen(keys=[name], args=[time.time()])
            return getattr(self._client, command)(name, *args, **kwargs)

    def unseen(self, source_id: str, keys: Iterable[str]) -> list[str]:
        keys = list(keys)
        if not keys:
            return []
        scores = self._seen(source_id, "zmscore", keys)
        return [entry for entry, score in zip(keys, scores, strict=True) if score is None]

    def mark_seen(self, source_id: str, key_: str) -> None:
        # NX: the score stays the first sighting, which retention counts from.
        self._seen(source_id, "zadd", {key_: time.time()}, nx=True)

    def thread(self, source_id: str, thread_url: str) -> tuple[int, str] | None:
        raw = self._client.hget(key("state", "threads", source_id), thread_url)
        if raw is None:
            return None
        data = json.loads(raw)
        return int(data["last_page"]), str(data["activity"])

    def record_thread(self, source_id: str, thread_url: str, last_page: int, activity: str) -> None:
        value = {"last_page": last_page, "activity": activity, "updated_at": _now()}
        self._client.hset(key("state", "threads", source_id), thread_url, json.dumps(value))

    def record_revision(self, doc_id: str, content_hash: str, title: str, text_length: int) -> None:
        revision = {
            "recorded_at": _now(precise=True),
            "content_hash": content_hash,
            "title": title,
            "text_length": text_length,
        }
        self._revise(
            keys=[key("state", "revisions", doc_id)],
            args=[content_hash, json.dumps(revision, ensure_ascii=False)],
        )

    def revisions(self, doc_id: str) -> list[Revision]:
        rows = self._client.lrange(key("state", "revisions", doc_id), 0, -1)
        return [Revision(**json.loads(row)) for row in rows]

    def page_memo(self, source_id: str, url: str) -> PageMemo | None:
        raw = self._client.hget(key("state", "memos", source_id), url)
        if raw is None:
            return None
        data = json.loads(raw)
        links = data["links"]
        return PageMemo(
            str(data["rule"]),
            bool(data["kept"]),
            None if links is None else tuple(links),
            tuple((post, comment) for post, comment in data["comments"]),
        )

    def record_page_memo(self, source_id: str, url: str, memo: PageMemo) -> None:
        value = {
            "rule": memo.rule,
            "kept": memo.kept,
            "links": memo.links,
            "comments": memo.comments,
        }
        self._client.hset(
            key("state", "memos", source_id), url, json.dumps(value, ensure_ascii=False)
        )

    def forget_page_memo(self, source_id: str, url: str) -> None:
        self._client.hdel(key("state", "memos", source_id), url)

    def count(self, source_id: str) -> int:
        return int(self._seen(source_id, "zcard"))

    def purge(
        self,
        doc_ids: Sequence[str],
        versions_before: datetime,
        seen_before: datetime,
        *,
        dry_run: bool = False,
    ) -> tuple[int, int]:
        """Retention, as ``CrawlState.purge``: the revisions of purged documents, earlier
        revisions recorded before ``versions_before`` (the latest stays), and feed entries
        first seen before ``seen_before``. Returns (revisions, seen entries) dropped, or
        that would be with ``dry_run``. Page memos and thread progress stay, for the reason
        ``CrawlState.purge`` gives."""
        purged = {key("state", "revisions", doc_id) for doc_id in doc_ids}
        revisions = self._drop_lists(sorted(purged), dry_run)
        cutoff = versions_before.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        for batch in self._scan(key("state", "revisions", "*")):
            with self._client.pipeline(transaction=False) as pipeline:
                for name in batch:
                    # In a dry run the purged documents' lists are still there: counted once.
                    if name not in purged:
                        self._trim_revisions(
                            keys=[name], args=[cutoff, "" if dry_run else "1"], client=pipeline
                        )
                revisions += sum(int(removed) for removed in pipeline.execute())
        seen = 0
        # Exclusive bound, as ``first_seen < ?`` in SQL.
        upper = f"({seen_before.timestamp()}"
        for batch in self._scan(key("state", "seen", "*")):
            with self._client.pipeline(transaction=False) as pipeline:
                for name in batch:
                    if dry_run:
                        pipeline.zcount(name, "-inf", upper)
                    else:
                        # A set of an earlier version starts its clock now (its entries'
                        # dates were never kept): none of it goes yet, all of it later.
                        self._upgrade_seen(keys=[name], args=[time.time()], client=pipeline)
                        pipeline.zremrangebyscore(name, "-inf", upper)
                answers = pipeline.execute(raise_on_error=False)
                counts = answers if dry_run else answers[1::2]  # not the upgrades' answers
                # In a dry run, such a set answers WRONGTYPE: nothing of it would go.
                seen += sum(count for count in counts if isinstance(count, int))
        return revisions, seen

    def _scan(self, pattern: str) -> Iterable[list[str]]:
        """The keys matching ``pattern``, a batch per ``SCAN`` step (a key may come twice
        when Redis rehashes meanwhile: removing or counting by score is safe to repeat,
        and a repeated dry-run count is an upper bound)."""
        cursor = 0
        while True:
            cursor, names = self._client.scan(cursor, match=pattern, count=_BATCH)
            if names:
                yield list(names)
            if cursor == 0:
                return

    def _drop_lists(self, names: list[str], dry_run: bool) -> int:
        """Delete the lists ``names`` (or count them, ``dry_run``); their entries."""
        removed = 0
        for start in range(0, len(names), _BATCH):
            batch = names[start : start + _BATCH]
            with self._client.pipeline(transaction=False) as pipeline:
                for name in batch:
                    pipeline.llen(name)
                lengths = pipeline.execute()
                if not dry_run:
                    pipeline.delete(*batch)
                    pipeline.execute()
            removed += sum(int(length) for length in lengths)
        return removed

    def close(self) -> None:
        self._client.close()
