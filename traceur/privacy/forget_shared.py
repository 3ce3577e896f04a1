"""Forgetting in the work queue's Redis: with ``queue`` set, the story-cluster index, the
HTTP cache (whole pages) and the crawl state are there for every worker, not in the data
directory, and an erasure request must reach them as it reaches the files.

The same needles as ``forget_files``: documents by id, pages by URL, words in cached pages.
"""

from __future__ import annotations

import zlib
from contextlib import suppress
from typing import Any

from traceur.config import Settings
from traceur.errors import StoreError
from traceur.privacy.forget_files import FileNeedles


def forget_in_redis(settings: Settings, needles: FileNeedles, *, dry_run: bool) -> dict[str, int]:
    """Remove (``dry_run``: count) the request's entries from the queue's Redis, by the
    names ``forget_in_files`` uses; nothing without a queue."""
    if not settings.queue:
        return {}
    import redis

    try:
        return _forget(settings, needles, dry_run)
    except redis.RedisError as exc:
        raise StoreError(
            f"cannot remove the request's entries from the work queue's Redis ({exc}); check"
            " that Redis is up (queue / TRACEUR_QUEUE) and run the request again"
        ) from exc


def _forget(settings: Settings, needles: FileNeedles, dry_run: bool) -> dict[str, int]:
    from traceur.orchestra.queue.clusters import RedisClusterIndex
    from traceur.orchestra.queue.connection import connect

    text = connect(settings)
    try:
        clusters = RedisClusterIndex(text).forget_documents(
            sorted(needles.doc_ids), dry_run=dry_run
        )
        state = _crawl_state(text, needles, dry_run)
    finally:
        text.close()
    binary = connect(settings, binary=True)
    try:
        cache = _http_cache(binary, needles, dry_run)
    finally:
        binary.close()
    return {"clusters": clusters, "crawl_state": state, "http_cache": cache}


def _crawl_state(client: Any, needles: FileNeedles, dry_run: bool) -> int:
    from traceur.orchestra.queue.connection import key

    removed = 0
    for doc_id in sorted(needles.doc_ids):
        name = key("state", "revisions", doc_id)
        if client.exists(name):
            removed += int(client.llen(name))
            if not dry_run:
                client.delete(name)
    # As in the data directory's file: a page memo would replay the page on a 304 without
    # reading it, so it goes, as do thread progress and seen entries naming the request.
    for kind, members in (("memos", needles.pages), ("threads", needles.pages)):
        wanted = sorted(members)
        for name in client.scan_iter(match=key("state", kind, "*"), count=500):
            if not wanted:
                break
            found = [m for m, v in zip(wanted, client.hmget(name, wanted), strict=True) if v]
            removed += len(found)
            if found and not dry_run:
                client.hdel(name, *found)
    entries = sorted(needles.pages | needles.words)
    for name in client.scan_iter(match=key("state", "seen", "*"), count=500):
        if not entries:
            break
        # A sorted set: each entry scored by when it was first seen (None: not there); a
        # plain set when an earlier version wrote it and no crawl has upgraded it since.
        legacy = client.type(name) == "set"
        if legacy:
            flags = client.smismember(name, entries)
        else:
            flags = [score is not None for score in client.zmscore(name, entries)]
        found = [entry for entry, seen in zip(entries, flags, strict=True) if seen]
        removed += len(found)
        if found and not dry_run:
            (client.srem if legacy else client.zrem)(name, *found)
    return removed


def _http_cache(client: Any, needles: FileNeedles, dry_run: bool) -> int:
    """Cached answers holding the request's pages or words: whole pages go."""
    from traceur.orchestra.queue.connection import key

    patterns = needles.byte_patterns()
    removed = 0
    for name in client.scan_iter(match=key("httpcache", "*"), count=500):
        raw = client.get(name)
        if raw is None:
            continue
        # A torn or foreign entry is searched as it is.
        with suppress(zlib.error):
            raw = zlib.decompress(raw)
        if any(pattern.search(raw) for pattern in patterns):
            removed += 1
            if not dry_run:
                client.delete(name)
    return removed
