"""Collection spread over workers: throughput with 1, 2 and 4 ``traceur worker`` processes
on this machine, and the per-host politeness they keep together.

A real Redis (Debian's ``redis-server``, ``make redis``) on a free loopback port; the
generated corpus (bench/corpus.py) served by the local fixture server as eight sites of
equal size, one source each. For each worker count: a fresh store and data directory, the
workers started as deployed (long-lived, not ``--burst``) and waiting on the queue, then
the eight passes enqueued; the time runs from the enqueueing to the end of the last pass.
A worker's start (about a second of CPU: RQ, Traceur) is paid once per process in
production, so it is measured and printed apart, not timed. The three configurations do
the same work, store the same documents and are timed the same way; ``--rounds`` repeats
them alternated, and the ratios use each configuration's best run.

The machine is shared: before each round a pure-Python loop is timed alone and twice at
once, which says how much of two cores other work leaves (2.00x on an idle machine).
Then where the CPU went: the worker processes, their crawl children (exact, from the
kernel's accounting of waited children), Redis and the web server (sampled, see
``proctree.py``); the time the crawls spent ready to run but waiting for a core
(schedstat); Redis commands per document; each crawl child's time from its start to its
first request; the last pass running alone at the end.

Then the politeness: four workers, four sources on one host with a 0.5 s delay; the
smallest gap between two requests to that host, whichever worker sent them, must not
be under the delay.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

import yaml
from rq import Queue

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import corpus  # noqa: E402
import corpus_people  # noqa: E402
import measure  # noqa: E402
import proctree  # noqa: E402

# The tests' Redis launcher: a free port, a temporary folder, stopped by its pid.
from tests.redisserver import RedisServer  # noqa: E402
from traceur.config import Settings, load_settings  # noqa: E402
from traceur.demo.localweb import LocalWeb  # noqa: E402
from traceur.orchestra.queue.connection import raw_connection  # noqa: E402
from traceur.orchestra.queue.passes import QUEUE_NAME, enqueue_pass  # noqa: E402
from traceur.store import open_store  # noqa: E402

SITES = 8
PER_INDEX = 50
QUICK_PAGES = 160
POLITE_DELAY = 0.5


def host(number: int) -> str:
    return f"www.banc-{number}-essai.example"


def write_sites(root: Path, count: int, sites: int) -> None:
    """The corpus as ``sites`` sites with an archive of index pages each."""
    pages = corpus.generate_corpus(count)
    for number in range(sites):
        site = root / host(number)
        (site / "articles").mkdir(parents=True)
        (site / "robots.txt").write_text("User-agent: *\nDisallow: /compte/\n", encoding="utf-8")
        paths = []
        for index, page in enumerate(pages[number::sites]):
            path = f"/articles/{index:05d}.html"
            (site / path.lstrip("/")).write_text(page.html, encoding="utf-8")
            paths.append(path)
        chunks = [paths[i : i + PER_INDEX] for i in range(0, len(paths), PER_INDEX)] or [[]]
        for index, chunk in enumerate(chunks):
            links = "\n".join(f'<li><a href="{p}">Article {p[10:15]}</a></li>' for p in chunk)
            following = (
                f'<a rel="next" href="/index-{index + 1}.html">Page suivante</a>'
                if index + 1 < len(chunks)
                else ""
            )
            html = (
                '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
                f"<title>Archives, page {index + 1}</title></head>"
                f"<body><h1>Archives</h1><ul>{links}</ul>{following}</body></html>"
            )
            name = "index.html" if index == 0 else f"index-{index}.html"
            (site / name).write_text(html, encoding="utf-8")


def watchlist(path: Path, hosts: list[str], pages: int) -> Path:
    data = corpus_people.watchlist_data(corpus_people.people_for_aliases(1000))
    data["sources"] = [
        {
            "id": f"banc-{number}",
            "kind": "site",
            "url": f"http://{name}/",
            "every": "1h",
            "match": r"/articles/\d+\.html$",
            "follow": r"/(articles/\d+\.html|index(-\d+)?\.html)$",
            "limits": {"max_pages": pages + 50, "max_depth": pages // PER_INDEX + 3},
        }
        for number, name in enumerate(hosts)
    ]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@dataclass
class Run:
    """One run of ``workers`` started workers over the eight queued passes."""

    workers: int
    documents: int
    seconds: float
    load: float
    # CPU seconds during the timed span: the workers' trees (exact, from the kernel), split
    # by the sampler into the worker processes and their crawl children; Redis; the web
    # server (this process's threads, less the sampler and the main thread).
    cpu: float
    crawl_cpu: float
    redis_cpu: float
    server_cpu: float
    # The crawl children's summed lifetimes and time ready to run but waiting for a core.
    crawl_alive: float
    crawl_queued: float
    # Redis commands the run sent (INFO commandstats).
    redis_calls: int
    # Per job: (source, seconds from the enqueueing to its start, to its end).
    jobs: list[tuple[str, float, float]]
    # Per crawl child: seconds from its process start to its first request.
    startups: list[float]
    # Seconds and CPU seconds (all workers) from starting the workers to all of them
    # waiting on the queue: paid once per worker process, outside the timed span.
    start_seconds: float
    start_cpu: float

    @property
    def rate(self) -> float:
        return self.documents / self.seconds

    @property
    def tail(self) -> float:
        """Seconds the last job ran alone after every other job had ended."""
        ends = sorted(end for _source, _start, end in self.jobs)
        return ends[-1] - ends[-2] if len(ends) > 1 and self.workers > 1 else 0.0


def start_workers(settings: Settings, workers: int) -> list[subprocess.Popen[bytes]]:
    """Start ``workers`` long-lived workers (as deployed, not ``--burst``) and wait until
    each one waits on the queue."""
    from rq import Worker

    env = {**os.environ, **settings.to_env()}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "traceur", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    raw = raw_connection(settings)
    try:
        deadline = time.monotonic() + 120
        while len(Worker.all(connection=raw)) < workers:
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                raise RuntimeError("the workers did not start")
            time.sleep(0.05)
    finally:
        raw.close()
    return processes


def run_workers(
    settings: Settings, watchlist_path: Path, workers: int, redis_pid: int, web: LocalWeb
) -> Run:
    """Start ``workers`` workers, then time them from the enqueueing of every source's pass
    to the end of the last one; stop them."""
    from rq.registry import FailedJobRegistry, FinishedJobRegistry

    raw = raw_connection(settings)
    raw.flushdb()
    load = os.getloadavg()[0]
    started = time.perf_counter()
    processes = start_workers(settings, workers)
    start_seconds = time.perf_counter() - started
    text = watchlist_path.read_text(encoding="utf-8")
    sources = [source["id"] for source in yaml.safe_load(text)["sources"]]
    web.clear_log()
    raw.config_resetstat()
    before_workers = {p.pid: proctree.tree_cpu(p.pid) for p in processes}
    before_own = {p.pid: proctree.own_cpu(p.pid) for p in processes}
    before_self = os.times()
    main_thread = time.thread_time()
    try:
        with proctree.TreeSampler(extra=(redis_pid,)) as tree:
            wall = time.time()
            for source_id in sources:
                enqueue_pass(raw, settings, source_id, 3600, 1, text)
            queue = Queue(QUEUE_NAME, connection=raw)
            done = (FinishedJobRegistry(queue=queue), FailedJobRegistry(queue=queue))
            while sum(registry.count for registry in done) < len(sources):
                time.sleep(0.1)
            main_cpu = time.thread_time() - main_thread
            after_self = os.times()
            cpu = sum(proctree.tree_cpu(pid) - cpu for pid, cpu in before_workers.items())
            worker_cpu = sum(proctree.own_cpu(pid) - cpu for pid, cpu in before_own.items())
        calls = sum(
            int(stats["calls"])
            for name, stats in raw.info("commandstats").items()
            if name != "cmdstat_config"
        )
        jobs = job_times(raw, wall)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait()
        raw.close()
    store = open_store(settings)
    try:
        documents = store.count()
    finally:
        store.close()
    crawls = tree.matching("crawler.process")
    firsts: dict[str, float] = {}
    for request in web.requested():
        firsts.setdefault(request.host, request.at)
    startups = []
    for seen in crawls:
        # A crawl child runs one source, banc-N or meme-hote-N, whose site is host(N).
        source = seen.command.split("--source ", 1)[-1].split()[0]
        first = firsts.get(host(int(source.rsplit("-", 1)[-1])))
        if first is not None:
            startups.append(first - seen.started)
    own = (after_self.user - before_self.user) + (after_self.system - before_self.system)
    return Run(
        workers=workers,
        documents=documents,
        seconds=max(end for _source, _start, end in jobs),
        load=load,
        cpu=cpu,
        crawl_cpu=cpu - worker_cpu,
        redis_cpu=tree.cpu_of(redis_pid),
        server_cpu=own - tree.own_cpu - main_cpu,
        crawl_alive=sum(seen.last - seen.started for seen in crawls),
        crawl_queued=sum(seen.queued for seen in crawls),
        redis_calls=calls,
        jobs=jobs,
        startups=startups,
        start_seconds=start_seconds,
        start_cpu=sum(before_workers.values()),
    )


def job_times(raw: Any, wall: float) -> list[tuple[str, float, float]]:
    """Each finished pass: its source, its start and end in seconds after ``wall``."""
    from rq.job import Job

    times = []
    for name in raw.keys("rq:job:*"):
        job = Job.fetch(name.decode().split(":", 2)[2], connection=raw)
        if job.started_at is None or job.ended_at is None:
            continue
        start = job.started_at.replace(tzinfo=UTC).timestamp() - wall
        end = job.ended_at.replace(tzinfo=UTC).timestamp() - wall
        times.append((str(job.args[0]), start, end))
    return sorted(times, key=lambda row: row[1])


def ceiling() -> float:
    """What this machine gives two busy processes at this moment, as a multiple of what it
    gives one: the same pure-Python loop timed alone, then twice at once."""
    code = "import time\nt=time.perf_counter()\nx=0\nfor i in range(6_000_000): x+=i\n"
    code += "print(time.perf_counter()-t)"

    def timed(count: int) -> float:
        children = [
            subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
            for _ in range(count)
        ]
        return max(float(child.communicate()[0]) for child in children)

    alone = timed(1)
    return 2 * alone / timed(2)


def main(argv: Sequence[str] | None = None) -> int:
    args = measure.options(
        "Collection throughput with 1, 2 and 4 queue workers, and per-host politeness.",
        argv,
        pages=(int, None, f"articles over all sites (default 640, {QUICK_PAGES} with --quick)"),
        rounds=(int, None, "rounds of 1, 2 and 4 workers, alternated (default 2, 1 with --quick)"),
    )
    count = args.pages or (QUICK_PAGES if args.quick else 640)
    rounds = args.rounds or (1 if args.quick else 2)
    if shutil.which("redis-server") is None:
        print("redis-server is missing: `make redis` installs it")
        return 1
    with tempfile.TemporaryDirectory(prefix="traceur-bench-workers-") as tmp:
        root = Path(tmp)
        write_sites(root / "web", count, SITES)
        hosts = [host(number) for number in range(SITES)]
        wl = watchlist(root / "watchlist.yaml", hosts, count // SITES)
        server = RedisServer(root / "redis")
        server.start()
        assert server.process is not None
        redis_pid = server.process.pid
        try:
            with LocalWeb(root / "web") as web:
                base = load_settings(environ={}).replace(
                    http_proxy=web.proxy_url,
                    proxy_enforces_policy=True,
                    allow_networks=("127.0.0.1/32",),
                    download_delay=0.0,
                    concurrent_per_domain=8,
                    retry_times=0,
                    autothrottle=False,
                    queue=server.url,
                )
                print(
                    f"{count} articles on {SITES} sites, one source each; cores: {os.cpu_count()};"
                    f" {rounds} round(s) of 1, 2 and 4 workers"
                )
                runs: list[Run] = []
                ceilings: list[float] = []
                for number in range(rounds):
                    ceilings.append(ceiling())
                    for workers in (1, 2, 4):
                        run_dir = root / f"run-{number}-{workers}"
                        settings = base.replace(
                            store=f"sqlite:///{run_dir / 'bench.db'}", data_dir=run_dir / "data"
                        )
                        run = run_workers(settings, wl, workers, redis_pid, web)
                        runs.append(run)
                        print(
                            f"  round {number + 1}, {workers} worker(s): {run.documents}"
                            f" documents in {run.seconds:.1f} s (the tables follow)",
                            flush=True,
                        )
                report(runs, ceilings)
                polite_gaps(root, base, web, redis_pid)
        finally:
            server.stop()
    return 0


def report(runs: list[Run], ceilings: list[float]) -> None:
    best = {run.workers: run for run in sorted(runs, key=lambda run: -run.seconds)}
    rows: list[tuple[object, ...]] = [
        (
            "workers",
            "docs",
            "seconds",
            "docs/s",
            "vs best 1",
            "CPU s",
            "CPU ms/doc",
            "cores used",
            "waiting a core",
            "load before",
        )
    ]
    for run in runs:
        total = run.cpu + run.redis_cpu + run.server_cpu
        rows.append(
            (
                run.workers,
                run.documents,
                f"{run.seconds:.1f}",
                f"{run.rate:.1f}",
                f"{run.rate / best[1].rate:.2f}x",
                f"{run.cpu:.1f}",
                f"{1000 * run.cpu / max(1, run.documents):.0f}",
                f"{total / run.seconds:.2f}",
                f"{run.crawl_queued:.1f}",
                f"{run.load:.1f}",
            )
        )
    print(measure.table(rows))
    print(
        f"  best of {len(runs) // 3}: 2 workers {best[2].rate / best[1].rate:.2f}x,"
        f" 4 workers {best[4].rate / best[1].rate:.2f}x one worker; the machine itself gave two"
        f" busy processes {min(ceilings):.2f}-{max(ceilings):.2f}x one at the start of each"
        " round (a pure-Python loop): other work on it takes its share"
    )
    print("where the CPU seconds went (share of the run's CPU), and what bounds the ratio:")
    rows = [
        (
            "workers",
            "worker procs",
            "crawl children",
            "redis",
            "web server",
            "redis calls/doc",
            "crawl start",
            "tail alone",
            "worker start",
        )
    ]
    for run in runs:
        total = max(0.001, run.cpu + run.redis_cpu + run.server_cpu)
        startups = sorted(run.startups) or [0.0]
        rows.append(
            (
                run.workers,
                f"{run.cpu - run.crawl_cpu:.1f}",
                f"{run.crawl_cpu:.1f}",
                f"{run.redis_cpu:.1f} ({100 * run.redis_cpu / total:.0f}%)",
                f"{run.server_cpu:.1f} ({100 * run.server_cpu / total:.0f}%)",
                f"{run.redis_calls / max(1, run.documents):.1f}",
                f"{startups[0]:.1f}-{startups[-1]:.1f}s",
                f"{run.tail:.1f}s",
                f"{run.start_seconds:.1f}s {run.start_cpu:.1f} CPU s",
            )
        )
    print(measure.table(rows))


def polite_gaps(root: Path, base: Settings, web: LocalWeb, redis_pid: int) -> None:
    """Four workers, four sources on one host: the gaps between that host's requests."""
    target = host(0)
    wl = watchlist(root / "polite.yaml", [target] * 4, 24)
    text = yaml.safe_load(wl.read_text(encoding="utf-8"))
    for number, source in enumerate(text["sources"]):
        source["limits"]["max_pages"] = 12
        source["id"] = f"meme-hote-{number}"
    wl.write_text(yaml.safe_dump(text, allow_unicode=True, sort_keys=False), encoding="utf-8")
    settings = base.replace(
        store=f"sqlite:///{root / 'polite' / 'bench.db'}",
        data_dir=root / "polite" / "data",
        download_delay=POLITE_DELAY,
        concurrent_per_domain=1,
    )
    run = run_workers(settings, wl, 4, redis_pid, web)
    seconds = run.seconds
    times = sorted(request.at for request in web.requested(target))
    gaps = sorted(b - a for a, b in zip(times, times[1:], strict=False))
    if not gaps:
        print("politeness: no request was logged")
        return
    # The server notes a request when it has read it, a few milliseconds after the crawl
    # sent it at its booked time; on a loaded machine that lag varies, so a gap seen here
    # may be that much shorter than the booked one (the bookings are never closer).
    under = sum(1 for gap in gaps if gap < POLITE_DELAY)
    print(
        f"politeness, 4 workers, 4 sources on {target}, delay {POLITE_DELAY}s:"
        f" {len(times)} requests in {seconds:.1f}s; gap between two requests as the server"
        f" saw them: min {gaps[0]:.3f}s, median {gaps[len(gaps) // 2]:.3f}s,"
        f" {under} under the delay"
        f" ({'held' if gaps[0] >= POLITE_DELAY * 0.9 else 'BROKEN'}: the smallest within"
        " 10% of the delay, the server's reading lag)"
    )


if __name__ == "__main__":
    sys.exit(main())
