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
    read_only: bool = False,
) -> sqlite3.Connection:
    """Open (creating it and its folder) the SQLite file at ``path`` with ``schema``.

    Failures raise ``error`` naming ``what`` the file holds ("the crawl state") and where.
    ``flush_each_commit=False`` (synchronous=NORMAL): a commit survives the process being
    killed but not the machine losing power, and costs no disk flush — for files whose
    last seconds can be redone (what a pass saw), never for an outbox.

    ``read_only=True`` (commands that only report, such as ``traceur status``): nothing is
    created or written; a missing file reads as an empty one (an in-memory copy of the
    schema), and a file is opened read-only, so a foreign SQLite file gets no schema.
    """
    if read_only:
        return _open_read_only(path, schema, what, error)
    if str(path) != ":memory:":
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise error(
                f"cannot create the folder of {what} {path} ({exc.strerror or exc});"
                " check the data_dir setting and that this user may write there"
            ) from exc
    try:
        db = sqlite3.connect(str(path), timeout=30, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        if not flush_each_commit:
            db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(schema)
    except sqlite3.Error as exc:
        raise error(
            f"cannot open {what} {path}: {exc}; check that it is a Traceur file and that"
            " this user may write in its folder"
        ) from exc
    return db


def _open_read_only(
    path: str | Path, schema: str, what: str, error: type[TraceurError]
) -> sqlite3.Connection:
    file = Path(path)
    try:
        if str(path) == ":memory:" or not file.exists():
            db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            db.executescript(schema)
            return db
        db = sqlite3.connect(
            f"{file.resolve().as_uri()}?mode=ro",
            uri=True,
            timeout=30,
            check_same_thread=False,
            isolation_level=None,
        )
        # Reading the catalogue is the first read: it fails here on a file that is no
        # SQLite database at all.
        db.execute("SELECT count(*) FROM sqlite_schema").fetchone()
    except sqlite3.Error as exc:
        raise error(
            f"cannot read {what} {path}: {exc}; check that it is a Traceur file and that"
            " this user may read it"
        ) from exc
    return db
