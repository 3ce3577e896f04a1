"""Pacing of immediate rules: batches, story-cluster cooldowns and an hourly limit.

An immediate rule's new matches are not queued at once: they are *held* in
``held_matches`` (in ``alerts.db``, written in the evaluation's transaction together with
the watermark and the "already alerted" marks), so a restart between the first match and
the message loses nothing and sends nothing twice. An evaluation sends everything held, as
one message, once

- ``batch`` (2 minutes by default) has passed since the oldest held match: the burst a
  scheduled run makes, one collection after another, becomes one message;
- the rule is outside its quiet hours (``quiet``; an ``urgent`` rule has none): what is
  found overnight goes out together when the period ends;
- the rule has sent fewer than ``max_per_hour`` messages in the last hour; past it, the
  matches keep waiting and go out together as one digest when the hour allows.

Within a message, the documents of one story cluster are one entry that says how many
reprints it has ("+11 reprises"). Once a cluster is alerted, its reprints during
``cooldown`` (6 hours by default) are counted, not sent; the next alert on that cluster,
after the cooldown, counts them too.

The rule's own keys win; unset, the ``alert_batch_seconds``,
``alert_cluster_cooldown_seconds`` and ``alert_max_per_hour`` settings apply.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from traceur.alerts import quiet
from traceur.alerts.outbox import Transaction
from traceur.config import Settings
from traceur.document import Document
from traceur.store import Store
from traceur.watchlist.rules import ImmediateRule

# Held documents of one message: more become a digest (grouped by candidate and story).
MAX_ENTRIES_PER_MESSAGE = 20

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS held_matches (
        rule_id TEXT NOT NULL,
        doc_id TEXT NOT NULL,
        tokens TEXT NOT NULL,
        cluster TEXT NOT NULL,
        held_at TEXT NOT NULL,
        waited TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (rule_id, doc_id)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS cluster_cooldowns (
        rule_id TEXT NOT NULL,
        cluster TEXT NOT NULL,
        alerted_at TEXT NOT NULL,
        reprises INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (rule_id, cluster)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS paced_sends (
        rule_id TEXT NOT NULL,
        message_key TEXT NOT NULL,
        sent_at TEXT NOT NULL,
        PRIMARY KEY (rule_id, message_key)
    ) WITHOUT ROWID""",
)


@dataclass(frozen=True)
class Held:
    """One document held for a rule, with the matches it will be alerted for."""

    doc_id: str
    tokens: frozenset[str]
    cluster: str
    held_at: datetime
    waited: str  # why it waited past its batch: "", "quiet" or "limit"


@dataclass(frozen=True)
class Entry:
    """One story in a message: its first document, and how many reprints it stands for."""

    first: Held
    others: tuple[Held, ...]
    reprises: int


@dataclass
class Plan:
    """What one evaluation does with a rule's held matches."""

    held: list[Held]
    send: bool = False
    note: str = ""
    entries: list[Entry] = field(default_factory=list)
    counted: dict[str, int] = field(default_factory=dict)  # cluster -> reprints in cooldown
    digest: bool = False  # send as one digest (after the hourly limit, or many stories)

    @property
    def since(self) -> datetime:
        return min(h.held_at for h in self.held)


@dataclass(frozen=True)
class Pace:
    """A rule's pacing, its own keys over the settings."""

    batch: int
    cooldown: int
    max_per_hour: int

    @classmethod
    def of(cls, rule: ImmediateRule, settings: Settings) -> Pace:
        return cls(
            settings.alert_batch_seconds if rule.batch is None else rule.batch,
            settings.alert_cluster_cooldown_seconds if rule.cooldown is None else rule.cooldown,
            settings.alert_max_per_hour if rule.max_per_hour is None else rule.max_per_hour,
        )


def ensure_tables(txn: Transaction) -> None:
    for statement in _SCHEMA:
        txn.execute(statement)


def hold(txn: Transaction, rule_id: str, matches: Sequence[tuple[Document, set[str]]]) -> None:
    """Hold new matches (a document held already gets the new matches added)."""
    ensure_tables(txn)
    for document, tokens in matches:
        row = txn.execute(
            "SELECT tokens FROM held_matches WHERE rule_id = ? AND doc_id = ?",
            (rule_id, document.id),
        ).fetchone()
        merged = set(tokens) | (set(json.loads(row[0])) if row else set())
        txn.execute(
            "INSERT INTO held_matches (rule_id, doc_id, tokens, cluster, held_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (rule_id, doc_id) DO UPDATE SET"
            " tokens = excluded.tokens",
            (
                rule_id,
                document.id,
                json.dumps(sorted(merged)),
                document.cluster_id or document.id,
                quiet.stamp(txn.now),
            ),
        )


def held(txn: Transaction, rule_id: str) -> list[Held]:
    ensure_tables(txn)
    rows = txn.execute(
        "SELECT doc_id, tokens, cluster, held_at, waited FROM held_matches WHERE rule_id = ?"
        " ORDER BY held_at, doc_id",
        (rule_id,),
    ).fetchall()
    return [
        Held(row[0], frozenset(json.loads(row[1])), row[2], quiet.moment(row[3]), row[4])
        for row in rows
    ]


