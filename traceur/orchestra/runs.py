"""Per-source run history: what each collection run of a source did, and when.

``traceur status`` shows it, adaptive polling reads how productive a source is, and
source-health alert rules read failures, silences and empty extractions from it. Kept in
``DATA_DIR/runs.db``, apart from the document store, so it works the same with SQLite or
Elasticsearch documents and survives restarts of the scheduler.

The result of a run, from its summary:

- ``ok``: no error;
- ``partial``: some errors, but documents were collected;
- ``failed``: nothing collected and at least one error (the source did not answer, refused, broke);
- ``empty``: pages were fetched but every one extracted empty (often a layout change);
- ``crashed``: the crawl process died or could not run at all;
- ``stopped``: stopped by a shutdown of the scheduler before its end;
- ``interrupted``: ``traceur run`` was stopped by a signal, or the process running it died
  (found later, when its source's lock is free: ``traceur.orchestra.collection``).

A run is recorded when it starts (``result`` None: running), under its source's lock, and
closed when it ends; one left open while the lock is free belongs to a dead process.
"""

from __future__ import annotations

import itertools
import json
import statistics
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from traceur.errors import StoreError
from traceur.sqlitefile import open_state_file

if TYPE_CHECKING:
    from traceur.config import Settings
    from traceur.orchestra.launch import PassSummary, SourceSummary

RESULTS = ("ok", "partial", "failed", "empty", "crashed", "stopped", "interrupted")
# Runs that say nothing about the source's health: the scheduler, not the source, ended them.
NEUTRAL = ("stopped", "interrupted")
FAILURES = ("failed", "crashed")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL,
    trigger TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    result TEXT,
    pages INTEGER NOT NULL DEFAULT 0,
    new INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    not_documents INTEGER NOT NULL DEFAULT 0,
    errors TEXT NOT NULL DEFAULT '{}',
    message TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS runs_by_source ON runs (source_id, id);
CREATE TABLE IF NOT EXISTS source_intervals (
    source_id TEXT PRIMARY KEY,
    base INTEGER NOT NULL,
    current INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
"""


def utc_now() -> datetime:
    return datetime.now(UTC)


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


@dataclass(frozen=True)
class RunRecord:
    id: int
    source_id: str
    trigger: str
    started_at: datetime
    finished_at: datetime | None
    result: str | None  # None while running
    pages: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    not_documents: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    message: str = ""

    @property
    def documents(self) -> int:
        """Documents the run stored or found unchanged: the pages that extracted well."""
        return self.new + self.updated + self.unchanged

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def classify(summary: SourceSummary) -> str:
    """The result of a finished run, from its summary (see the module's docstring)."""
    documents = summary.new + summary.updated + summary.unchanged + summary.spooled
    errors = sum(summary.errors.values())
    if summary.finish_reason == "shutdown":
        return "stopped"
    if documents == 0 and summary.not_documents > 0:
        return "empty"
    if documents == 0 and errors > 0:
        return "failed"
    if errors > 0:
        return "partial"
    return "ok"


class RunLog:
    """The run history in one SQLite file (``":memory:"`` for tests). Thread-safe."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self._db = open_state_file(
            path, _SCHEMA, "the run history", StoreError, read_only=read_only
        )
        self._lock = threading.Lock()

    @classmethod
    def in_data_dir(cls, data_dir: Path, *, read_only: bool = False) -> RunLog:
        """The run history of ``data_dir``; ``read_only`` for reports (nothing created)."""
        return cls(Path(data_dir) / "runs.db", read_only=read_only)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> RunLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------

    def start(self, source_id: str, trigger: str, at: datetime | None = None) -> int:
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO runs (source_id, trigger, started_at) VALUES (?, ?, ?)",
                (source_id, trigger, _text(at or utc_now())),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def finish(
        self,
        run_id: int,
        summary: SourceSummary | None,
        result: str | None = None,
        message: str = "",
        at: datetime | None = None,
    ) -> RunRecord:
        """Close a run with its summary (None when the crawl crashed: give ``result``)."""
        if result is None:
            result = classify(summary) if summary is not None else "crashed"
        values: dict[str, Any] = {
            "id": run_id,
            "finished_at": _text(at or utc_now()),
            "result": result,
            "message": message[-2000:],
            "pages": summary.pages if summary else 0,
            "new": summary.new if summary else 0,
            "updated": summary.updated if summary else 0,
            "unchanged": summary.unchanged if summary else 0,
            "not_documents": summary.not_documents if summary else 0,
            "errors": json.dumps(summary.errors if summary else {}, sort_keys=True),
        }
        with self._lock:
            self._db.execute(
                "UPDATE runs SET finished_at = :finished_at, result = :result, message = :message,"
                " pages = :pages, new = :new, updated = :updated, unchanged = :unchanged,"
                " not_documents = :not_documents, errors = :errors WHERE id = :id",
                values,
            )
        record = self.get(run_id)
        assert record is not None
        return record

    def record(
        self,
        source_id: str,
        summary: SourceSummary | None,
        trigger: str,
        started_at: datetime,
        finished_at: datetime | None = None,
        result: str | None = None,
        message: str = "",
    ) -> RunRecord:
        """A whole run at once (``traceur run``, tests)."""
        run_id = self.start(source_id, trigger, started_at)
        return self.finish(run_id, summary, result, message, finished_at)

    def unfinished(self) -> list[RunRecord]:
        """Runs recorded as started and not finished (running, or their process died)."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {self._COLUMNS} FROM runs WHERE finished_at IS NULL ORDER BY id"
            ).fetchall()
        return [self._row(row) for row in rows]

    def set_interval(self, source_id: str, base: int, current: int) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO source_intervals (source_id, base, current, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (source_id) DO UPDATE SET base = excluded.base,"
                " current = excluded.current, updated_at = excluded.updated_at",
                (source_id, base, current, _text(utc_now())),
            )

    # -- reading ---------------------------------------------------------------------

    _COLUMNS = (
        "id, source_id, trigger, started_at, finished_at, result, pages, new, updated, unchanged,"
        " not_documents, errors, message"
    )

    @staticmethod
    def _row(row: tuple[Any, ...]) -> RunRecord:
        started = _moment(row[3])
        assert started is not None
        return RunRecord(
            id=row[0],
            source_id=row[1],
            trigger=row[2],
            started_at=started,
            finished_at=_moment(row[4]),
            result=row[5],
            pages=row[6],
            new=row[7],
            updated=row[8],
            unchanged=row[9],
            not_documents=row[10],
            errors=json.loads(row[11] or "{}"),
            message=row[12] or "",
        )

    def get(self, run_id: int) -> RunRecord | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {self._COLUMNS} FROM runs WHERE id = ?", (run_id,)
            ).fetchone()
        return self._row(row) if row else None

    def recent(self, source_id: str, limit: int = 50) -> list[RunRecord]:
        """The source's latest runs, newest first."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {self._COLUMNS} FROM runs WHERE source_id = ? ORDER BY id DESC LIMIT ?",
                (source_id, limit),
            ).fetchall()
        return [self._row(row) for row in rows]

    def with_new_documents(self, source_id: str, limit: int = 20) -> list[RunRecord]:
        """The source's latest runs that brought new documents, newest first."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {self._COLUMNS} FROM runs WHERE source_id = ? AND new > 0"
                " ORDER BY id DESC LIMIT ?",
                (source_id, limit),
            ).fetchall()
        return [self._row(row) for row in rows]

    def source_ids(self) -> list[str]:
        with self._lock:
            return [
                row[0]
                for row in self._db.execute(
                    "SELECT DISTINCT source_id FROM runs ORDER BY source_id"
                )
            ]

    def totals(self, source_id: str) -> tuple[int, int]:
        """(runs, new documents) over the source's whole history."""
        with self._lock:
            row = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(new), 0) FROM runs WHERE source_id = ?", (source_id,)
            ).fetchone()
        return int(row[0]), int(row[1])

    def interval(self, source_id: str) -> tuple[int, int] | None:
        """(the watchlist's interval, the adapted one) last recorded for the source."""
        with self._lock:
            row = self._db.execute(
                "SELECT base, current FROM source_intervals WHERE source_id = ?", (source_id,)
            ).fetchone()
        return (int(row[0]), int(row[1])) if row else None


