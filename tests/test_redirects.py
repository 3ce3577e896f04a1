"""Redirect loops end at the first URL seen twice in the chain, whatever form it comes back
in (scheme, case, trailing slash, tracking parameters), counted and logged once, while
the rest of the source is collected; a redirect that only normalises an address is no loop."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.redirect import is_loop
from traceur.config import Settings
from traceur.demo.localweb import LocalWeb, Response
from traceur.orchestra.launch import PassSummary
from traceur.orchestra.passes import run_pass
from traceur.urls import redirect_key

from .conftest import isolated_settings
from .test_crawl import HOST, stored, write_watchlist

SITES = Path(__file__).parent / "sites"
SITE = f"http://{HOST}"
ARTICLE = (SITES / HOST / "articles" / "marche-de-noel.html").read_bytes()


def moved(location: str, status: int = 302) -> Response:
    return Response(status, b"", {"Location": location})


def refresh(location: str) -> Response:
    page = f'<html><head><meta http-equiv="refresh" content="0; url={location}"></head></html>'
    return Response(200, page.encode(), {"Content-Type": "text/html; charset=utf-8"})


# path → its answer; each loop's pages are asked once, then the loop is seen.
ANSWERS = {
    "/boucle/a.html": moved(f"{SITE}/boucle/b.html"),
    "/boucle/b.html": moved(f"{SITE}/boucle/a.html"),
    # Back to c in another form: host case, default port, path case, tracking parameter.
    "/boucle/c.html": moved(f"{SITE}/boucle/d.html", 301),
    "/boucle/d.html": moved("http://WWW.Actu-Val.example:80/Boucle/C.html?utm_source=boucle"),
    # Back to e over https (never reached: the loop is seen before).
    "/boucle/e.html": moved("/boucle/f/"),
    "/boucle/f/": moved(f"https://{HOST}/boucle/e.html/"),
    "/boucle/m1.html": refresh("/boucle/m2.html"),
    "/boucle/m2.html": refresh(f"{SITE}/boucle/m1.html"),
    # A site dropping the tracking parameters of an address: one hop, no loop.
    "/boucle/propre.html?utm_source=rss&utm_medium=flux": moved(f"{SITE}/boucle/propre.html", 301),
    "/boucle/propre.html": Response(200, ARTICLE, {"Content-Type": "text/html; charset=utf-8"}),
}
LOOP_STARTS = ["a", "c", "e", "m1"]


def _feed() -> bytes:
    links = [f"{SITE}/boucle/{name}.html" for name in LOOP_STARTS]
    links += [
        f"{SITE}/boucle/propre.html?utm_source=rss&amp;utm_medium=flux",
        f"{SITE}/articles/conseil-municipal-houleux.html",
        f"{SITE}/articles/jean-baptiste-lefort-candidat.html",
    ]
    items = "".join(
        f"<item><title>Entrée {n}</title><link>{link}</link><guid>b{n}</guid></item>"
        for n, link in enumerate(links)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Boucles</title>'
        f"<link>{SITE}/</link><description>d</description>{items}</channel></rss>"
    ).encode()


@dataclass
class LoopPass:
    summary: PassSummary
    web: LocalWeb
    log: str
    urls: set[str]

    def asked(self, path: str) -> int:
        return sum(1 for r in self.web.requested(HOST) if r.path.lower() == path.lower())


@pytest.fixture(scope="module")
def looped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoopPass]:
    root = tmp_path_factory.mktemp("redirects")
    with LocalWeb(SITES) as web:
        for path, answer in ANSWERS.items():
            web.set(HOST, path, answer)
        web.set(HOST, "/feeds/boucles.xml", Response(200, _feed(), {"Content-Type": "text/xml"}))
        settings = isolated_settings(root, web)
        watchlist = write_watchlist(
            root, f"  - {{id: boucles, kind: feed, url: '{SITE}/feeds/boucles.xml', every: 1h}}\n"
        )
        summary = run_pass(settings, watchlist, quiet=True)
        log = (settings.data_dir / "crawl.log").read_text(encoding="utf-8")
        yield LoopPass(summary, web, log, set(stored(settings)))


def test_redirect_key_folds_scheme_case_slash_port_and_tracking() -> None:
    assert redirect_key("https://WWW.Site.example:443/A/?utm_source=x") == redirect_key(
        "http://www.site.example/a"
    )
    assert redirect_key("http://site.example/a?id=Ab") != redirect_key(
        "http://site.example/a?id=ab"
    )


def test_a_first_hop_normalising_the_address_is_no_loop_but_a_way_back_is() -> None:
    assert not is_loop("https://site.example/a/", ["http://site.example/a"])
    assert is_loop("http://site.example/a", ["http://site.example/a"])
    assert is_loop("https://site.example/A/", ["http://site.example/a", "http://site.example/b"])
    assert not is_loop("http://site.example/c", ["http://site.example/a", "http://site.example/b"])


@pytest.mark.integration
def test_each_page_of_a_redirect_loop_is_asked_once(looped: LoopPass) -> None:
    for path in ANSWERS:
        if not path.startswith("/boucle/propre"):
            assert looped.asked(path) == 1, (path, looped.asked(path))


@pytest.mark.integration
def test_a_loop_coming_back_in_another_form_is_stopped_before_asking_again(
    looped: LoopPass,
) -> None:
    # c came back as /Boucle/C.html?utm_source=boucle, e as https://…/e.html/: neither asked.
    assert looped.asked("/Boucle/C.html?utm_source=boucle") == 0
    assert looped.asked("/boucle/c.html") == 1
    assert looped.asked("/boucle/e.html/") == 0
    assert looped.asked("/boucle/e.html") == 1


@pytest.mark.integration
def test_each_loop_is_one_redirect_loop_error_logged_once(looped: LoopPass) -> None:
    assert looped.summary.sources["boucles"].errors == {"redirect_loop": len(LOOP_STARTS)}
    for name in LOOP_STARTS:
        lines = [
            line
            for line in looped.log.splitlines()
            if "redirect loop" in line and f"/boucle/{name}.html ->" in line
        ]
        assert len(lines) == 1, (name, lines)


@pytest.mark.integration
def test_the_rest_of_the_source_is_collected_around_the_loops(looped: LoopPass) -> None:
    assert looped.urls == {
        f"{SITE}/boucle/propre.html",
        f"{SITE}/articles/conseil-municipal-houleux.html",
        f"{SITE}/articles/jean-baptiste-lefort-candidat.html",
    }


def _page(*links: str) -> Response:
    anchors = "".join(f'<p><a href="{link}">{link}</a></p>' for link in links)
    return Response(
        200, f"<html><body>{anchors}</body></html>".encode(), {"Content-Type": "text/html"}
    )


@pytest.mark.integration
def test_a_page_of_a_loop_linked_again_later_is_not_asked_again(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    def slow_page(method: str, path: str, headers: dict[str, str]) -> Response:
        time.sleep(1.5)  # so that its link to b is read after the loop a → b → a was seen
        return _page("/boucle/b.html")

    sites_web.set(HOST, "/boucle/", _page("/boucle/a.html", "/boucle/lent.html"))
    sites_web.set(HOST, "/boucle/lent.html", slow_page)
    sites_web.set(HOST, "/boucle/a.html", ANSWERS["/boucle/a.html"])
    sites_web.set(HOST, "/boucle/b.html", ANSWERS["/boucle/b.html"])
    settings = make_settings(sites_web)
    summary = run_pass(
        settings,
        write_watchlist(
            tmp_path, f"  - {{id: boucle, kind: site, url: '{SITE}/boucle/', every: 1h}}\n"
        ),
        quiet=True,
    )

    asked = [r.path for r in sites_web.requested(HOST)]
    assert asked.count("/boucle/a.html") == 1 and asked.count("/boucle/b.html") == 1, asked
    assert "/boucle/lent.html" in asked
    assert summary.sources["boucle"].errors == {"redirect_loop": 1}
