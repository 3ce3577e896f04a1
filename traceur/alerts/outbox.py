"""Durable alert state in ``DATA_DIR/alerts.db``: watermarks, what was alerted, the outbox.

Exactly once, in practice:

- An evaluation reads new documents after the rule's watermark and, in **one transaction**,
  queues its messages, records which (rule, document, match) they cover and moves the
  watermark. A crash before the commit changes nothing (the next evaluation redoes the
  same work); after it, the work is done and recorded. Nothing is lost, nothing is
  queued twice (message keys are unique, and what was alerted is never alerted again).
- Transactions are ``BEGIN IMMEDIATE``, so evaluations from the scheduler and from a
  ``traceur alerts run`` at the same time are serialised by SQLite itself.
- Sending claims a queued message for a while before talking to the mail server, so two
  senders never send the same message together. Only a crash between the server's "250
  OK" and the ``sent`` mark can send a message again; it then carries the same
  Message-ID (derived from its key), which mail clients use to show it once.
- A message for chat or webhook recipients (``channel = 'apprise'``) is one entry per
  recipient, beside the email entry of the same message (which keeps the message's key):
  each channel is claimed, sent, retried and marked on its own, so a channel that is down
  holds back neither the email nor the other channels. The entry stores the recipient as
  written (``env:NAME`` is read only when sending: no secret in this file).

With a work queue, the leader shares this file (``share``): an image of the whole database
goes to a publisher (``traceur.orchestra.queue.alertstate``) before any message is claimed
for sending and after each is marked sent or failed, so whatever a standby leader restores
covers every message that went out.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.policy import compat32
from pathlib import Path
from typing import Any

from traceur.errors import AlertError, TraceurError
from traceur.sqlitefile import open_state_file
from traceur.watchlist.recipients import channel_targets, email_addresses

log = logging.getLogger("traceur.alerts")

EMAIL = "email"
APPRISE = "apprise"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS watermarks (
    rule_id TEXT PRIMARY KEY,
    watermark TEXT,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS alerted (
    rule_id TEXT NOT NULL,
    doc_id TEXT NOT NULL,
    token TEXT NOT NULL,
    message_key TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (rule_id, doc_id, token)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (
    key TEXT PRIMARY KEY,
    rule_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sender TEXT NOT NULL,
    recipients TEXT NOT NULL,
    subject TEXT NOT NULL,
    message BLOB NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_until TEXT,
    last_error TEXT NOT NULL DEFAULT '',
    sent_at TEXT,
    channel TEXT NOT NULL DEFAULT 'email'
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_at);

CREATE INDEX IF NOT EXISTS outbox_by_rule ON outbox (rule_id, status);
CREATE TABLE IF NOT EXISTS evaluations (
    rule_id TEXT PRIMARY KEY,
    evaluated_at TEXT NOT NULL,
    outcome TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS episodes (
    rule_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    message_key TEXT NOT NULL,
    PRIMARY KEY (rule_id, subject)
) WITHOUT ROWID;
"""


_CHANNEL_INDEX = (
    "CREATE INDEX IF NOT EXISTS outbox_due_channel ON outbox (channel, status, next_attempt_at)"
)


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Queued:
    key: str
    rule_id: str
    sender: str
    recipients: tuple[str, ...]
    subject: str
    message: bytes
    attempts: int
    created_at: datetime


@dataclass(frozen=True)
class RuleActivity:
    """What ``traceur status`` shows for one rule."""

    rule_id: str
    evaluated_at: datetime | None
    outcome: str
    sent: int
    queued: int
    last_sent_at: datetime | None
    last_error: str


