"""Triage in the SQLite store: the ``triage`` table (one row per triaged document) and
``triage_events`` (its history), keyed by document id. Callers hold the store's lock."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from traceur.store.base import Triage, TriageEvent
from traceur.store.triage import format_ms, now_ms, parse_ms, plan_change

_COLUMNS = "doc_id, state, assignee, revision, updated_at, updated_by"


def _triage(row: tuple[str, str, str | None, int, str | None, str | None]) -> Triage:
    doc_id, state, assignee, revision, updated_at, updated_by = row
    return Triage(
        doc_id,
        state,
        assignee,
        int(revision),
        parse_ms(updated_at) if updated_at else None,
        updated_by,
    )


def read_triage(db: sqlite3.Connection, doc_ids: Sequence[str]) -> dict[str, Triage]:
    found = {
        row[0]: _triage(row)
        for row in db.execute(
            f"SELECT {_COLUMNS} FROM triage WHERE doc_id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(doc_ids)),),
        )
    }
    return {doc_id: found.get(doc_id) or Triage(doc_id) for doc_id in doc_ids}


def update_triage(
    db: sqlite3.Connection,
    doc_id: str,
    *,
    by: str,
    expected_revision: int,
    state: str | None,
    assignee: str | None | object,
    comment: str | None,
) -> Triage:
    # BEGIN IMMEDIATE takes the write lock before reading the revision, so two processes
    # sharing the file cannot both pass the check.
    db.execute("BEGIN IMMEDIATE")
    try:
        row = db.execute(f"SELECT {_COLUMNS} FROM triage WHERE doc_id = ?", (doc_id,)).fetchone()
        current = _triage(row) if row else Triage(doc_id)
        change = plan_change(
            current,
            by=by,
            expected_revision=expected_revision,
            state=state,
            assignee=assignee,
            comment=comment,
            at=now_ms(),
        )
        new = change.triage
        if change.events:
            db.execute(
                f"INSERT OR REPLACE INTO triage ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    doc_id,
                    new.state,
                    new.assignee,
                    new.revision,
                    format_ms(new.updated_at) if new.updated_at else None,
                    new.updated_by,
                ),
            )
            db.executemany(
                "INSERT INTO triage_events (doc_id, at, by, action, value) VALUES (?, ?, ?, ?, ?)",
                [
                    (event.doc_id, format_ms(event.at), event.by, event.action, event.value)
                    for event in change.events
                ],
            )
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return new


def triage_history(db: sqlite3.Connection, doc_id: str) -> list[TriageEvent]:
    return [
        TriageEvent(doc_id, parse_ms(at), by, action, value)
        for at, by, action, value in db.execute(
            "SELECT at, by, action, value FROM triage_events WHERE doc_id = ? ORDER BY rowid",
            (doc_id,),
        )
    ]
