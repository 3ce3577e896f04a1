"""``traceur run``'s pass with its traces kept straight: source locks, runs recorded from
their start, and runs whose process died closed as interrupted.

- Each source is locked (``sourcelock``) for the pass; a source another run holds is
  skipped and named, so two passes at once never fetch the same pages. With a work queue,
  the source's lease in Redis is taken too (``queue.sourcelease``), the one the workers
  take: a source a worker on another machine is collecting is skipped, with its holder,
  and the crawl stops if the leases cannot be kept (recorded as interrupted).
- Each run is recorded when it starts, and closed with the crawl's summary, as
  ``crashed`` when the crawl failed, or as ``interrupted`` when a signal stopped the pass
  (what the store received for the source since the run started is what it found).
- A run left open while its source's lock is free belongs to a process that was killed:
  ``settle_stale_runs`` (at each pass, scheduler start and ``traceur status``) closes it
  as interrupted, with what the store received for it.
"""

from __future__ import annotations

import contextlib
import logging
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from traceur.config import Settings
from traceur.errors import TraceurError
from traceur.orchestra.launch import PassSummary, SourceSummary
from traceur.orchestra.passes import LOST_LEASE, PassGuard, run_pass
from traceur.orchestra.runs import RunLog, RunRecord
from traceur.orchestra.sourcelock import SourceLocks, is_locked
from traceur.store import SearchQuery, Store, open_store, sqlite_path

if TYPE_CHECKING:
    from traceur.orchestra.queue.leases import Holder

log = logging.getLogger("traceur.runs")


class PassInterrupted(TraceurError):
    """A signal stopped ``traceur run`` before the end of its pass; the exit code is the
    shell's for that signal (128 + its number). Stopped because the sources' leases in
    the work queue could not be kept (``LOST_LEASE``), it is 1, as for a failed pass."""

    def __init__(self, signal_name: str) -> None:
        if signal_name == LOST_LEASE:
            self.exit_code = 1
            cause = (
                "the work queue's Redis could not be reached to keep the sources' leases, so"
                " that a worker elsewhere may collect them"
            )
            fix = "check that Redis answers (queue, TRACEUR_QUEUE), then run it again"
        else:
            self.exit_code = 128 + int(signal.Signals[signal_name])
            cause = signal_name
            fix = "run it again to collect the rest"
        super().__init__(
            f"the pass was stopped by {cause}; its runs are recorded as interrupted"
            f" with what they had stored (see `traceur status`); {fix}"
        )


@dataclass
class Collection:
    """What ``collect`` did: the pass's summary (only the sources it ran), the sources
    skipped because another run holds them (id → that run's pid, 0 when unknown), the
    runs recorded, and the sources skipped because a worker or run on another machine
    holds their lease in the work queue (id → who)."""

    summary: PassSummary
    skipped: dict[str, int] = field(default_factory=dict)
    records: list[RunRecord] = field(default_factory=list)
    held_elsewhere: dict[str, Holder] = field(default_factory=dict)


class _Counting(Protocol):
    """What counting a run's documents needs of a store."""

    def count(self, query: SearchQuery | None = None) -> int: ...

    def close(self) -> None: ...


class _NothingStored:
    """The store of a data directory whose SQLite file does not exist yet: it holds nothing."""

    def count(self, query: SearchQuery | None = None) -> int:
        return 0

    def close(self) -> None:
        pass


def stored_for(store: _Counting, record: RunRecord) -> int:
    """Documents the store received (new or changed) for ``record``'s source since it started."""
    return store.count(SearchQuery(source_id=record.source_id, stored_since=record.started_at))


def _interrupted_summary(store: _Counting | None, record: RunRecord) -> tuple[SourceSummary, str]:
    """The counts of a run that wrote no summary, from the store, and how they were found."""
    if store is None:
        return SourceSummary(), "the store could not be read to count what it had found"
    try:
        found = stored_for(store, record)
    except TraceurError as exc:
        return SourceSummary(), f"the store could not be read to count what it had found: {exc}"
    return SourceSummary(new=found), f"{found} documents stored or updated before it stopped"


def _open_store(settings: Settings) -> _Counting | None:
    try:
        if settings.store.startswith("sqlite:") and not sqlite_path(settings.store).exists():
            # Nothing was ever stored; opening it would create it (status only reads).
            return _NothingStored()
        return open_store(settings)
    except TraceurError as exc:
        log.warning("cannot open the store to count what interrupted runs found: %s", exc)
        return None


