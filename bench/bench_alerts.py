"""Time to alert, and what an alert evaluation costs.

1. **Time to alert**, end to end through the real daemon: ``python -m traceur schedule``
   polls a feed of the bundled demo web (served locally by ``LocalWeb``) every 30 s, with
   the default jitter and politeness delay; an immediate rule watches the demo's
   candidates; a real SMTP server in-process (aiosmtpd) receives the email. Each run
   publishes a new entry naming a candidate at a random moment of the polling cycle and
   measures until the email is received, and until a webhook (``json://`` to a local HTTP
   receiver, through Apprise) given as a second recipient of the same rule is. Adaptive
   polling is off, so the figure is for a source polled every 30 s (with it on, a busy
   feed is polled up to 4 times more often). Split in three: the wait for the next
   scheduled run (half the interval on average), the crawl process start (Python,
   Scrapy, the store), and the rest (feed fetched → email or webhook received: feed and
   page fetch with the politeness delay, extraction, tagging, storing, rule evaluation,
   SMTP, then the webhook). Printed: each run, then median and worst of each part, email
   and webhook side by side, and the issue's target for the webhook (median ≤ half the
   polling interval + 3 s).

2. **Evaluation cost**, in-process: an immediate rule reading N new documents from a
   SQLite store through its watermark, filtering them (candidates and a query), rendering
   the messages and queueing them in one transaction (a burst of more than 20 stories goes
   as one digest: see traceur/alerts/pacing.py). Printed: documents/s, messages queued and
   the evaluation time per message.

    .venv/bin/python bench/bench_alerts.py [--runs 5] [--interval 30] [--quick]

``--quick`` (or ``run.py --quick``): 3 runs at a 10 s interval, 1,000 documents.
"""

from __future__ import annotations

import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import measure

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tests.chatsink import ChatSink  # noqa: E402
from tests.mailsink import MailSink  # noqa: E402
from traceur.alerts.evaluate import Evaluator  # noqa: E402
from traceur.alerts.outbox import AlertState  # noqa: E402
from traceur.config import load_settings  # noqa: E402
from traceur.demo.localweb import LocalWeb, Response  # noqa: E402
from traceur.document import Document, content_hash, document_id  # noqa: E402
from traceur.enrich.tagging import Tagger  # noqa: E402
from traceur.orchestra.passes import run_pass  # noqa: E402
from traceur.orchestra.runs import RunLog  # noqa: E402
from traceur.store.sqlite import SqliteStore  # noqa: E402
from traceur.watchlist.loader import load_watchlist  # noqa: E402

DEMO_WEB = Path(__file__).resolve().parent.parent / "traceur" / "demo" / "sites"
HOST = "www.quotidien-du-centre.example"
FEED_PATH = "/politique/rss.xml"
SEED = 20261122
T = TypeVar("T")
WATCHLIST = """\
candidates:
  - id: claire-martin
    name: Claire Martin
    aliases: ["Mme Martin"]
    exclude: ["Saint-Martin"]
  - id: elodie-arnaud
    name: Élodie Arnaud
    exclude: ["Pont-Arnaud"]
  - id: jean-baptiste-lefort
    name: Jean-Baptiste Lefort
topics:
  - id: transports
    keywords: ["tramway", "ligne de bus"]
sources:
  - id: quotidien-politique
    name: "Le Quotidien du Centre"
    kind: feed
    url: "http://%(host)s%(feed)s"
    every: %(every)ds
alerts:
  - id: candidats-immediat
    kind: immediate
    # What a team that wants each mention the minute it is found writes (the default
    # gathers two minutes of matches into one message).
    batch: 0s
    to: [equipe-numerique@example.org, "%(webhook)s"]
    candidates: [claire-martin, elodie-arnaud, jean-baptiste-lefort]
    query: "habitants OR conseil NOT horoscope"
"""
PEOPLE = ("Claire Martin", "Élodie Arnaud", "Jean-Baptiste Lefort")
PLACES = (
    "la halle aux grains",
    "le quartier des Tanneurs",
    "la gare",
    "le lycée Descartes",
    "la médiathèque",
)


def _article(title: str, paragraph: str) -> bytes:
    return (
        "<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>"
        f"<title>{title}</title></head><body>"
        f"<main><article><h1>{title}</h1><p>{paragraph}</p>"
        "<p>Les élus de l’opposition ont annoncé qu’ils "
        "déposeraient plusieurs amendements lors de la prochaine séance du conseil municipal, "
        "prévue le mois prochain."
        "</p></article></main></body></html>"
    ).encode()


