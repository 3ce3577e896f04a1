"""``traceur purge`` in the corners of the data directory: the Elasticsearch spool, the run
history and the live log files (traceur/privacy/purge_files.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from traceur.cli.app import main
from traceur.config import Settings
from traceur.document import Document, content_hash, document_id
from traceur.orchestra.launch import SourceSummary
from traceur.orchestra.runs import RunLog
from traceur.privacy import logfiles
from traceur.privacy.logfiles import CRASH_LOG_NAME, log_file_handler, write_crash_log
from traceur.privacy.purge import purge
from traceur.privacy.retention import parse_policy
from traceur.store import open_store
from traceur.store.spool import Spool

NOW = datetime.now(UTC)
DAY = timedelta(days=1)


def _post(
    key: str, kind: str, text: str, published: datetime | None, fetched: datetime
) -> Document:
    url = f"https://forum.saint-aubin-echanges.example/sujet/{key}"
    return Document(
        id=document_id(url),
        url=url,
        canonical_url=url,
        domain="forum.saint-aubin-echanges.example",
        kind=kind,
        source_id="forum-saint-aubin",
        title=f"Re: {key}",
        text=text,
        author="Mireille du Lavoir",
        published_at=published,
        fetched_at=fetched,
        lang="fr",
        content_hash=content_hash("", text),
    )


OLD_POST = _post(
    "stationnement-rue-des-ecoles",
    "forum_post",
    "Honnêtement, la zone bleue RUE-DES-ÉCOLES c’est une catastrophe pour les parents qui"
    " déposent les enfants, et personne à la mairie ne répond à nos courriers.",
    NOW - 240 * DAY,
    NOW - 230 * DAY,
)
RECENT_POST = _post(
    "piscine-intercommunale",
    "forum_post",
    "La piscine intercommunale rouvre en janvier, paraît-il ; j’attendrai de voir les"
    " horaires avant de me réjouir, vu le chantier de l’an dernier.",
    NOW - 3 * DAY,
    NOW - 2 * DAY,
)
# An article of the same age as the old post: articles are kept 24 months.
OLD_ARTICLE = _post(
    "article-budget-participatif",
    "article",
    "Budget participatif : les habitants de Saint-Aubin ont retenu douze projets, dont des"
    " jardins partagés et une boîte à livres devant la médiathèque.",
    NOW - 240 * DAY,
    NOW - 230 * DAY,
)
OLD_DEAD_LETTER = _post(
    "vieux-message-refuse",
    "comment",
    "Commentaire refusé par l’index : je maintiens que le PASSAGE-DES-TANNEURS devait être"
    " rénové avant les élections, c’était dans le programme.",
    None,
    NOW - 200 * DAY,
)


def test_purge_removes_spooled_documents_past_their_kind_period_and_keeps_the_others(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    data_dir = Path(settings.data_dir)
    spool = Spool(data_dir / "es-spool")
    spool.add([OLD_POST, RECENT_POST, OLD_ARTICLE], "Elasticsearch injoignable")
    spool.add_dead_letters([(OLD_DEAD_LETTER, "mapper_parsing_exception")])
    spool.close()
    store = open_store(settings)
    try:
        dry = purge(settings, store, dry_run=True)
        spool = Spool(data_dir / "es-spool")
        assert spool.pending() == 3 and spool.dead_letter_count() == 1  # a dry run keeps all
        spool.close()
        report = purge(settings, store)
    finally:
        store.close()
    assert dry.spool == report.spool == 2
    spool = Spool(data_dir / "es-spool")
    try:
        waiting = {entry.document.id for batch in spool.entries(10) for entry in batch}
        assert waiting == {RECENT_POST.id, OLD_ARTICLE.id}
        assert spool.dead_letters() == []
    finally:
        spool.close()
    # Compacted with secure deletion: the texts are gone from the file itself.
    raw = b"".join(p.read_bytes() for p in (data_dir / "es-spool").iterdir() if p.is_file())
    assert "RUE-DES-ÉCOLES".encode() not in raw
    assert b"PASSAGE-DES-TANNEURS" not in raw


def test_purge_removes_runs_older_than_retention_but_keeps_what_source_health_reads(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    data_dir = Path(settings.data_dir)
    with RunLog.in_data_dir(data_dir) as runs:
        # A busy feed: 30 old runs, half with new documents, then a recent one.
        for age in range(130, 100, -1):
            runs.record(
                "flux-mairie",
                SourceSummary(pages=3, new=age % 2),
                "schedule",
                NOW - age * DAY,
                NOW - age * DAY + timedelta(minutes=2),
            )
        runs.record("flux-mairie", SourceSummary(pages=3, new=2), "schedule", NOW - DAY)
        # A forum silent for four months: its only runs are old, the last empty.
        for age in (150, 140, 130):
            runs.record(
                "forum-silencieux", SourceSummary(pages=1, new=1), "schedule", NOW - age * DAY
            )
        runs.record("forum-silencieux", SourceSummary(pages=1), "schedule", NOW - 120 * DAY)
    store = open_store(settings)
    try:
        dry = purge(settings, store, dry_run=True)
        report = purge(settings, store)
    finally:
        store.close()
    # Of the feed's 30 old runs, the 15 with new documents are its 20 latest such runs
    # (with the recent one): they stay; the 15 empty ones go. The forum keeps all four.
    assert dry.runs == report.runs == 15
    with RunLog.in_data_dir(data_dir) as runs:
        assert runs.totals("flux-mairie")[0] == 16
        assert all(run.new > 0 for run in runs.recent("flux-mairie", 100))
        assert runs.totals("forum-silencieux")[0] == 4
        assert runs.recent("forum-silencieux", 1)[0].new == 0  # the latest stays
    # A shorter period counts the same way: one day removes every old run not protected.
    shorter = make_settings(retention=parse_policy("runs=1d", settings.retention, from_env=True))
    store = open_store(shorter)
    try:
        assert purge(shorter, store, dry_run=True).runs == 0
    finally:
        store.close()


def _line(moment: datetime, text: str) -> str:
    stamp = moment.astimezone().strftime("%Y-%m-%d %H:%M:%S") + ",250"
    return f"{stamp} [traceur.crawl] INFO: {text}\n"


def test_purge_removes_old_lines_of_a_live_log_and_its_writer_keeps_appending(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    data_dir = Path(settings.data_dir)
    log_path = data_dir / "crawl.log"
    old = [
        _line(NOW - 45 * DAY, "source forum-saint-aubin : 12 pages, 3 nouvelles"),
        "Traceback (most recent call last):\n",
        '  File "crawl.py", line 1, in <module>\n',
        _line(NOW - 31 * DAY, "source flux-mairie : 4 pages, 0 nouvelle"),
    ]
    recent = [
        _line(NOW - 29 * DAY, "source flux-mairie : 5 pages, 1 nouvelle"),
        "  suite du message sur deux lignes\n",
        _line(NOW - DAY, "source forum-saint-aubin : 9 pages, 0 nouvelle"),
    ]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text("".join(old + recent), encoding="utf-8")
    # A rotated copy is not a live log: only its age counts (it is fresh here, so it stays).
    (data_dir / "crawl.log.1").write_text("".join(old), encoding="utf-8")
    # A scheduler running meanwhile holds the file open, as its handler does.
    handler = log_file_handler(log_path, settings)
    handler.setFormatter(logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s"))
    writer = logging.getLogger("test.purge.writer")
    writer.propagate = False
    writer.addHandler(handler)
    writer.setLevel(logging.INFO)
    store = open_store(settings)
    try:
        dry = purge(settings, store, dry_run=True)
        assert log_path.read_text(encoding="utf-8") == "".join(old + recent)
        report = purge(settings, store)
        writer.info("source flux-mairie : 2 pages, 0 nouvelle (après la purge)")
    finally:
        store.close()
        writer.removeHandler(handler)
        handler.close()
    assert dry.log_lines == report.log_lines == 4
    text = log_path.read_bytes().decode("utf-8")
    assert text.startswith("".join(recent))  # no hole, no zero bytes left by the truncation
    assert text.endswith("(après la purge)\n") and text.count("\n") == len(recent) + 1
    assert (data_dir / "crawl.log.1").read_text(encoding="utf-8") == "".join(old)


def test_purge_ages_out_crash_log_entries_with_their_tracebacks_in_both_places(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    data_dir = Path(settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    old_stamp = (NOW - 40 * DAY).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    old_entry = (
        f"{old_stamp} --- traceur search Kerhuel déchetterie\n"
        "Traceback (most recent call last):\n"
        "ZeroDivisionError: panne ancienne\n"
    )
    for crash in (data_dir / CRASH_LOG_NAME, logfiles.fallback_crash_log()):
        crash.write_text(old_entry, encoding="utf-8")
    assert write_crash_log(ZeroDivisionError("panne du jour"), ["status"], data_dir)
    assert write_crash_log(ZeroDivisionError("panne du jour"), ["status"], None)
    store = open_store(settings)
    try:
        report = purge(settings, store)
    finally:
        store.close()
    assert report.log_lines == 6
    for crash in (data_dir / CRASH_LOG_NAME, logfiles.fallback_crash_log()):
        text = crash.read_text(encoding="utf-8")
        assert "Kerhuel" not in text and "panne ancienne" not in text
        assert "--- traceur status" in text and "panne du jour" in text


def test_traceur_purge_prints_the_spool_the_live_log_lines_and_the_runs(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    data_dir = Path(settings.data_dir)
    spool = Spool(data_dir / "es-spool")
    spool.add([OLD_POST], "Elasticsearch injoignable")
    spool.close()
    with RunLog.in_data_dir(data_dir) as runs:
        for age in (200, 100):
            runs.record("flux-mairie", SourceSummary(pages=1), "run", NOW - age * DAY)
    (data_dir / "schedule.log").write_text(_line(NOW - 60 * DAY, "démarrage"), encoding="utf-8")
    result = CliRunner().invoke(main, ["purge", "--dry-run"], env=settings.to_env())
    assert result.exit_code == 0, result.output
    counts = {
        label: line.split()[-1]
        for line in result.stdout.splitlines()
        for label in ("es-spool", "journaux en cours", "passages de collecte (plus de 90 jours)")
        if label in line
    }
    assert counts == {
        "es-spool": "1",
        "journaux en cours": "1",
        "passages de collecte (plus de 90 jours)": "1",
    }
