"""Retention in the data directory's other files: the Elasticsearch spool, the run history
and the lines of the live log files (``traceur purge`` calls these; see
``traceur.privacy.purge``).

- ``es-spool/spool.db`` holds whole documents Elasticsearch could not take yet (and dead
  letters it refused): a spooled forum post is as personal as a stored one, so it expires
  by the same rule (``traceur.store.expiry``) and with the same period as its kind.
- ``runs.db`` holds no page content, only what each run of a source did; it is kept for
  ``retention.runs``. The latest run of each source and its latest runs that found new
  documents stay whatever their age: source-health alerts read them to tell a source that
  went silent, and without them a quiet source could never be reported as such.
- A live log file (``crawl.log``, ``schedule.log``) only rotates past ``log_max_bytes``,
  which a small installation may never reach, and the crash log (``crash.log``) never
  does. Their lines older than ``retention.logs`` are removed in place (the file is
  rewritten and truncated, not replaced): the processes writing to it keep their handle,
  and since log handlers append (``O_APPEND``), their next line lands at the new end.
  Renaming the file instead would leave every writer appending to the renamed copy, so the
  old lines would live on past the period. A line appended between the read and the
  truncation (a few milliseconds, at the daily purge) can be lost; a log line is worth
  less than keeping a stale one for ever.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from traceur.document import Document
from traceur.privacy import logfiles
from traceur.privacy.sqlite_erase import erasing
from traceur.store.expiry import ExpiryPlan

log = logging.getLogger("traceur.purge")

SPOOL_FILE = Path("es-spool") / "spool.db"
RUNS_FILE = "runs.db"
# Runs kept whatever their age, per source: as many runs with new documents as the
# source-health alerts read (traceur.orchestra.runs.RunLog.with_new_documents).
KEPT_RUNS_WITH_NEW = 20
# The start of a log line: `%(asctime)s`, in local time, as every Traceur log file writes it.
_STAMP = re.compile(rb"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})")
_RUN_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"  # how runs.db writes its times (traceur.orchestra.runs)


@contextmanager
def _sqlite(path: Path, dry_run: bool) -> Iterator[sqlite3.Connection]:
    """``path`` in one write transaction, compacted after the commit unless ``dry_run``."""
    with erasing(
        path,
        dry_run,
        cannot_open="check that the data directory is writable and run traceur purge again",
        must_compact=False,
    ) as db:
        yield db


def expired(document: Document, plan: ExpiryPlan) -> bool:
    """Whether ``document`` is past its kind's cutoff: its ``sort_at`` (publication, else
    collection) and its collection both older than it, as the stores decide."""
    cutoff = plan.cutoffs.get(document.kind)
    if cutoff is None or document.fetched_at is None:
        return False  # an unknown kind or an undated document: the store decides once it has it
    sort_at = document.published_at or document.fetched_at
    return sort_at < cutoff and document.fetched_at < cutoff


def purge_spool(data_dir: Path, plan: ExpiryPlan) -> int:
    """Remove (in a dry run, count) the spooled documents and dead letters past their
    retention; return how many."""
    path = data_dir / SPOOL_FILE
    if not path.is_file():
        return 0
    removed = 0
    with _sqlite(path, plan.dry_run) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_schema")}
        for table in ("spool", "dead_letters"):
            if table not in tables:
                continue
            ids = [
                ident
                for ident, data in db.execute(f"SELECT id, data FROM {table}").fetchall()
                if expired(Document.from_dict(json.loads(data)), plan)
            ]
            db.executemany(f"DELETE FROM {table} WHERE id = ?", [(i,) for i in ids])
            removed += len(ids)
    return removed


def purge_runs(data_dir: Path, cutoff: datetime, dry_run: bool) -> int:
    """Remove (in a dry run, count) the finished runs started before ``cutoff``, but for
    the runs source-health alerts need (see the module docstring); return how many."""
    path = data_dir / RUNS_FILE
    if not path.is_file():
        return 0
    with _sqlite(path, dry_run) as db:
        if "runs" not in {row[0] for row in db.execute("SELECT name FROM sqlite_schema")}:
            return 0
        cursor = db.execute(
            """
            DELETE FROM runs WHERE result IS NOT NULL AND started_at < :cutoff AND id NOT IN (
                SELECT MAX(id) FROM runs GROUP BY source_id
                UNION
                SELECT id FROM (
                    SELECT id, ROW_NUMBER() OVER (
                        PARTITION BY source_id ORDER BY id DESC
                    ) AS rank FROM runs WHERE new > 0
                ) WHERE rank <= :kept
            )
            """,
            {"cutoff": cutoff.astimezone(UTC).strftime(_RUN_TIME), "kept": KEPT_RUNS_WITH_NEW},
        )
        return max(cursor.rowcount, 0)


def live_logs(data_dir: Path) -> list[Path]:
    """The live log files of ``data_dir`` (``crawl.log``, ``schedule.log``...), not their
    rotated copies and nothing in the HTTP cache."""
    return sorted(
        path
        for path in data_dir.rglob("*.log")
        if path.is_file() and "httpcache" not in path.relative_to(data_dir).parts
    )


def _stamp(line: bytes) -> datetime | None:
    match = _STAMP.match(line)
    if match is None:
        return None
    try:
        # A naive time is local time, as `%(asctime)s` wrote it.
        return datetime.strptime(match.group(1).decode("ascii"), "%Y-%m-%d %H:%M:%S").astimezone()
    except ValueError:
        return None


def trim_live_log(path: Path, cutoff: datetime, dry_run: bool) -> int:
    """Remove (in a dry run, count) the lines of ``path`` written before ``cutoff``; return
    how many. A line without a time (a traceback, a multi-line message) goes with the line
    it continues; the lines before the first dated one go with it too."""
    try:
        handle = path.open("r+b")
    except FileNotFoundError:
        return 0
    with handle:
        lines = handle.read().splitlines(keepends=True)
        keep_from = 0
        for number, line in enumerate(lines):
            moment = _stamp(line)
            if moment is None:
                continue
            if moment >= cutoff:
                break
            keep_from = number + 1
            # Its continuation lines go with it: skip to the next dated line.
            while keep_from < len(lines) and _stamp(lines[keep_from]) is None:
                keep_from += 1
        if keep_from and not dry_run:
            handle.seek(0)
            handle.write(b"".join(lines[keep_from:]))
            handle.truncate()
    return keep_from


def trim_live_logs(data_dir: Path, cutoff: datetime, dry_run: bool) -> int:
    """``trim_live_log`` on every live log file of ``data_dir`` (``crash.log`` included) and
    on the crash log of the temporary folder (``traceur.privacy.logfiles``); the lines
    removed."""
    paths = [*live_logs(data_dir), logfiles.fallback_crash_log()]
    return sum(trim_live_log(path, cutoff, dry_run) for path in paths)
