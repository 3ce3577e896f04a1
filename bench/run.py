"""Run every benchmark: each ``bench/bench_*.py`` module's ``main()``, in name order.

Each benchmark runs in its own Python process, so its peak memory is its own and one
that crashes cannot take the others down. A failure is reported and the run goes on;
the exit status is non-zero if any benchmark failed. Benchmarks print figures; they
never assert on speed.

    .venv/bin/python bench/run.py                  # everything (what `make bench` runs)
    .venv/bin/python bench/run.py --quick          # smaller corpora, for a quick look
    .venv/bin/python bench/run.py --only tagger    # one benchmark (repeat --only for more)
    .venv/bin/python bench/run.py --list           # what there is

A benchmark module is ``bench/bench_NAME.py`` with a ``main()`` that prints its figures
and returns 0 or None (an exception or another number counts as a failure). It reads
``--quick`` from ``sys.argv`` (the runner passes it on) or from the environment variable
``TRACEUR_BENCH_QUICK=1``; ``measure.options`` does both.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
QUICK_ENV = "TRACEUR_BENCH_QUICK"

# What the child process runs: import the module from bench/ and call its main().
_CHILD = """
import sys
bench_dir, name = sys.argv[1], sys.argv[2]
sys.path.insert(0, bench_dir)
sys.argv = [bench_dir + "/" + name + ".py", *sys.argv[3:]]
module = __import__(name)
status = module.main()
sys.exit(0 if status is None else status)
"""


def discover() -> list[str]:
    """Module names of every benchmark, in name order."""
    return sorted(path.stem for path in BENCH_DIR.glob("bench_*.py"))


def _select(available: list[str], wanted: list[str]) -> list[str]:
    chosen: list[str] = []
    for name in wanted:
        stem = Path(name).stem
        stem = stem if stem.startswith("bench_") else f"bench_{stem}"
        if stem not in available:
            known = ", ".join(n.removeprefix("bench_") for n in available) or "none"
            raise SystemExit(f"run.py: no benchmark named {name!r} in {BENCH_DIR} (known: {known})")
        if stem not in chosen:
            chosen.append(stem)
    return chosen


def _run_one(name: str, quick: bool) -> tuple[int, float, float]:
    """Run one benchmark in a child process; return its exit code, seconds and peak RSS in MB."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if quick:
        env[QUICK_ENV] = "1"
    command = [sys.executable, "-c", _CHILD, str(BENCH_DIR), name, *(["--quick"] if quick else [])]
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=REPO_ROOT, env=env)
    try:
        # wait4 rather than wait: it also returns the child's own resource usage.
        _, status, usage = os.wait4(child.pid, 0)
    except BaseException:
        child.kill()
        child.wait()
        raise
    code = os.waitstatus_to_exitcode(status)
    child.returncode = code
    peak = usage.ru_maxrss / 1e6 if sys.platform == "darwin" else usage.ru_maxrss * 1024 / 1e6
    return code, time.perf_counter() - start, peak


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "n/a"


def _machine() -> str:
    load = "n/a"
    if hasattr(os, "getloadavg"):
        load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    try:
        from importlib.metadata import version

        trafilatura = version("trafilatura")
    except Exception:  # the figures still mean something without the version
        trafilatura = "?"
    return (
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs, "
        f"load average {load}; trafilatura {trafilatura}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run the Traceur benchmarks (speed and memory figures; never a test)."
    )
    parser.add_argument("--quick", action="store_true", help="smaller corpora, for a quick look")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="run only this benchmark (pipeline, tagger, or bench_pipeline.py); repeatable",
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)

    available = discover()
    if args.list:
        print("\n".join(available))
        return 0
    chosen = _select(available, args.only) if args.only else available
    if not chosen:
        print(f"run.py: no bench_*.py in {BENCH_DIR}", file=sys.stderr)
        return 1

    print(f"Traceur benchmarks{' (quick)' if args.quick else ''}: {', '.join(chosen)}")
    print(_machine())
    results: list[tuple[str, int, float, float]] = []
    for index, name in enumerate(chosen, start=1):
        print()
        print(f"=== {name} ({index}/{len(chosen)}) " + "=" * max(0, 60 - len(name)))
        sys.stdout.flush()
        load_before = _load()
        code, seconds, peak = _run_one(name, args.quick)
        sys.stdout.flush()
        if code != 0:
            print(f"--- {name} FAILED (exit status {code}); going on with the next", flush=True)
        # Other work on the machine slows every figure; the load says how much there was.
        print(
            f"--- {name}: {seconds:.1f} s, peak RSS {peak:.0f} MB, "
            f"1-minute load average {load_before} before, {_load()} after"
        )
        results.append((name, code, seconds, peak))

    print()
    print("=== summary " + "=" * 60)
    width = max(len(name) for name, *_ in results)
    for name, code, seconds, peak in results:
        status = "ok" if code == 0 else f"FAILED ({code})"
        print(f"  {name.ljust(width)}  {status:<12} {seconds:7.1f} s  peak RSS {peak:5.0f} MB")
    failed = [name for name, code, *_ in results if code != 0]
    print(
        f"  total {sum(r[2] for r in results):.1f} s; "
        + (f"{len(failed)} failed: {', '.join(failed)}" if failed else "all ran")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
