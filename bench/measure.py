"""Small helpers the benchmarks share: options, clocks, memory figures, aligned tables.

Not a benchmark itself (``run.py`` only runs ``bench_*.py``).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

QUICK_ENV = "TRACEUR_BENCH_QUICK"


def options(
    description: str, argv: Sequence[str] | None = None, **extra: tuple[type, object, str]
) -> argparse.Namespace:
    """Parse ``--quick`` (also set by ``run.py --quick`` through the environment) and ``extra``.

    ``extra`` maps an option name to (type, default, help); ``pages=(int, None, "...")``
    becomes ``--pages``.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--quick",
        action="store_true",
        default=os.environ.get(QUICK_ENV) == "1",
        help="a smaller run, for a quick look (also: TRACEUR_BENCH_QUICK=1)",
    )
    for name, (kind, default, text) in extra.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=kind, default=default, help=text)
    return parser.parse_args(argv)


def peak_rss_mb() -> float:
    """The process's peak resident set size so far, in MB (ru_maxrss is KB on Linux, bytes
    on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak * 1024 / 1e6


@contextmanager
def traced() -> Iterator[dict[str, float]]:
    """Measure Python allocations inside the block: ``result["peak_mb"]`` once it ends.

    tracemalloc slows Python code several times over, so never time a traced block.
    """
    result: dict[str, float] = {}
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        yield result
    finally:
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result["peak_mb"] = peak / 1e6
        result["current_mb"] = current / 1e6


class Clock:
    """Sums time per named stage; ``with clock("tag"): ...``."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.totals[stage] = self.totals.get(stage, 0.0) + time.perf_counter() - start


def mb(size_bytes: float) -> str:
    return f"{size_bytes / 1e6:.2f} MB"


def table(rows: Sequence[Sequence[object]], indent: str = "  ") -> str:
    """Rows of cells as aligned text: the first column left-aligned, the others right-aligned."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [
        max(len(row[i]) for row in cells if i < len(row))
        for i in range(max(len(row) for row in cells))
    ]
    lines = []
    for row in cells:
        parts = [row[0].ljust(widths[0])] + [
            cell.rjust(widths[i + 1]) for i, cell in enumerate(row[1:])
        ]
        lines.append(indent + "  ".join(parts).rstrip())
    return "\n".join(lines)
