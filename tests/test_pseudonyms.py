"""Pseudonymised authors: forum members and commenters are stored as a keyed hash, shown as
"auteur·rice #3f9a", and still found by the name typed in a search; journalists' bylines
stay as published."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import isolated_settings
from traceur.cli.app import main
from traceur.config import Settings, load_settings
from traceur.demo.localweb import LocalWeb
from traceur.document import Document
from traceur.errors import ConfigError
from traceur.orchestra.passes import run_pass
from traceur.privacy.pseudonyms import (
    KEY_FILE,
    PSEUDONYM_LABEL,
    Pseudonyms,
    display_author,
    is_pseudonym,
    pseudonyms_for,
    stored_author_forms,
)
from traceur.store import SearchQuery, open_store

from .conftest import SITES
from .test_crawl import write_watchlist

KEY_A = "clé-de-test-numéro-un-assez-longue-pour-servir"
KEY_B = "clé-de-test-numéro-deux-assez-longue-pour-servir"
FORUM = "http://forum.phpbb-val.example/viewforum-12.html"
ACTU = "http://www.actu-val.example/feeds/politique.xml"
ECHO = "http://www.echo-des-collines.example/"
# Members of the fixture forum and commenters of the fixture paper, as the pages name them.
MEMBER = "Gégé45"
COMMENTER = "Gaston des Essarts"
JOURNALIST = "Nadia Belkacem"


def settings_in(folder: Path, **environ: str) -> Settings:
    return load_settings(environ={"TRACEUR_DATA_DIR": str(folder), **environ})


# -- the hash -----------------------------------------------------------------------------


def test_the_same_name_gives_the_same_pseudonym_across_runs_with_the_kept_key(
    tmp_path: Path,
) -> None:
    first = pseudonyms_for(settings_in(tmp_path)).pseudonym(MEMBER)
    # A later run reads the key made by the first one.
    again = pseudonyms_for(settings_in(tmp_path)).pseudonym(MEMBER)
    assert first == again and is_pseudonym(first)
    assert MEMBER not in first and first.startswith(PSEUDONYM_LABEL)
    key_file = tmp_path / KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_a_different_key_gives_a_different_pseudonym(tmp_path: Path) -> None:
    one = pseudonyms_for(settings_in(tmp_path, TRACEUR_AUTHOR_KEY=KEY_A)).pseudonym(MEMBER)
    two = pseudonyms_for(settings_in(tmp_path, TRACEUR_AUTHOR_KEY=KEY_B)).pseudonym(MEMBER)
    # The environment's key is used as given: no key file is written beside it.
    assert not (tmp_path / KEY_FILE).exists()
    from_file = pseudonyms_for(settings_in(tmp_path)).pseudonym(MEMBER)
    assert len({one, two, from_file}) == 3


def test_case_and_spacing_of_a_typed_name_do_not_change_its_pseudonym() -> None:
    names = Pseudonyms(KEY_A.encode())
    assert names.pseudonym("Gaston des Essarts") == names.pseudonym("  gaston  DES essarts ")
    assert names.pseudonym("Gaston des Essarts") != names.pseudonym("Gaston Des Essart")


def test_pseudonyms_are_shown_with_four_hex_digits_and_names_as_they_are() -> None:
    stored = Pseudonyms(KEY_A.encode()).pseudonym(MEMBER)
    assert len(stored) == len(PSEUDONYM_LABEL) + 32
    shown = display_author(stored)
    assert shown == stored[: len(PSEUDONYM_LABEL) + 4]
    assert shown is not None and shown.startswith("auteur·rice #") and len(shown) == 17
    assert display_author(JOURNALIST) == JOURNALIST and display_author(None) is None


def test_only_forum_posts_and_comments_are_pseudonymised() -> None:
    names = Pseudonyms(KEY_A.encode())
    assert is_pseudonym(names.stored_author("forum_post", MEMBER))
    assert is_pseudonym(names.stored_author("comment", COMMENTER))
    for kind in ("article", "blog_post", "video"):
        assert names.stored_author(kind, JOURNALIST) == JOURNALIST
    # Hashing twice (a re-tagged document stored again) keeps the pseudonym.
    once = names.stored_author("forum_post", MEMBER)
    assert names.stored_author("forum_post", once) == once
    assert Pseudonyms(None).stored_author("forum_post", MEMBER) == MEMBER


def test_stored_forms_of_a_name_are_the_name_and_its_pseudonym_even_once_turned_off(
    tmp_path: Path,
) -> None:
    on = settings_in(tmp_path)
    forms = stored_author_forms(f" {MEMBER} ", on)
    assert forms == [MEMBER, pseudonyms_for(on).pseudonym(MEMBER)]
    # Turned off later: documents stored before still hold pseudonyms, and forget must reach them.
    off = on.replace(pseudonymize_authors=False)
    assert stored_author_forms(MEMBER, off) == forms
    # Never on, no key anywhere: the name alone (and no key file is made for it).
    never = settings_in(tmp_path / "jamais", TRACEUR_PSEUDONYMIZE_AUTHORS="false")
    assert stored_author_forms(MEMBER, never) == [MEMBER]
    assert not (tmp_path / "jamais" / KEY_FILE).exists()


def test_a_short_key_in_the_environment_is_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="at least 32 random characters"):
        pseudonyms_for(settings_in(tmp_path, TRACEUR_AUTHOR_KEY="secret"))


def test_an_emptied_key_file_is_refused_rather_than_replaced(tmp_path: Path) -> None:
    pseudonyms_for(settings_in(tmp_path))
    (tmp_path / KEY_FILE).write_text("\n", encoding="ascii")
    with pytest.raises(ConfigError, match="restore it from a backup"):
        pseudonyms_for(settings_in(tmp_path))


def test_the_author_key_is_a_secret_refused_in_a_settings_file(tmp_path: Path) -> None:
    config = tmp_path / "traceur.yaml"
    config.write_text(f"author_key: {KEY_A}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="TRACEUR_AUTHOR_KEY"):
        load_settings(config, environ={})


# -- a crawl of the fixture sites -----------------------------------------------------------


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, list[Document]]]:
    folder = tmp_path_factory.mktemp("pseudonymes")
    with LocalWeb(SITES) as web:
        settings = isolated_settings(folder, web)
        sources = (
            f"  - {{id: phpbb, kind: forum, url: '{FORUM}', every: 1h,"
            " limits: {max_pages: 30, max_depth: 2}}\n"
            f"  - {{id: actu, kind: feed, url: '{ACTU}', every: 10m}}\n"
            f"  - {{id: echo, kind: site, url: '{ECHO}', match: '/politique/2027/',"
            " every: 1h, limits: {max_pages: 20, max_depth: 2}}\n"
        )
        run_pass(settings, write_watchlist(folder, sources), quiet=True)
    store = open_store(settings)
    try:
        documents = list(store.iter_documents())
    finally:
        store.close()
    yield settings, documents


@pytest.mark.integration
def test_crawled_forum_and_comment_authors_are_stored_hashed_and_bylines_as_published(
    crawled: tuple[Settings, list[Document]],
) -> None:
    settings, documents = crawled
    kinds = {doc.kind for doc in documents}
    assert {"forum_post", "comment", "article"} <= kinds
    hashed = pseudonyms_for(settings).pseudonym
    for doc in documents:
        if doc.kind in ("forum_post", "comment"):
            assert doc.author is None or is_pseudonym(doc.author), (doc.url, doc.author)
    authors = {doc.author for doc in documents}
    assert hashed(MEMBER) in authors and hashed(COMMENTER) in authors
    assert MEMBER not in authors and COMMENTER not in authors
    assert JOURNALIST in {doc.author for doc in documents if doc.kind == "article"}
    # Quoted members are not stored either: a quote and its "X a écrit" stay out of the text.
    assert not any(MEMBER in doc.text for doc in documents if doc.kind == "forum_post")


@pytest.mark.integration
def test_the_store_finds_a_members_posts_by_the_name_typed(
    crawled: tuple[Settings, list[Document]],
) -> None:
    settings, documents = crawled
    expected = {
        doc.id for doc in documents if doc.author == pseudonyms_for(settings).pseudonym(MEMBER)
    }
    assert len(expected) >= 2
    store = open_store(settings)
    try:
        for typed in (MEMBER, MEMBER.upper()):
            forms = tuple(stored_author_forms(typed, settings))
            hits = store.search(SearchQuery(limit=100, authors=forms))
            assert {hit.document.id for hit in hits} == expected
        bylines = store.search(SearchQuery(limit=100, authors=(JOURNALIST,)))
        assert bylines and all(hit.document.kind == "article" for hit in bylines)
        assert store.search(SearchQuery(limit=100, authors=())) == []
    finally:
        store.close()


@pytest.mark.integration
def test_cli_search_by_author_finds_the_posts_and_shows_only_the_short_pseudonym(
    crawled: tuple[Settings, list[Document]],
) -> None:
    settings, _ = crawled
    env = settings.to_env()
    runner = CliRunner()
    shown = display_author(pseudonyms_for(settings).pseudonym(MEMBER))
    assert shown is not None

    text = runner.invoke(main, ["search", "--author", MEMBER, "--limit", "50"], env=env)
    assert text.exit_code == 0, text.output
    assert shown in text.output and MEMBER not in text.output
    assert "No document matches." not in text.output

    lines = runner.invoke(main, ["search", "--author", MEMBER, "--json"], env=env)
    assert lines.exit_code == 0, lines.output
    found = [json.loads(line) for line in lines.output.splitlines()]
    assert found and {item["author"] for item in found} == {shown}

    nobody = runner.invoke(main, ["search", "--author", "Personne_Inconnue"], env=env)
    assert nobody.exit_code == 0 and "No document matches." in nobody.output


@pytest.mark.integration
def test_export_writes_pseudonyms_as_shown_never_the_names(
    crawled: tuple[Settings, list[Document]], tmp_path: Path
) -> None:
    settings, _ = crawled
    output = tmp_path / "export.jsonl"
    result = CliRunner().invoke(main, ["export", "-o", str(output)], env=settings.to_env())
    assert result.exit_code == 0, result.output
    content = output.read_text(encoding="utf-8")
    assert MEMBER not in content and COMMENTER not in content
    assert str(display_author(pseudonyms_for(settings).pseudonym(MEMBER))) in content
    assert JOURNALIST in content
    assert os.path.getsize(output) > 0


def test_a_pass_with_a_short_author_key_stops_at_start_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from crawler.process import main as crawl_main

    watchlist = write_watchlist(
        tmp_path, f"  - {{id: actu, kind: feed, url: '{ACTU}', every: 1h}}\n"
    )
    monkeypatch.setenv("TRACEUR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TRACEUR_STORE", f"sqlite:///{tmp_path / 'traceur.db'}")
    monkeypatch.setenv("TRACEUR_AUTHOR_KEY", "trop-courte")
    assert crawl_main(["--watchlist", str(watchlist)]) == 2
    error = capsys.readouterr().err
    assert "TRACEUR_AUTHOR_KEY" in error and "at least 32 random characters" in error
    assert not (tmp_path / "data" / "crawl.log").exists()


def test_the_sqlite_author_filter_reads_an_index_not_every_document(tmp_path: Path) -> None:
    from traceur.store.sqlite import SqliteStore

    SqliteStore(tmp_path / "traceur.db").close()
    with sqlite3.connect(tmp_path / "traceur.db") as db:
        plan = " ".join(
            str(row[-1])
            for row in db.execute(
                "EXPLAIN QUERY PLAN SELECT rowid FROM document_data"
                " WHERE json_extract(data, '$.author') IN (?, ?)",
                (MEMBER, "auteur·rice #" + "0" * 32),
            )
        )
    assert "document_data_author" in plan


def test_an_alert_shows_a_pseudonymised_author_as_auteur_rice(tmp_path: Path) -> None:
    from traceur.alerts.render import Names, doc_view
    from traceur.watchlist.loader import load_watchlist

    watchlist = load_watchlist(
        write_watchlist(tmp_path, f"  - {{id: phpbb, kind: forum, url: '{FORUM}', every: 1h}}\n")
    )
    stored = Pseudonyms(KEY_A.encode()).pseudonym(MEMBER)
    post = Document(
        id="p1",
        url=f"{FORUM}#p1",
        canonical_url=FORUM,
        domain="forum.phpbb-val.example",
        kind="forum_post",
        source_id="phpbb",
        title="Le tramway passera-t-il rue Nationale ?",
        text="Claire Martin promet le tramway rue Nationale, mais personne n'a vu le tracé.",
        author=stored,
    )
    view = doc_view(post, [], Names(watchlist), "Europe/Paris")
    assert view.author == display_author(stored) and MEMBER not in view.author
