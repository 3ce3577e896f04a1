"""``traceur purge``: apply the retention periods (``traceur.privacy.retention``) to every
place Traceur keeps what it collected.

- The document store (SQLite or Elasticsearch): expired documents, with their full-text
  entries, versions, triage and the volunteers' comments; earlier versions past
  ``versions``; on Elasticsearch, whole monthly indices (``Store.purge_expired``).
- The data directory: the story-cluster entries of the purged documents (``clusters.db``),
  their revisions in the crawl state and the feed entries seen before the longest document
  period (``state.db``), HTTP cache files older than ``http_cache`` (``httpcache/``), alert
  messages older than ``alert_outbox`` (``alerts.db``), rotated log files older than
  ``logs`` (``crawl.log.1``, ``schedule.log.2026-11-02``...) and the lines of the live
  ones older than it, documents waiting in the Elasticsearch spool past their kind's period
  and runs older than ``runs`` in the run history (``traceur.privacy.purge_files``).

With a work queue (``queue``), the story-cluster index is the one every worker shares in
Redis, the crawl state's revisions and seen feed entries in Redis are trimmed as those of
``state.db`` (a ``state.db`` left from before the queue is trimmed too), and the HTTP
cache's entries there expire by themselves after ``http_cache``.

Files that do not exist are not created: a purge on a fresh data directory does nothing.
The report holds counts only, never content, so it can be printed and logged.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from traceur.alerts.outbox import AlertState
from traceur.config import Settings
from traceur.document import DOCUMENT_KINDS
from traceur.enrich.clusters import ClusterIndex
from traceur.orchestra.queue.connection import connect
from traceur.orchestra.queue.crawlstate import RedisCrawlState
from traceur.orchestra.state import CrawlState
from traceur.privacy.purge_files import purge_runs, purge_spool, trim_live_logs
from traceur.store import Store
from traceur.store.expiry import ExpiryPlan, StorePurge

log = logging.getLogger("traceur.purge")

HTTP_CACHE_DIR = "httpcache"  # under the data directory: crawler/scrapy_settings.py puts it there
# When the last purge ran and what it removed (counts), for `traceur status`.
LAST_PURGE_FILE = "purge.json"


@dataclass
class FileCount:
    files: int = 0
    bytes: int = 0


@dataclass
class PurgeReport:
    """What a purge removed (or, in a dry run, would remove), in counts."""

    dry_run: bool
    store_kind: str  # "SQLite" or "Elasticsearch"
    store: StorePurge
    clusters: int = 0
    revisions: int = 0
    seen_entries: int = 0
    outbox_sent: int = 0
    outbox_unsent: int = 0
    http_cache: FileCount = field(default_factory=FileCount)
    logs: FileCount = field(default_factory=FileCount)
    log_lines: int = 0  # lines removed from the live log files
    spool: int = 0  # spooled documents and dead letters (Elasticsearch spool)
    runs: int = 0  # entries of the run history
    shared_state: bool = False  # whether the crawl state counted is (also) the queue's Redis

    @property
    def documents(self) -> int:
        return sum(self.store.documents.values())


def plan_for(settings: Settings, now: datetime, dry_run: bool) -> ExpiryPlan:
    policy = settings.retention
    return ExpiryPlan(
        cutoffs={kind: policy.for_kind(kind).cutoff(now) for kind in DOCUMENT_KINDS},
        versions_before=policy.versions.cutoff(now),
        dry_run=dry_run,
    )


def purge(
    settings: Settings, store: Store, *, dry_run: bool = False, now: datetime | None = None
) -> PurgeReport:
    """Apply the retention periods of ``settings`` to ``store`` and the data directory."""
    now = now or datetime.now(UTC)
    plan = plan_for(settings, now, dry_run)
    kind = "SQLite" if settings.store.startswith("sqlite:") else "Elasticsearch"
    report = PurgeReport(dry_run, kind, store.purge_expired(plan))
    data_dir = Path(settings.data_dir)
    policy = settings.retention
    ids = report.store.doc_ids
    if settings.queue or (data_dir / ClusterIndex.FILE_NAME).is_file():
        # With a work queue the index is the one every worker shares in its Redis.
        from traceur.orchestra.queue.clusters import open_cluster_index

        index = open_cluster_index(settings)
        try:
            report.clusters = index.forget_documents(ids, dry_run=dry_run)
        finally:
            index.close()
    # Feed entries guard against collecting again what was purged; none can guard
    # anything once it is older than the longest period of any document.
    seen_before = min(plan.cutoffs.values())
    states: list[CrawlState | RedisCrawlState] = []
    if settings.queue:
        states.append(RedisCrawlState(connect(settings)))
        report.shared_state = True
    if (data_dir / "state.db").is_file():
        states.append(CrawlState.in_data_dir(data_dir))
    for state in states:
        try:
            revisions, seen = state.purge(ids, plan.versions_before, seen_before, dry_run=dry_run)
        finally:
            state.close()
        report.revisions += revisions
        report.seen_entries += seen
    if (data_dir / "alerts.db").is_file():
        with AlertState.in_data_dir(data_dir) as alerts:
            report.outbox_sent, report.outbox_unsent = alerts.purge_outbox(
                policy.alert_outbox.cutoff(now), dry_run=dry_run
            )
        if settings.queue and not dry_run and (report.outbox_sent or report.outbox_unsent):
            from traceur.orchestra.queue.alertstate import publish_data_dir

            # Shared by snapshots: a standby must not restore the purged messages.
            publish_data_dir(settings)
    report.http_cache = _remove_older(
        (data_dir / HTTP_CACHE_DIR).rglob("*"), policy.http_cache.cutoff(now), dry_run
    )
    report.logs = _remove_older(rotated_logs(data_dir), policy.logs.cutoff(now), dry_run)
    report.log_lines = trim_live_logs(data_dir, policy.logs.cutoff(now), dry_run)
    report.spool = purge_spool(data_dir, plan)
    report.runs = purge_runs(data_dir, policy.runs.cutoff(now), dry_run)
    if not dry_run:
        _remove_empty_dirs(data_dir / HTTP_CACHE_DIR)
    summary = english_summary(report)
    log.info(summary)
    if not dry_run:
        record = {"at": now.isoformat(), "documents": report.documents, "summary": summary}
        data_dir.mkdir(parents=True, exist_ok=True)
        (data_dir / LAST_PURGE_FILE).write_text(json.dumps(record), encoding="utf-8")
    return report


def last_purge(data_dir: Path) -> dict[str, Any] | None:
    """What the last purge of ``data_dir`` recorded (``at``, ``documents``, ``summary``)."""
    try:
        found = json.loads((Path(data_dir) / LAST_PURGE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def rotated_logs(data_dir: Path) -> list[Path]:
    """Rotated log files under ``data_dir`` (``name.log.<suffix>``); never a live ``.log``."""
    return [
        path
        for path in data_dir.rglob("*.log.*")
        if HTTP_CACHE_DIR not in path.relative_to(data_dir).parts
    ]


def _remove_older(paths: Iterable[Path], cutoff: datetime, dry_run: bool) -> FileCount:
    """Remove the regular files of ``paths`` last written before ``cutoff``."""
    counted = FileCount()
    limit = cutoff.timestamp()
    for path in paths:
        try:
            stat = path.lstat()
            if not path.is_file() or path.is_symlink() or stat.st_mtime >= limit:
                continue
            if not dry_run:
                path.unlink()
        except FileNotFoundError:
            continue  # a crawl replaced it meanwhile
        counted.files += 1
        counted.bytes += stat.st_size
    return counted


def _remove_empty_dirs(root: Path) -> None:
    if not root.is_dir():
        return
    for folder, _subdirs, _files in os.walk(root, topdown=False):
        if Path(folder) != root:
            try:
                os.rmdir(folder)
            except OSError:
                continue  # not empty: it still holds fresh entries


def english_summary(report: PurgeReport) -> str:
    """One line for the operators' log (counts only)."""
    kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(report.store.documents.items()))
    shared = " (in the queue's Redis too)" if report.shared_state else ""
    return (
        f"purge{' (dry run)' if report.dry_run else ''}: {report.store_kind} store:"
        f" {report.documents} documents ({kinds or 'none'}), {len(report.store.indices)} whole"
        f" indices, {report.store.versions} versions, {report.store.triage} triage records"
        f" ({report.store.triage_events} events); data dir: {report.clusters} cluster entries,"
        f" {report.revisions} revisions, {report.seen_entries} seen feed entries{shared},"
        f" {report.http_cache.files} HTTP cache files, {report.outbox_sent + report.outbox_unsent}"
        f" alert messages ({report.outbox_unsent} never sent), {report.logs.files} rotated logs,"
        f" {report.log_lines} live log lines, {report.spool} spooled documents,"
        f" {report.runs} runs"
    )
