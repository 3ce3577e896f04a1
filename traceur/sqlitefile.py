"""Opening the small SQLite files Traceur keeps its state in (crawl state, run history,
alerts, clusters): one connection shared by a process's threads, WAL so readers never
block the writer, autocommit so each caller decides its transactions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from traceur.errors import TraceurError


def open_state_file(
    path: str | Path, schema: str, what: str, error: type[TraceurError]
) -> sqlite3.Connection:
    """Open (creating it and its folder) the SQLite file at ``path`` with ``schema``.

    Failures raise ``error`` naming ``what`` the file holds ("the crawl state") and where.
    """
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        db = sqlite3.connect(str(path), timeout=30, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(schema)
    except sqlite3.Error as exc:
        raise error(f"cannot open {what} {path}: {exc}") from exc
    return db
