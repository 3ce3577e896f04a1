"""The author filter on a SQLite store of 100,000 forum posts (20,000 with ``--quick``):
what an access request (``traceur search --author``) and the web app's "Auteur·rice"
filter cost, with the authors pseudonymised as a crawl stores them.

Each post is about 2 KB of text by one of 3,000 members. Printed: the load time, then the
time of one page of results by date, of ``search`` and of ``count`` for one member's name.
Figures only: nothing is asserted.

    python bench/bench_authors.py [--quick]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from traceur.document import Document, content_hash, document_id
from traceur.privacy.pseudonyms import Pseudonyms
from traceur.store import SearchQuery
from traceur.store.sqlite import SqliteStore

WORDS = (
    "la piscine intercommunale du quartier des Aubiers fermera tout l'hiver selon le"
    " conseil municipal et les riverains protestent contre le tracé du tramway"
).split()
MEMBERS = 3000


def _posts(count: int, names: Pseudonyms) -> list[Document]:
    now = datetime.now(UTC)
    rng = random.Random(7)
    posts = []
    for number in range(count):
        text = " ".join(rng.choice(WORDS) for _ in range(300))
        thread = f"http://forum.bench.example/viewtopic-{number // 12}.html"
        posts.append(
            Document(
                id=document_id(thread, str(number)),
                url=f"{thread}#p{number}",
                canonical_url=thread,
                domain="forum.bench.example",
                kind="forum_post",
                source_id="forum",
                title="Le tramway, encore",
                text=text,
                author=names.pseudonym(f"membre_{number % MEMBERS}"),
                published_at=now - timedelta(minutes=number),
                content_hash=content_hash("Le tramway, encore", text),
                thread_url=thread,
                post_id=str(number),
                position=number % 12 + 1,
            )
        )
    return posts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 posts instead of 100,000")
    count = 20_000 if parser.parse_args().quick else 100_000
    names = Pseudonyms(b"bench-key-" * 4)
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(Path(folder) / "bench.db")
        started = time.perf_counter()
        posts = _posts(count, names)
        for start in range(0, count, 2000):
            store.upsert(posts[start : start + 2000])
        print(f"{count} posts loaded in {time.perf_counter() - started:.1f} s")
        forms = tuple(names.stored_forms("Membre_42"))
        for label, call in (
            ("page by date", lambda: store.search_page(SearchQuery(authors=forms, sort="date"))),
            ("search", lambda: store.search(SearchQuery(authors=forms, limit=100))),
            ("count", lambda: store.count(SearchQuery(authors=forms))),
        ):
            call()
            started = time.perf_counter()
            call()
            print(f"  {label:<13} {1000 * (time.perf_counter() - started):7.1f} ms")
        store.close()


if __name__ == "__main__":
    main()
