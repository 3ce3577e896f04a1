"""One collection of a source at a time: a lock per source in ``DATA_DIR/locks/``.

Two ``traceur run`` started together, or a ``traceur run`` during a scheduled pass,
would otherwise fetch every page twice and race on the same documents. Each lock is
an ``flock`` on ``DATA_DIR/locks/<source id>.lock``: the kernel releases it when the
last process holding it dies, so a killed run never leaves a stale lock behind. The
holder writes its pid into the file, for the message of whoever finds it taken.

The crawl child inherits the descriptors (``fds``), so a source stays locked while its
crawl runs even if the process that launched it was killed first. Whether a source is
locked is also how the run history tells a running run from one whose process died
(``is_locked``): a run is recorded only while its source's lock is held.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import IO

LOCK_DIR = "locks"


def lock_path(data_dir: Path, source_id: str) -> Path:
    # Source ids are lower-case letters, digits and '-' (the watchlist checks it): a
    # file name as they are.
    return Path(data_dir) / LOCK_DIR / f"{source_id}.lock"


def _holder_pid(handle: IO[str]) -> int | None:
    handle.seek(0)
    text = handle.read().strip()
    return int(text) if text.isdigit() else None


def is_locked(data_dir: Path, source_id: str) -> bool:
    """Whether a live process (this one included) holds ``source_id``'s lock."""
    path = lock_path(data_dir, source_id)
    try:
        handle = open(path, encoding="utf-8")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


class SourceLocks:
    """The source locks this process holds. Release them with ``release_all`` (or leave
    the ``with`` block); dying releases them too."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._held: dict[str, IO[str]] = {}

    def __enter__(self) -> SourceLocks:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release_all()

    def acquire(self, source_id: str) -> int | None:
        """Take ``source_id``'s lock. None when taken; when another process holds it, that
        process's pid (0 when it could not be read)."""
        if source_id in self._held:
            return None
        path = lock_path(self.data_dir, source_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held until released
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder_pid(handle)
            handle.close()
            return holder or 0
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._held[source_id] = handle
        return None

    @property
    def held(self) -> list[str]:
        return list(self._held)

    def fds(self) -> list[int]:
        """The descriptors of the held locks, for a child process to inherit."""
        return [handle.fileno() for handle in self._held.values()]

    def release(self, source_id: str) -> None:
        handle = self._held.pop(source_id, None)
        if handle is None:
            return
        # Closing, not LOCK_UN: a crawl child that inherited the descriptor and still
        # runs keeps the source locked until it ends too.
        with contextlib.suppress(OSError):  # releasing must go on for the others
            handle.close()

    def release_all(self) -> None:
        for source_id in list(self._held):
            self.release(source_id)
