"""Starting a crawl: ``python -m crawler.process`` in a child process, and its summary.

The crawl always runs in a child so that its caller never owns a Twisted reactor (which
cannot be restarted): ``traceur run``, the demo and the scheduler can start as many crawls
as they like, and a crashing crawl cannot take them down. The child gets the caller's
settings as ``TRACEUR_*`` variables and writes its summary as JSON to a file in a
temporary directory, which ``CrawlLaunch`` reads back and removes.

``launch_crawl`` only starts the child: how to wait for it is the caller's business (a
collection pass just blocks; the scheduler polls, to stop it on shutdown).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

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
    # Peak resident memory of the crawl process (the whole pass), when measurable.
    memory_peak_bytes: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    candidates: dict[str, int] = field(default_factory=dict)
    finish_reason: str = ""


@dataclass
class PassSummary:
    sources: dict[str, SourceSummary]
    seconds: float

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
    ) -> None:
        self.child = child
        self.started = started
        self.seconds: float | None = None  # set when the child is seen to end
        self._directory = directory
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
    return command + ["--stats-file", str(stats_file)]


def launch_crawl(
    settings: Settings,
    watchlist: Path,
    source_ids: Iterable[str] = (),
    *,
    env: Mapping[str, str] | None = None,
    quiet: bool = False,
    new_session: bool = False,
    prefix: str = "traceur-crawl-",
) -> CrawlLaunch:
    """Start ``python -m crawler.process`` over ``watchlist`` (all its enabled sources, or
    ``source_ids``) with ``settings``, and return at once.

    ``env`` overrides variables of the child's environment (the caller's, plus the
    settings). ``quiet``: standard output is discarded and standard error kept in a file
    for ``stderr_tail``, instead of both going to the caller's terminal. ``new_session``:
    the child gets its own session, so that a Ctrl-C in the terminal does not reach it and
    the caller decides when it stops. Raises ``OSError`` when the child cannot be started.
    """
    directory = tempfile.TemporaryDirectory(prefix=prefix)
    try:
        tmp = Path(directory.name)
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
                )
        else:
            child = subprocess.Popen(command, env=child_env, start_new_session=new_session)
    except BaseException:
        directory.cleanup()
        raise
    return CrawlLaunch(child, directory, started)
