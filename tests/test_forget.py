"""``traceur forget`` on the SQLite store: a real crawl of the fixture forum and blog (a
local web on a random port), the team's data on top, the request, then a search of every
file for what was forgotten, and a second crawl that must not bring it back."""

from __future__ import annotations

import shutil
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SITES, isolated_settings
from tests.forget_kit import (
    AUTHOR,
    BLOG_POST,
    KEPT_LOG_LINE,
    LEAKED_LOG_LINE,
    SOURCES,
    add_team_data,
    by_author,
    documents,
    forget_cli,
    traces_in_files,
    traces_in_sqlite_store,
)
from tests.test_crawl import write_watchlist
from traceur.alerts.outbox import AlertState
from traceur.config import Settings
from traceur.demo.localweb import LocalWeb
from traceur.orchestra.passes import run_pass
from traceur.privacy.forget_files import REDACTED_SUBJECT
from traceur.privacy.forget_register import REGISTER_FILE, load_forgotten
from traceur.privacy.pseudonyms import pseudonyms_for, stored_author_forms
from traceur.store import open_store, sqlite_path
from traceur.store.spool import Spool

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def web() -> Iterator[LocalWeb]:
    with LocalWeb(SITES) as served:
        yield served


@pytest.fixture(scope="module")
def collected(web: LocalWeb, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One crawl of the forum and the blog, plus the team's data, kept as a template each
    test copies (a request changes it)."""
    directory = tmp_path_factory.mktemp("collected")
    settings = isolated_settings(directory, web)
    summary = run_pass(settings, write_watchlist(directory, SOURCES), quiet=True)
    assert summary.total("new") == 10
    store = open_store(settings)
    try:
        add_team_data(store, settings)
    finally:
        store.close()
    return directory


@pytest.fixture
def copy(collected: Path, tmp_path: Path, web: LocalWeb) -> tuple[Path, Settings]:
    directory = tmp_path / "traceur"
    shutil.copytree(collected, directory)
    return directory, isolated_settings(directory, web)


def _second_pass(directory: Path, settings: Settings) -> dict[str, int]:
    summary = run_pass(settings, directory / "watchlist.yaml", quiet=True)
    assert not summary.errors()
    return {source: s.privacy_skipped for source, s in summary.sources.items()}


def test_forgetting_an_author_leaves_no_trace_in_any_file_and_a_second_crawl_skips_her(
    copy: tuple[Path, Settings],
) -> None:
    directory, settings = copy
    assert traces_in_files(directory), "the crawl and the team's data hold her traces"
    others = {
        d.id
        for d in documents(settings).values()
        if d.author not in stored_author_forms(AUTHOR, settings)
    }

    result = forget_cli(directory, settings, "--author", AUTHOR, "--by", "dpo-campagne")

    assert result.exit_code == 0, result.output
    assert "documents (messages, commentaires, pages)           3" in result.output
    assert "alertes expurgées (envoi conservé)                  1" in result.output
    assert AUTHOR not in result.output  # counts, never content
    assert traces_in_files(directory) == []
    assert traces_in_sqlite_store(sqlite_path(settings.store)) == []
    assert set(documents(settings)) == others
    log = (settings.data_dir / "crawl.log").read_text(encoding="utf-8")
    assert LEAKED_LOG_LINE not in log and KEPT_LOG_LINE in log

    # The alert that quoted her is redacted, and still recorded as sent.
    state = AlertState.in_data_dir(settings.data_dir)
    try:
        sent = {key: (status, subject) for key, status, subject, _ in state.messages()}
    finally:
        state.close()
    assert sent["alerte-hers"] == ("sent", REDACTED_SUBJECT)
    assert sent["alerte-other"][0] == "sent"
    assert sent["alerte-other"][1] != REDACTED_SUBJECT

    skipped = _second_pass(directory, settings)

    assert skipped == {"quais": 2, "carnets": 1}
    assert by_author(settings, AUTHOR) == []
    assert set(documents(settings)) == others
    assert traces_in_files(directory) == []


def test_documents_waiting_in_the_elasticsearch_spool_are_forgotten_too(
    copy: tuple[Path, Settings],
) -> None:
    directory, settings = copy
    spool = Spool(settings.data_dir / "es-spool")
    try:
        waiting = list(documents(settings).values())
        spool.add(waiting, "Elasticsearch injoignable")
        spool.add_dead_letters(
            [
                (d, "mapping refusé")
                for d in waiting
                if d.author in stored_author_forms(AUTHOR, settings)
            ]
        )
    finally:
        spool.close()
    # A rotated log (the size and age rotation of issue 13) is rewritten like the current one.
    (settings.data_dir / "crawl.log.1").write_text(LEAKED_LOG_LINE, encoding="utf-8")

    result = forget_cli(directory, settings, "--author", AUTHOR)

    assert result.exit_code == 0, result.output
    assert "documents en attente pour Elasticsearch             6" in result.output
    spool = Spool(settings.data_dir / "es-spool")
    try:
        assert spool.pending() == len(waiting) - 3
        assert spool.dead_letter_count() == 0
    finally:
        spool.close()
    assert traces_in_files(directory) == []


def test_the_register_keeps_who_when_and_what_kind_but_neither_name_nor_key_in_clear(
    copy: tuple[Path, Settings],
) -> None:
    directory, settings = copy
    assert forget_cli(directory, settings, "--author", AUTHOR, "--by", "dpo").exit_code == 0

    db = sqlite3.connect(settings.data_dir / REGISTER_FILE)
    rows = db.execute(
        "SELECT kind, target, requested_by, dry_run, removed FROM requests"
    ).fetchall()
    db.close()
    assert len(rows) == 1
    kind, target, by, dry_run, removed = rows[0]
    assert (kind, by, dry_run) == ("author", "dpo", 0)
    assert len(target) == 64 and AUTHOR.lower() not in target.lower()
    assert '"documents": 3' in removed
    key_file = settings.data_dir / "privacy-key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_a_dry_run_counts_what_would_go_and_removes_nothing(
    copy: tuple[Path, Settings],
) -> None:
    directory, settings = copy
    before = traces_in_files(directory)

    result = forget_cli(directory, settings, "--author", AUTHOR, "--dry-run")

    assert result.exit_code == 0, result.output
    assert "simulation" in result.output
    assert "documents (messages, commentaires, pages)           3" in result.output
    assert len(by_author(settings, AUTHOR)) == 3
    assert traces_in_files(directory) == before
    assert not (settings.data_dir / REGISTER_FILE).exists()


def test_source_restricts_an_author_request_to_that_source(copy: tuple[Path, Settings]) -> None:
    directory, settings = copy

    result = forget_cli(directory, settings, "--author", AUTHOR, "--source", "carnets")

    assert result.exit_code == 0, result.output
    assert sorted(d.kind for d in by_author(settings, AUTHOR)) == ["forum_post", "forum_post"]
    assert _second_pass(directory, settings) == {"quais": 0, "carnets": 1}
    assert sorted(d.kind for d in by_author(settings, AUTHOR)) == ["forum_post", "forum_post"]


def test_forgetting_a_page_removes_it_with_its_comments_and_it_is_not_stored_again(
    copy: tuple[Path, Settings],
) -> None:
    directory, settings = copy

    result = forget_cli(directory, settings, "--url", BLOG_POST)

    assert result.exit_code == 0, result.output
    assert "documents (messages, commentaires, pages)           4" in result.output
    left = documents(settings).values()
    assert [d for d in left if d.url.startswith(BLOG_POST)] == []
    # Log lines go when they name the address; the line an older Traceur wrote with her
    # comment's text but no address is for an --author request (the first test).
    assert traces_in_files(directory, ("colliers de serrage", "vannes de l'")) == [
        "data/crawl.log: colliers de serrage"
    ]
    assert _second_pass(directory, settings) == {"quais": 0, "carnets": 4}
    assert [d for d in documents(settings).values() if d.url.startswith(BLOG_POST)] == []


def test_forgetting_one_document_keeps_the_rest_of_its_thread(copy: tuple[Path, Settings]) -> None:
    directory, settings = copy
    target = next(
        d
        for d in documents(settings).values()
        if d.author in stored_author_forms("Mamie Odette", settings)
    )

    result = forget_cli(directory, settings, "--document", target.id)

    assert result.exit_code == 0, result.output
    assert "documents (messages, commentaires, pages)           1" in result.output
    assert target.id not in documents(settings)
    assert len(by_author(settings, AUTHOR)) == 3
    assert traces_in_files(directory, ("caddie",)) == []
    assert _second_pass(directory, settings) == {"quais": 1, "carnets": 0}
    assert target.id not in documents(settings)
    assert len(by_author(settings, AUTHOR)) == 3


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ((), "indiquez une seule chose à effacer"),
        (("--author", AUTHOR, "--url", BLOG_POST), "indiquez une seule chose à effacer"),
        (("--url", BLOG_POST, "--source", "carnets"), "--source ne s'emploie qu'avec --author"),
        (("--url", "forum.quais-du-cher.example/forums/"), "n'est pas une adresse"),
        (("--author", "   "), "est vide"),
    ],
)
def test_a_malformed_request_is_refused_in_french_before_anything_is_removed(
    copy: tuple[Path, Settings], args: tuple[str, ...], says: str
) -> None:
    directory, settings = copy
    before = len(documents(settings))

    result = forget_cli(directory, settings, *args)

    assert result.exit_code != 0
    assert says in result.output
    assert "Traceback" not in result.output
    assert len(documents(settings)) == before
    assert not (settings.data_dir / REGISTER_FILE).exists()


def test_a_request_before_any_crawl_creates_no_store_and_the_first_crawl_skips_her(
    web: LocalWeb, tmp_path: Path
) -> None:
    settings = isolated_settings(tmp_path, web)

    result = forget_cli(tmp_path, settings, "--author", AUTHOR)

    assert result.exit_code == 0, result.output
    assert not sqlite_path(settings.store).exists()
    summary = run_pass(settings, write_watchlist(tmp_path, SOURCES), quiet=True)
    assert summary.sources["quais"].privacy_skipped == 2
    assert by_author(settings, AUTHOR) == []


def test_a_request_covers_the_pseudonym_the_store_holds_the_author_as(
    web: LocalWeb, tmp_path: Path
) -> None:
    settings = isolated_settings(tmp_path, web)
    assert settings.pseudonymize_authors
    forms = stored_author_forms(AUTHOR, settings)
    pseudonym = pseudonyms_for(settings).pseudonym(AUTHOR)
    assert forms == [AUTHOR, pseudonym]

    assert forget_cli(tmp_path, settings, "--author", AUTHOR).exit_code == 0

    forgotten = load_forgotten(settings.data_dir, settings.privacy_key)
    # What a crawl collects is already pseudonymised: it is recognised all the same.
    assert forgotten.author(pseudonym, "quais")
    assert forgotten.author(AUTHOR, "quais")
    assert not forgotten.author(pseudonyms_for(settings).pseudonym("Yvon_Le_Goff"), "quais")


SITE_SOURCE = (
    "  - id: carnets-site\n    kind: site\n    url: 'http://blog.carnets-du-cher.example/'\n"
    "    every: 1h\n    match: '/2026/11/[^/]+/$'\n    limits: {max_pages: 10, max_depth: 2}\n"
)


def test_a_page_answered_304_cannot_replay_a_forgotten_comment_from_its_memo(
    web: LocalWeb, tmp_path: Path
) -> None:
    settings = isolated_settings(tmp_path, web)
    watchlist = write_watchlist(tmp_path, SITE_SOURCE)
    run_pass(settings, watchlist, quiet=True)
    web.clear_log()
    run_pass(settings, watchlist, quiet=True)
    post = [r for r in web.requested("blog.carnets-du-cher.example") if r.path.startswith("/2026/")]
    assert post and {r.status for r in post} == {304}, "the second pass replays the page memo"
    assert len(by_author(settings, AUTHOR)) == 1

    assert forget_cli(tmp_path, settings, "--author", AUTHOR).exit_code == 0

    for _ in range(2):
        summary = run_pass(settings, watchlist, quiet=True)
        assert summary.sources["carnets-site"].privacy_skipped == 1
        assert by_author(settings, AUTHOR) == []
        assert traces_in_files(tmp_path) == []
    # The blog's author as published; the other commenters, pseudonymised.
    pseudonym = pseudonyms_for(settings).pseudonym
    assert {d.author for d in documents(settings).values()} == {
        "Louise Marchand",
        pseudonym("Jean-Michel Poupard"),
        pseudonym("Sabine T."),
    }