def _wait(predicate: Callable[[], T], timeout: float) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise RuntimeError(f"gave up after {timeout:.0f} s")


def time_to_alert(runs: int, interval: int) -> list[tuple[float, float, float, float]]:
    """(wait for the poll, crawl process start, feed fetched → email received, feed fetched
    → webhook received) in seconds, for each run."""
    rng = random.Random(SEED)
    feed = (DEMO_WEB / HOST / FEED_PATH.lstrip("/")).read_text(encoding="utf-8")
    results: list[tuple[float, float, float, float]] = []
    with (
        tempfile.TemporaryDirectory(prefix="traceur-bench-alerts-") as tmp,
        LocalWeb(DEMO_WEB) as web,
        MailSink() as sink,
        ChatSink() as hooks,
    ):
        root = Path(tmp)
        watchlist = root / "veille.yaml"
        watchlist.write_text(
            WATCHLIST
            % {
                "host": HOST,
                "feed": FEED_PATH,
                "every": interval,
                "webhook": hooks.url("json", "/veille"),
            },
            encoding="utf-8",
        )
        settings = load_settings().replace(
            store=f"sqlite:///{root / 'traceur.db'}",
            data_dir=root / "data",
            allow_networks=("127.0.0.1/32",),
            http_proxy=web.proxy_url,
            # The local web serves its folders and reaches nothing else.
            proxy_enforces_policy=True,
            smtp_host=sink.host,
            smtp_port=sink.port,
            smtp_security="none",
            smtp_username=None,
            adaptive_polling_factor=1,
        )
        run_pass(settings, watchlist, quiet=True)  # the feed's existing entries are not news
        env = {**os.environ, **settings.to_env()}
        daemon = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "traceur",
                "schedule",
                "--watchlist",
                str(watchlist),
                "--tick",
                "1",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            with RunLog.in_data_dir(settings.data_dir) as log:
                _wait(
                    lambda: [r for r in log.recent("quotidien-politique", 1) if r.finished_at], 120
                )
            entries = ""
            for number in range(runs):
                time.sleep(rng.uniform(0, interval))  # a random moment of the polling cycle
                person, place = PEOPLE[number % len(PEOPLE)], rng.choice(PLACES)
                slug = f"/politique/2026/11/alerte-{number}.html"
                title = f"{person} en visite dans {place} ({number + 1})"
                web.set(
                    HOST,
                    slug,
                    Response(
                        200,
                        _article(
                            title,
                            f"{person} a rencontré les habitants devant {place} "
                            "pour parler du budget et des transports.",
                        ),
                        {"Content-Type": "text/html; charset=utf-8"},
                    ),
                )
                entries = (
                    f"<item><title>{title}</title><link>http://{HOST}{slug}</link>"
                    f"<guid isPermaLink='false'>bench-{SEED}-{number}</guid></item>\n"
                ) + entries
                published = time.time()
                web.set(
                    HOST,
                    FEED_PATH,
                    Response(
                        200,
                        feed.replace("<item>", entries + "<item>", 1).encode(),
                        {"Content-Type": "application/rss+xml"},
                    ),
                )
                received = _wait(
                    lambda number=number: sink.messages()[number:],
                    interval * 3 + 60,
                )[0]
                hooked = _wait(lambda number=number: hooks.accepted()[number:], 60)[0]
                fetched = min(
                    r.at for r in web.requested(HOST) if r.path == FEED_PATH and r.at >= published
                )
                with RunLog.in_data_dir(settings.data_dir) as log:
                    started = max(
                        r.started_at.timestamp()
                        for r in log.recent("quotidien-politique", 5)
                        if r.started_at.timestamp() <= fetched
                    )
                # An entry published while a crawl process was starting is caught by that run.
                waited = max(0.0, started - published)
                startup = fetched - max(started, published)
                work = received.at - fetched
                hook_work = hooked.at - fetched
                results.append((waited, startup, work, hook_work))
                print(
                    f"  run {number + 1}: waited for the poll {waited:5.1f} s, "
                    f"crawl process start {startup:4.1f} s, "
                    f"fetch to email {work:4.1f} s, to webhook {hook_work:4.1f} s, "
                    f"total {received.at - published:5.1f} s (email), "
                    f"{hooked.at - published:5.1f} s (webhook)",
                    flush=True,
                )
        finally:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(120)
    return results


