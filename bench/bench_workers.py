"""Collection spread over workers: throughput with 1, 2 and 4 ``traceur worker`` processes
on this machine, and the per-host politeness they keep together.

A real Redis (Debian's ``redis-server``, ``make redis``) on a free loopback port; the
generated corpus (bench/corpus.py) served by the local fixture server as eight sites, one
source each. For each worker count: a fresh store, the eight passes enqueued, the
workers started with ``--burst`` (they stop when the queue is empty); the time is from
their start to the last one's end, worker start-up and crawl children included. CPU is
what the workers and their crawls used (children's user + system time): with 2 cores,
more than two workers only queue for the processors. The figures are noisy on a machine
shared with other work; the load average before each run is printed with them.

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
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import corpus  # noqa: E402
import corpus_people  # noqa: E402
import measure  # noqa: E402

# The tests' Redis launcher: a free port, a temporary folder, stopped by its pid.
from tests.redisserver import RedisServer  # noqa: E402
from traceur.config import Settings, load_settings  # noqa: E402
from traceur.demo.localweb import LocalWeb  # noqa: E402
from traceur.orchestra.queue.connection import raw_connection  # noqa: E402
from traceur.orchestra.queue.passes import enqueue_pass  # noqa: E402
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


def run_workers(settings: Settings, watchlist_path: Path, workers: int) -> tuple[float, float]:
    """Enqueue every source's pass, run ``workers`` burst workers: (seconds, CPU seconds)."""
    raw = raw_connection(settings)
    try:
        raw.flushdb()
        sources = yaml.safe_load(watchlist_path.read_text(encoding="utf-8"))["sources"]
        for source in sources:
            enqueue_pass(raw, settings, source["id"], 3600, 1, watchlist_path.read_text())
    finally:
        raw.close()
    env = {**os.environ, **settings.to_env()}
    before = os.times()
    start = time.perf_counter()
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "traceur", "worker", "--burst"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    for process in processes:
        process.wait()
    seconds = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return seconds, cpu


def main(argv: Sequence[str] | None = None) -> int:
    args = measure.options(
        "Collection throughput with 1, 2 and 4 queue workers, and per-host politeness.",
        argv,
        pages=(int, None, f"articles over all sites (default 640, {QUICK_PAGES} with --quick)"),
    )
    count = args.pages or (QUICK_PAGES if args.quick else 640)
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
                    f"{count} articles on {SITES} sites, one source each; cores: {os.cpu_count()}"
                )
                rows = []
                rates: dict[int, float] = {}
                for workers in (1, 2, 4):
                    run_dir = root / f"run-{workers}"
                    settings = base.replace(
                        store=f"sqlite:///{run_dir / 'bench.db'}", data_dir=run_dir / "data"
                    )
                    load = os.getloadavg()[0]
                    seconds, cpu = run_workers(settings, wl, workers)
                    store = open_store(settings)
                    try:
                        documents = store.count()
                    finally:
                        store.close()
                    rates[workers] = documents / seconds
                    rows.append(
                        (
                            workers,
                            documents,
                            f"{seconds:.1f}",
                            f"{rates[workers]:.1f}",
                            f"{rates[workers] / rates[1]:.2f}x",
                            f"{cpu:.1f}",
                            f"{cpu / seconds:.2f}",
                            f"{load:.1f}",
                        )
                    )
                print(
                    measure.table(
                        [
                            (
                                "workers",
                                "docs",
                                "seconds",
                                "docs/s",
                                "vs 1",
                                "CPU s",
                                "cores busy",
                                "load before",
                            ),
                            *rows,
                        ]
                    )
                )
                polite_gaps(root, base, web)
        finally:
            server.stop()
    return 0


def polite_gaps(root: Path, base: Settings, web: LocalWeb) -> None:
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
    web.clear_log()
    seconds, _cpu = run_workers(settings, wl, 4)
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
