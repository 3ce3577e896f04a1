"""The alert state follows the leadership: the leader publishes ``alerts.db`` to Redis, a
new leader restores it before its first evaluation or sending.

The leader keeps working on its own ``DATA_DIR/alerts.db``, whose single SQLite
transactions make alerts exactly-once (``traceur.alerts.outbox``). Before any message is
claimed for sending, after each is marked sent or failed, after a purge or an erasure, and
every ten minutes otherwise (the daemon's tick), the whole database is published
zlib-compressed under ``traceur:alerts:snapshot`` by a script that writes only while
``traceur:leader`` holds this leader's token: a deposed leader (paused past its lease, cut
from Redis) cannot overwrite its successor's state. A scheduler that is elected restores
that snapshot into its ``alerts.db`` (a side file, then a rename) before it opens it.

What this guarantees across a takeover is what one machine guarantees across a restart: a
message is in the snapshot before it can be sent, and it is marked sent there right after
the mail server took it; only a leader killed between those two moments has the message
sent again by its successor, with the same Message-ID (mail clients show it once).
Evaluations committed and not yet published had sent nothing: the successor does them again.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from traceur.config import Settings
from traceur.errors import QueueError
from traceur.orchestra.queue.connection import LEADER_KEY, connect, key

log = logging.getLogger("traceur.scheduler")

SNAPSHOT_KEY = key("alerts", "snapshot")
ALERTS_FILE = "alerts.db"
# Fast rather than small: the image is compressed at every change of the state.
_LEVEL = 1
# Fencing: the snapshot is written only by the holder of the leader's lease.
_PUBLISH = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    redis.call('set', KEYS[2], ARGV[2])
    return 1
end
return 0
"""


def leader_token(pid: int) -> str:
    """The lease token of the scheduler ``pid`` of this machine (``leader.Leadership``)."""
    return f"{socket.gethostname()}:{pid}"


class AlertSnapshots:
    """The published alert state, written as the holder of the lease ``token``."""

    def __init__(self, client: Any, token: str) -> None:
        self.client = client  # answers bytes
        self.token = token

    def publish(self, image: bytes) -> None:
        """Publish ``image`` (``sqlite3.Connection.serialize()``); ``QueueError`` when Redis
        is out of reach or this scheduler no longer leads (nothing is written then)."""
        import redis

        data = zlib.compress(image, _LEVEL)
        try:
            written = self.client.eval(_PUBLISH, 2, LEADER_KEY, SNAPSHOT_KEY, self.token, data)
        except redis.RedisError as exc:
            raise QueueError(f"cannot publish the alert state to the work queue ({exc})") from exc
        if not written:
            raise QueueError(
                f"the alert state was not published: {self.token} no longer leads the queue"
                " (another scheduler took over; this one stops)"
            )

    def restore(self, data_dir: Path) -> bool:
        """Replace ``DATA_DIR/alerts.db`` with the published snapshot; False (the file
        untouched) when none was ever published: this is the first leader."""
        import redis

        try:
            data = self.client.get(SNAPSHOT_KEY)
        except redis.RedisError as exc:
            raise QueueError(
                f"cannot read the alert state from the work queue ({exc}); check that Redis"
                " is up (queue / TRACEUR_QUEUE) and start the scheduler again"
            ) from exc
        if data is None:
            return False
        restore_image(zlib.decompress(data), Path(data_dir) / ALERTS_FILE)
        return True


def restore_image(image: bytes, path: Path) -> None:
    """Write ``image`` as the SQLite file ``path``, atomically: a side file, flushed, then
    renamed over it (a crash leaves the old file or the new one, never half of one)."""
    header = bytearray(image[:100])
    # The image of a WAL database says so in its header (bytes 18-19 = 2); an in-memory
    # database cannot be opened in WAL mode. The file is put back in WAL mode when opened.
    header[18:20] = b"\x01\x01"
    path.parent.mkdir(parents=True, exist_ok=True)
    memory = sqlite3.connect(":memory:")
    side = path.with_name(path.name + ".restore")
    side.unlink(missing_ok=True)
    try:
        memory.deserialize(bytes(header) + image[100:])
        # The dead leader's claims died with it: its successor sends those messages now
        # rather than when the claims would have lapsed.
        memory.execute("UPDATE outbox SET claimed_until = NULL")
        memory.commit()
        target = sqlite3.connect(str(side))
        try:
            memory.backup(target)
        finally:
            target.close()
    except sqlite3.Error as exc:
        side.unlink(missing_ok=True)
        raise QueueError(
            f"the alert state published in the work queue is unreadable ({exc}); delete the"
            f" key {SNAPSHOT_KEY} to start from this machine's {path}"
        ) from exc
    finally:
        memory.close()
    with side.open("rb") as file:
        os.fsync(file.fileno())
    # A write-ahead log of the old file would be replayed over the new one.
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    os.replace(side, path)


@contextmanager
def local_leader(settings: Settings) -> Iterator[AlertSnapshots | None]:
    """The snapshots to publish to when the scheduler of this data directory leads the
    queue; None (logged, naming the leader) when another one does: its alert state is the
    shared one, and a command run here must leave alerts to it."""
    data_dir = Path(settings.data_dir)
    token = _local_leader_token(data_dir)
    client = connect(settings, binary=True)
    try:
        raw = client.get(LEADER_KEY)
        holder = raw.decode("utf-8", "replace") if raw is not None else None
        if token is None or holder != token:
            log.warning(
                "the alert state of %s is not the shared one: the scheduler leading the"
                " queue is %s; run alert commands, purge and forget on its machine",
                data_dir,
                holder or "none (no scheduler runs)",
            )
            yield None
        else:
            yield AlertSnapshots(client, token)
    finally:
        client.close()


def publish_data_dir(settings: Settings) -> bool:
    """Publish this data directory's alert state if its scheduler leads the queue (after a
    purge or an erasure: what was removed must not come back from an older snapshot);
    False when another scheduler leads (its own file is the one shared)."""
    from traceur.alerts.outbox import AlertState

    data_dir = Path(settings.data_dir)
    if not (data_dir / ALERTS_FILE).is_file():
        return False
    with local_leader(settings) as snapshots:
        if snapshots is None:
            return False
        with AlertState.in_data_dir(data_dir) as state:
            state.share(snapshots.publish)
            return state.publish_if_changed()


def _local_leader_token(data_dir: Path) -> str | None:
    # The scheduler writes its lease token in scheduler.json when it leads.
    try:
        info = json.loads((data_dir / "scheduler.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    token = info.get("leader_token")
    return str(token) if token and not info.get("stopped_at") else None
