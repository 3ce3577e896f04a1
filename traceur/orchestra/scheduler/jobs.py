"""The scheduler's jobs: what the watchlist asks for, and how often.

- One APScheduler job per enabled source, at the interval of its watchlist entry (with
  jitter), adapted to how productive the source is (``adapt_interval``); one job per alert
  rule (immediate checks, digests at fixed local times, spike and source-health checks).
- Jobs live in a persistent job store (``DATA_DIR/scheduler.db``, SQLite through
  SQLAlchemy) under explicit ids, so a restart keeps the schedule and runs what was missed,
  once (``coalesce``), however late (``misfire_grace_time=None``: APScheduler's default of
  1 s would silently push a digest due during a restart to the next day). A job already in
  the store is kept as it is when its definition did not change, so its missed run time
  survives the restart; a changed one is replaced (``replace_existing``).
- Never two runs of one source at once (``max_instances=1``).
- The store keeps each job's function as text (``module:name``): the job functions stay
  at module level here, and reach the running daemon through ``set_current``, which the
  daemon calls (this module never imports the daemon). A stored reference that no longer
  imports (after a rename) is logged and dropped by APScheduler when it reads the store,
  and the daemon's job sync then adds the job again under its current reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from traceur.config import Settings
from traceur.orchestra.runs import NEUTRAL, RunRecord
from traceur.watchlist.model import MIN_INTERVAL_SECONDS, Watchlist
from traceur.watchlist.rules import AlertRule, DigestRule

JOBSTORE_FILE = "scheduler.db"
SOURCE_JOB = "traceur.orchestra.scheduler.jobs:job_source"
RULE_JOB = "traceur.orchestra.scheduler.jobs:job_rule"
PURGE_JOB = "traceur.orchestra.scheduler.jobs:job_purge"
# The retention purge (`traceur purge`), once a day at `purge_at`, local time.
PURGE_JOB_ID = "maintenance:purge"


# -- adaptive polling ------------------------------------------------------------------


def interval_bounds(every: int, factor: int) -> tuple[int, int]:
    """(fastest, slowest) interval a source with this ``every`` may be polled at."""
    if factor <= 1:
        return every, every
    return max(MIN_INTERVAL_SECONDS, round(every / factor)), every * factor


def adapt_interval(every: int, current: int, record: RunRecord, factor: int) -> int:
    """The next interval of a source after ``record``: halved after a run that brought new
    documents, 1.5 times longer after a run that brought none or failed (a failing server
    is not hammered), unchanged after a run the scheduler itself stopped; always within
    ``interval_bounds``."""
    fastest, slowest = interval_bounds(every, factor)
    if record.result in NEUTRAL or record.result is None:
        proposed = float(current)
    elif record.new > 0 and record.result in ("ok", "partial"):
        proposed = current / 2
    else:
        proposed = current * 1.5
    return int(min(max(proposed, fastest), slowest))


def jitter_for(settings: Settings, interval: int) -> int | None:
    """Random delay added to each run: at most ``scheduler_jitter`` and a tenth of the interval."""
    value = min(settings.scheduler_jitter, interval // 10)
    return value or None


# -- job definitions -------------------------------------------------------------------


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: str  # textual reference: persistent jobs store the name, not the function
    args: tuple[str, ...]
    trigger: Any
    # Compared with the stored job's name: equal means "unchanged, keep the stored job".
    spec: str
    executor: str = "default"
    run_now: bool = False


def source_job_id(source_id: str) -> str:
    return f"source:{source_id}"


def rule_job_id(rule_id: str) -> str:
    return f"alert:{rule_id}"


def rule_trigger(rule: AlertRule, settings: Settings) -> tuple[Any, str]:
    """The APScheduler trigger of a rule's job, and its description (the job's spec)."""
    from apscheduler.triggers.combining import OrTrigger
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    if isinstance(rule, DigestRule):
        tz_name = rule.timezone or settings.timezone
        tz = ZoneInfo(tz_name)
        if rule.at:
            crons = [CronTrigger(hour=int(t[:2]), minute=int(t[3:]), timezone=tz) for t in rule.at]
            trigger: Any = crons[0] if len(crons) == 1 else OrTrigger(crons)
            return trigger, f"digest at {','.join(rule.at)} {tz_name}"
        assert rule.every is not None
        midnight = datetime.now(tz).replace(hour=0, minute=0, second=0, microsecond=0)
        # Aligned on local midnight: `every: 1h` sends at every round hour.
        return IntervalTrigger(
            seconds=rule.every, start_date=midnight, timezone=tz
        ), f"digest every {rule.every}s {tz_name}"
    return IntervalTrigger(seconds=rule.every), f"{rule.kind} every {rule.every}s"


def desired_jobs(
    watchlist: Watchlist, settings: Settings, intervals: dict[str, int]
) -> list[JobSpec]:
    """Every persistent job the watchlist asks for. ``intervals``: adapted intervals by source."""
    from apscheduler.triggers.interval import IntervalTrigger

    jobs: list[JobSpec] = []
    for source in watchlist.sources:
        if not source.enabled:
            continue
        interval = intervals.get(source.id, source.every)
        jobs.append(
            JobSpec(
                id=source_job_id(source.id),
                func=SOURCE_JOB,
                args=(source.id,),
                trigger=IntervalTrigger(seconds=interval, jitter=jitter_for(settings, interval)),
                spec=f"source {source.id}: {source.kind} {source.url} every {source.every}s",
                executor="crawls",
                run_now=True,
            )
        )
    for rule in watchlist.alerts:
        if not rule.enabled:
            continue
        trigger, spec = rule_trigger(rule, settings)
        jobs.append(
            JobSpec(
                id=rule_job_id(rule.id),
                func=RULE_JOB,
                args=(rule.id,),
                trigger=trigger,
                spec=f"alert {rule.id}: {spec}",
            )
        )
    jobs.append(purge_job(settings))
    return jobs


def purge_job(settings: Settings) -> JobSpec:
    """The daily retention purge. A persistent job like the others, so a purge missed while
    the daemon was down runs once at its next start (coalesced), not never."""
    from apscheduler.triggers.cron import CronTrigger

    hour, minute = (int(part) for part in settings.purge_at.split(":"))
    return JobSpec(
        id=PURGE_JOB_ID,
        func=PURGE_JOB,
        args=(),
        trigger=CronTrigger(hour=hour, minute=minute, timezone=ZoneInfo(settings.timezone)),
        # The periods are part of the spec: a changed retention replaces the job (and the
        # log says so), although the trigger is the same.
        spec=f"purge daily at {settings.purge_at} {settings.timezone}"
        f" ({settings.retention.to_text()})",
    )


def make_scheduler(settings: Settings, jobstore_path: Path) -> Any:
    """A BackgroundScheduler on the persistent job store, with the house job defaults."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.base import STATE_RUNNING

    class Scheduler(BackgroundScheduler):  # type: ignore[misc]
        def _process_jobs(self) -> float | None:
            # APScheduler 3 wakes its loop once more after shutdown() has stopped the
            # executors: a job due then fails to be submitted and is moved on to its next
            # time, so a digest due while the daemon stops would silently skip a day.
            if self.state != STATE_RUNNING:
                return None
            result: float | None = super()._process_jobs()
            return result

    jobstore_path.parent.mkdir(parents=True, exist_ok=True)
    return Scheduler(
        jobstores={
            "default": SQLAlchemyJobStore(url=f"sqlite:///{jobstore_path.resolve()}"),
            # The outbox job is rebuilt at each start; nothing to keep.
            "memory": MemoryJobStore(),
        },
        executors={
            "default": ThreadPoolExecutor(4),
            "crawls": ThreadPoolExecutor(settings.max_concurrent_crawls),
        },
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=ZoneInfo(settings.timezone),
    )


# -- job entry points (module level: the job store keeps their names) --------------------


class JobTarget(Protocol):
    """What the job functions call: the running daemon."""

    def run_source(self, source_id: str) -> object: ...

    def evaluate_rules(self, rule_ids: list[str] | None = None) -> None: ...

    def deliver(self) -> None: ...

    def purge(self) -> None: ...


_current: JobTarget | None = None


def set_current(target: JobTarget | None) -> None:
    """Point the job functions at ``target`` (None: they do nothing)."""
    global _current
    _current = target


def current() -> JobTarget | None:
    return _current


def job_source(source_id: str) -> None:
    if _current is not None:
        _current.run_source(source_id)


def job_rule(rule_id: str) -> None:
    if _current is not None:
        _current.evaluate_rules(rule_ids=[rule_id])


def job_outbox() -> None:
    if _current is not None:
        _current.deliver()


def job_purge() -> None:
    if _current is not None:
        _current.purge()
