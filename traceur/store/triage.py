"""What a triage change means, the same for every store: which states exist, what counts
as a change, which events it records, and when it conflicts. The stores only read the
current triage and write the result atomically."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from traceur.errors import StoreError, TriageConflict
from traceur.store.base import TRIAGE_STATES, UNSET, Triage, TriageEvent


@dataclass(frozen=True)
class TriageChange:
    """The triage after a change, and the events that record it (oldest first)."""

    triage: Triage
    events: tuple[TriageEvent, ...]


def now_ms() -> datetime:
    """Now in UTC to the millisecond: what both stores keep (Elasticsearch dates hold
    milliseconds), so a triage reads back the same from either."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def format_ms(value: datetime) -> str:
    return (
        value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    )


def parse_ms(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def plan_change(
    current: Triage,
    *,
    by: str,
    expected_revision: int,
    state: str | None,
    assignee: str | None | object,
    comment: str | None,
    at: datetime,
) -> TriageChange:
    """The change asked of ``current``: raises ``TriageConflict`` when ``current`` is at
    another revision than ``expected_revision``, ``StoreError`` for a change that cannot
    be made. A state or assignee equal to the current one records nothing; a call that
    changes nothing returns ``current`` as it is (same revision)."""
    if current.revision != expected_revision:
        raise TriageConflict(current.doc_id, expected_revision, current.revision)
    if not by.strip():
        raise StoreError("a triage change needs the name of the user who makes it")
    if state is not None and state not in TRIAGE_STATES:
        raise StoreError(f"unknown triage state {state!r}; use one of {', '.join(TRIAGE_STATES)}")
    if assignee is not UNSET and assignee is not None and not isinstance(assignee, str):
        raise StoreError("a triage assignee is a user name, None (nobody) or UNSET (unchanged)")
    if comment is not None and not comment.strip():
        raise StoreError("a triage comment cannot be empty; write some text or leave it out")
    events: list[TriageEvent] = []
    new = current
    if state is not None and state != current.state:
        events.append(TriageEvent(current.doc_id, at, by, "state", state))
        new = replace(new, state=state)
    if assignee is not UNSET and assignee != current.assignee:
        who = assignee if isinstance(assignee, str) else None
        events.append(TriageEvent(current.doc_id, at, by, "assignee", who))
        new = replace(new, assignee=who)
    if comment is not None:
        events.append(TriageEvent(current.doc_id, at, by, "comment", comment.strip()))
    if not events:
        return TriageChange(current, ())
    new = replace(new, revision=current.revision + 1, updated_at=at, updated_by=by)
    return TriageChange(new, tuple(events))
