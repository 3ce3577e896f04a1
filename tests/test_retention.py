"""Retention on one machine: the ``retention:`` settings, ``traceur purge`` on the SQLite
store and the data directory, and the scheduler's daily purge.

Documents are dated in the past by their publication and collection dates, as a crawl
months ago would have stored them; a document expires when both are older than its
kind's period (the later of the two counts, see ``traceur.privacy.retention``).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from traceur.alerts.outbox import AlertState
from traceur.cli.app import main
from traceur.config import Settings, load_settings
from traceur.document import Document, content_hash, document_id
from traceur.enrich.clusters import ClusterIndex
from traceur.errors import ConfigError
from traceur.orchestra.scheduler import Daemon
from traceur.orchestra.state import CrawlState
from traceur.privacy.purge import LAST_PURGE_FILE, purge
from traceur.privacy.retention import Period, parse_period
from traceur.store import SearchQuery, open_store
from traceur.store.sqlite import SqliteStore

NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)

# Original French texts, one per document; the words in capitals are what searches look for.
TEXTS = {
    "vieil-article": (
        "Municipales : la liste de Claire Martin dévoile son programme BELVÉDÈRE pour le"
        " centre-bourg, entre piétonnisation de la place du Marché et navettes gratuites."
    ),
    "article-recent": (
        "Le conseil municipal de Saint-Aubin a voté le budget primitif ; l’opposition dénonce"
        " une hausse des tarifs de la cantine CHARDONNERET à la rentrée prochaine."
    ),
    "vieux-message": (
        "Je suis allée à la réunion publique mardi soir, salle Jean-Moulin : beaucoup de"
        " questions sur le tramway GRIBOUILLE et pas beaucoup de réponses, franchement."
    ),
    "message-ancien-collecte-hier": (
        "Réponse à un fil de 2019 remonté hier : le parking MIRABELLE n’a jamais été"
        " construit, contrairement à ce qui avait été promis avant les dernières élections."
    ),
    "vieux-commentaire": (
        "Merci pour cet article. Mon voisin dit que la candidate a raison sur les loyers,"
        " moi je pense que le quartier PAPILLON mérite mieux que des promesses."
    ),
    "billet-recent": (
        "Carnet de Lucie : au jardin partagé des Tilleuls, on a parlé du projet de"
        " médiathèque LUCIOLE et des horaires d’ouverture le dimanche matin."
    ),
    "vieille-video": (
        "Transcription : Élodie Arnaud répond aux questions des lycéens sur les transports"
        " scolaires et la ligne de bus HIRONDELLE qui doit desservir le collège."
    ),
}
# (key, kind, published, fetched): what expires with the default periods.
DATED = [
    ("vieil-article", "article", NOW - 26 * 31 * DAY, NOW - 25 * 31 * DAY),
    ("article-recent", "article", NOW - 20 * 30 * DAY, NOW - 20 * 30 * DAY),
    ("vieux-message", "forum_post", NOW - 220 * DAY, NOW - 215 * DAY),
    # Written in 2019, collected yesterday: the campaign has held it for a day.
    ("message-ancien-collecte-hier", "forum_post", datetime(2019, 3, 2, tzinfo=UTC), NOW - DAY),
    ("vieux-commentaire", "comment", None, NOW - 200 * DAY),
    ("billet-recent", "blog_post", NOW - 150 * DAY, NOW - 150 * DAY),
    ("vieille-video", "video", NOW - 300 * DAY, NOW - 250 * DAY),
]
EXPIRED = {"vieil-article", "vieux-message", "vieux-commentaire", "vieille-video"}


def make_document(key: str, kind: str, published: datetime | None, fetched: datetime) -> Document:
    url = f"https://www.veille-du-val.example/{kind}/{key}.html"
    text = TEXTS[key]
    return Document(
        id=document_id(url),
        url=url,
        canonical_url=url,
        domain="www.veille-du-val.example",
        kind=kind,
        source_id="val",
        title=f"Titre : {key}",
        text=text,
        author="Rédaction du Val",
        published_at=published,
        fetched_at=fetched,
        lang="fr",
        content_hash=content_hash("", text),
    )


DOCS = {
    key: make_document(key, kind, published, fetched) for key, kind, published, fetched in DATED
}


def fill(settings: Settings) -> SqliteStore:
    store = open_store(settings)
    assert isinstance(store, SqliteStore)
    store.upsert(DOCS.values())
    return store


def found(store: SqliteStore, word: str) -> int:
    return store.count(SearchQuery(text=word))


# -- the settings ------------------------------------------------------------------------


def test_default_periods_are_the_campaign_ones_and_a_file_may_change_some(
    tmp_path: Path,
) -> None:
    defaults = load_settings(environ={}).retention
    assert defaults.article == Period(months=24)
    assert {defaults.for_kind(k) for k in ("forum_post", "blog_post", "comment", "video")} == {
        Period(months=6)
    }
    assert (
        defaults.versions,
        defaults.http_cache,
        defaults.logs,
        defaults.alert_outbox,
        defaults.runs,
    ) == (Period(days=30), Period(days=14), Period(days=30), Period(days=90), Period(days=90))
    config = tmp_path / "campagne.yaml"
    config.write_text("retention:\n  forum_post: 3mo\n  logs: 2w\n", encoding="utf-8")
    mine = load_settings(config, environ={"TRACEUR_RETENTION": "comment=45d"}).retention
    assert (mine.forum_post, mine.logs, mine.comment) == (
        Period(months=3),
        Period(days=14),
        Period(days=45),
    )
    assert mine.article == Period(months=24)  # not in the file: the default stays
    # What a child process receives reads back the same.
    again = load_settings(environ=load_settings(config, environ={}).to_env()).retention
    assert again == load_settings(config, environ={}).retention


def test_calendar_months_end_on_the_last_day_of_a_shorter_month() -> None:
    assert Period(months=1).cutoff(datetime(2026, 3, 31, 12, tzinfo=UTC)) == datetime(
        2026, 2, 28, 12, tzinfo=UTC
    )
    assert Period(months=24).cutoff(datetime(2026, 12, 3, tzinfo=UTC)) == datetime(
        2024, 12, 3, tzinfo=UTC
    )
    # Minutes are not a retention unit: "6m" must never empty the store in six minutes.
    with pytest.raises(ValueError, match="d \\(days\\), w \\(weeks\\) or mo \\(months\\)"):
        parse_period("6m")


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (
            "retention:\n  article: 24mo\n  forum_post: 6 mois\n",
            r"campagne\.yaml:3: retention: forum_post: '6 mois' is not a retention period;"
            " write a whole number and a unit",
        ),
        (
            "retention:\n  forum_posts: 6mo\n",
            r"campagne\.yaml:\d+: retention: unknown key 'forum_posts'; the keys are article,",
        ),
        (
            "retention: 6mo\n",
            r"campagne\.yaml:1: retention: must be a mapping of periods, one per line",
        ),
    ],
)
def test_a_malformed_retention_setting_names_file_line_key_and_fix_and_exits_non_zero(
    tmp_path: Path, block: str, expected: str
) -> None:
    config = tmp_path / "campagne.yaml"
    config.write_text(block, encoding="utf-8")
    with pytest.raises(ConfigError, match=expected):
        load_settings(config, environ={})
    result = CliRunner().invoke(main, ["--config", str(config), "purge", "--dry-run"], env={})
    assert result.exit_code == 2
    assert "campagne.yaml" in result.stderr and "Traceback" not in result.output


def test_a_purge_time_that_is_no_time_of_day_is_refused() -> None:
    with pytest.raises(ConfigError, match="purge_at: '25:00' is not a time of day; write HH:MM"):
        load_settings(environ={"TRACEUR_PURGE_AT": "25:00"})


# -- the SQLite store ----------------------------------------------------------------------


def test_purge_removes_expired_documents_of_each_kind_and_keeps_recent_ones(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    store = fill(settings)
    try:
        report = purge(settings, store)
        by_kind = dict(report.store.documents)
        assert by_kind == {"article": 1, "forum_post": 1, "comment": 1, "blog_post": 0, "video": 1}
        for key, document in DOCS.items():
            assert (store.get(document.id) is None) == (key in EXPIRED), key
        # The full-text index forgot the purged texts and still finds the kept ones.
        for word in ("BELVÉDÈRE", "GRIBOUILLE", "PAPILLON", "HIRONDELLE"):
            assert found(store, word) == 0, word
        for word in ("CHARDONNERET", "MIRABELLE", "LUCIOLE"):
            assert found(store, word) == 1, word
        assert store.count() == len(DOCS) - len(EXPIRED)
        # A second purge finds nothing more to do.
        assert sum(purge(settings, store).store.documents.values()) == 0
    finally:
        store.close()
    raw = Path(str(settings.store).removeprefix("sqlite:///"))
    for path in raw.parent.glob(raw.name + "*"):  # the file, its WAL and shared memory
        assert b"GRIBOUILLE" not in path.read_bytes(), path


def test_triage_comments_and_versions_of_a_purged_document_go_with_it(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    store = fill(settings)
    old, kept = DOCS["vieux-message"], DOCS["billet-recent"]
    try:
        for document in (old, kept):
            store.update_triage(
                document.id,
                by="lucie",
                expected_revision=0,
                state="a_traiter",
                comment="Ton agressif, à signaler à l’équipe de Claire Martin.",
            )
        # Both were edited once: each has an earlier version.
        store.upsert(
            [
                Document.from_dict({**d.to_dict(), "text": d.text + " (modifié)"})
                for d in (old, kept)
            ]
        )
        assert len(store.versions(old.id)) == len(store.versions(kept.id)) == 1
        report = purge(settings, store)
        assert (report.store.triage, report.store.triage_events, report.store.versions) == (1, 2, 1)
        assert store.triage([old.id])[old.id].revision == 0  # never triaged, as far as it knows
        assert store.triage_history(old.id) == [] and store.versions(old.id) == []
        assert store.triage([kept.id])[kept.id].state == "a_traiter"
        assert [e.action for e in store.triage_history(kept.id)] == ["state", "comment"]
        assert len(store.versions(kept.id)) == 1
        # A month later the earlier version of the kept document has expired on its own.
        later = purge(settings, store, now=NOW + 31 * DAY)
        assert later.store.versions == 1 and store.versions(kept.id) == []
        assert store.get(kept.id) is not None
    finally:
        store.close()


def test_dry_run_removes_nothing_and_prints_the_counts_the_purge_then_removes(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    fill(settings).close()
    runner = CliRunner()
    dry = runner.invoke(main, ["purge", "--dry-run"], env=settings.to_env())
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.startswith("Simulation (--dry-run) : rien n’a été supprimé")
    store = open_store(settings)
    assert store.count() == len(DOCS)
    store.close()
    real = runner.invoke(main, ["purge"], env=settings.to_env())
    assert real.exit_code == 0, real.output
    assert real.stdout.splitlines()[1:] == dry.stdout.splitlines()[1:]
    lines = real.stdout.splitlines()
    assert any(
        line.startswith("  messages de forum (plus de 6 mois)") and line.endswith(" 1")
        for line in lines
    )
    assert any(
        line.startswith("  articles (plus de 24 mois)") and line.endswith(" 1") for line in lines
    )
    # Counts, never content; the operators' line is English.
    assert "GRIBOUILLE" not in real.output and "vieux-message" not in real.output
    assert "purge: SQLite store: 4 documents" in real.stderr
    store = open_store(settings)
    assert store.count() == len(DOCS) - len(EXPIRED)
    store.close()


# -- the data directory ---------------------------------------------------------------------


def _age(path: Path, days: float) -> None:
    moment = time.time() - days * 86400
    os.utime(path, (moment, moment))


def _outbox(data_dir: Path, key: str, created: datetime, sent: bool) -> None:
    message = EmailMessage()
    message["Subject"] = "[Traceur] Nouveau message sur le forum"
    message.set_content("« Je suis allée à la réunion publique mardi soir » — extrait du forum.")
    with AlertState.in_data_dir(data_dir) as state:
        with state.transaction(now=created) as txn:
            txn.enqueue(key, "forum-immediat", message, ["equipe@example.org"])
        if sent:
            state.mark_sent(key, now=created)


def test_purge_clears_the_data_directory_of_expired_cache_outbox_logs_and_cluster_entries(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    data_dir = Path(settings.data_dir)
    store = fill(settings)
    old = DOCS["vieux-message"]
    long_text = " ".join([TEXTS["vieux-message"]] * 6)
    index = ClusterIndex.in_data_dir(data_dir)
    for document in (old, DOCS["billet-recent"]):
        index.assign(Document.from_dict({**document.to_dict(), "text": long_text}))
    index.close()
    state = CrawlState.in_data_dir(data_dir)
    state.record_revision(old.id, old.content_hash or "", old.title, len(old.text))
    state.mark_seen("val", "https://www.veille-du-val.example/fil/2019.html")
    state.close()
    cache = data_dir / "httpcache" / "forum" / "ab"
    cache.mkdir(parents=True)
    (cache / "ab01.z").write_bytes(b"vieille page")
    (cache / "ab02.z").write_bytes(b"page du jour")
    _age(cache / "ab01.z", 15)
    (data_dir / "crawl.log").write_text("journal courant\n", encoding="utf-8")
    (data_dir / "crawl.log.1").write_text("journal d’hier\n", encoding="utf-8")
    (data_dir / "schedule.log.2026-10-01").write_text("vieux journal\n", encoding="utf-8")
    _age(data_dir / "crawl.log", 45)  # the live log is never removed, however old
    _age(data_dir / "schedule.log.2026-10-01", 45)
    _outbox(data_dir, "vieux-envoye", NOW - 100 * DAY, sent=True)
    _outbox(data_dir, "vieux-en-attente", NOW - 95 * DAY, sent=False)
    _outbox(data_dir, "recent", NOW - 10 * DAY, sent=True)
    try:
        dry = purge(settings, store, dry_run=True)
        report = purge(settings, store)
    finally:
        store.close()
    for counted in (dry, report):
        assert counted.clusters == 1 and counted.revisions == 1
        assert (counted.http_cache.files, counted.logs.files) == (1, 1)
        assert (counted.outbox_sent, counted.outbox_unsent) == (1, 1)
        assert counted.seen_entries == 0  # seen yesterday: it still guards the feed
    assert not (cache / "ab01.z").exists() and (cache / "ab02.z").exists()
    assert sorted(p.name for p in data_dir.glob("*.log*")) == ["crawl.log", "crawl.log.1"]
    with AlertState.in_data_dir(data_dir) as alerts:
        assert [m[0] for m in alerts.messages()] == ["recent"]
    index = ClusterIndex.in_data_dir(data_dir)
    assert index.cluster_of(old.id) is None
    assert index.cluster_of(DOCS["billet-recent"].id) is not None
    index.close()
    state = CrawlState.in_data_dir(data_dir)
    assert state.revisions(old.id) == []
    state.close()
    assert json.loads((data_dir / LAST_PURGE_FILE).read_text(encoding="utf-8"))["documents"] == 4


def test_a_purge_on_a_fresh_data_directory_creates_no_file(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    store = open_store(settings)
    try:
        report = purge(settings, store, dry_run=True)
    finally:
        store.close()
    assert report.documents == 0
    assert not Path(settings.data_dir).exists() or not any(Path(settings.data_dir).iterdir())


# -- the scheduler --------------------------------------------------------------------------

WATCHLIST = """\
candidates:
  - id: claire-martin
    name: Claire Martin
