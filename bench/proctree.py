"""CPU seconds per process of a tree, read from ``/proc`` while it runs (Linux only).

Not a benchmark itself (``run.py`` only runs ``bench_*.py``). ``bench_workers`` uses it to
say where the two cores went: the workers' own processes, their crawl children, Redis and
the benchmark's web server. ``os.times()`` gives the children's total exactly but cannot
split it by process; a sampler can, at the price of the CPU a process spends after its
last sample (a fraction of one period, reported apart as the remainder).
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Seen:
    """One process as the sampler last saw it."""

    pid: int
    parent: int
    command: str
    # When the process started (epoch seconds, to a clock tick).
    started: float
    cpu: float
    # Seconds its threads waited for a processor while ready to run (the kernel's
    # schedstat): time lost to the other processes on the machine, not to its own waits.
    queued: float
    first: float
    last: float


def _stat(pid: int) -> tuple[int, float, float] | None:
    """(parent pid, user + system CPU seconds, start in epoch seconds) of ``pid``, or None
    once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command may hold spaces and parentheses: the fields follow the last ")".
    fields = text[text.rindex(")") + 2 :].split()
    # The start is in ticks since boot; the boot clock maps it to the wall clock.
    since_start = time.clock_gettime(time.CLOCK_BOOTTIME) - int(fields[19]) / TICKS
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS, time.time() - since_start


def _cpu_fields(pid: int, first: int, last: int) -> float:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = text[text.rindex(")") + 2 :].split()
    return sum(int(value) for value in fields[first:last]) / TICKS


def tree_cpu(pid: int) -> float:
    """CPU seconds of ``pid`` and of its children it has waited for (0 once it is gone)."""
    return _cpu_fields(pid, 11, 15)


def own_cpu(pid: int) -> float:
    """CPU seconds of ``pid`` alone (0 once it is gone)."""
    return _cpu_fields(pid, 11, 13)


def _command(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def _queued(pid: int) -> float:
    """Seconds the live threads of ``pid`` spent ready to run but waiting for a processor."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0.0
    for task in tasks:
        try:
            total += int(Path(f"/proc/{pid}/task/{task}/schedstat").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total / 1e9


def _children(pid: int) -> list[int]:
    """The children of every thread of ``pid`` (a child belongs to the thread that
    started it)."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            found += [
                int(part) for part in Path(f"/proc/{pid}/task/{task}/children").read_text().split()
            ]
        except OSError:
            continue
    return found


@dataclass
class TreeSampler:
    """Samples every ``period`` seconds the descendants of ``root`` (this process by
    default) and the ``extra`` pids; ``with TreeSampler() as tree: ...``."""

    root: int = field(default_factory=os.getpid)
    extra: tuple[int, ...] = ()
    period: float = 0.1
    seen: dict[int, Seen] = field(default_factory=dict)
    # CPU the sampling thread itself used (it runs in the root process).
    own_cpu: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _start_cpu: dict[int, float] = field(default_factory=dict)

    def __enter__(self) -> TreeSampler:
        # Processes that exist before the block count from their CPU at its start.
        for pid in (self.root, *self.extra):
            stat = _stat(pid)
            if stat is not None:
                self._start_cpu[pid] = stat[1]
        self._thread = threading.Thread(target=self._loop, name="proctree", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._sample()

    def _loop(self) -> None:
        start = time.thread_time()
        while not self._stop.wait(self.period):
            self._sample()
        self.own_cpu = time.thread_time() - start

    def _sample(self) -> None:
        now = time.time()
        pending = [self.root, *self.extra]
        visited: set[int] = set()
        while pending:
            pid = pending.pop()
            if pid in visited:
                continue
            visited.add(pid)
            stat = _stat(pid)
            if stat is None:
                continue
            parent, cpu, started = stat
            cpu -= self._start_cpu.get(pid, 0.0)
            queued = _queued(pid)
            known = self.seen.get(pid)
            if known is None:
                self.seen[pid] = Seen(pid, parent, _command(pid), started, cpu, queued, now, now)
            else:
                known.cpu, known.last = cpu, now
                known.queued = max(known.queued, queued)
                # Seen first between fork and exec, it had its parent's command line.
                known.command = _command(pid) or known.command
            pending.extend(_children(pid))

    def cpu_of(self, pid: int) -> float:
        known = self.seen.get(pid)
        return known.cpu if known is not None else 0.0

    def matching(self, words: str) -> list[Seen]:
        """The processes whose command line holds ``words``."""
        return [seen for seen in self.seen.values() if words in seen.command]
