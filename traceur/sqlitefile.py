"""Opening the small SQLite files Traceur keeps its state in (crawl state, run history,
alerts, clusters): one connection shared by a process's threads, WAL so readers never
block the writer, autocommit so each caller decides its transactions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from traceur.errors import TraceurError


def open_state_file(
    path: str | Path,
    schema: str,
    what: str,
    error: type[TraceurError],
    *,
    flush_each_commit: bool = True,
) -> sqlite3.Connection:
    """Open (creating it and its folder) the SQLite file at ``path`` with ``schema``.

    Failures raise ``error`` naming ``what`` the file holds ("the crawl state") and where.
    ``flush_each_commit=False`` (synchronous=NORMAL): a commit survives the process being
    killed but not the machine losing power, and costs no disk flush — for files whose
    last seconds can be redone (what a pass saw), never for an outbox.
    """
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        db = sqlite3.connect(str(path), timeout=30, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        if not flush_each_commit:
            db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(schema)
    except sqlite3.Error as exc:
        raise error(f"cannot open {what} {path}: {exc}") from exc
    return db
