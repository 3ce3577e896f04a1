"""Starting a crawl: ``python -m crawler.process`` in a child process, and its summary.

The crawl always runs in a child so that its caller never owns a Twisted reactor (which
cannot be restarted): ``traceur run``, the demo and the scheduler can start as many crawls
as they like, and a crashing crawl cannot take them down. The child gets the caller's
settings as ``TRACEUR_*`` variables and writes its summary as JSON to a file in a
temporary directory, which ``CrawlLaunch`` reads back and removes.

The child dies with its launcher (``--parent-pid``: it asks the kernel for SIGTERM when
its parent goes, so a killed ``traceur run`` leaves no crawl running on its own). A
launcher killed outright cannot remove its temporary directory: each holds an
``owner.lock`` that the launcher and its child keep locked while either lives, and
``sweep_stale_directories`` (called at each launch) removes the ones nobody holds.

``launch_crawl`` only starts the child: how to wait for it is the caller's business (a
collection pass just blocks; the scheduler polls, to stop it on shutdown).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from traceur.config import Settings


@dataclass
class SourceSummary:
    pages: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    spooled: int = 0
    not_documents: int = 0
    robots_skipped: int = 0
    # Sites whose robots.txt could not be fetched (crawled as if they had none).
    robots_unreachable: int = 0
    # Listing pages (home, section, tag, archive, "about"…) crawled through, not kept.
    listings: int = 0
    # Documents not stored because an erasure request forgot them (traceur forget).
    privacy_skipped: int = 0
    # Feed and sitemap entries already past their retention period, not fetched.
    too_old: int = 0
    # Peak resident memory of the crawl process (the whole pass), when measurable.
    memory_peak_bytes: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    candidates: dict[str, int] = field(default_factory=dict)
    finish_reason: str = ""


@dataclass
class PassSummary:
    sources: dict[str, SourceSummary]
    seconds: float
    # The signal that stopped the pass before its end ("SIGTERM"), or "".
    interrupted_by: str = ""

    def total(self, name: str) -> int:
        return sum(getattr(s, name) for s in self.sources.values())

    def errors(self) -> dict[str, dict[str, int]]:
        """Error kind → source id → count."""
        result: dict[str, dict[str, int]] = {}
        for source_id, summary in self.sources.items():
            for kind, count in summary.errors.items():
                result.setdefault(kind, {})[source_id] = count
        return result

    def candidates(self) -> dict[str, int]:
        result: dict[str, int] = {}
        for summary in self.sources.values():
            for candidate, count in summary.candidates.items():
                result[candidate] = result.get(candidate, 0) + count
        return result


SUMMARY_FILE = "summary.json"
STDERR_FILE = "stderr.txt"
OWNER_LOCK = "owner.lock"
# The prefixes of the temporary directories of crawls (``traceur run``, the scheduler, the
# rest), swept when their owner is gone.
PREFIXES = ("traceur-pass-", "traceur-run-", "traceur-crawl-")
# A directory without an owner.lock is one being created this instant, or one of a
# version before owner locks, whose crawl may still run: left alone for a day.
_UNOWNED_GRACE_SECONDS = 86400.0


def _lock_owner(directory: Path) -> IO[bytes]:
    """Lock ``directory``'s owner.lock, held until the returned file is closed. Locked
    under another name first, then renamed: a sweeper never sees an unlocked owner.lock
    of a directory being created."""
    fresh = directory / (OWNER_LOCK + ".new")
    handle = open(fresh, "wb")  # noqa: SIM115 - held for the launch's life
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.rename(fresh, directory / OWNER_LOCK)
    return handle


def _is_stale(directory: Path, now: float) -> bool:
    try:
        handle = open(directory / OWNER_LOCK, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        try:
            return now - directory.stat().st_mtime > _UNOWNED_GRACE_SECONDS
        except OSError:
            return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def sweep_stale_directories(parent: Path | None = None) -> list[Path]:
    """Remove the crawl temporary directories (``PREFIXES``) of ``parent`` (the system's
    temporary directory) whose launcher and crawl are both gone; returns them."""
    root = Path(parent or tempfile.gettempdir())
    removed: list[Path] = []
    now = time.time()
    uid = os.getuid()
    try:
        entries = list(root.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(PREFIXES):
            continue
        try:
            if not entry.is_dir() or entry.is_symlink() or entry.stat().st_uid != uid:
                continue
            if _is_stale(entry, now):
                shutil.rmtree(entry)
                removed.append(entry)
        except OSError:
            continue  # another sweeper was faster, or not ours to remove
    return removed


class CrawlLaunch:
    """One crawl child, started by ``launch_crawl``, and its temporary directory.

    A context manager: leaving it removes the directory, summary and captured standard
    error included, so read them inside. The caller waits for the child before leaving;
    when an exception leaves it instead, the child is killed, as ``subprocess.run`` does.
    """

    def __init__(
        self,
        child: subprocess.Popen[bytes],
        directory: tempfile.TemporaryDirectory[str],
        started: float,
        owner: IO[bytes] | None = None,
    ) -> None:
        self.child = child
        self.started = started
        self.seconds: float | None = None  # set when the child is seen to end
        self._directory = directory
        self._owner = owner
        self.stats_file = Path(directory.name) / SUMMARY_FILE
        self._stderr_file = Path(directory.name) / STDERR_FILE

    def __enter__(self) -> CrawlLaunch:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if kind is not None and self.child.poll() is None:
                self.child.kill()
                self.child.wait()
        finally:
            if self._owner is not None:
                self._owner.close()
            self._directory.cleanup()

    def wait(self, timeout: float | None = None) -> int:
        """The child's exit code (negative: killed by that signal). Raises
        ``subprocess.TimeoutExpired`` when it still runs after ``timeout`` seconds."""
        code = self.child.wait(timeout=timeout)
        if self.seconds is None:
            self.seconds = time.monotonic() - self.started
        return code

    def stderr_tail(self, chars: int) -> str:
        """The end of the child's standard error, when it was captured (``quiet``)."""
        if not self._stderr_file.exists():
            return ""
        return self._stderr_file.read_text(encoding="utf-8", errors="replace").strip()[-chars:]

    def summary(self) -> PassSummary | None:
        """What the finished child reported, or None when it wrote no summary. Raises
        ``ValueError``, ``KeyError`` or ``TypeError`` when the file is not a summary."""
        if not self.stats_file.exists():
            return None
        data: dict[str, Any] = json.loads(self.stats_file.read_text(encoding="utf-8"))
        sources = data["sources"]
        if not isinstance(sources, dict):
            raise TypeError(f"'sources' is a {type(sources).__name__}, not a mapping")
        return PassSummary(
            sources={source_id: SourceSummary(**values) for source_id, values in sources.items()},
            seconds=self.seconds if self.seconds is not None else time.monotonic() - self.started,
        )


