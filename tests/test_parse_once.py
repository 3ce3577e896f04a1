"""A crawled article is parsed once: the spider's tree and the comment sections it found
while reading the reader comments are handed to extraction, which gives what its own
parse gave. The crawl log, written through its buffer, still holds every line; the
binary-page check, now counted in C, draws its line where it did."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from traceur.parse.articles import extract_page
from traceur.parse.charset import looks_binary
from traceur.parse.comments import (
    comment_sections,
    parse_article_comments,
    read_article_comments,
)
from traceur.parse.html import parse_html
from traceur.privacy.logfiles import BatchedFileHandler

COMMENT_PAGES = sorted((Path(__file__).parent / "fixtures" / "comments").glob("*.html"))
FETCHED = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("page", COMMENT_PAGES, ids=lambda p: p.stem)
def test_extraction_from_the_spiders_tree_gives_what_its_own_parse_gives(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    url = f"https://www.{page.stem[4:]}.example/actualites/{page.stem}.html"
    root = parse_html(html)
    assert root is not None

    found, sections = read_article_comments(root, url, now=FETCHED)

    assert found == parse_article_comments(html, url, now=FETCHED)
    fresh = parse_html(html)
    assert fresh is not None
    paths = [root.getroottree().getpath(element) for element in sections]
    assert paths == [fresh.getroottree().getpath(element) for element in comment_sections(fresh)]
    shared = extract_page(html, url, fetched_at=FETCHED, tree=root, sections=sections)
    assert shared is not None and shared == extract_page(html, url, fetched_at=FETCHED)
    # The comments stay out of the article's text, read from either tree.
    assert all(comment.text[:40] not in shared.text for comment in found.comments)


def test_a_page_opening_with_an_xml_declaration_is_still_parsed_by_extraction_itself() -> None:
    html = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="fr"><head>'
        "<title>Le marché couvert rouvre ses portes</title></head><body><article>"
        "<h1>Le marché couvert rouvre ses portes</h1>"
        + "<p>Après dix-huit mois de travaux, les halles de la place Carnot accueillent de "
        "nouveau les maraîchers, le fromager et la poissonnière du samedi matin.</p>"
        * 6
        + "</article></body></html>"
    )
    root = parse_html(html)
    assert root is not None  # the spider reads it, its declaration dropped

    shared = extract_page(html, "https://www.halles-carnot.example/marche.html", tree=root)

    assert shared == extract_page(html, "https://www.halles-carnot.example/marche.html")


def test_the_crawl_log_holds_a_warning_at_once_and_every_line_once_closed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "crawl.log"
    handler = BatchedFileHandler(path, max_bytes=1 << 20, backups=2)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    logger = logging.getLogger("traceur.test.crawl_log")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        for number in range(200):
            logger.debug("page %d relue : rien de neuf sur la rubrique Vie locale", number)
        logger.warning("robots.txt de www.gazette-sarve.example injoignable")

        written = path.read_text(encoding="utf-8").splitlines()
        assert written[-1] == "WARNING: robots.txt de www.gazette-sarve.example injoignable"
        assert len(written) == 201

        logger.info("passe terminée : 511 pages, 0 nouvelle")
    finally:
        logger.removeHandler(handler)
        handler.close()

    assert path.read_text(encoding="utf-8").splitlines()[-1] == (
        "INFO: passe terminée : 511 pages, 0 nouvelle"
    )


def test_a_page_is_binary_past_one_control_byte_in_twenty_tabs_and_newlines_aside() -> None:
    line = "Compte rendu du conseil municipal de Saint-Véran\t\r\n".encode()
    text = (line * 8)[:380]

    assert not looks_binary(b"\x01" * 20 + text)  # 20 in 400: 5 %, still text
    assert looks_binary(b"\x01" * 21 + text[:379])  # 21 in 400
    assert looks_binary(b"\x1b" * 21 + text[:379])
    assert not looks_binary(b"\x7f" * 21 + text[:379])  # DEL is no control here
