"""What the queue tests share: a real Redis, and ``traceur worker`` / ``traceur schedule``
processes started as an operator would, on loopback, each with its log in a file.

The workers of a test share one data directory and one SQLite store (one machine here);
each scheduler has its own data directory, as it would on its own machine.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from traceur.config import Settings
from traceur.document import Document
from traceur.store import open_store


def wait_for(check: Callable[[], Any], timeout: float, what: str, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not within {timeout:.0f}s: {what}")


class Fleet:
    """Processes of one test, killed at its end."""

    def __init__(self, root: Path, settings: Settings) -> None:
        self.root = root
        self.settings = settings
        self.processes: list[subprocess.Popen[bytes]] = []

    def _start(self, name: str, settings: Settings, *args: str) -> subprocess.Popen[bytes]:
        env = {**os.environ, **settings.to_env()}
        log = open(self.root / f"{name}.out", "ab")  # noqa: SIM115 - the child owns it
        process = subprocess.Popen(
            [sys.executable, "-m", "traceur", *args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.processes.append(process)
        return process

    def worker(self, name: str = "worker", **changes: Any) -> subprocess.Popen[bytes]:
        return self._start(name, self.settings.replace(**changes), "worker")

    def scheduler(self, name: str, watchlist: Path, **changes: Any) -> subprocess.Popen[bytes]:
        settings = self.settings.replace(data_dir=self.root / name, **changes)
        return self._start(
            name, settings, "schedule", "--watchlist", str(watchlist), "--tick", "0.5"
        )

    def output(self, name: str) -> str:
        path = self.root / f"{name}.out"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def stored(settings: Settings) -> dict[str, Document]:
    store = open_store(settings)
    try:
        return {doc.id: doc for doc in store.iter_documents()}
    finally:
        store.close()


def clusters(docs: dict[str, Document]) -> set[frozenset[str]]:
    """The story clusters as groups of document ids (the partition, whatever the labels)."""
    groups: dict[str, set[str]] = {}
    for doc in docs.values():
        if doc.cluster_id:
            groups.setdefault(doc.cluster_id, set()).add(doc.id)
    return {frozenset(group) for group in groups.values()}


def rq_counts(url: str) -> dict[str, int]:
    """Jobs queued, started, finished and failed in the passes' queue."""
    import redis
    from rq import Queue
    from rq.registry import FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry

    from traceur.orchestra.queue.passes import QUEUE_NAME

    connection = redis.Redis.from_url(url)
    try:
        queue = Queue(QUEUE_NAME, connection=connection)
        return {
            "queued": queue.count,
            "started": len(StartedJobRegistry(queue=queue).get_job_ids(cleanup=False)),
            "finished": len(FinishedJobRegistry(queue=queue).get_job_ids(cleanup=False)),
            "failed": len(FailedJobRegistry(queue=queue).get_job_ids(cleanup=False)),
        }
    finally:
        connection.close()


def finished_job_ids(url: str) -> list[str]:
    import redis
    from rq import Queue
    from rq.registry import FinishedJobRegistry

    from traceur.orchestra.queue.passes import QUEUE_NAME

    connection = redis.Redis.from_url(url)
    try:
        queue = Queue(QUEUE_NAME, connection=connection)
        return sorted(FinishedJobRegistry(queue=queue).get_job_ids(cleanup=False))
    finally:
        connection.close()
