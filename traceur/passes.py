"""Running one collection pass. The crawl runs in a child process (``crawler.process``)
so the caller never owns a Twisted reactor: ``traceur run``, the demo and the scheduler
can start as many passes as they like, and a crashing crawl cannot take them down."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Settings
from .errors import CrawlError


@dataclass
class SourceSummary:
    pages: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    spooled: int = 0
    not_documents: int = 0
    robots_skipped: int = 0
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


def run_pass(settings: Settings, watchlist: Path, source_ids: list[str] | None = None, quiet: bool = False) -> PassSummary:
    """Run one pass over ``watchlist``'s sources (or ``source_ids``) and return its summary.

    Progress lines go to standard error unless ``quiet``.
    """
    with tempfile.TemporaryDirectory(prefix="traceur-pass-") as tmp:
        stats_file = Path(tmp) / "summary.json"
        command = [sys.executable, "-m", "crawler.process", "--watchlist", str(watchlist), "--stats-file", str(stats_file)]
        for source_id in source_ids or []:
            command += ["--source", source_id]
        env = {**os.environ, **settings.to_env()}
        started = time.monotonic()
        completed = subprocess.run(
            command,
            env=env,
            stdout=subprocess.DEVNULL if quiet else None,
            stderr=subprocess.PIPE if quiet else None,
            text=True,
            check=False,
        )
        seconds = time.monotonic() - started
        if completed.returncode != 0 or not stats_file.exists():
            detail = (completed.stderr or "").strip()[-2000:] if quiet else "see the messages above"
            raise CrawlError(f"the collection pass failed (exit code {completed.returncode}): {detail}")
        data: dict[str, Any] = json.loads(stats_file.read_text(encoding="utf-8"))
    return PassSummary(
        sources={source_id: SourceSummary(**values) for source_id, values in data["sources"].items()},
        seconds=seconds,
    )
