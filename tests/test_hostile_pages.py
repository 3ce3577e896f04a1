"""Pages a hostile or broken site serves are decoded or counted, never dropped silently:
charsets that are no text codec, UTF-16/UTF-32 pages with a byte-order mark, and
exceptions inside a spider callback."""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from traceur.config import Settings
from traceur.demo.localweb import LocalWeb, Response
from traceur.orchestra.passes import run_pass
from traceur.parse.charset import decode_html, looks_binary
from traceur.parse.html import json_ld_objects, load_json, parse_html

from .test_crawl import HOST, stored, write_watchlist
from .test_sitemaps import news_sitemap

ARTICLE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="{charset}">
<title>Conseil municipal : le budget {n} adopté</title></head>
<body><header><nav><a href="/">Accueil</a> · <a href="/politique/">Politique</a></nav></header>
<main><article><h1>Conseil municipal : le budget {n} adopté après trois heures de débats</h1>
<p>Réunis jeudi soir à l'hôtel de ville, les élus ont voté le budget primitif par
vingt-deux voix contre onze. Claire Martin, tête de liste de l'opposition, a dénoncé une
hausse « déguisée » de la taxe foncière et réclamé un audit des dépenses de voirie.</p>
<p>Le maire a répondu que les investissements prévus pour le tramway et la rénovation
des écoles élémentaires étaient financés sans emprunt nouveau, grâce à l'épargne dégagée
l'an passé. Les débats ont repris mardi prochain à dix-huit heures.</p>
</article></main>
<footer><p>© Actu du Val — mentions légales — gestion des cookies</p></footer></body></html>
"""

NOT_TEXT_CODECS = ("zlib", "rot13", "base64", "hex", "uu", "bz2", "idna")


def article(n: int, charset: str) -> str:
    return ARTICLE.format(n=n, charset=charset)


@pytest.mark.parametrize("codec", NOT_TEXT_CODECS)
def test_a_declared_charset_that_is_no_text_codec_is_detected_instead(codec: str) -> None:
    body = article(1, codec).encode("cp1252")  # not UTF-8: the declaration is consulted

    text, used = decode_html(body, codec)

    assert used == "cp1252"
    assert "débats" in text and "hôtel de ville" in text


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_a_page_with_a_utf16_or_utf32_byte_order_mark_is_text(encoding: str) -> None:
    body = "\ufeff".encode(encoding) + article(2, "utf-16").encode(encoding)

    assert not looks_binary(body)
    text, used = decode_html(body, "iso-8859-1")
    assert used == encoding
    assert text.startswith("<!DOCTYPE html>")
    assert "Réunis jeudi soir" in text


def test_json_nested_deeper_than_the_stack_is_no_json_rather_than_a_crash() -> None:
    deep = "[" * 200_000 + "]" * 200_000
    page = f'<html><head><script type="application/ld+json">{deep}</script></head></html>'

    assert load_json(deep.encode()) is None
    root = parse_html(page)
    assert root is not None
    assert json_ld_objects(root) == []


def _serve_articles(web: LocalWeb, pages: dict[str, tuple[bytes, str]]) -> None:
    now = datetime.now(UTC)
    sitemap = news_sitemap([(path, now - timedelta(hours=1)) for path in pages])
    web.set(HOST, "/plan-hostile.xml", Response(200, sitemap, {"Content-Type": "application/xml"}))
    for path, (body, content_type) in pages.items():
        web.set(HOST, path, Response(200, body, {"Content-Type": content_type}))


@pytest.mark.integration
def test_pages_with_a_codec_charset_or_a_byte_order_mark_are_stored(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    pages: dict[str, tuple[bytes, str]] = {}
    for n, codec in enumerate(("zlib", "rot13", "base64", "idna"), 1):
        pages[f"/hostile/codec-{codec}.html"] = (
            article(n, codec).encode("cp1252"),
            f"text/html; charset={codec}",
        )
    pages["/hostile/utf16.html"] = (
        codecs.BOM_UTF16_LE + article(10, "utf-16").encode("utf-16-le"),
        "text/html",
    )
    pages["/hostile/utf32.html"] = (
        codecs.BOM_UTF32_BE + article(11, "utf-32").encode("utf-32-be"),
        "text/html; charset=utf-8",
    )
    _serve_articles(sites_web, pages)
    settings = make_settings(sites_web)
    watchlist = write_watchlist(
        tmp_path,
        f"  - {{id: plan, kind: sitemap, url: 'http://{HOST}/plan-hostile.xml', every: 30m}}\n",
    )

    summary = run_pass(settings, watchlist, quiet=True)

    docs = stored(settings)
    assert {url.rsplit("/", 1)[-1] for url in docs} == {p.rsplit("/", 1)[-1] for p in pages}
    utf16 = docs[f"http://{HOST}/hostile/utf16.html"]
    assert "budget 10 adopté" in utf16.title
    assert "hôtel de ville" in docs[f"http://{HOST}/hostile/codec-rot13.html"].text
    assert summary.errors() == {}


@pytest.mark.integration
def test_an_exception_in_a_spider_callback_is_a_counted_error(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    # A Discourse topic list whose `topic_list` is a list, not the object the API returns.
    board = json.dumps({"topic_list": ["débat", "élections"], "users": []}).encode()
    host = "forum.hostile-discourse.example"
    sites_web.set(host, "/latest.json", Response(200, board, {"Content-Type": "application/json"}))
    settings = make_settings(sites_web)
    watchlist = write_watchlist(
        tmp_path,
        f"  - {{id: agora, kind: forum, url: 'http://{host}/latest.json', every: 1h}}\n",
    )

    summary = run_pass(settings, watchlist, quiet=True)

    assert summary.errors() == {"spider_exception": {"agora": 1}}
