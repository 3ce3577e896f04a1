"""The scheduler daemon (``traceur schedule``): every source on its own rhythm, and the alerts.

- One APScheduler job per enabled source, at the interval of its watchlist entry (with
  jitter), adapted to how productive the source is (``adapt_interval``); one job per alert
  rule (immediate checks, digests at fixed local times, spike and source-health checks).
- Jobs live in a persistent job store (``DATA_DIR/scheduler.db``, SQLite through
  SQLAlchemy) under explicit ids, so a restart keeps the schedule and runs what was missed,
  once (``coalesce``), however late (``misfire_grace_time=None``: APScheduler's default of
  1 s would silently push a digest due during a restart to the next day). A job already in
  the store is kept as it is when its definition did not change, so its missed run time
  survives the restart; a changed one is replaced (``replace_existing``).
- Never two runs of one source at once (``max_instances=1``), and never two daemons on one
  data directory: two schedulers on one job store would run every job twice, so a second
  daemon finds the lock (``DATA_DIR/scheduler.lock``, an ``flock`` that dies with its
  holder) taken and refuses to start.
- Each crawl runs in its own process (``python -m crawler.process``), in its own session:
  the daemon never owns a Twisted reactor (which cannot be restarted), a crashing crawl is
  recorded and the daemon goes on, and a Ctrl-C in the terminal reaches the daemon only,
  which then stops its crawls with one SIGTERM (Scrapy's graceful stop: current items are
  finished) and kills what is still running after ``crawl_stop_timeout``.
- The watchlist is reloaded when its file changes, validated first: an invalid edit keeps
  the previous schedule and logs why. Crawls read a snapshot of the last valid watchlist
  (``DATA_DIR/watchlist.active.yaml``), so a half-saved file never reaches them.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

from .alerts.evaluate import Evaluator
from .alerts.outbox import AlertState
from .alerts.rules import AlertRule, DigestRule
from .alerts.smtp import deliver_due
from .config import Settings
from .errors import TraceurError, WatchlistError
from .passes import SourceSummary
from .runs import NEUTRAL, RunLog, RunRecord
from .store import Store, open_store
from .watchlist import MIN_INTERVAL_SECONDS, Source, Watchlist, load_watchlist

log = logging.getLogger("traceur.scheduler")

JOBSTORE_FILE = "scheduler.db"
LOCK_FILE = "scheduler.lock"
INFO_FILE = "scheduler.json"
SNAPSHOT_FILE = "watchlist.active.yaml"
LOG_FILE = "schedule.log"


class SchedulerRunning(TraceurError):
    """Another scheduler holds this data directory."""

    exit_code = 3


# -- the lock --------------------------------------------------------------------------


class DaemonLock:
    """An exclusive ``flock`` on ``DATA_DIR/scheduler.lock``. The kernel releases it when
    the holder dies, so a crashed daemon never leaves a stale lock behind."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / LOCK_FILE
        self._handle: Any = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the daemon's life
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise SchedulerRunning(
                f"a scheduler is already running on {self.path.parent} (pid {holder}); two schedulers on one job store"
                " would run every job twice. Stop it first (kill -TERM PID), or give this one another data_dir"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def holder(self) -> int | None:
        """The pid of the running daemon, or None when no daemon holds the lock."""
        if not self.path.exists():
            return None
        with open(self.path, encoding="utf-8") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                text = handle.read().strip()
                return int(text) if text.isdigit() else -1
            fcntl.flock(handle, fcntl.LOCK_UN)
        return None


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
        return IntervalTrigger(seconds=rule.every, start_date=midnight, timezone=tz), f"digest every {rule.every}s {tz_name}"
    return IntervalTrigger(seconds=rule.every), f"{rule.kind} every {rule.every}s"


def desired_jobs(watchlist: Watchlist, settings: Settings, intervals: dict[str, int]) -> list[JobSpec]:
    """Every persistent job the watchlist asks for. ``intervals``: adapted intervals by source."""
    from apscheduler.triggers.interval import IntervalTrigger

    jobs: list[JobSpec] = []
    for source in watchlist.sources:
        if not source.enabled:
            continue
        interval = intervals.get(source.id, source.every)
        jobs.append(JobSpec(
            id=source_job_id(source.id),
            func="traceur.scheduler:job_source",
            args=(source.id,),
            trigger=IntervalTrigger(seconds=interval, jitter=jitter_for(settings, interval)),
            spec=f"source {source.id}: {source.kind} {source.url} every {source.every}s",
            executor="crawls",
            run_now=True,
        ))
    for rule in watchlist.alerts:
        if not rule.enabled:
            continue
        trigger, spec = rule_trigger(rule, settings)
        jobs.append(JobSpec(
            id=rule_job_id(rule.id), func="traceur.scheduler:job_rule", args=(rule.id,), trigger=trigger,
            spec=f"alert {rule.id}: {spec}",
        ))
    return jobs


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

_current: Daemon | None = None


def job_source(source_id: str) -> None:
    if _current is not None:
        _current.run_source(source_id)


def job_rule(rule_id: str) -> None:
    if _current is not None:
        _current.evaluate_rules(rule_ids=[rule_id])


def job_outbox() -> None:
    if _current is not None:
        _current.deliver()


# -- the daemon ------------------------------------------------------------------------


@dataclass
class _Watched:
    signature: tuple[int, int] | None = None
    active_digest: str = ""
    rejected_digest: str = ""


class Daemon:
    """The scheduler. ``serve()`` runs it in the foreground until SIGTERM or SIGINT."""

    def __init__(self, settings: Settings, watchlist_path: Path, tick: float = 5.0) -> None:
        self.settings = settings
        self.watchlist_path = Path(watchlist_path)
        self.tick = tick
        self.data_dir = Path(settings.data_dir)
        self.snapshot_path = self.data_dir / SNAPSHOT_FILE
        self.stopping = threading.Event()
        self.lock = DaemonLock(self.data_dir)
        self.scheduler: Any = None
        self.watchlist: Watchlist | None = None
        self.runs: RunLog | None = None
        self.state: AlertState | None = None
        self.store: Store | None = None
        self._evaluator: Evaluator | None = None
        self._alert_lock = threading.Lock()
        self._children: dict[int, subprocess.Popen[bytes]] = {}
        self._children_lock = threading.Lock()
        self._stop_deadline = 0.0
        self._watched = _Watched()

    # -- life cycle -------------------------------------------------------------------

    def serve(self) -> int:
        """Run until SIGTERM/SIGINT; returns the exit code."""
        global _current
        self.lock.acquire()
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

        def on_signal(signum: int, frame: FrameType | None) -> None:
            log.info("received %s; stopping (running crawls finish their current items)", signal.Signals(signum).name)
            self.stopping.set()

        for sig in previous:
            signal.signal(sig, on_signal)
        try:
            self.start()
            _current = self
            self.scheduler.resume()
            while not self.stopping.wait(self.tick):
                self.check_watchlist()
            return 0
        finally:
            self.stop()
            _current = None
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.lock.release()

    def start(self) -> None:
        """Open state, load the watchlist, and sync the (paused) scheduler's jobs."""
        global _current
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.runs = RunLog.in_data_dir(self.data_dir)
        interrupted = self.runs.interrupt_unfinished()
        if interrupted:
            log.warning("%d runs were interrupted by the previous scheduler's death", interrupted)
        self.state = AlertState.in_data_dir(self.data_dir)
        self.store = open_store(self.settings)
        content = self.watchlist_path.read_bytes() if self.watchlist_path.is_file() else b""
        watchlist = load_watchlist(self.watchlist_path)  # an invalid watchlist at start is fatal
        self._activate(watchlist, content)
        self.scheduler = make_scheduler(self.settings, self.data_dir / JOBSTORE_FILE)
        self.scheduler.start(paused=True)
        _current = self
        self._sync_jobs(watchlist, first=True)
        from apscheduler.triggers.interval import IntervalTrigger

        self.scheduler.add_job(job_outbox, IntervalTrigger(seconds=max(1.0, self.tick)), id="outbox",
                               jobstore="memory", replace_existing=True, next_run_time=datetime.now(timezone.utc))
        self._write_info()
        log.info("scheduler started (pid %d): %s, %d sources, %d alert rules, data in %s", os.getpid(),
                 self.watchlist_path, sum(1 for s in watchlist.sources if s.enabled), len(watchlist.alerts), self.data_dir)

    def stop(self) -> None:
        global _current
        self.stopping.set()
        self._stop_deadline = time.monotonic() + self.settings.crawl_stop_timeout
        if self.scheduler is not None:
            try:
                self.scheduler.pause()
            except Exception:  # noqa: BLE001 - stopping must go on
                pass
            with self._children_lock:
                children = list(self._children.values())
            for child in children:
                log.info("asking crawl pid %d to stop", child.pid)
                _signal(child, signal.SIGTERM)
            # Waits for running jobs; each crawl job waits for its process (killed after the timeout).
            self.scheduler.shutdown(wait=True)
            self.scheduler = None
        for closable in (self.store, self.state, self.runs):
            if closable is not None:
                try:
                    closable.close()
                except Exception:  # noqa: BLE001
                    pass
        self.store = self.state = self.runs = None
        info = self.data_dir / INFO_FILE
        if info.exists():
            data = json.loads(info.read_text(encoding="utf-8"))
            data["stopped_at"] = datetime.now(timezone.utc).isoformat()
            info.write_text(json.dumps(data), encoding="utf-8")
        if _current is self:
            _current = None
        log.info("scheduler stopped")

    def _write_info(self) -> None:
        info = {"pid": os.getpid(), "started_at": datetime.now(timezone.utc).isoformat(),
                "watchlist": str(self.watchlist_path.resolve()), "tick": self.tick}
        (self.data_dir / INFO_FILE).write_text(json.dumps(info), encoding="utf-8")

    # -- watchlist ----------------------------------------------------------------------

    def _activate(self, watchlist: Watchlist, content: bytes) -> None:
        tmp = self.snapshot_path.with_suffix(".tmp")
        tmp.write_bytes(content)
        os.replace(tmp, self.snapshot_path)
        self.watchlist = watchlist
        self._watched.active_digest = hashlib.sha256(content).hexdigest()
        self._watched.rejected_digest = ""
        assert self.store is not None and self.state is not None
        with self._alert_lock:
            self._evaluator = Evaluator(self.settings, watchlist, self.store, self.state, self.runs)
            # New immediate and digest rules begin at the current end of the store, now,
            # not when their first job happens to run: a crawl finishing in between is news.
            for rule in watchlist.alerts:
                if rule.enabled and rule.kind in ("immediate", "digest"):
                    with self.state.transaction() as txn:
                        started = txn.watermark(rule.id)[0]
                    if not started:
                        self._evaluator.evaluate(rule)

    def check_watchlist(self) -> None:
        """Reload the watchlist if its file changed and the new version is valid."""
        try:
            stat = self.watchlist_path.stat()
        except OSError as exc:
            if self._watched.signature is not None:
                log.error("cannot read the watchlist %s (%s); keeping the previous schedule", self.watchlist_path, exc)
                self._watched.signature = None
            return
        signature = (stat.st_mtime_ns, stat.st_size)
        if signature == self._watched.signature:
            return
        self._watched.signature = signature
        content = self.watchlist_path.read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        if digest in (self._watched.active_digest, self._watched.rejected_digest):
            return
        try:
            watchlist = load_watchlist(self.watchlist_path)
        except WatchlistError as exc:
            self._watched.rejected_digest = digest
            log.error("the watchlist %s is now invalid; keeping the previous schedule until it is fixed:\n  %s",
                      self.watchlist_path, "\n  ".join(exc.problems))
            return
        if self.watchlist_path.read_bytes() != content:
            self._watched.signature = None  # changed while being read: look again next tick
            return
        self._activate(watchlist, content)
        self._sync_jobs(watchlist)
        log.info("watchlist %s reloaded: %d sources, %d alert rules", self.watchlist_path,
                 sum(1 for s in watchlist.sources if s.enabled), len(watchlist.alerts))

    def _sync_jobs(self, watchlist: Watchlist, first: bool = False) -> None:
        assert self.runs is not None
        intervals: dict[str, int] = {}
        for source in watchlist.sources:
            known = self.runs.interval(source.id)
            if known is not None and known[0] == source.every:
                intervals[source.id] = known[1]
            else:
                self.runs.set_interval(source.id, source.every, source.every)
        wanted = desired_jobs(watchlist, self.settings, intervals)
        existing = {job.id: job for job in self.scheduler.get_jobs(jobstore="default")}
        now = datetime.now(timezone.utc)
        for job_id, job in existing.items():
            if job_id not in {spec.id for spec in wanted}:
                self.scheduler.remove_job(job_id, jobstore="default")
                log.info("job %s removed (no longer in the watchlist)", job_id)
        for spec in wanted:
            job = existing.get(spec.id)
            if job is not None and job.name == spec.spec:
                if first and job.next_run_time is not None and job.next_run_time < now:
                    log.info("job %s missed its run at %s; running it now", spec.id, job.next_run_time.isoformat())
                continue
            options: dict[str, Any] = {}
            if spec.run_now:
                # Spread the first runs so that a big watchlist does not start all at once.
                delay = random.uniform(0, jitter_for(self.settings, MIN_INTERVAL_SECONDS * 10) or 0)
                options["next_run_time"] = now + timedelta(seconds=delay)
            self.scheduler.add_job(spec.func, spec.trigger, args=list(spec.args), id=spec.id, name=spec.spec,
                                   executor=spec.executor, jobstore="default", replace_existing=True, **options)
            log.info("job %s %s: %s", spec.id, "updated" if job is not None else "added", spec.spec)

    # -- running a source ------------------------------------------------------------------

    def run_source(self, source_id: str, trigger: str = "schedule") -> RunRecord | None:
        if self.stopping.is_set() or self.watchlist is None or self.runs is None:
            return None
        source = next((s for s in self.watchlist.sources if s.id == source_id and s.enabled), None)
        if source is None:
            return None
        run_id = self.runs.start(source.id, trigger)
        summary, result, message = self._crawl(source)
        record = self.runs.finish(run_id, summary, result, message)
        log.info("source %s: %s, %d pages, %d new, %d updated%s", source.id, record.result, record.pages, record.new,
                 record.updated, f" ({message})" if message else "")
        self._adapt(source, record)
        if not self.stopping.is_set():
            self.evaluate_rules(kinds=("immediate", "source_health"))
            self.deliver()
        return record

    def _crawl(self, source: Source) -> tuple[SourceSummary | None, str | None, str]:
        """One crawl of ``source`` in its own process: (summary, forced result, message)."""
        with tempfile.TemporaryDirectory(prefix="traceur-run-") as tmp:
            stats_file = Path(tmp) / "summary.json"
            stderr_file = Path(tmp) / "stderr.txt"
            command = [sys.executable, "-m", "crawler.process", "--watchlist", str(self.snapshot_path),
                       "--source", source.id, "--stats-file", str(stats_file)]
            env = {**os.environ, **self.settings.to_env(), "TRACEUR_WATCHLIST": str(self.snapshot_path)}
            with open(stderr_file, "wb") as stderr:
                try:
                    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
                                             start_new_session=True)
                except OSError as exc:
                    return None, "crashed", f"cannot start the crawl: {exc}"
                with self._children_lock:
                    self._children[child.pid] = child
                try:
                    code = self._wait(child)
                finally:
                    with self._children_lock:
                        self._children.pop(child.pid, None)
            tail = stderr_file.read_text(encoding="utf-8", errors="replace").strip()[-1500:]
            summary: SourceSummary | None = None
            if stats_file.exists():
                try:
                    data = json.loads(stats_file.read_text(encoding="utf-8"))
                    summary = SourceSummary(**data["sources"][source.id])
                except (ValueError, KeyError, TypeError) as exc:
                    tail = f"unreadable summary ({exc}); {tail}"
        if self.stopping.is_set():
            return summary, "stopped", "stopped by the scheduler's shutdown"
        if code != 0 or summary is None:
            how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
            return summary, "crashed", f"the crawl process failed ({how})" + (f": {tail}" if tail else "")
        return summary, None, ""

    def _wait(self, child: subprocess.Popen[bytes]) -> int:
        terminated = False
        while True:
            try:
                return child.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                pass
            if self.stopping.is_set():
                if not terminated:
                    _signal(child, signal.SIGTERM)
                    terminated = True
                if time.monotonic() > self._stop_deadline > 0:
                    log.warning("crawl pid %d did not stop in %ds; killing it", child.pid, self.settings.crawl_stop_timeout)
                    _signal(child, signal.SIGKILL)

    def _adapt(self, source: Source, record: RunRecord) -> None:
        assert self.runs is not None
        known = self.runs.interval(source.id)
        current = known[1] if known and known[0] == source.every else source.every
        new = adapt_interval(source.every, current, record, self.settings.adaptive_polling_factor)
        if new == current:
            return
        self.runs.set_interval(source.id, source.every, new)
        if self.scheduler is None or self.stopping.is_set():
            return
        from apscheduler.jobstores.base import JobLookupError
        from apscheduler.triggers.interval import IntervalTrigger

        try:
            self.scheduler.reschedule_job(source_job_id(source.id), jobstore="default",
                                          trigger=IntervalTrigger(seconds=new, jitter=jitter_for(self.settings, new)))
        except JobLookupError:
            return
        log.info("source %s now polled every %ds (watchlist: %ds)", source.id, new, source.every)

    # -- alerts --------------------------------------------------------------------------

    def evaluate_rules(self, rule_ids: list[str] | None = None, kinds: tuple[str, ...] | None = None) -> None:
        if self.stopping.is_set():
            return
        with self._alert_lock:
            evaluator = self._evaluator
            if evaluator is None:
                return
            for rule in evaluator.watchlist.alerts:
                if not rule.enabled or (rule_ids is not None and rule.id not in rule_ids) or (kinds and rule.kind not in kinds):
                    continue
                outcome = evaluator.evaluate(rule)
                if outcome.queued or outcome.error:
                    log.info("alert rule %s: %s", rule.id, outcome.summary)
        if rule_ids is not None:
            self.deliver()

    def deliver(self) -> None:
        if self.state is None:
            return
        # Not under the alert lock: a slow mail server must not hold up evaluations. Two
        # deliveries at once are safe, each message is claimed before it is sent.
        delivery = deliver_due(self.settings, self.state)
        if delivery.sent or delivery.failed:
            log.info("outbox: %d sent, %d failed, %d queued", len(delivery.sent), len(delivery.failed), delivery.remaining)


