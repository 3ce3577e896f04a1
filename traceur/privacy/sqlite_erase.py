"""Deleting rows of a data-directory SQLite file so that their content is gone from the
file itself, for ``traceur purge`` and ``traceur forget``."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from traceur.errors import StoreError

log = logging.getLogger(__name__)


@contextmanager
def erasing(
    path: Path, dry_run: bool, *, cannot_open: str, must_compact: bool
) -> Iterator[sqlite3.Connection]:
    """``path`` in one write transaction, compacted after the commit unless ``dry_run``.

    Deleted rows are overwritten (``secure_delete``), then VACUUM drops the free pages and a
    truncating checkpoint empties the write-ahead log, which may still hold them. A file
    busy with another writer cannot be compacted: with ``must_compact`` (an erasure
    request, which promises the content is gone) that is an error; otherwise (the daily
    purge) the rows are gone already and the file shrinks at the next purge.
    ``cannot_open`` ends the error raised when the file cannot be opened: the fix."""
    try:
        db = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        db.execute("PRAGMA secure_delete=ON")
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {path}: {exc}; {cannot_open}") from exc
    try:
        yield db
        if dry_run:
            db.execute("ROLLBACK")
            return
        db.execute("COMMIT")
        try:
            db.execute("VACUUM")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError as exc:
            if must_compact:
                raise StoreError(
                    f"{path} could not be compacted ({exc}): the entries are deleted but may"
                    f" remain in the file's free space; {cannot_open}"
                ) from exc
            log.warning("%s not compacted (%s); it will be at the next purge", path, exc)
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    finally:
        db.close()
