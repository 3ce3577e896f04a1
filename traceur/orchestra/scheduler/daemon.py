"""The scheduler daemon (``traceur schedule``): every source on its own rhythm, and the alerts.

The jobs it schedules, and how often, are in ``jobs``; the lock that keeps it alone on
its data directory in ``lock``; what ``traceur status`` reports of it in ``status``.

- Each crawl runs in its own process (``python -m crawler.process``), in its own session:
  the daemon never owns a Twisted reactor (which cannot be restarted), a crashing crawl is
  recorded and the daemon goes on, and a Ctrl-C in the terminal reaches the daemon only,
  which then stops its crawls with one SIGTERM (Scrapy's graceful stop: current items are
  finished) and kills what is still running after ``crawl_stop_timeout``.
- With a work queue (``queue: redis://…``), the daemon first waits to be elected leader
  (``traceur.orchestra.queue.leader``); leading, it enqueues one job per source pass at
  each tick instead of crawling, takes back the jobs of dead workers, and adds the runs
  the workers push to its run history. Alert rules run on the leader, whose alert state
  follows the leadership (``traceur.orchestra.queue.alertstate``: restored when elected,
  published after every change). A leader that loses its lease stops at once with exit
  code 4 (a supervisor restarts it as a follower).
- The watchlist is reloaded when its file changes, validated first: an invalid edit keeps
  the previous schedule and logs why. Crawls read a snapshot of the last valid watchlist
  (``DATA_DIR/watchlist.active.yaml``), so a half-saved file never reaches them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from traceur.alerts.channels import deliver_outbox
from traceur.alerts.evaluate import Evaluator
from traceur.alerts.outbox import AlertState
from traceur.config import Settings
from traceur.errors import TraceurError, WatchlistError
from traceur.orchestra.collection import settle_stale_runs
from traceur.orchestra.launch import CrawlLaunch, SourceSummary, launch_crawl
from traceur.orchestra.runs import RunLog, RunRecord
from traceur.orchestra.scheduler.jobs import (
    JOBSTORE_FILE,
    SOURCE_JOB,
    adapt_interval,
    current,
    desired_jobs,
    jitter_for,
    job_outbox,
    make_scheduler,
    set_current,
    source_job_id,
)
from traceur.orchestra.scheduler.lock import DaemonLock
from traceur.orchestra.sourcelock import SourceLocks
from traceur.privacy.logfiles import log_file_handler
from traceur.privacy.purge import purge as run_purge
from traceur.store import Store, open_store
from traceur.watchlist.loader import load_watchlist
from traceur.watchlist.model import MIN_INTERVAL_SECONDS, Source, Watchlist
from traceur.yamlfile import MAX_FILE_BYTES

log = logging.getLogger("traceur.scheduler")

INFO_FILE = "scheduler.json"
SNAPSHOT_FILE = "watchlist.active.yaml"
LOG_FILE = "schedule.log"
# The exit code of a leader that lost its lease to another scheduler.
LOST_LEADERSHIP = 4
# Seconds between publications of an alert state that changed without sending anything
# (watermarks moved by evaluations that found nothing). Rare on purpose: a publication of a
# full 90-day outbox costs one to three seconds of CPU (bench/bench_alertshare.py), and a
# successor restoring an older image only redoes those evaluations.
SHARE_EVERY = 600.0
# Problems of an invalid watchlist written to the log: the first ones say what to fix; a
# hostile file could otherwise write a log line per value.
_LOGGED_PROBLEMS = 50


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
        self.leadership: Any = None  # a queue.leader.Leadership with a queue
        self._lost_leadership = ""
        self._shared_at = 0.0

    # -- life cycle -------------------------------------------------------------------

    def serve(self) -> int:
        """Run until SIGTERM/SIGINT; returns the exit code."""
        self.lock.acquire()
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

        def on_signal(signum: int, frame: FrameType | None) -> None:
            log.info(
                "received %s; stopping (running crawls finish their current items)",
                signal.Signals(signum).name,
            )
            self.stopping.set()

        for sig in previous:
            signal.signal(sig, on_signal)
        try:
            if self.settings.queue and not self._elect():
                return 0
            self.start()
            set_current(self)
            self.scheduler.resume()
            while True:
                if self.leadership is not None:
                    self._lead()
                if self.stopping.wait(self.tick):
                    break
                try:
                    self.check_watchlist()
                except Exception:  # noqa: BLE001 - no edit of a file may stop the daemon
                    log.exception(
                        "reloading the watchlist %s failed; keeping the previous schedule",
                        self.watchlist_path,
                    )
            return LOST_LEADERSHIP if self._lost_leadership else 0
        finally:
            self.stop()
            if self.leadership is not None:
                self.leadership.release()
            set_current(None)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self.lock.release()

    def _elect(self) -> bool:
        """Wait to lead the queue's schedulers; False when stopped while waiting."""
        from traceur.orchestra.queue.leader import Leadership

        self.leadership = Leadership(self.settings)
        if not self.leadership.wait(self.stopping):
            self.leadership.release()
            self.leadership = None
            return False
        log.info("this scheduler (pid %d) leads the queue %s", os.getpid(), self.settings.queue)
        self.leadership.keep(self._lose_leadership)
        # Before the first evaluation or sending: the previous leader's alert state.
        if self.leadership.alert_snapshots().restore(self.data_dir):
            log.info("alert state restored from the work queue into %s", self.data_dir)
        return True

    def _lose_leadership(self, why: str) -> None:
        log.error("leadership lost (%s): stopping, another scheduler leads", why)
        self._lost_leadership = why
        self.stopping.set()

    def _lead(self) -> None:
        """The leader's tick: enqueue the passes due, gather the workers' runs."""
        import redis

        from traceur.errors import TraceurError

        if self.watchlist is None or self.runs is None or self.stopping.is_set():
            return
        try:
            text = self.snapshot_path.read_text(encoding="utf-8")
            added = self.leadership.tick(self.watchlist, text, self.runs)
        except (redis.RedisError, TraceurError, OSError) as exc:
            log.warning("cannot reach the work queue (%s); trying again next tick", exc)
            return
        if added:
            self.evaluate_rules(kinds=("immediate", "source_health"))
            self.deliver()
        if self.state is not None and time.monotonic() >= self._shared_at + SHARE_EVERY:
            # Watermarks moved by evaluations that sent nothing: not needed by a successor
            # (it would redo them), but publishing them now and then spares it the work.
            self._shared_at = time.monotonic()
            self.state.publish_if_changed()

    def start(self) -> None:
        """Open state, load the watchlist, and sync the (paused) scheduler's jobs."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.runs = RunLog.in_data_dir(self.data_dir)
        self.state = AlertState.in_data_dir(self.data_dir)
        if self.leadership is not None:
            self.state.share(self.leadership.alert_snapshots().publish)
        self.store = open_store(self.settings)
        # Runs of a scheduler or `traceur run` that died: closed with what they stored.
        interrupted = settle_stale_runs(self.settings, self.store)
        if interrupted:
            log.warning("%d runs were interrupted by their process's death", len(interrupted))
        content = self.watchlist_path.read_bytes() if self.watchlist_path.is_file() else b""
        watchlist = load_watchlist(self.watchlist_path)  # an invalid watchlist at start is fatal
        self._activate(watchlist, content)
        self.scheduler = make_scheduler(self.settings, self.data_dir / JOBSTORE_FILE)
        self.scheduler.start(paused=True)
        set_current(self)
        self._sync_jobs(watchlist, first=True)
        from apscheduler.triggers.interval import IntervalTrigger

        self.scheduler.add_job(
            job_outbox,
            IntervalTrigger(seconds=max(1.0, self.tick)),
            id="outbox",
            jobstore="memory",
            replace_existing=True,
            next_run_time=datetime.now(UTC),
        )
        self._write_info()
        log.info(
            "scheduler started (pid %d): %s, %d sources, %d alert rules, data in %s",
            os.getpid(),
            self.watchlist_path,
            sum(1 for s in watchlist.sources if s.enabled),
            len(watchlist.alerts),
            self.data_dir,
        )

    def stop(self) -> None:
        self.stopping.set()
        self._stop_deadline = time.monotonic() + self.settings.crawl_stop_timeout
        if self.scheduler is not None:
            with contextlib.suppress(Exception):  # stopping must go on
                self.scheduler.pause()
            with self._children_lock:
                children = list(self._children.values())
            for child in children:
                log.info("asking crawl pid %d to stop", child.pid)
                _signal(child, signal.SIGTERM)
            # Waits for running jobs; each crawl job waits for its process (killed after the
            # timeout).
            self.scheduler.shutdown(wait=True)
            self.scheduler = None
        for closable in (self.store, self.state, self.runs):
            if closable is not None:
                with contextlib.suppress(Exception):
                    closable.close()
        self.store = self.state = self.runs = None
        info = self.data_dir / INFO_FILE
        if info.exists():
            data = json.loads(info.read_text(encoding="utf-8"))
            data["stopped_at"] = datetime.now(UTC).isoformat()
            info.write_text(json.dumps(data), encoding="utf-8")
        if current() is self:
            set_current(None)
        log.info("scheduler stopped")

    def _write_info(self) -> None:
        info = {
            "pid": os.getpid(),
            "started_at": datetime.now(UTC).isoformat(),
            "watchlist": str(self.watchlist_path.resolve()),
            "tick": self.tick,
            # Lets `traceur forget` beside a leader publish the alert state it changed.
            "leader_token": self.leadership.lease.token if self.leadership else None,
        }
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
                log.error(
                    "cannot read the watchlist %s (%s); keeping the previous schedule",
                    self.watchlist_path,
                    exc,
                )
                self._watched.signature = None
            return
        signature = (stat.st_mtime_ns, stat.st_size)
        if signature == self._watched.signature:
            return
        self._watched.signature = signature
        if stat.st_size > MAX_FILE_BYTES:
            # Refused without reading it: the loader would say the same, after a read.
            content = f"{signature}".encode()
        else:
            try:
                content = self.watchlist_path.read_bytes()
            except OSError as exc:
                log.error(
                    "cannot read the watchlist %s (%s); keeping the previous schedule",
                    self.watchlist_path,
                    exc,
                )
                return
        digest = hashlib.sha256(content).hexdigest()
        if digest in (self._watched.active_digest, self._watched.rejected_digest):
            return
        try:
            watchlist = load_watchlist(self.watchlist_path)
            # Built now as a dry run: a trigger the scheduler would refuse is found before
            # anything of the running schedule is replaced.
            desired_jobs(watchlist, self.settings, {})
        except WatchlistError as exc:
            self._watched.rejected_digest = digest
            shown = exc.problems[:_LOGGED_PROBLEMS]
            more = len(exc.problems) - len(shown)
            log.error(
                "the watchlist %s is now invalid;"
                " keeping the previous schedule until it is fixed:\n  %s%s",
                self.watchlist_path,
                "\n  ".join(shown),
                f"\n  ... and {more} more problems" if more > 0 else "",
            )
            return
        except Exception:  # noqa: BLE001 - a bug in validation must not stop the daemon
            self._watched.rejected_digest = digest
            log.exception(
                "the watchlist %s could not be loaded; keeping the previous schedule",
                self.watchlist_path,
            )
            return
        if self.watchlist_path.read_bytes() != content:
            self._watched.signature = None  # changed while being read: look again next tick
            return
        self._activate(watchlist, content)
        self._sync_jobs(watchlist)
        log.info(
            "watchlist %s reloaded: %d sources, %d alert rules",
            self.watchlist_path,
            sum(1 for s in watchlist.sources if s.enabled),
            len(watchlist.alerts),
        )

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
        if self.settings.queue:
            # Source passes go through the queue (``_lead``), on slots every leader agrees on.
            wanted = [spec for spec in wanted if spec.func != SOURCE_JOB]
        existing = {job.id: job for job in self.scheduler.get_jobs(jobstore="default")}
        now = datetime.now(UTC)
        for job_id, _job in existing.items():
            if job_id not in {spec.id for spec in wanted}:
                self.scheduler.remove_job(job_id, jobstore="default")
                log.info("job %s removed (no longer in the watchlist)", job_id)
        for spec in wanted:
            job = existing.get(spec.id)
            if job is not None and job.name == spec.spec:
                if first and job.next_run_time is not None and job.next_run_time < now:
                    log.info(
                        "job %s missed its run at %s; running it now",
                        spec.id,
                        job.next_run_time.isoformat(),
                    )
                continue
            options: dict[str, Any] = {}
            if spec.run_now:
                # Spread the first runs so that a big watchlist does not start all at once.
                delay = random.uniform(0, jitter_for(self.settings, MIN_INTERVAL_SECONDS * 10) or 0)
                options["next_run_time"] = now + timedelta(seconds=delay)
            self.scheduler.add_job(
                spec.func,
                spec.trigger,
                args=list(spec.args),
                id=spec.id,
                name=spec.spec,
                executor=spec.executor,
                jobstore="default",
                replace_existing=True,
                **options,
            )
            log.info("job %s %s: %s", spec.id, "updated" if job is not None else "added", spec.spec)

    # -- running a source ------------------------------------------------------------------

    def run_source(self, source_id: str, trigger: str = "schedule") -> RunRecord | None:
        if self.stopping.is_set() or self.watchlist is None or self.runs is None:
            return None
        source = next((s for s in self.watchlist.sources if s.id == source_id and s.enabled), None)
        if source is None:
            return None
        with SourceLocks(self.data_dir) as locks:
            holder = locks.acquire(source.id)
            if holder is not None:
                # A `traceur run` is collecting it: fetching it again now would double
                # every request; the next scheduled run comes soon enough.
                log.info(
                    "source %s skipped: another run (pid %s) is collecting it",
                    source.id,
                    holder or "unknown",
                )
                return None
            run_id = self.runs.start(source.id, trigger)
            summary, result, message = self._crawl(source, locks.fds())
            record = self.runs.finish(run_id, summary, result, message)
        log.info(
            "source %s: %s, %d pages, %d new, %d updated%s",
            source.id,
            record.result,
            record.pages,
            record.new,
            record.updated,
            f" ({message})" if message else "",
        )
        self._adapt(source, record)
        if not self.stopping.is_set():
            self.evaluate_rules(kinds=("immediate", "source_health"))
            self.deliver()
        return record

    def _crawl(
        self, source: Source, lock_fds: list[int]
    ) -> tuple[SourceSummary | None, str | None, str]:
        """One crawl of ``source`` in its own process: (summary, forced result, message).
        ``lock_fds``: the source's lock, which the crawl holds too while it runs."""
        try:
            # Its own session: a Ctrl-C in the terminal reaches the daemon only, which
            # then decides how the crawl stops (stop() and _wait()).
            crawl = launch_crawl(
                self.settings,
                self.snapshot_path,
                [source.id],
                quiet=True,
                new_session=True,
                env={"TRACEUR_WATCHLIST": str(self.snapshot_path)},
                prefix="traceur-run-",
                pass_fds=lock_fds,
            )
        except OSError as exc:
            return None, "crashed", f"cannot start the crawl: {exc}"
        with crawl:
            with self._children_lock:
                self._children[crawl.child.pid] = crawl.child
            try:
                code = self._wait(crawl)
            finally:
                with self._children_lock:
                    self._children.pop(crawl.child.pid, None)
            tail = crawl.stderr_tail(1500)
            summary: SourceSummary | None = None
            try:
                crawled = crawl.summary()
                summary = crawled.sources[source.id] if crawled is not None else None
            except (ValueError, KeyError, TypeError) as exc:
                tail = f"unreadable summary ({exc}); {tail}"
        if self.stopping.is_set():
            return summary, "stopped", "stopped by the scheduler's shutdown"
        if code != 0 or summary is None:
            how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
            return (
                summary,
                "crashed",
                f"the crawl process failed ({how})" + (f": {tail}" if tail else ""),
            )
        return summary, None, ""

    def _wait(self, crawl: CrawlLaunch) -> int:
        child = crawl.child
        terminated = False
        while True:
            try:
                return crawl.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                pass
            if self.stopping.is_set():
                if not terminated:
                    _signal(child, signal.SIGTERM)
                    terminated = True
                if time.monotonic() > self._stop_deadline > 0:
                    log.warning(
                        "crawl pid %d did not stop in %ds; killing it",
                        child.pid,
                        self.settings.crawl_stop_timeout,
                    )
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
            self.scheduler.reschedule_job(
                source_job_id(source.id),
                jobstore="default",
                trigger=IntervalTrigger(seconds=new, jitter=jitter_for(self.settings, new)),
            )
        except JobLookupError:
            return
        log.info("source %s now polled every %ds (watchlist: %ds)", source.id, new, source.every)

    # -- alerts --------------------------------------------------------------------------

    def evaluate_rules(
        self, rule_ids: list[str] | None = None, kinds: tuple[str, ...] | None = None
    ) -> None:
        if self.stopping.is_set():
            return
        with self._alert_lock:
            evaluator = self._evaluator
            if evaluator is None:
                return
            for rule in evaluator.watchlist.alerts:
                if (
                    not rule.enabled
                    or (rule_ids is not None and rule.id not in rule_ids)
                    or (kinds and rule.kind not in kinds)
                ):
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
        delivery = deliver_outbox(self.settings, self.state)
        if delivery.sent or delivery.failed:
            log.info(
                "outbox: %d sent, %d failed, %d queued",
                len(delivery.sent),
                len(delivery.failed),
                delivery.remaining,
            )

    # -- retention -----------------------------------------------------------------------

    def purge(self) -> None:
        """The daily retention purge (``traceur purge``); its summary goes to the log."""
        if self.stopping.is_set() or self.store is None:
            return
        try:
            run_purge(self.settings, self.store)
        except TraceurError as exc:
            log.error("retention purge failed: %s; it runs again at the next purge_at", exc)


def _signal(child: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        child.send_signal(sig)


def configure_logging(settings: Settings, log_file: str = LOG_FILE) -> None:
    """The daemon's log: ``DATA_DIR/<log_file>`` (``schedule.log``) at the configured level,
    and standard error."""
    data_dir = Path(settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    root = logging.getLogger()
    root.setLevel(settings.log_level.upper())
    for handler in (
        log_file_handler(data_dir / log_file, settings),
        logging.StreamHandler(sys.stderr),
    ):
        handler.setFormatter(formatter)
        root.addHandler(handler)
    # APScheduler narrates every job at INFO; its warnings (skipped runs) are what matter.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