def evaluation_cost(documents: int) -> tuple[float, float, int]:
    """(documents/s, ms per email, emails) for one immediate rule over ``documents`` new
    documents."""
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory(prefix="traceur-bench-eval-") as tmp:
        root = Path(tmp)
        path = root / "veille.yaml"
        path.write_text(
            WATCHLIST
            % {
                "host": HOST,
                "feed": FEED_PATH,
                "every": 30,
                # Queued, never sent here: the cost of the chat entry is part of evaluating.
                "webhook": "json://127.0.0.1:9/veille",
            },
            encoding="utf-8",
        )
        watchlist = load_watchlist(path)
        tagger = Tagger(watchlist)
        # The cost of finding and queueing, one message per match: no pacing.
        settings = load_settings().replace(
            data_dir=root,
            alert_batch_seconds=0,
            alert_cluster_cooldown_seconds=0,
            alert_max_per_hour=0,
        )
        store = SqliteStore(root / "docs.db")
        state = AlertState(root / "alerts.db")
        evaluator = Evaluator(settings, watchlist, store, state)
        rule = watchlist.alerts[0]
        evaluator.evaluate(rule)  # starts at the (empty) end of the store
        now = datetime.now(UTC)
        batch: list[Document] = []
        for number in range(documents):
            person = PEOPLE[number % len(PEOPLE)] if rng.random() < 0.6 else "Le maire"
            text = " ".join(
                [f"{person} s'est exprimé devant {rng.choice(PLACES)}."]
                + [
                    f"Le conseil a débattu du point {n} de l'ordre du jour, "
                    "consacré au tramway et aux écoles."
                    for n in range(12)
                ]
            )
            url = f"http://{HOST}/politique/2026/11/article-{number}.html"
            batch.append(
                tagger.apply(
                    Document(
                        id=document_id(url),
                        url=url,
                        canonical_url=url,
                        domain=HOST,
                        kind="article",
                        source_id="quotidien-politique",
                        title=f"Conseil municipal : séance {number}",
                        text=text,
                        published_at=now - timedelta(minutes=number),
                        fetched_at=now,
                        content_hash=content_hash("", text),
                    )
                )
            )
        store.upsert(batch)
        start = time.perf_counter()
        outcome = evaluator.evaluate(rule)
        seconds = time.perf_counter() - start
        emails = len(outcome.queued)
        store.close()
        state.close()
    return documents / seconds, seconds * 1000 / max(emails, 1), emails


def main() -> int | None:
    args = measure.options(
        __doc__.split("\n\n")[0],
        runs=(int, None, "time-to-alert runs (default 5, quick 3)"),
        interval=(int, None, "feed polling interval in seconds (default 30, quick 10)"),
        documents=(int, None, "documents for the evaluation cost (default 10000, quick 1000)"),
    )
    runs = args.runs or (3 if args.quick else 5)
    interval = args.interval or (10 if args.quick else 30)
    documents = args.documents or (1000 if args.quick else 10000)

    print(
        f"Time to alert: feed polled every {interval} s, {runs} entries published at random moments"
    )
    results = time_to_alert(runs, interval)
    columns = list(zip(*results, strict=True))
    email_totals = [waited + startup + work for waited, startup, work, _ in results]
    hook_totals = [waited + startup + hook for waited, startup, _, hook in results]

    def figures(values: tuple[float, ...] | list[float]) -> tuple[str, str]:
        return f"{statistics.median(values):.1f} s", f"{max(values):.1f} s"

    rows: list[tuple[str, ...]] = [
        ("", "email median", "email worst", "webhook median", "webhook worst")
    ]
    for label, email, hook in (
        ("wait for the next poll", columns[0], columns[0]),
        ("crawl process start", columns[1], columns[1]),
        ("feed fetched → received", columns[2], columns[3]),
        ("time to alert", email_totals, hook_totals),
    ):
        rows.append((label, *figures(email), *figures(hook)))
    print(measure.table(rows))
    target = interval / 2 + 3
    median = statistics.median(hook_totals)
    verdict = "met" if median <= target else "MISSED"
    print(
        f"webhook median {median:.1f} s {'≤' if median <= target else '>'} target"
        f" {target:.1f} s (half the polling interval + 3 s): {verdict}"
    )
    print()
    rate, per_email, emails = evaluation_cost(documents)
    print(
        f"Evaluation: one immediate rule over {documents} new documents (candidates + query filter)"
    )
    print(
        measure.table(
            [
                ("documents/s", f"{rate:,.0f}"),
                ("messages queued (a burst over 20 stories is one digest)", f"{emails}"),
                ("evaluation time per message queued", f"{per_email:.1f} ms"),
            ]
        )
    )
    return None


if __name__ == "__main__":
    sys.exit(main())
