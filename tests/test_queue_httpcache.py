"""The HTTP cache (ETag validators and the kept answers) shared through the work queue's
Redis: a page one worker fetched is asked conditionally by a worker on another machine,
which gets its 304 and reads the copy the first one kept; and the story clusters shared
the same way, so a wire story reprinted on two sites collected by two machines is one
cluster.

Real processes: redis-server, two ``python -m traceur worker`` with separate data
directories (two machines sharing a store), the bundled demo web on loopback, whose pages
carry an ETag and answer 304 when it still matches."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import isolated_settings
from tests.queuekit import Fleet, finished_job_ids, stored, wait_for
from tests.redisserver import RedisServer
from traceur.demo.localweb import LocalWeb
from traceur.demo.run import DEMO_WATCHLIST
from traceur.orchestra.runs import RunLog

pytestmark = pytest.mark.timeout(300)

BLOG_HOST = "blog.carnet-de-lucie.example"
FEED_HOST = "www.lagazette-des-deux-rives.example"


@pytest.fixture
def fleet(tmp_path: Path, demo_web: LocalWeb, redis_server: RedisServer) -> Iterator[Fleet]:
    settings = isolated_settings(tmp_path / "workers", demo_web, queue=redis_server.url)
    fleet = Fleet(tmp_path, settings.replace(queue_lease=3))
    yield fleet
    fleet.stop_all()


def cache_ttls(url: str) -> list[int]:
    import redis

    client = redis.Redis.from_url(url)
    try:
        return [int(client.ttl(name)) for name in client.scan_iter(match="traceur:httpcache:*")]
    finally:
        client.close()


def run_passes(fleet: Fleet, redis_url: str, machine: str, slot: int) -> None:
    """Start a worker with its own data directory, run one pass of the blog and the feed
    on it, and stop it."""
    from traceur.orchestra.queue.connection import raw_connection
    from traceur.orchestra.queue.passes import enqueue_pass

    worker = fleet.worker(machine, data_dir=fleet.root / machine)
    raw = raw_connection(fleet.settings)
    try:
        for source in ("carnet-de-lucie", "gazette"):
            enqueue_pass(raw, fleet.settings, source, 3600, slot, DEMO_WATCHLIST.read_text())
    finally:
        raw.close()
    jobs = {f"pass-carnet-de-lucie-{slot}", f"pass-gazette-{slot}"}
    wait_for(
        lambda: jobs <= set(finished_job_ids(redis_url)),
        180,
        f"the passes on {machine}:\n{fleet.output(machine)[-3000:]}",
    )
    worker.terminate()
    worker.wait(30)


def test_a_page_fetched_on_one_machine_is_answered_304_to_a_worker_on_another(
    tmp_path: Path, demo_web: LocalWeb, fleet: Fleet, redis_server: RedisServer
) -> None:
    run_passes(fleet, redis_server.url, "machine-1", 1)
    first = {(r.host, r.path): r.status for r in demo_web.requested() if r.method == "GET"}
    documents = stored(fleet.settings)
    blog_pages = [path for host, path in first if host == BLOG_HOST]
    assert len(blog_pages) >= 3
    assert {status for (host, _), status in first.items() if host == BLOG_HOST} == {200}
    # Kept in Redis for the retention period of the HTTP cache (14 days by default).
    assert 13 * 86400 < max(cache_ttls(redis_server.url)) <= 14 * 86400
    demo_web.clear_log()

    run_passes(fleet, redis_server.url, "machine-2", 2)
    second = [r for r in demo_web.requested() if r.method == "GET"]

    # Every page the second machine asked for again came back 304: it sent the validators
    # the first machine received, though its own data directory has never seen the site.
    blog_again = [r for r in second if r.host == BLOG_HOST]
    assert blog_again
    assert all(r.headers.get("If-None-Match") for r in blog_again)
    assert {r.status for r in blog_again} == {304}
    # The feed too: its 304 is read from the copy the first machine kept (no new entry).
    feed_again = {r.path: r.status for r in second if r.host == FEED_HOST}
    assert feed_again.get("/feeds/atom.xml") == 304
    assert set(feed_again.values()) == {304}
    for machine in ("machine-1", "machine-2"):
        assert not (tmp_path / machine / "httpcache").exists()
        assert not (tmp_path / machine / "clusters.db").exists()
    # The replayed pages found what the first pass stored: nothing new, nothing lost.
    assert stored(fleet.settings).keys() == documents.keys()
    with RunLog.in_data_dir(tmp_path / "machine-2") as runs:
        blog_run = runs.recent("carnet-de-lucie")[0]
    assert blog_run.result == "ok" and blog_run.new == 0


def test_forgetting_a_page_removes_it_from_the_shared_cache_and_cluster_index(
    tmp_path: Path, demo_web: LocalWeb, fleet: Fleet, redis_server: RedisServer
) -> None:
    import zlib

    import redis

    from traceur.orchestra.queue.clusters import RedisClusterIndex
    from traceur.orchestra.queue.connection import connect
    from traceur.privacy.forget import ForgetTarget, forget

    run_passes(fleet, redis_server.url, "machine-1", 1)
    post = next(
        d for d in stored(fleet.settings).values() if d.domain == BLOG_HOST and d.kind != "comment"
    )
    settings = fleet.settings.replace(data_dir=tmp_path / "dpo")

    def cached_pages_naming_it() -> int:
        client = redis.Redis.from_url(redis_server.url)
        try:
            names = list(client.scan_iter(match="traceur:httpcache:*"))
            pages = [zlib.decompress(client.get(name) or b"") for name in names]
        finally:
            client.close()
        assert names
        return sum(1 for page in pages if post.url.encode() in page)

    assert cached_pages_naming_it() >= 1
    report = forget(settings, ForgetTarget("url", post.url), by="dpo", dry_run=False)

    assert report.removed["http_cache"] >= 1
    assert report.removed["clusters"] >= 1
    assert cached_pages_naming_it() == 0
    index = RedisClusterIndex(connect(settings))
    try:
        assert index.cluster_of(post.id) is None
    finally:
        index.close()


ARTICLE_PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{title} — {site}</title></head>
<body>
<header><a href="/">{site}</a> · <a href="/abonnement">S'abonner</a></header>
<nav><a href="/politique">Politique</a> · <a href="/territoire">Territoire</a></nav>
<main><article>
<h1>{title}</h1>
<p class="auteur">Par la rédaction, publié le 26 novembre 2026</p>
{paragraphs}
</article></main>
<footer>© {site} — Mentions légales — Gestion des cookies</footer>
</body></html>
"""

