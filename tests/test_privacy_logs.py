"""No personal data in the logs: a crawl of the fixture sites at the default level writes
no author and no sentence of a page to the log file; Scrapy's DEBUG lines stay out of the
file unless a setting asks; log files are rotated by size."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import isolated_settings
from traceur.config import Settings, load_settings
from traceur.demo.localweb import LocalWeb
from traceur.document import Document
from traceur.errors import ConfigError
from traceur.orchestra.passes import run_pass
from traceur.privacy.logfiles import log_file_handler
from traceur.store import open_store
from traceur.store.es_bulk import _reason

from .conftest import SITES
from .test_crawl import write_watchlist

SOURCES = (
    "  - {id: phpbb, kind: forum, url: 'http://forum.phpbb-val.example/viewforum-12.html',"
    " every: 1h, limits: {max_pages: 30, max_depth: 2}}\n"
    "  - {id: actu, kind: feed, url: 'http://www.actu-val.example/feeds/politique.xml',"
    " every: 10m}\n"
    "  - {id: echo, kind: site, url: 'http://www.echo-des-collines.example/',"
    " match: '/politique/2027/', every: 1h, limits: {max_pages: 20, max_depth: 2}}\n"
)


def _phrases(document: Document) -> list[str]:
    """Sentences a reader would recognise: the start, the middle and the end of the text."""
    words = document.text.split()
    if len(words) < 8:
        return []
    middle = len(words) // 2
    return [" ".join(part) for part in (words[:6], words[middle : middle + 6], words[-6:])]


@pytest.fixture(scope="module")
def crawl_log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[Document]]]:
    """Two passes at the default level, authors stored in clear so that the names the
    pages give are known to the test; the log file and the stored documents."""
    folder = tmp_path_factory.mktemp("journaux")
    with LocalWeb(SITES) as web:
        settings = isolated_settings(folder, web, pseudonymize_authors=False)
        assert settings.log_level == load_settings(environ={}).log_level == "INFO"
        watchlist = write_watchlist(folder, SOURCES)
        run_pass(settings, watchlist, quiet=True)
        run_pass(settings, watchlist, quiet=True)  # unchanged pages are logged too
    store = open_store(settings)
    try:
        documents = list(store.iter_documents())
    finally:
        store.close()
    log = "\n".join(
        path.read_text(encoding="utf-8") for path in sorted(settings.data_dir.glob("crawl.log*"))
    )
    yield log, documents


@pytest.mark.integration
def test_a_crawl_at_the_default_level_logs_no_author_of_the_fixture_sites(
    crawl_log: tuple[str, list[Document]],
) -> None:
    log, documents = crawl_log
    authors = {doc.author for doc in documents if doc.author}
    # Forum members, commenters and journalists alike.
    assert {"Gégé45", "Gaston des Essarts", "Nadia Belkacem"} <= authors
    assert log.count("\n") > 20  # the log does say what happened
    assert [author for author in authors if author in log] == []


@pytest.mark.integration
def test_a_crawl_at_the_default_level_logs_no_sentence_of_the_pages(
    crawl_log: tuple[str, list[Document]],
) -> None:
    log, documents = crawl_log
    phrases = [phrase for doc in documents for phrase in _phrases(doc)]
    assert len(phrases) > 30
    assert [phrase for phrase in phrases if phrase in log] == []
    assert "PageItem(" not in log and "'text':" not in log


@pytest.mark.integration
def test_scrapys_debug_lines_stay_out_of_the_log_file_at_the_default_level(
    crawl_log: tuple[str, list[Document]],
) -> None:
    log, _ = crawl_log
    # Scrapy sets some of its loggers to DEBUG by itself; the file's handler holds INFO.
    assert [line for line in log.splitlines() if "] DEBUG:" in line] == []
    assert "] INFO:" in log


def _write(settings: Settings, path: Path, records: list[tuple[str, int, str]]) -> str:
    handler = log_file_handler(path, settings)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    try:
        for name, level, message in records:
            # A logger of that name set to DEBUG, as Scrapy sets some of its own.
            logger = logging.Logger(name, logging.DEBUG)
            logger.addHandler(handler)
            logger.log(level, message)
    finally:
        handler.close()
    return path.read_text(encoding="utf-8")


RECORDS = [
    ("scrapy.core.scraper", logging.DEBUG, "Scraped from <200 http://forum.example/t-12>"),
    ("scrapy.downloadermiddlewares.robotstxt", logging.DEBUG, "Forbidden by robots.txt"),
    ("traceur.orchestra.state", logging.DEBUG, "état de collecte relu"),
    ("scrapy.core.engine", logging.INFO, "Spider opened"),
]


def test_scrapy_debug_reaches_the_file_only_when_log_scrapy_debug_asks(tmp_path: Path) -> None:
    debug = load_settings(environ={"TRACEUR_LOG_LEVEL": "DEBUG"})
    quiet = _write(debug, tmp_path / "calme.log", RECORDS)
    assert "Scraped from" not in quiet and "Forbidden by robots.txt" not in quiet
    # Traceur's own DEBUG lines follow log_level alone.
    assert "état de collecte relu" in quiet and "Spider opened" in quiet

    asked = _write(debug.replace(log_scrapy_debug=True), tmp_path / "bavard.log", RECORDS)
    assert "Scraped from" in asked and "Forbidden by robots.txt" in asked

    info = _write(load_settings(environ={}), tmp_path / "info.log", RECORDS)
    assert info.splitlines() == ["scrapy.core.engine INFO Spider opened"]


def test_log_files_are_rotated_by_size_into_the_configured_number_of_backups(
    tmp_path: Path,
) -> None:
    settings = load_settings(environ={}).replace(log_max_bytes=2048, log_backups=3)
    line = ("traceur.test", logging.WARNING, "source forum-val : 404 sur la page 3 " + "x" * 60)
    _write(settings, tmp_path / "crawl.log", [line] * 400)
    files = sorted(path.name for path in tmp_path.iterdir())
    assert files == ["crawl.log", "crawl.log.1", "crawl.log.2", "crawl.log.3"]
    assert all((tmp_path / name).stat().st_size <= 2048 for name in files)


def test_rotation_settings_too_small_to_rotate_are_refused() -> None:
    with pytest.raises(ConfigError, match="log_backups"):
        load_settings(environ={"TRACEUR_LOG_BACKUPS": "0"})


def test_an_elasticsearch_refusal_is_logged_without_the_value_it_quotes() -> None:
    reason = _reason(
        {
            "status": 400,
            "error": {
                "type": "document_parsing_exception",
                "reason": "[1:812] failed to parse field [published_at] of type [date] in"
                " document with id 'a1b2'. Preview of field's value: 'Gégé45 a écrit hier soir'",
            },
        }
    )
    assert "failed to parse field [published_at]" in reason
    assert "Gégé45" not in reason and "hier soir" not in reason
