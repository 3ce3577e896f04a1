"""What a rule holds back, for ``traceur status``, and what is dropped with a removed rule.

Three things wait in ``alerts.db`` besides the outbox: an immediate rule's matches gathering
into a batch (``held_matches``, see ``pacing``), matches rolled over past the rule's hourly
limit (the same table, marked ``limit``), and messages held through quiet hours
(``held_messages``, see ``quiet``). ``holdings`` counts them with the time each goes out;
it only reads, so status can open the state read-only and before either table exists.

A rule taken out of the watchlist leaves its held matches and messages behind: the first
evaluation after the change drops them (``drop_orphans``), so they are never sent under a
rule nobody reads any more.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from traceur.alerts import pacing, quiet
from traceur.alerts.outbox import AlertState, Transaction
from traceur.config import Settings
from traceur.watchlist.rules import AlertRule, ImmediateRule

log = logging.getLogger(__name__)

_TABLES = ("held_matches", "held_messages")


@dataclass(frozen=True)
class Holdings:
    """Counts only, never content: what a rule holds and when each part goes out (UTC;
    None when it goes at the rule's next evaluation)."""

    gathering: int = 0  # matches gathering into a batch
    gathering_until: datetime | None = None
    quiet_matches: int = 0  # an immediate rule's matches held for its quiet hours
    quiet_messages: int = 0  # rendered messages held for the quiet hours
    quiet_until: datetime | None = None
    limit: int = 0  # matches rolled over past max_per_hour, for the next digest
    limit_until: datetime | None = None

    @property
    def empty(self) -> bool:
        return not (self.gathering or self.quiet_matches or self.quiet_messages or self.limit)


def _existing(state: AlertState) -> set[str]:
    rows = state.rows(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)", _TABLES
    )
    return {str(row[0]) for row in rows}


def holdings(state: AlertState, rule: AlertRule, settings: Settings, now: datetime) -> Holdings:
    """What ``rule`` holds at ``now``."""
    tables = _existing(state)
    messages: list[tuple[Any, ...]] = []
    if "held_messages" in tables:
        messages = state.rows(
            "SELECT COUNT(*), MIN(release_at) FROM held_messages WHERE rule_id = ?", (rule.id,)
        )
    held_messages = int(messages[0][0]) if messages else 0
    release = quiet.moment(str(messages[0][1])) if held_messages else None
    if "held_matches" not in tables or not isinstance(rule, ImmediateRule):
        return Holdings(quiet_messages=held_messages, quiet_until=release)
    rows = state.rows("SELECT held_at, waited FROM held_matches WHERE rule_id = ?", (rule.id,))
    if not rows:
        return Holdings(quiet_messages=held_messages, quiet_until=release)
    pace = pacing.Pace.of(rule, settings)
    limited = sum(1 for _, waited in rows if waited == "limit")
    waiting = len(rows) - limited
    # The whole hold goes out as one message, as ``pacing.plan`` decides: the batch ends
    # with its oldest match, then quiet hours and the hourly limit may keep it longer.
    batch_end = min(quiet.moment(str(at)) for at, _ in rows) + timedelta(seconds=pace.batch)
    quiet_end = quiet.quiet_until(rule, settings.timezone, max(now, batch_end))
    limit_until = _limit_free(state, rule.id, pace.max_per_hour, now) if limited else None
    if now < batch_end:
        gathering, gathering_until, quiet_matches = waiting, batch_end, 0
    elif quiet_end is not None:
        gathering, gathering_until, quiet_matches = 0, None, waiting
    else:  # due: the rule's next evaluation sends it (or rolls it past the limit)
        gathering, gathering_until, quiet_matches = waiting, None, 0
    return Holdings(
        gathering=gathering,
        gathering_until=gathering_until,
        quiet_matches=quiet_matches,
        quiet_messages=held_messages,
        quiet_until=min((t for t in (quiet_end, release) if t is not None), default=None)
        if quiet_matches or held_messages
        else None,
        limit=limited,
        limit_until=limit_until,
    )


def _limit_free(state: AlertState, rule_id: str, per_hour: int, now: datetime) -> datetime | None:
    """When the rule's hourly limit lets a message out again (None: it does now)."""
    if not per_hour:
        return None
    sent = [
        quiet.moment(str(row[0]))
        for row in state.rows(
            "SELECT sent_at FROM paced_sends WHERE rule_id = ? AND sent_at > ? ORDER BY sent_at",
            (rule_id, quiet.stamp(now - timedelta(hours=1))),
        )
    ]
    if len(sent) < per_hour:
        return None
    # The hour frees up when the oldest send that keeps the count at the limit is an hour old.
    return sent[len(sent) - per_hour] + timedelta(hours=1)


def drop_orphans(txn: Transaction, rule_ids: Collection[str]) -> dict[str, tuple[int, int]]:
    """Delete the held matches and messages of rules not in ``rule_ids`` (the watchlist's
    rules, enabled or not): {rule id: (matches, messages)} dropped, each logged once."""
    pacing.ensure_tables(txn)
    quiet.ensure_table(txn)
    known = sorted(set(rule_ids))
    # No rule at all: everything held goes.
    where = f"rule_id NOT IN ({', '.join('?' for _ in known)})" if known else "1"
    dropped: dict[str, list[int]] = {}
    for column, table in enumerate(_TABLES):
        rows = txn.execute(
            f"SELECT rule_id, COUNT(*) FROM {table} WHERE {where} GROUP BY rule_id",
            known,
        ).fetchall()
        for rule_id, count in rows:
            dropped.setdefault(str(rule_id), [0, 0])[column] = int(count)
        txn.execute(f"DELETE FROM {table} WHERE {where}", known)
    for rule_id, (matches, messages) in sorted(dropped.items()):
        log.warning(
            "alert rule %s is no longer in the watchlist: dropped %d held match(es) and"
            " %d held message(s), never sent",
            rule_id,
            matches,
            messages,
        )
    return {rule_id: (counts[0], counts[1]) for rule_id, counts in dropped.items()}