def plan(txn: Transaction, rule: ImmediateRule, settings: Settings, now: datetime) -> Plan:
    """Whether the held matches go now, and as what."""
    pace = Pace.of(rule, settings)
    result = Plan(held(txn, rule.id))
    if not result.held:
        return result
    due_at = result.since + timedelta(seconds=pace.batch)
    if now < due_at:
        result.note = f"gathering {len(result.held)} until {due_at:%H:%M:%S} UTC"
        return result
    quiet_end = quiet.quiet_until(rule, settings.timezone, now)
    if quiet_end is not None:
        _waited(txn, rule.id, "quiet")
        result.note = f"quiet hours: {len(result.held)} held until {quiet_end:%H:%M} UTC"
        return result
    if pace.max_per_hour and _sent_last_hour(txn, rule.id, now) >= pace.max_per_hour:
        _waited(txn, rule.id, "limit")
        result.note = (
            f"{pace.max_per_hour} messages sent in the last hour:"
            f" {len(result.held)} held for the next digest"
        )
        return result
    result.send = True
    by_cluster: dict[str, list[Held]] = {}
    for item in result.held:
        by_cluster.setdefault(item.cluster, []).append(item)
    cooldown = timedelta(seconds=pace.cooldown)
    for cluster, items in by_cluster.items():
        row = txn.execute(
            "SELECT alerted_at, reprises FROM cluster_cooldowns WHERE rule_id = ? AND cluster = ?",
            (rule.id, cluster),
        ).fetchone()
        if row and pace.cooldown and now - quiet.moment(row[0]) < cooldown:
            result.counted[cluster] = len(items)
            continue
        carried = int(row[1]) if row else 0
        result.entries.append(Entry(items[0], tuple(items[1:]), len(items) - 1 + carried))
    waited = any(item.waited == "limit" for item in result.held)
    result.digest = waited or len(result.entries) > MAX_ENTRIES_PER_MESSAGE
    counted = sum(result.counted.values())
    result.note = f"{len(result.entries)} stor{'ies' if len(result.entries) != 1 else 'y'} sent"
    if counted:
        result.note += f", {counted} reprint{'s' if counted != 1 else ''} of stories in cooldown"
    return result


def documents(
    sent: Plan, store: Store
) -> tuple[list[tuple[Document, set[str]]], list[tuple[Document, set[str]]]]:
    """The plan's documents from the store: (the first of each story, every document).
    A document forgotten or purged while it was held is left out."""
    found = {h.doc_id: store.get(h.doc_id) for h in sent.held}
    stories: list[tuple[Document, set[str]]] = []
    everything: list[tuple[Document, set[str]]] = []
    for entry in sent.entries:
        for item in (entry.first, *entry.others):
            document = found[item.doc_id]
            if document is None:
                continue
            everything.append((document, set(item.tokens)))
            if item is entry.first:
                stories.append((document, set(item.tokens)))
    return stories, everything


def settle(txn: Transaction, rule_id: str, sent: Plan, key: str | None) -> None:
    """After the plan's message is queued (``key``; None when every story was in its
    cooldown): the hold is emptied, cooldowns start, reprints are counted."""
    now = quiet.stamp(txn.now)
    # Everything held was read into the plan in this same transaction.
    txn.execute("DELETE FROM held_matches WHERE rule_id = ?", (rule_id,))
    for entry in sent.entries:
        txn.execute(
            "INSERT INTO cluster_cooldowns (rule_id, cluster, alerted_at, reprises)"
            " VALUES (?, ?, ?, 0) ON CONFLICT (rule_id, cluster) DO UPDATE SET"
            " alerted_at = excluded.alerted_at, reprises = 0",
            (rule_id, entry.first.cluster, now),
        )
    for cluster, count in sent.counted.items():
        txn.execute(
            "UPDATE cluster_cooldowns SET reprises = reprises + ?"
            " WHERE rule_id = ? AND cluster = ?",
            (count, rule_id, cluster),
        )
    if key is not None:
        txn.execute(
            "INSERT OR IGNORE INTO paced_sends (rule_id, message_key, sent_at) VALUES (?, ?, ?)",
            (rule_id, key, now),
        )
    # The hourly count only ever looks one hour back.
    txn.execute(
        "DELETE FROM paced_sends WHERE rule_id = ? AND sent_at < ?",
        (rule_id, quiet.stamp(txn.now - timedelta(hours=2))),
    )


def _waited(txn: Transaction, rule_id: str, why: str) -> None:
    txn.execute(
        "UPDATE held_matches SET waited = ? WHERE rule_id = ? AND waited != 'limit'",
        (why, rule_id),
    )


def _sent_last_hour(txn: Transaction, rule_id: str, now: datetime) -> int:
    row = txn.execute(
        "SELECT COUNT(*) FROM paced_sends WHERE rule_id = ? AND sent_at > ?",
        (rule_id, quiet.stamp(now - timedelta(hours=1))),
    ).fetchone()
    return int(row[0])