WIRE_WATCHLIST = """\
candidates:
  - id: paul-verdier
    name: Paul Verdier
sources:
  - id: gazette-brenne
    kind: site
    url: http://www.gazette-brenne.example/territoire/bus-express.html
    match: "/territoire/"
    every: 1h
  - id: echo-vignes
    kind: site
    url: http://www.echo-vignes.example/actu/ligne-de-bus-express.html
    match: "/actu/"
    every: 1h
"""


def wire_site(root: Path, host: str, path: str, title: str, text: str) -> None:
    page = root / host / path
    page.parent.mkdir(parents=True, exist_ok=True)
    paragraphs = "\\n".join(f"<p>{sentence}.</p>" for sentence in text.split(". ") if sentence)
    page.write_text(
        ARTICLE_PAGE.format(title=title, site=host, paragraphs=paragraphs), encoding="utf-8"
    )


def test_a_wire_story_collected_on_two_machines_gets_one_cluster(tmp_path: Path) -> None:
    from tests.test_clusters import REPUBLISHED, STORY
    from traceur.orchestra.queue.connection import raw_connection
    from traceur.orchestra.queue.passes import enqueue_pass

    root = tmp_path / "sites"
    wire_site(
        root,
        "www.gazette-brenne.example",
        "territoire/bus-express.html",
        "Bus express : la Haute-Brenne dit oui",
        STORY,
    )
    wire_site(
        root,
        "www.echo-vignes.example",
        "actu/ligne-de-bus-express.html",
        "La ligne de bus express adoptée",
        REPUBLISHED,
    )
    server = RedisServer(tmp_path / "redis")
    server.start()
    web = LocalWeb(root)
    web.start()
    settings = isolated_settings(tmp_path / "workers", web, queue=server.url)
    fleet = Fleet(tmp_path, settings.replace(queue_lease=3))
    try:
        for machine, source in (("machine-1", "gazette-brenne"), ("machine-2", "echo-vignes")):
            worker = fleet.worker(machine, data_dir=tmp_path / machine)
            raw = raw_connection(settings)
            try:
                enqueue_pass(raw, settings, source, 3600, 1, WIRE_WATCHLIST)
            finally:
                raw.close()
            wait_for(
                lambda source=source: f"pass-{source}-1" in finished_job_ids(server.url),
                120,
                f"the pass on {machine}:\\n{fleet.output(machine)[-3000:]}",
            )
            worker.terminate()
            worker.wait(30)
        documents = stored(settings)
    finally:
        fleet.stop_all()
        web.stop()
        server.stop()

    by_site = {d.domain: d for d in documents.values()}
    assert set(by_site) == {"gazette-brenne.example", "echo-vignes.example"}
    head = by_site["gazette-brenne.example"]
    # Collected on another machine, with another data directory: the same cluster.
    assert by_site["echo-vignes.example"].cluster_id == head.id == head.cluster_id