def _command(watchlist: Path, source_ids: Iterable[str], stats_file: Path) -> list[str]:
    command = [sys.executable, "-m", "crawler.process", "--watchlist", str(watchlist)]
    for source_id in source_ids:
        command += ["--source", source_id]
    return command + ["--stats-file", str(stats_file), "--parent-pid", str(os.getpid())]


def launch_crawl(
    settings: Settings,
    watchlist: Path,
    source_ids: Iterable[str] = (),
    *,
    env: Mapping[str, str] | None = None,
    quiet: bool = False,
    new_session: bool = False,
    prefix: str = "traceur-crawl-",
    pass_fds: Iterable[int] = (),
) -> CrawlLaunch:
    """Start ``python -m crawler.process`` over ``watchlist`` (all its enabled sources, or
    ``source_ids``) with ``settings``, and return at once.

    ``env`` overrides variables of the child's environment (the caller's, plus the
    settings). ``quiet``: standard output is discarded and standard error kept in a file
    for ``stderr_tail``, instead of both going to the caller's terminal. ``new_session``:
    the child gets its own session, so that a Ctrl-C in the terminal does not reach it and
    the caller decides when it stops. ``pass_fds``: descriptors the child inherits (the
    source locks, held while it runs). Raises ``OSError`` when the child cannot be started.
    """
    sweep_stale_directories()
    directory = tempfile.TemporaryDirectory(prefix=prefix)
    owner: IO[bytes] | None = None
    try:
        tmp = Path(directory.name)
        owner = _lock_owner(tmp)
        # The child holds the owner lock too: a directory whose launcher was killed stays
        # while its crawl still writes there.
        fds = (owner.fileno(), *pass_fds)
        command = _command(watchlist, source_ids, tmp / SUMMARY_FILE)
        child_env = {**os.environ, **settings.to_env(), **(env or {})}
        started = time.monotonic()
        if quiet:
            # A file, not a pipe: nobody reads the pipe while the caller waits, and a
            # chatty crawl would block on a full one.
            with open(tmp / STDERR_FILE, "wb") as stderr:
                child = subprocess.Popen(
                    command,
                    env=child_env,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                    start_new_session=new_session,
                    pass_fds=fds,
                )
        else:
            child = subprocess.Popen(
                command, env=child_env, start_new_session=new_session, pass_fds=fds
            )
    except BaseException:
        if owner is not None:
            with contextlib.suppress(OSError):
                owner.close()
        directory.cleanup()
        raise
    return CrawlLaunch(child, directory, started, owner)
