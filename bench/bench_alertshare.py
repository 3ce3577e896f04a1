"""What sharing the alert state through Redis costs the scheduler leader (``queue:`` set).

The leader publishes its whole ``alerts.db`` after every committed change (an evaluation
that queued something, a message marked sent or failed, a purge), and a new leader
restores it (traceur/orchestra/queue/alertstate.py). This builds a realistic file with
the real evaluator: an immediate rule, one message per matching article (no pacing),
``--per-day`` new articles a day for ``--days`` days (the retention of the outbox is 90
days), each article its own French text, every message sent. Then, against a real local
Redis (Debian's ``redis-server``): the file's size, the image's size compressed, and the
time to take the image, compress it and publish it (the cost added to every change), and
to restore it (once per takeover). Median of ``--repeat`` publications.

    .venv/bin/python bench/bench_alertshare.py [--days 90] [--per-day 300] [--quick]

``--quick``: 10 days.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from bench_alerts import HOST, PEOPLE, WATCHLIST  # noqa: E402
from corpus_text import NEWS, NEWS_CANDIDATE, TOWNS, Writer  # noqa: E402

from tests.redisserver import RedisServer  # noqa: E402
from traceur.alerts.evaluate import Evaluator  # noqa: E402
from traceur.alerts.outbox import AlertState  # noqa: E402
from traceur.config import load_settings  # noqa: E402
from traceur.document import Document, content_hash, document_id  # noqa: E402
from traceur.enrich.tagging import Tagger  # noqa: E402
from traceur.orchestra.queue.alertstate import AlertSnapshots, restore_image  # noqa: E402
from traceur.orchestra.queue.connection import LEADER_KEY, connect  # noqa: E402
from traceur.store.sqlite import SqliteStore  # noqa: E402
from traceur.watchlist.loader import load_watchlist  # noqa: E402

SEED = 20261203


def _articles(rng: random.Random, day: datetime, count: int, first: int) -> list[Document]:
    docs = []
    for number in range(first, first + count):
        writer = Writer(rng, "news", rng.choice(TOWNS), "le budget", [])
        person = rng.choice(PEOPLE)
        text = f"{person} s'est exprimée devant les habitants du quartier. " + " ".join(
            writer.paragraph(NEWS, NEWS_CANDIDATE, 0.0, (3, 6)) for _ in range(4)
        )
        url = f"http://{HOST}/politique/{day:%Y/%m/%d}/article-{number}.html"
        docs.append(
            Document(
                id=document_id(url),
                url=url,
                canonical_url=url,
                domain=HOST,
                kind="article",
                source_id="quotidien-politique",
                title=f"{person} au conseil municipal : séance {number}",
                text=text,
                published_at=day + timedelta(seconds=number % 86400),
                fetched_at=day + timedelta(seconds=number % 86400),
                content_hash=content_hash("", text),
            )
        )
    return docs


def build(root: Path, days: int, per_day: int) -> tuple[Path, int, float]:
    """(alerts.db, messages, seconds) for ``days`` of ``per_day`` matching articles."""
    rng = random.Random(SEED)
    path = root / "veille.yaml"
    path.write_text(
        WATCHLIST
        % {"host": HOST, "feed": "/rss.xml", "every": 60, "webhook": "equipe@example.org"},
        encoding="utf-8",
    )
    watchlist = load_watchlist(path)
    tagger = Tagger(watchlist)
    settings = load_settings().replace(
        data_dir=root, alert_batch_seconds=0, alert_cluster_cooldown_seconds=0
    )
    settings = settings.replace(alert_max_per_hour=0)
    store = SqliteStore(root / "docs.db")
    state = AlertState(root / "alerts.db")
    evaluator = Evaluator(settings, watchlist, store, state)
    rule = watchlist.alerts[0]
    start = datetime.now(UTC) - timedelta(days=days)
    evaluator.evaluate(rule, start)
    began = time.perf_counter()
    for day in range(days):
        moment = start + timedelta(days=day)
        for number, doc in enumerate(_articles(rng, moment, per_day, day * per_day)):
            # Each article found by its own evaluation: one message each, as a day of
            # scattered mentions gives (a burst would go as one digest).
            at = moment + timedelta(minutes=4 * number)
            store.upsert([tagger.apply(doc)])
            evaluator.evaluate(rule, at)
            # Sent: marked as the sender does, without a mail server.
            for queued in state.claim_due(at, limit=100):
                state.mark_sent(queued.key, at)
    seconds = time.perf_counter() - began
    messages = len(state.messages())
    store.close()
    state.close()
    return root / "alerts.db", messages, seconds


def main() -> int | None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--per-day", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick or os.environ.get("TRACEUR_BENCH_QUICK") == "1":
        args.days = 10
    with tempfile.TemporaryDirectory(prefix="traceur-bench-alertshare-") as tmp:
        root = Path(tmp)
        path, messages, seconds = build(root, args.days, args.per_day)
        print(
            f"alerts.db: {args.days} days x {args.per_day} matches/day = {messages} messages"
            f" (built in {seconds:.0f} s), {path.stat().st_size / 1e6:.1f} MB"
        )
        redis_server = RedisServer(root / "redis")
        redis_server.start()
        try:
            settings = load_settings().replace(queue=redis_server.url)
            client = connect(settings, binary=True)
            client.set(LEADER_KEY, "bench:1")
            snapshots = AlertSnapshots(client, "bench:1")
            state = AlertState(path)
            image_s, zip_s, publish_s = [], [], []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                image = state._db.serialize()  # noqa: SLF001 - what publish_if_changed takes
                t1 = time.perf_counter()
                packed = zlib.compress(image, 1)
                t2 = time.perf_counter()
                snapshots.publish(image)
                t3 = time.perf_counter()
                image_s.append(t1 - t0)
                zip_s.append(t2 - t1)
                publish_s.append(t3 - t0)
            state.close()
            t0 = time.perf_counter()
            restore_image(zlib.decompress(client.get("traceur:alerts:snapshot")), root / "b.db")
            restore_s = time.perf_counter() - t0
            client.close()
        finally:
            redis_server.stop()
        print(
            f"image {len(image) / 1e6:.1f} MB, compressed {len(packed) / 1e6:.1f} MB"
            f" ({len(packed) / len(image):.0%}), {len(packed) / max(messages, 1) / 1e3:.2f} kB"
            " per message"
        )
        print(
            f"per publication (median of {args.repeat}):"
            f" image {statistics.median(image_s) * 1e3:.0f} ms,"
            f" compression {statistics.median(zip_s) * 1e3:.0f} ms, whole publication"
            f" (image + compression + Redis) {statistics.median(publish_s) * 1e3:.0f} ms"
        )
        print(f"restore on takeover: {restore_s * 1e3:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