def settle_stale_runs(settings: Settings, store: Store | None = None) -> list[RunRecord]:
    """Close the runs whose process died (recorded as running, their source's lock free)
    as ``interrupted``, counting what the store received for each; returns them.
    ``store``: an open store to count in (else the configured one is opened if needed)."""
    data_dir = Path(settings.data_dir)
    if not (data_dir / "runs.db").exists():
        return []  # nothing ever ran here: create nothing
    settled: list[RunRecord] = []
    with RunLog.in_data_dir(data_dir) as runs:
        stale = [r for r in runs.unfinished() if not is_locked(data_dir, r.source_id)]
        if not stale:
            return []
        opened = _open_store(settings) if store is None else None
        try:
            for record in stale:
                counts, detail = _interrupted_summary(store or opened, record)
                settled.append(
                    runs.finish(
                        record.id,
                        counts,
                        "interrupted",
                        f"the process running it was stopped or killed; {detail}",
                    )
                )
                log.warning(
                    "run %d of %s was interrupted (its process is gone); %s",
                    record.id,
                    record.source_id,
                    detail,
                )
        finally:
            if opened is not None:
                with contextlib.suppress(TraceurError):
                    opened.close()
    return settled


def collect(
    settings: Settings,
    watchlist: Path,
    source_ids: list[str],
    trigger: str = "run",
    quiet: bool = False,
    guard: PassGuard | None = None,
) -> Collection:
    """One pass over ``source_ids`` (all of them when none is locked elsewhere), recorded
    in the run history from its start. Raises ``CrawlError`` when the crawl failed (its
    runs are then recorded as crashed). ``guard``: the caller holds the sources' leases
    in the work queue (a worker's job) and says when the crawl must stop; without one,
    with a queue, ``collect`` takes the leases itself."""
    data_dir = Path(settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    settle_stale_runs(settings)
    with contextlib.ExitStack() as stack:
        locks = stack.enter_context(SourceLocks(data_dir))
        skipped: dict[str, int] = {}
        for source_id in source_ids:
            holder = locks.acquire(source_id)
            if holder is not None:
                skipped[source_id] = holder
        held_elsewhere: dict[str, Holder] = {}
        if settings.queue and guard is None and locks.held:
            from traceur.orchestra.queue.sourcelease import SharedSourceLeases

            shared = stack.enter_context(SharedSourceLeases(settings))
            held_elsewhere = shared.take(locks.held)
            for source_id in held_elsewhere:
                locks.release(source_id)
            guard = shared.renewer
        chosen = locks.held
        if not chosen:
            return Collection(PassSummary(sources={}, seconds=0.0), skipped, [], held_elsewhere)
        with RunLog.in_data_dir(data_dir) as runs:
            started = {source_id: runs.start(source_id, trigger) for source_id in chosen}
            try:
                summary = run_pass(
                    settings, watchlist, chosen, quiet=quiet, pass_fds=locks.fds(), guard=guard
                )
            except BaseException as exc:
                message = str(exc) or type(exc).__name__
                for run_id in started.values():
                    runs.finish(run_id, None, "crashed", message)
                raise
            records = _close_runs(settings, runs, started, summary)
    return Collection(summary, skipped, records, held_elsewhere)


def _close_runs(
    settings: Settings, runs: RunLog, started: dict[str, int], summary: PassSummary
) -> list[RunRecord]:
    if not summary.interrupted_by:
        return [
            runs.finish(run_id, summary.sources.get(source_id))
            for source_id, run_id in started.items()
        ]
    records: list[RunRecord] = []
    store: _Counting | None = None
    try:
        for source_id, run_id in started.items():
            counts = summary.sources.get(source_id)
            detail = "its counts are the crawl's own"
            if counts is None:
                record = runs.get(run_id)
                assert record is not None
                store = store or _open_store(settings)
                counts, detail = _interrupted_summary(store, record)
                # The pass's summary shows what the store holds for the sources it ran.
                summary.sources[source_id] = counts
            records.append(
                runs.finish(
                    run_id, counts, "interrupted", f"stopped by {summary.interrupted_by}; {detail}"
                )
            )
    finally:
        if store is not None:
            with contextlib.suppress(TraceurError):
                store.close()
    return records
