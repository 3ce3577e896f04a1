"""What ``traceur status`` shows: the daemon, each source, each alert rule, the outbox.

Read from the data directory alone (the lock, the daemon's info file, the run history,
the alert state and the job store), so it works whether the daemon runs or not.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from traceur.alerts.holds import Holdings, holdings
from traceur.alerts.outbox import AlertState
from traceur.config import Settings
from traceur.orchestra.collection import settle_stale_runs
from traceur.orchestra.runs import RunLog, RunRecord
from traceur.orchestra.scheduler.daemon import INFO_FILE, SNAPSHOT_FILE
from traceur.orchestra.scheduler.jobs import (
    JOBSTORE_FILE,
    PURGE_JOB_ID,
    rule_job_id,
    source_job_id,
)
from traceur.orchestra.scheduler.lock import DaemonLock
from traceur.privacy.purge import last_purge
from traceur.watchlist.loader import load_watchlist
from traceur.watchlist.rules import AlertRule


@dataclass
class SourceStatus:
    source_id: str
    kind: str
    every: int
    interval: int
    enabled: bool
    last: RunRecord | None
    next_run: datetime | None
    runs: int
    documents_found: int


@dataclass
class RuleStatus:
    rule: AlertRule
    evaluated_at: datetime | None
    outcome: str
    sent: int
    queued: int
    last_sent_at: datetime | None
    last_error: str
    next_run: datetime | None
    # What the rule holds back (batch, quiet hours, hourly limit): counts and times only.
    held: Holdings = field(default_factory=Holdings)


@dataclass
class Status:
    pid: int | None
    info: dict[str, Any]
    watchlist_path: Path
    sources: list[SourceStatus] = field(default_factory=list)
    rules: list[RuleStatus] = field(default_factory=list)
    queued: int = 0
    oldest_queued: tuple[datetime, str] | None = None
    # The daily retention purge: its next run (daemon running) and the last one's record.
    purge_next: datetime | None = None
    purge_last: dict[str, Any] | None = None
    # With a work queue: its leader, passes waiting and running, live workers (or error).
    work_queue: dict[str, Any] | None = None


def next_run_times(data_dir: Path) -> dict[str, datetime | None]:
    """Next run of each persistent job, read straight from the job store (no scheduler needed)."""
    path = Path(data_dir) / JOBSTORE_FILE
    if not path.exists():
        return {}
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            rows = db.execute("SELECT id, next_run_time FROM apscheduler_jobs").fetchall()
        finally:
            db.close()
    except sqlite3.Error:
        return {}
    return {
        job_id: datetime.fromtimestamp(moment, UTC) if moment is not None else None
        for job_id, moment in rows
    }


def status(settings: Settings, watchlist_path: Path | None = None) -> Status:
    """What ``traceur status`` shows: the daemon, each source, each alert rule, the outbox."""
    data_dir = Path(settings.data_dir)
    info_file = data_dir / INFO_FILE
    info: dict[str, Any] = (
        json.loads(info_file.read_text(encoding="utf-8")) if info_file.exists() else {}
    )
    pid = DaemonLock(data_dir).holder()
    snapshot = data_dir / SNAPSHOT_FILE
    if watchlist_path is None:
        watchlist_path = snapshot if snapshot.exists() else settings.watchlist
    watchlist = load_watchlist(watchlist_path)
    # The snapshot is what the daemon runs; show the file it came from.
    shown = (
        Path(info["watchlist"])
        if watchlist_path == snapshot and info.get("watchlist")
        else Path(watchlist_path)
    )
    result = Status(pid, info, shown)
    if settings.queue:
        from traceur.orchestra.queue.leader import queue_status

        result.work_queue = queue_status(settings)
    # Without a daemon the stored times are only what would have been: not shown.
    next_runs = next_run_times(data_dir) if pid is not None else {}
    # A run whose process was killed would show as running forever: close it first, with
    # what the store received for it (when the data directory can be written at all;
    # status never fails for want of writing).
    if os.access(data_dir, os.W_OK) and (Path(data_dir) / "runs.db").exists():
        settle_stale_runs(settings)
    with RunLog.in_data_dir(data_dir, read_only=True) as runs:
        seen: set[str] = set()
        for source in watchlist.sources:
            seen.add(source.id)
            recent = runs.recent(source.id, 1)
            count, found = runs.totals(source.id)
            known = runs.interval(source.id)
            interval = known[1] if known and known[0] == source.every else source.every
            result.sources.append(
                SourceStatus(
                    source.id,
                    source.kind,
                    source.every,
                    interval,
                    source.enabled,
                    recent[0] if recent else None,
                    next_runs.get(source_job_id(source.id)),
                    count,
                    found,
                )
            )
    now = datetime.now(UTC)
    with AlertState.in_data_dir(data_dir, read_only=True) as state:
        for rule in watchlist.alerts:
            activity = state.activity(rule.id)
            result.rules.append(
                RuleStatus(
                    rule,
                    activity.evaluated_at,
                    activity.outcome,
                    activity.sent,
                    activity.queued,
                    activity.last_sent_at,
                    activity.last_error,
                    next_runs.get(rule_job_id(rule.id)),
                    holdings(state, rule, settings, now),
                )
            )
        result.queued = state.queued_count()
        result.oldest_queued = state.oldest_queued()
    result.purge_next = next_runs.get(PURGE_JOB_ID)
    result.purge_last = last_purge(data_dir)
    return result