def _signal(child: subprocess.Popen[bytes], sig: int) -> None:
    try:
        child.send_signal(sig)
    except ProcessLookupError:
        pass


def configure_logging(settings: Settings) -> None:
    """The daemon's log: ``DATA_DIR/schedule.log`` at the configured level, and standard error."""
    data_dir = Path(settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    root.setLevel(settings.log_level.upper())
    for handler in (logging.FileHandler(data_dir / LOG_FILE, encoding="utf-8"), logging.StreamHandler(sys.stderr)):
        handler.setFormatter(formatter)
        root.addHandler(handler)
    # APScheduler narrates every job at INFO; its warnings (skipped runs) are what matter.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


# -- status ------------------------------------------------------------------------------


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


@dataclass
class Status:
    pid: int | None
    info: dict[str, Any]
    watchlist_path: Path
    sources: list[SourceStatus] = field(default_factory=list)
    rules: list[RuleStatus] = field(default_factory=list)
    queued: int = 0
    oldest_queued: tuple[datetime, str] | None = None


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
    return {job_id: datetime.fromtimestamp(moment, timezone.utc) if moment is not None else None for job_id, moment in rows}


def status(settings: Settings, watchlist_path: Path | None = None) -> Status:
    """What ``traceur status`` shows: the daemon, each source, each alert rule, the outbox."""
    data_dir = Path(settings.data_dir)
    info_file = data_dir / INFO_FILE
    info: dict[str, Any] = json.loads(info_file.read_text(encoding="utf-8")) if info_file.exists() else {}
    pid = DaemonLock(data_dir).holder()
    snapshot = data_dir / SNAPSHOT_FILE
    if watchlist_path is None:
        watchlist_path = snapshot if snapshot.exists() else settings.watchlist
    watchlist = load_watchlist(watchlist_path)
    # The snapshot is what the daemon runs; show the file it came from.
    shown = Path(info["watchlist"]) if watchlist_path == snapshot and info.get("watchlist") else Path(watchlist_path)
    result = Status(pid, info, shown)
    # Without a daemon the stored times are only what would have been: not shown.
    next_runs = next_run_times(data_dir) if pid is not None else {}
    with RunLog.in_data_dir(data_dir) as runs:
        seen: set[str] = set()
        for source in watchlist.sources:
            seen.add(source.id)
            recent = runs.recent(source.id, 1)
            count, found = runs.totals(source.id)
            known = runs.interval(source.id)
            interval = known[1] if known and known[0] == source.every else source.every
            result.sources.append(SourceStatus(source.id, source.kind, source.every, interval, source.enabled,
                                               recent[0] if recent else None, next_runs.get(source_job_id(source.id)),
                                               count, found))
    with AlertState.in_data_dir(data_dir) as state:
        for rule in watchlist.alerts:
            activity = state.activity(rule.id)
            result.rules.append(RuleStatus(rule, activity.evaluated_at, activity.outcome, activity.sent, activity.queued,
                                           activity.last_sent_at, activity.last_error, next_runs.get(rule_job_id(rule.id))))
        result.queued = state.queued_count()
        result.oldest_queued = state.oldest_queued()
    return result
