"""``RedisClusterIndex``: the story-cluster index of ``traceur.enrich.clusters`` in the
queue's Redis, so that a wire story reprinted on two sites collected by workers on two
machines gets one cluster id, as it does on one machine.

The layout mirrors the SQLite index: every document gets an insertion number (SQLite's
rowid), its record (cluster, site, first seen, sketch) sits in one hash under that number,
and each indexed sketch value has a set of the numbers holding it. Candidates are chosen
and confirmed by the same functions as the SQLite index (``pick_candidates``,
``best_cluster``), so the same documents in the same order get the same clusters.

Assigning reads the index, compares, then writes: two workers assigning two copies of a
story at the same moment must not both head a cluster. A Redis lock serialises
assignments across machines (a few milliseconds each, against a second or more of crawling
per page); its expiry frees it if the holder dies. An assignment makes three round trips:
one script takes the lock and reads what it needs (the document's record if it is known,
else how many indexed values each earlier document shares with it), one ``HMGET`` reads
the candidates chosen, and one script writes the record and gives the lock back (a known
document unchanged only gives it back). Both scripts are atomic, so a worker killed in the
middle never leaves half a record, and the write refuses to happen when the lock is no
longer this worker's (held past its expiry): the page is then counted unclustered.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from traceur.config import Settings
from traceur.document import Document
from traceur.enrich.clusters import (
    KEEP_SIGNATURES,
    ClusterIndex,
    ClusterSize,
    ClusterStore,
    Signature,
    best_cluster,
    pick_candidates,
    signature,
)
from traceur.errors import StoreError
from traceur.orchestra.queue.connection import connect, key

# Seconds: an assignment holds the lock for milliseconds; one held longer is a dead holder's.
# Short, since a waiting worker waits on its crawl's reactor thread.
LOCK_EXPIRY = 5.0
# Seconds a worker waits for the lock before giving this page up unclustered (counted).
LOCK_WAIT = 10.0
# Domain-less documents count as documents but not as sites (SQLite's COUNT(DISTINCT NULL)).
_NO_DOMAIN = "\x00"
# Seconds between two tries of a lock another worker holds: an assignment holds it for
# about a millisecond.
_LOCK_RETRY = 0.005

# Take the lock, then read. KEYS: the lock, ids, docs, the sets of the indexed values.
# ARGV: token, expiry in ms, document id, its sketch in hex ("" without one). Returns
# false when the lock is taken; {0, cluster} for a known document whose sketch is the
# same (the lock is given back: a re-crawl's whole assignment in one round trip); {1,
# number, record} for another known document; else {2, {number, shared count, ...}}.
_TAKE_AND_READ = """
if not redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
    return false
end
local number = redis.call('hget', KEYS[2], ARGV[3])
if number then
    local record = redis.call('hget', KEYS[3], number)
    if record then
        local data = cjson.decode(record)
        local sketch = data['sig']
        if sketch == cjson.null then
            sketch = ''
        end
        if sketch == ARGV[4] then
            redis.call('del', KEYS[1])
            return {0, data['cluster']}
        end
        return {1, number, record}
    end
