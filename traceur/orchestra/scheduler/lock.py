"""Never two daemons on one data directory: two schedulers on one job store would run
every job twice, so a second daemon finds the lock (``DATA_DIR/scheduler.lock``, an
``flock`` that dies with its holder) taken and refuses to start."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Any

from traceur.errors import TraceurError

LOCK_FILE = "scheduler.lock"


class SchedulerRunning(TraceurError):
    """Another scheduler holds this data directory."""

    exit_code = 3


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
                f"a scheduler is already running on {self.path.parent} (pid {holder});"
                " two schedulers on one job store would run every job twice. Stop it first"
                " (kill -TERM PID), or give this one another data_dir"
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