class Transaction:
    """One evaluation's reads and writes, committed together."""

    def __init__(self, db: sqlite3.Connection, now: datetime) -> None:
        self._db = db
        self.now = now

    def watermark(self, rule_id: str) -> tuple[bool, str | None, datetime | None]:
        """(whether the rule has started, its watermark, when the watermark last moved)."""
        row = self._db.execute(
            "SELECT watermark, updated_at FROM watermarks WHERE rule_id = ?", (rule_id,)
        ).fetchone()
        return (True, row[0], _moment(row[1])) if row else (False, None, None)

    def set_watermark(self, rule_id: str, watermark: str | None) -> None:
        self._db.execute(
            "INSERT INTO watermarks (rule_id, watermark, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (rule_id) DO UPDATE SET watermark = excluded.watermark,"
            " updated_at = excluded.updated_at",
            (rule_id, watermark, _text(self.now)),
        )

    def alerted_tokens(self, rule_id: str, doc_id: str) -> set[str]:
        rows = self._db.execute(
            "SELECT token FROM alerted WHERE rule_id = ? AND doc_id = ?", (rule_id, doc_id)
        )
        return {row[0] for row in rows}

    def mark_alerted(
        self, rule_id: str, doc_id: str, tokens: Iterable[str], message_key: str
    ) -> None:
        self._db.executemany(
            "INSERT OR IGNORE INTO alerted (rule_id, doc_id, token, message_key, at)"
            " VALUES (?, ?, ?, ?, ?)",
            [(rule_id, doc_id, token, message_key, _text(self.now)) for token in tokens],
        )

    def enqueue(
        self,
        key: str,
        rule_id: str,
        message: Message,
        recipients: Iterable[str],
        chat: tuple[str, str] | None = None,
    ) -> bool:
        """Queue ``message`` for the email addresses of ``recipients`` under ``key``, and
        ``chat`` (title, body) once for each chat or webhook recipient, under
        :func:`channel_key`; False (and nothing queued) when that message exists already.
        Without ``chat``, channels get the email's subject alone."""
        everyone = list(recipients)
        emails, channels = email_addresses(everyone), channel_targets(everyone)
        queued = False
        if emails or not channels:
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO outbox (key, rule_id, created_at, sender, recipients,"
                " subject, message, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    rule_id,
                    _text(self.now),
                    str(message["From"]),
                    json.dumps(emails),
                    str(message["Subject"]),
                    message.as_bytes(policy=compat32.clone(linesep="\r\n")),
                    _text(self.now),
                ),
            )
            queued = cursor.rowcount == 1
        title, body = chat or (str(message["Subject"]), "")
        for target in dict.fromkeys(channels):
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO outbox (key, rule_id, created_at, sender, recipients,"
                " subject, message, next_attempt_at, channel) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    channel_key(key, target),
                    rule_id,
                    _text(self.now),
                    "",
                    json.dumps([target]),
                    title,
                    body.encode("utf-8"),
                    _text(self.now),
                    APPRISE,
                ),
            )
            queued = queued or cursor.rowcount == 1
        return queued

    def episode(self, rule_id: str, subject: str) -> datetime | None:
        """When the open episode (an ongoing spike, a broken source) began, if one is open."""
        row = self._db.execute(
            "SELECT opened_at FROM episodes WHERE rule_id = ? AND subject = ?", (rule_id, subject)
        ).fetchone()
        return _moment(row[0]) if row else None

    def episodes(self, rule_id: str) -> dict[str, datetime]:
        rows = self._db.execute(
            "SELECT subject, opened_at FROM episodes WHERE rule_id = ?", (rule_id,)
        ).fetchall()
        return {subject: _moment(opened) or self.now for subject, opened in rows}

    def open_episode(self, rule_id: str, subject: str, message_key: str) -> None:
        self._db.execute(
            "INSERT INTO episodes (rule_id, subject, opened_at, message_key) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (rule_id, subject) DO UPDATE SET opened_at = excluded.opened_at,"
            " message_key = excluded.message_key",
            (rule_id, subject, _text(self.now), message_key),
        )

    def close_episode(self, rule_id: str, subject: str) -> None:
        self._db.execute(
            "DELETE FROM episodes WHERE rule_id = ? AND subject = ?", (rule_id, subject)
        )

    def execute(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
        """One statement inside this transaction, for the alert modules that keep tables of
        their own in this file (``pacing``, ``quiet``): their writes commit or roll back
        with the watermark and the queued messages."""
        return self._db.execute(sql, params)

    def record_evaluation(self, rule_id: str, outcome: str) -> None:
        self._db.execute(
            "INSERT INTO evaluations (rule_id, evaluated_at, outcome) VALUES (?, ?, ?)"
            " ON CONFLICT (rule_id) DO UPDATE SET evaluated_at = excluded.evaluated_at,"
            " outcome = excluded.outcome",
            (rule_id, _text(self.now), outcome),
        )


class AlertState:
    """The alert database. One connection, shared by the threads of a process."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = path
        self._db = open_state_file(
            path, _SCHEMA, "the alert state", AlertError, read_only=read_only
        )
        if not read_only:
            self._add_channel_column()
        # SQLite serialises processes; this serialises the threads sharing the connection.
        self._lock = threading.RLock()
        self._publish: Callable[[bytes], None] | None = None
        # (PRAGMA data_version, total_changes) when last published: the first moves when
        # another connection commits (a purge, `traceur forget`), the second on ours.
        self._published: tuple[int, int] | None = None

    @classmethod
    def in_data_dir(cls, data_dir: Path, *, read_only: bool = False) -> AlertState:
        """The alert state of ``data_dir``; ``read_only`` for reports (nothing created)."""
        return cls(Path(data_dir) / "alerts.db", read_only=read_only)

    def _add_channel_column(self) -> None:
        # Alert states written before chat channels have no `channel`: every entry there
        # is an email, which is the column's default.
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(outbox)")}
        if "channel" not in columns:
            self._db.execute("ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'email'")
        self._db.execute(_CHANNEL_INDEX)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> AlertState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self, now: datetime | None = None) -> Iterator[Transaction]:
        """Everything done inside is committed together, or not at all."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise AlertError(f"cannot write the alert state {self.path}: {exc}") from exc
            try:
                yield Transaction(self._db, now or utc_now())
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- sharing with a standby leader (work queue) ----------------------------------

    def share(self, publish: Callable[[bytes], None]) -> None:
        """Hand ``publish`` an image of the whole database (``serialize()``) now, before
        anything is claimed for sending, after a message is marked sent or failed, and
        after a purge; ``publish`` raises a ``TraceurError`` when it cannot. Evaluations
        that queued nothing due are not published on their own: they had no effect
        outside this file, and a successor that restores an older image redoes them."""
        with self._lock:
            self._publish = publish
            self._published = None
        self.publish_if_changed()

    def publish_if_changed(self) -> bool:
        """Publish the database if it changed since last published (by this connection or
        another one); False when it could not be published (logged; tried again at the
        next change or sending)."""
        if self._publish is None:
            return True
        with self._lock, self._immediate():
            # The write lock for the time of the image and its publication: two processes
            # publishing (the leader, a `traceur forget` beside it) publish in the order of
            # their images, so the last one published is the latest.
            return self._publish_locked()

    def _publish_locked(self) -> bool:
        if self._publish is None:
            return True
        version = (self._data_version(), self._db.total_changes)
        if version == self._published:
            return True
        try:
            self._publish(self._db.serialize())
        except TraceurError as exc:
            log.warning("the alert state is not published (%s); trying again", exc)
            return False
        self._published = version
        return True

    def _data_version(self) -> int:
        return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    # -- the sending side ------------------------------------------------------------

    def claim_due(
        self,
        now: datetime | None = None,
        limit: int = 50,
        hold: timedelta = timedelta(minutes=5),
        channel: str = EMAIL,
    ) -> list[Queued]:
        """Queued messages of ``channel`` whose next attempt is due, claimed for ``hold``
        so that no other sender takes them meanwhile. Oldest first. Nothing while the
        latest change is not published (shared state): a standby leader must know of a
        message before it can go out."""
        now = now or utc_now()
        with self._lock, self._immediate():
            rows = self._db.execute(
                "SELECT key, rule_id, sender, recipients, subject, message, attempts, created_at"
                " FROM outbox WHERE status = 'queued' AND channel = ? AND next_attempt_at <= ?"
                " AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY created_at, rowid"
                " LIMIT ?",
                (channel, _text(now), _text(now), limit),
            ).fetchall()
            if rows and not self._publish_locked():
                return []
            self._db.executemany(
                "UPDATE outbox SET claimed_until = ? WHERE key = ?",
                [(_text(now + hold), row[0]) for row in rows],
            )
        return [
            Queued(
                row[0],
                row[1],
                row[2],
                tuple(json.loads(row[3])),
                row[4],
                bytes(row[5]),
                row[6],
                _moment(row[7]) or now,
            )
            for row in rows
        ]

    @contextmanager
    def _immediate(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def mark_sent(self, key: str, now: datetime | None = None, note: str = "") -> None:
        with self._lock:
            self._db.execute(
                "UPDATE outbox SET status = 'sent', sent_at = ?, claimed_until = NULL,"
                " attempts = attempts + 1, last_error = ? WHERE key = ?",
                (_text(now or utc_now()), note, key),
            )
            self.publish_if_changed()

    def mark_failed(self, key: str, error: str, retry_at: datetime) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,"
                " claimed_until = NULL WHERE key = ?",
                (error[:500], _text(retry_at), key),
            )
            self.publish_if_changed()

    def release(self, keys: Iterable[str]) -> None:
        """Give claimed messages back untouched (the sender is stopping)."""
        with self._lock:
            self._db.executemany(
                "UPDATE outbox SET claimed_until = NULL WHERE key = ?", [(key,) for key in keys]
            )

    # -- reading, for status and tests ----------------------------------------------

    def queued_count(self, channel: str | None = None) -> int:
        """Messages waiting to be sent (of ``channel`` only, when given)."""
        with self._lock:
            if channel is None:
                row = self._db.execute("SELECT COUNT(*) FROM outbox WHERE status = 'queued'")
            else:
                row = self._db.execute(
                    "SELECT COUNT(*) FROM outbox WHERE status = 'queued' AND channel = ?",
                    (channel,),
                )
            return int(row.fetchone()[0])

    def oldest_queued(self) -> tuple[datetime, str] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT created_at, last_error FROM outbox WHERE status = 'queued'"
                " ORDER BY created_at LIMIT 1"
            ).fetchone()
        return ((_moment(row[0]) or utc_now()), row[1]) if row else None

    def purge_outbox(self, before: datetime, *, dry_run: bool = False) -> tuple[int, int]:
        """Delete the messages queued before ``before`` (their bodies quote what people
        wrote): (sent, never sent) counts. What was alerted stays recorded apart (the
        ``alerted`` table, ids only), so nothing is alerted again for it."""
        where = "created_at < ?"
        with self._lock:
            rows = self._db.execute(
                f"SELECT status = 'sent', COUNT(*) FROM outbox WHERE {where} GROUP BY 1",
                (_text(before),),
            ).fetchall()
            if not dry_run and rows:
                # Zeroes the freed pages, so the messages' text does not stay in the file.
                self._db.execute("PRAGMA secure_delete = ON")
                try:
                    self._db.execute(f"DELETE FROM outbox WHERE {where}", (_text(before),))
                    self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                finally:
                    self._db.execute("PRAGMA secure_delete = OFF")
                self.publish_if_changed()
        counts = {bool(sent): int(count) for sent, count in rows}
        return counts.get(True, 0), counts.get(False, 0)

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """The rows of a read-only query (for reports over the pacing and quiet-hours
        tables, which their own modules create)."""
        with self._lock:
            return [tuple(row) for row in self._db.execute(sql, params).fetchall()]

    def messages(self, rule_id: str | None = None) -> list[tuple[str, str, str, int]]:
        """(key, status, subject, attempts) of every message, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT key, status, subject, attempts FROM outbox WHERE ? IS NULL OR rule_id = ?"
                " ORDER BY created_at, rowid",
                (rule_id, rule_id),
            ).fetchall()
        return [(row[0], row[1], row[2], int(row[3])) for row in rows]

    def activity(self, rule_id: str) -> RuleActivity:
        with self._lock:
            evaluation = self._db.execute(
                "SELECT evaluated_at, outcome FROM evaluations WHERE rule_id = ?", (rule_id,)
            ).fetchone()
            sent, queued, last_sent = self._db.execute(
                "SELECT SUM(status = 'sent'), SUM(status = 'queued'), MAX(sent_at) FROM outbox"
                " WHERE rule_id = ?",
                (rule_id,),
            ).fetchone()
            error = self._db.execute(
                "SELECT last_error FROM outbox WHERE rule_id = ? AND status = 'queued'"
                " AND last_error != '' ORDER BY created_at DESC LIMIT 1",
                (rule_id,),
            ).fetchone()
        return RuleActivity(
            rule_id=rule_id,
            evaluated_at=_moment(evaluation[0]) if evaluation else None,
            outcome=evaluation[1] if evaluation else "",
            sent=int(sent or 0),
            queued=int(queued or 0),
            last_sent_at=_moment(last_sent),
            last_error=error[0] if error else "",
        )


def channel_key(key: str, target: str) -> str:
    """The outbox key of message ``key`` for one chat or webhook recipient."""
    return f"{key}#chat:{hashlib.sha256(target.encode('utf-8')).hexdigest()[:16]}"


def message_id(key: str, sender: str) -> str:
    """A Message-ID derived from the message key: a message sent again is the same message."""
    domain = sender.rsplit("@", 1)[-1].strip(" >") or "traceur.invalid"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]
    return f"<traceur.{digest}@{domain}>"