end
local shared, order = {}, {}
for i = 4, #KEYS do
    for _, holder in ipairs(redis.call('smembers', KEYS[i])) do
        if not shared[holder] then
            shared[holder] = 0
            order[#order + 1] = holder
        end
        shared[holder] = shared[holder] + 1
    end
end
local flat = {}
for _, holder in ipairs(order) do
    flat[#flat + 1] = holder
    flat[#flat + 1] = shared[holder]
end
return {2, flat}
"""

# Write a new document's record, then give the lock back; nothing when the lock is no
# longer ours. KEYS: the lock, ids, docs, seq, the cluster's sites, signed, the sets of the
# indexed values. ARGV: token, document id, record JSON without its number, domain key,
# first-seen score ("" without a sketch). Returns the number, or false.
_WRITE_NEW = """
if redis.call('get', KEYS[1]) ~= ARGV[1] then
    return false
end
local number = tostring(redis.call('incr', KEYS[4]))
redis.call('hset', KEYS[2], ARGV[2], number)
redis.call('hset', KEYS[3], number, ARGV[3])
redis.call('hincrby', KEYS[5], ARGV[4], 1)
if ARGV[5] ~= '' then
    redis.call('zadd', KEYS[6], ARGV[5], number)
    for i = 7, #KEYS do
        redis.call('sadd', KEYS[i], number)
    end
end
redis.call('del', KEYS[1])
return number
"""

# Give the lock back if it is still ours. KEYS: the lock. ARGV: token.
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


def open_cluster_index(settings: Settings) -> ClusterStore:
    """The cluster index every worker shares (with a queue), or this data directory's."""
    if settings.queue:
        return RedisClusterIndex(connect(settings))
    return ClusterIndex.in_data_dir(settings.data_dir)


def _k(*parts: str) -> str:
    return key("clusters", *parts)


def _epoch(stamp: datetime) -> float:
    return stamp.timestamp()


class RedisClusterIndex:
    """The cluster index in Redis (a ``ClusterStore``)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._take_and_read = client.register_script(_TAKE_AND_READ)
        self._write_new = client.register_script(_WRITE_NEW)
        self._release = client.register_script(_RELEASE)

    def __repr__(self) -> str:
        return "RedisClusterIndex()"

    @contextmanager
    def _guarded(self) -> Iterator[None]:
        """Redis errors (a lock not had in time included) as a ``StoreError``: the crawl
        counts the page unclustered, the command line says what to check."""
        import redis

        try:
            yield
        except redis.RedisError as exc:
            raise StoreError(
                f"cannot use the shared cluster index in the work queue's Redis ({exc});"
                " check that Redis is up (queue / TRACEUR_QUEUE)"
            ) from exc

    def _locked(self) -> Any:
        return self._client.lock(
            _k("lock"), timeout=LOCK_EXPIRY, blocking_timeout=LOCK_WAIT, thread_local=False
        )

    def assign(self, document: Document) -> str:
        """As ``ClusterIndex.assign``: a known document keeps its cluster, a new one joins
        its story's or heads its own."""
        sig = signature(document.text)
        with self._guarded():
            return self._assign(document, sig)

    def apply(self, document: Document) -> Document:
        document.cluster_id = self.assign(document)
        return document

    def _record(self, number: str) -> dict[str, Any] | None:
        raw = self._client.hget(_k("docs"), number)
        return None if raw is None else dict(json.loads(raw))

    def _take_lock_and_read(self, document: Document, sig: Signature | None) -> tuple[str, Any]:
        """Take the lock (waiting up to ``LOCK_WAIT``) and read what the assignment needs;
        the token and the script's answer."""
        import redis

        token = uuid.uuid4().hex
        values = [_k("v", str(value)) for value in sig.indexed()] if sig is not None else []
        keys = [_k("lock"), _k("ids"), _k("docs"), *values]
        args = [token, int(LOCK_EXPIRY * 1000), document.id, sig.to_blob().hex() if sig else ""]
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            answer = self._take_and_read(keys=keys, args=args)
            if answer:
                return token, answer
            if time.monotonic() >= deadline:
                raise redis.exceptions.LockError("the cluster index's lock was not free in time")
            time.sleep(_LOCK_RETRY)

    def _assign(self, document: Document, sig: Signature | None) -> str:
        import redis

        token, answer = self._take_lock_and_read(document, sig)
        if int(answer[0]) == 0:
            return str(answer[1])  # known, unchanged; the script gave the lock back
        released = False
        try:
            if int(answer[0]) == 1:
                number, record = str(answer[1]), dict(json.loads(answer[2]))
                return self._refresh(number, record, document, sig)
            flat = answer[1]
            shared = {int(flat[i]): int(flat[i + 1]) for i in range(0, len(flat), 2)}
            cluster = (self._best_match(sig, shared) if sig is not None else None) or document.id
            now = datetime.now(UTC)
            record = {
                "doc_id": document.id,
                "cluster": cluster,
                "domain": document.domain,
                "seen_at": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "shingles": sig.shingles if sig else 0,
                "sig": sig.to_blob().hex() if sig else None,
            }
            values = [_k("v", str(value)) for value in sig.indexed()] if sig is not None else []
            keys = [
                _k("lock"),
                _k("ids"),
                _k("docs"),
                _k("seq"),
                _k("sites", cluster),
                _k("signed"),
                *values,
            ]
            args = [
                token,
                document.id,
                json.dumps(record),
                document.domain or _NO_DOMAIN,
                repr(_epoch(now)) if sig is not None else "",
            ]
            written = self._write_new(keys=keys, args=args)
            released = True  # the script gave it back, or it was no longer ours
            if not written:
                raise redis.exceptions.LockNotOwnedError(
                    f"the cluster index's lock expired before {document.id} was written"
                )
            return cluster
        finally:
            if not released:
                self._release(keys=[_k("lock")], args=[token])

    def _refresh(
        self, number: str, record: dict[str, Any], document: Document, sig: Signature | None
    ) -> str:
        # A document seen before keeps its cluster; its sketch follows its text.
        cluster = str(record["cluster"])
        new_sig = sig.to_blob().hex() if sig else None
        if new_sig == record["sig"]:
            return cluster
        old = self._signature(record)
        domain = record["domain"]
        with self._client.pipeline(transaction=True) as pipe:
            if old is not None:
                for value in old.indexed():
                    pipe.srem(_k("v", str(value)), number)
            if domain != document.domain:
                pipe.hincrby(_k("sites", cluster), domain or _NO_DOMAIN, -1)
                pipe.hincrby(_k("sites", cluster), document.domain or _NO_DOMAIN, 1)
            updated = {
                **record,
                "sig": new_sig,
                "shingles": sig.shingles if sig else 0,
                "domain": document.domain,
            }
            pipe.hset(_k("docs"), number, json.dumps(updated))
            if sig is not None:
                seen = datetime.strptime(record["seen_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
                pipe.zadd(_k("signed"), {number: _epoch(seen.replace(tzinfo=UTC))})
                for value in sig.indexed():
                    pipe.sadd(_k("v", str(value)), number)
            else:
                pipe.zrem(_k("signed"), number)
            pipe.execute()
        return cluster

    @staticmethod
    def _signature(record: dict[str, Any]) -> Signature | None:
        if record["sig"] is None:
            return None
        return Signature.from_blob(bytes.fromhex(record["sig"]), int(record["shingles"]))

    def _best_match(self, sig: Signature, shared: dict[int, int]) -> str | None:
        """The cluster ``sig`` joins, given how many indexed values each earlier document
        (by number) shares with it, or None."""
        chosen = pick_candidates(shared)
        if not chosen:
            return None
        raws = self._client.hmget(_k("docs"), [str(n) for n in chosen])
        candidates: list[tuple[str, Signature]] = []
        for raw in raws:
            if raw is None:
                continue
            record = json.loads(raw)
            other = self._signature(record)
            if other is not None:
                candidates.append((str(record["cluster"]), other))
        return best_cluster(sig, candidates)

    def cluster_of(self, doc_id: str) -> str | None:
        with self._guarded():
            number = self._client.hget(_k("ids"), doc_id)
            record = self._record(number) if number is not None else None
        return None if record is None else str(record["cluster"])

    def sizes(self, cluster_ids: Iterable[str]) -> dict[str, ClusterSize]:
        wanted = sorted(set(cluster_ids))
        with self._guarded(), self._client.pipeline(transaction=False) as pipe:
            for cluster in wanted:
                pipe.hgetall(_k("sites", cluster))
            answers = pipe.execute()
        result: dict[str, ClusterSize] = {}
        for cluster, counts in zip(wanted, answers, strict=True):
            live = {domain: int(n) for domain, n in counts.items() if int(n) > 0}
            if live:
                sites = sum(1 for domain in live if domain != _NO_DOMAIN)
                result[cluster] = ClusterSize(sum(live.values()), sites)
        return result

    def forget_signatures(self, older_than: timedelta = KEEP_SIGNATURES) -> int:
        """As ``ClusterIndex.forget_signatures``: old sketches go, cluster ids stay."""
        cutoff = _epoch(datetime.now(UTC) - older_than)
        with self._guarded(), self._locked():
            numbers = self._client.zrangebyscore(_k("signed"), "-inf", f"({cutoff}")
            for number in numbers:
                record = self._record(number)
                old = self._signature(record) if record is not None else None
                with self._client.pipeline(transaction=True) as pipe:
                    if record is not None and old is not None:
                        for value in old.indexed():
                            pipe.srem(_k("v", str(value)), number)
                        record = {**record, "sig": None}
                        pipe.hset(_k("docs"), number, json.dumps(record))
                    pipe.zrem(_k("signed"), number)
                    pipe.execute()
        return len(numbers)

    def forget_documents(self, doc_ids: Sequence[str], *, dry_run: bool = False) -> int:
        """As ``ClusterIndex.forget_documents``: the documents' records and sketches go."""
        found = 0
        with self._guarded(), self._locked():
            for doc_id, number in self._numbers(doc_ids):
                found += 1
                if dry_run:
                    continue
                record = self._record(number)
                with self._client.pipeline(transaction=True) as pipe:
                    pipe.hdel(_k("ids"), doc_id)
                    pipe.hdel(_k("docs"), number)
                    pipe.zrem(_k("signed"), number)
                    if record is not None:
                        domain = record["domain"] or _NO_DOMAIN
                        pipe.hincrby(_k("sites", str(record["cluster"])), domain, -1)
                        old = self._signature(record)
                        for value in old.indexed() if old is not None else ():
                            pipe.srem(_k("v", str(value)), number)
                    pipe.execute()
        return found

    def _numbers(self, doc_ids: Sequence[str]) -> Iterator[tuple[str, str]]:
        for start in range(0, len(doc_ids), 500):
            chunk = list(doc_ids[start : start + 500])
            for doc_id, number in zip(chunk, self._client.hmget(_k("ids"), chunk), strict=True):
                if number is not None:
                    yield doc_id, number

    def clear(self) -> None:
        """Forget everything (before clustering a whole store again)."""
        with self._guarded(), self._locked():
            batch: list[str] = []
            for name in self._client.scan_iter(match=_k("*"), count=1000):
                if name != _k("lock"):
                    batch.append(name)
                if len(batch) >= 1000:
                    self._client.delete(*batch)
                    batch = []
            if batch:
                self._client.delete(*batch)

    def close(self) -> None:
        self._client.close()
