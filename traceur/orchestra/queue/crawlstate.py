"""``RedisCrawlState``: the crawl state of ``traceur.orchestra.state`` in the queue's Redis,
so that whichever worker collects a source next knows what the previous passes did: feed
and sitemap entries already collected, forum threads' progress, page memos, revisions.

One key per source and kind (a set of seen entries, a hash of threads, a hash of page
memos) and one list per document for its revisions. Every write is one Redis command or
one small script, so two workers never half-write an entry. ``open_crawl_state`` chooses
it when a queue is configured, the SQLite file of the data directory otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
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

    def unseen(self, source_id: str, keys: Iterable[str]) -> list[str]:
        keys = list(keys)
        if not keys:
            return []
        flags = self._client.smismember(key("state", "seen", source_id), keys)
        return [entry for entry, seen in zip(keys, flags, strict=True) if not seen]

    def mark_seen(self, source_id: str, key_: str) -> None:
        self._client.sadd(key("state", "seen", source_id), key_)

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
        return int(self._client.scard(key("state", "seen", source_id)))

    def close(self) -> None:
        self._client.close()
