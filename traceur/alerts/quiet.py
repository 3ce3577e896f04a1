"""Quiet hours: ``quiet: "22:00-07:00"`` holds a rule's messages until the morning.

The period is read in the rule's time zone (``timezone``, else the ``timezone`` setting), so
it follows both daylight-saving changes: 07:00 is 06:00 UTC in winter and 05:00 UTC in
summer. A rule marked ``urgent: true`` has no quiet hours.

A message rendered during quiet hours is kept in ``held_messages`` (in ``alerts.db``,
written in the evaluation's transaction) and moved to the outbox by the first evaluation of
its rule after the period ends: nothing is lost when the process restarts overnight, and
the key it is queued under is the one it was rendered with, so it is never queued twice.
Immediate rules do not get here: they keep gathering their matches overnight (``pacing``)
and send them as one message in the morning.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from traceur.alerts import render
from traceur.alerts.outbox import Transaction
from traceur.watchlist.rules import AlertRule

log = logging.getLogger(__name__)

_SCHEMA = """CREATE TABLE IF NOT EXISTS held_messages (
    key TEXT PRIMARY KEY,
    rule_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    text TEXT NOT NULL,
    html TEXT NOT NULL,
    extra TEXT NOT NULL,
    held_at TEXT NOT NULL,
    release_at TEXT NOT NULL,
    chat TEXT
)"""


def stamp(moment: datetime) -> str:
    """A UTC time as stored in the alert state (sortable text)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def moment(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def quiet_until(rule: AlertRule, default_tz: str, now: datetime) -> datetime | None:
    """The end (UTC) of the quiet period ``now`` falls in, or None when the rule may
    send now (no quiet hours, urgent, or outside them)."""
    if rule.quiet is None or rule.urgent:
        return None
    zone = ZoneInfo(rule.timezone or default_tz)
    local = now.astimezone(zone)
    minute = local.hour * 60 + local.minute
    start, end = rule.quiet
    inside = start <= minute < end if start < end else (minute >= start or minute < end)
    if not inside:
        return None
    day = local.date()
    if start > end and minute >= start:
        day += timedelta(days=1)  # 23:10 in "22:00-07:00": the period ends tomorrow
    # A wall-clock time the spring change skips (02:30) is read with the offset before
    # the change, which lands just after it: the period then ends a little later, never
    # earlier.
    ends = datetime.combine(day, time(end // 60, end % 60), tzinfo=zone).astimezone(UTC)
    return max(ends, now)


def ensure_table(txn: Transaction) -> None:
    txn.execute(_SCHEMA)


def hold(txn: Transaction, rule_id: str, key: str, email: render.Email, until: datetime) -> bool:
    """Keep ``email`` until ``until``; False when a message with ``key`` is held already."""
    txn.execute(_SCHEMA)
    cursor = txn.execute(
        "INSERT OR IGNORE INTO held_messages (key, rule_id, subject, text, html, extra, held_at,"
        " release_at, chat) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            key,
            rule_id,
            email.subject,
            email.text,
            email.html,
            json.dumps(email.extra, default=str),
            stamp(txn.now),
            stamp(until),
            # The chat version goes with it: the channels get the message the morning after.
            json.dumps(email.chat) if email.chat else None,
        ),
    )
    if cursor.rowcount != 1:
        return False
    log.info("rule %s: message held for its quiet hours until %s UTC", rule_id, f"{until:%H:%M}")
    return True


def due(txn: Transaction, rule_id: str) -> list[tuple[str, render.Email]]:
    """The held messages of ``rule_id`` whose quiet period is over, taken out of the hold
    (the caller queues them in the same transaction), oldest first."""
    txn.execute(_SCHEMA)
    rows = txn.execute(
        "SELECT key, subject, text, html, extra, chat FROM held_messages"
        " WHERE rule_id = ? AND release_at <= ? ORDER BY held_at, key",
        (rule_id, stamp(txn.now)),
    ).fetchall()
    for row in rows:
        txn.execute("DELETE FROM held_messages WHERE key = ?", (row[0],))
    return [
        (row[0], render.Email(row[1], row[2], row[3], json.loads(row[4]), _chat(row[5])))
        for row in rows
    ]


def _chat(stored: str | None) -> tuple[str, str] | None:
    if not stored:
        return None
    title, body = json.loads(stored)
    return str(title), str(body)