def record_pass(settings: Settings, summary: PassSummary, trigger: str = "run") -> None:
    """Record every source of a finished ``traceur run`` pass in the run history."""
    finished = utc_now()
    started = finished - timedelta(seconds=summary.seconds)
    with RunLog.in_data_dir(settings.data_dir) as log:
        for source_id, source_summary in summary.sources.items():
            log.record(source_id, source_summary, trigger, started, finished)


# -- health, read from a source's history (newest run first) -----------------------------


def _judged(records: list[RunRecord]) -> Iterator[RunRecord]:
    return (r for r in records if r.result is not None and r.result not in NEUTRAL)


def consecutive_failures(records: list[RunRecord]) -> list[RunRecord]:
    """The unbroken series of failed or crashed runs at the head of ``records``."""
    series: list[RunRecord] = []
    for record in _judged(records):
        if record.result not in FAILURES:
            break
        series.append(record)
    return series


def empty_streak(records: list[RunRecord]) -> tuple[list[RunRecord], bool]:
    """The unbroken series of runs whose pages all extracted empty, at the head of
    ``records`` (runs that fetched nothing to extract, like a feed with no new entry,
    neither count nor break it), and whether an earlier run extracted documents: a source
    that never extracted anything is a configuration problem, not a layout change."""
    series: list[RunRecord] = []
    for record in _judged(records):
        if record.result == "empty":
            series.append(record)
        elif record.documents > 0:
            return series, True
    return series, False


@dataclass(frozen=True)
class Silence:
    last_new_at: datetime
    usual_gap: timedelta
    silent_for: timedelta


def silence(
    runs_with_new: list[RunRecord],
    latest: RunRecord | None,
    now: datetime,
    factor: float,
    minimum: timedelta,
) -> Silence | None:
    """A source silent for much longer than usual: no new document for more than
    ``factor`` times its usual (median) gap between new documents, and at least
    ``minimum``, while it was polled (its latest run is after that threshold).
    Needs four runs with new documents to know what is usual."""
    moments = sorted(r.finished_at or r.started_at for r in runs_with_new)
    if len(moments) < 4 or latest is None or latest.result in FAILURES:
        return None
    gaps = [b - a for a, b in itertools.pairwise(moments)]
    usual = timedelta(seconds=statistics.median(g.total_seconds() for g in gaps))
    threshold = max(usual * factor, minimum)
    last_new = moments[-1]
    polled_at = latest.finished_at or latest.started_at
    if now - last_new <= threshold or polled_at - last_new <= threshold:
        return None
    return Silence(last_new, usual, now - last_new)
