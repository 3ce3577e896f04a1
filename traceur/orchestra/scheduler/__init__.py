"""The scheduler daemon (``traceur schedule``): every source on its own rhythm, and the alerts.

- ``lock``: never two daemons on one data directory.
- ``jobs``: the persistent APScheduler jobs the watchlist asks for, adaptive polling, and
  the job functions the job store names.
- ``daemon``: the daemon itself (crawls in child processes, watchlist reloads, alerts).
- ``status``: what ``traceur status`` reports, with or without a running daemon.

The report function is imported from ``traceur.orchestra.scheduler.status``, not from
here: re-exported, ``status`` would hide its own module's name in this package.
"""

from __future__ import annotations

from traceur.orchestra.scheduler.daemon import Daemon, configure_logging
from traceur.orchestra.scheduler.jobs import adapt_interval, interval_bounds, jitter_for
from traceur.orchestra.scheduler.lock import DaemonLock, SchedulerRunning
from traceur.orchestra.scheduler.status import RuleStatus, SourceStatus, Status

__all__ = [
    "Daemon",
    "DaemonLock",
    "RuleStatus",
    "SchedulerRunning",
    "SourceStatus",
    "Status",
    "adapt_interval",
    "configure_logging",
    "interval_bounds",
    "jitter_for",
]