sources:
  - {id: val, kind: forum, url: "http://forum.veille-du-val.example/", every: 1h, enabled: false}
"""


def test_the_scheduler_purges_daily_at_purge_at_and_status_shows_it(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    from traceur.orchestra.scheduler.status import status as read_status

    settings = make_settings(scheduler_jitter=0, purge_at="04:15")
    fill(settings).close()
    watchlist = tmp_path / "veille.yaml"
    watchlist.write_text(WATCHLIST, encoding="utf-8")
    daemon = Daemon(settings, watchlist, tick=0.2)
    daemon.start()  # paused
    try:
        job = daemon.scheduler.get_job("maintenance:purge", jobstore="default")
        nxt = job.next_run_time
        assert (nxt.hour, nxt.minute, str(nxt.tzinfo)) == (4, 15, "Europe/Paris")
        assert nxt - datetime.now(UTC) <= timedelta(days=1)
        # Due now: the running scheduler purges.
        daemon.scheduler.modify_job(
            "maintenance:purge", jobstore="default", next_run_time=datetime.now(UTC)
        )
        daemon.scheduler.resume()
        last = Path(settings.data_dir) / LAST_PURGE_FILE
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not last.exists():
            time.sleep(0.1)
        assert json.loads(last.read_text(encoding="utf-8"))["documents"] == len(EXPIRED)
        after = daemon.scheduler.get_job("maintenance:purge", jobstore="default").next_run_time
        assert (after.hour, after.minute) == (4, 15) and after > datetime.now(UTC)
        daemon.lock.acquire()  # what `traceur schedule` holds: status then shows next runs
        try:
            report = read_status(settings, watchlist)
        finally:
            daemon.lock.release()
        assert report.purge_last is not None and report.purge_last["documents"] == len(EXPIRED)
        assert report.purge_next == after
        shown = CliRunner().invoke(
            main, ["status", "--watchlist", str(watchlist)], env=settings.to_env()
        )
        assert shown.exit_code == 0, shown.output
        assert "Retention purge: last " in shown.stdout
        assert f"({len(EXPIRED)} documents removed)" in shown.stdout
        assert "(daily at 04:15)" in shown.stdout
    finally:
        daemon.stop()
    store = open_store(settings)
    assert store.count() == len(DOCS) - len(EXPIRED)
    store.close()


def test_a_purge_that_frees_a_large_share_of_the_file_compacts_it(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    store = open_store(settings)
    assert isinstance(store, SqliteStore)
    phrase = (
        "Sur le forum du quartier, un habitant raconte la fermeture du bureau de poste et"
        " demande aux candidats ce qu’ils comptent faire pour les services publics. "
    )
    model = DOCS["vieux-message"].to_dict()
    posts = []
    for n in range(300):
        url = f"https://forum.veille-du-val.example/t/{n}"
        # Nine posts in ten were collected seven months ago; the tenth yesterday.
        fetched = NOW - (200 if n % 10 else 1) * DAY
        posts.append(
            Document.from_dict(
                {
                    **model,
                    "id": document_id(url),
                    "url": url,
                    "canonical_url": url,
                    "published_at": None,
                    "text": f"Message {n}. " + phrase * 8,
                    "fetched_at": fetched.isoformat(),
                }
            )
        )
    store.upsert(posts)
    path = Path(str(store.path))
    store.close()
    before = path.stat().st_size
    store = open_store(settings)
    try:
        report = purge(settings, store)
    finally:
        store.close()
    assert report.store.documents["forum_post"] == 270 and report.store.compacted
    assert path.stat().st_size < before / 3
