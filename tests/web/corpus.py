"""A small seeded corpus for the web app's tests, written for them (original French text).

Ten documents around the fictional by-election of Val-sur-Loire: a wire story reprinted on
three sites (one story cluster), a forum thread of three posts, a blog post, a comment, a
video, and ``HOSTILE``: a crawled page whose title, author, text and URL carry markup and
scripts, which every page must show as plain text. Dates are relative to ``now`` so the
"today / 7 days / 30 days" filters have something to find. ``candidates``, ``topics`` and
``mentions`` (with every span) are set the way the tagger would.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from traceur.document import Document, Mention, Snippet, Span, content_hash, document_id
from traceur.store import Store

CANDIDATES = {
    "claire-martin": "Claire Martin",
    "elodie-arnaud": "Élodie Arnaud",
    "jean-baptiste-lefort": "Jean-Baptiste Lefort",
}
TOPICS = {
    "transports": ("Transports", ("tramway", "ligne de bus")),
    "logement": ("Logement", ("logements sociaux", "loyers")),
    "securite": ("Sécurité", ("sécurité", "vidéoprotection")),
}

WATCHLIST = """\
# Watchlist of the web tests' corpus (tests/web/corpus.py).
candidates:
  - id: claire-martin
    name: Claire Martin
  - id: elodie-arnaud
    name: Élodie Arnaud
  - id: jean-baptiste-lefort
    name: Jean-Baptiste Lefort
topics:
  - id: transports
    name: Transports
    keywords: ["tramway", "ligne de bus"]
  - id: logement
    name: Logement
    keywords: ["logements sociaux", "loyers"]
  - id: securite
    name: Sécurité
    keywords: ["sécurité", "vidéoprotection"]
sources:
  - id: quotidien-politique
    kind: feed
    url: http://www.quotidien-du-centre.example/politique/rss.xml
    every: 10m
  - id: gazette
    kind: feed
    url: http://www.lagazette-des-deux-rives.example/feeds/atom.xml
    every: 30m
  - id: echo-des-rives
    kind: feed
    url: http://www.echo-des-rives.example/rss.xml
    every: 30m
  - id: forum-citoyens
    kind: forum
    url: http://forum.citoyens-du-val.example/forum/politique-locale/
    every: 1h
  - id: carnet-de-lucie
    kind: blog
    url: http://blog.carnet-de-lucie.example/
    every: 2h
  - id: tele-val
    kind: video
    url: http://video.tele-val.example/politique/
    every: 1h
alerts: []
"""

WIRE_TITLE = "Tramway : Claire Martin promet de prolonger la ligne jusqu'aux Aubiers"
WIRE_TEXT = (
    "Val-sur-Loire (AFP-Centre) — Claire Martin a détaillé mardi soir, devant une centaine "
    "d'habitants réunis à la salle des fêtes, son projet de prolongement du tramway vers le "
    "quartier des Aubiers. « Trois kilomètres, cinq stations, une mise en service avant la fin "
    "du mandat », a-t-elle résumé.\n\nSes adversaires jugent le calendrier intenable. "
    "Jean-Baptiste Lefort, qui conduit la liste d'opposition, rappelle que la ligne de bus 12 "
    "dessert déjà le quartier et qu'« aucun financement régional n'est acquis »."
)

HOSTILE_TITLE = (
    '<script>alert("titre")</script> Claire Martin répond <img src=x onerror=alert(1)> '
    "à ses détracteurs"
)
HOSTILE_AUTHOR = "\"><script>alert('auteur')</script><b onmouseover=alert(2)>Anonyme</b>"
HOSTILE_TEXT = (
    "Sur le forum, un message signé Claire Martin circulait : "
    "<a href=\"javascript:alert('lien')\">cliquez ici pour voter</a> "
    "puis <iframe src=\"javascript:alert('cadre')\"></iframe> et "
    "<svg onload=alert('svg')></svg>. Les loyers du centre-ville ne sont pas un jeu, "
    "répondent les habitants, qui rappellent que {{ 7 * 7 }} n'est pas un programme."
)
HOSTILE_URL = "javascript:alert('url')"
HOSTILE_CANONICAL = "http://forum.citoyens-du-val.example/forum/t/piege-42/"
HOSTILE_ID = document_id(HOSTILE_CANONICAL, "piege-42-1")


def _fold(text: str) -> str:
    return text.lower()


def _mentions(
    title: str, text: str, names: dict[str, tuple[str, ...]]
) -> tuple[list[str], dict[str, Mention]]:
    """Every occurrence of each name in title and text (case-insensitive), as the tagger
    would record it: count, spans in reading order, and a snippet around the first ones."""
    found: list[str] = []
    mentions: dict[str, Mention] = {}
    for ident, forms in names.items():
        spans: list[Span] = []
        snippets: list[Snippet] = []
        for field_name, value in (("title", title), ("text", text)):
            low = _fold(value)
            for form in forms:
                start = low.find(_fold(form))
                while start >= 0:
                    end = start + len(form)
                    spans.append(Span(field_name, start, end))
                    if len(snippets) < 3:
                        left = max(0, start - 60)
                        snippet = value[left : end + 60]
                        snippets.append(Snippet(snippet, start - left, end - left, field_name))
                    start = low.find(_fold(form), end)
        if spans:
            found.append(ident)
            spans.sort(key=lambda span: (span.field != "title", span.start))
            mentions[ident] = Mention(len(spans), tuple(snippets), tuple(spans))
    return found, mentions


def _document(
    canonical_url: str,
    kind: str,
    source_id: str,
    title: str,
    text: str,
    published_at: datetime,
    *,
    author: str | None = None,
    url: str | None = None,
    post_id: str | None = None,
    **extra: Any,
) -> Document:
    candidates, candidate_mentions = _mentions(
        title, text, {ident: (name,) for ident, name in CANDIDATES.items()}
    )
    topics, topic_mentions = _mentions(
        title, text, {ident: keywords for ident, (_, keywords) in TOPICS.items()}
    )
    domain = canonical_url.split("/")[2]
    return Document(
        id=document_id(canonical_url, post_id),
        url=url or canonical_url,
        canonical_url=canonical_url,
        domain=domain,
        kind=kind,
        source_id=source_id,
        title=title,
        text=text,
        author=author,
        published_at=published_at,
        fetched_at=published_at + timedelta(minutes=20),
        lang="fr",
        post_id=post_id,
        candidates=candidates,
        topics=topics,
        mentions={**candidate_mentions, **topic_mentions},
        content_hash=content_hash(title, text),
        **extra,
    )


def build_corpus(now: datetime | None = None) -> list[Document]:
    """The corpus, newest last; ``now`` (UTC) anchors the dates."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    hours = lambda n: now - timedelta(hours=n)  # noqa: E731 (reads better in the table below)
    thread = "http://forum.citoyens-du-val.example/forum/t/logements-rue-des-tanneurs-318/"
    first_post = document_id(thread, "318-1")
    docs = [
        _document(
            "http://www.quotidien-du-centre.example/politique/tramway-aubiers.html",
            "article",
            "quotidien-politique",
            WIRE_TITLE,
            WIRE_TEXT,
            hours(30),
            author="Rédaction du Quotidien",
            cluster_id="cl-tramway-aubiers",
        ),
        _document(
            "http://www.lagazette-des-deux-rives.example/2026/tramway-aubiers",
            "article",
            "gazette",
            WIRE_TITLE,
            WIRE_TEXT,
            hours(29),
            author="La Gazette avec AFP-Centre",
            cluster_id="cl-tramway-aubiers",
        ),
        _document(
            "http://www.echo-des-rives.example/actualites/tramway-aux-aubiers",
            "article",
            "echo-des-rives",
            "Claire Martin veut le tramway aux Aubiers",
            WIRE_TEXT,
            hours(27),
            cluster_id="cl-tramway-aubiers",
        ),
        _document(
            thread,
            "forum_post",
            "forum-citoyens",
            "Logements sociaux rue des Tanneurs : qui croire ?",
            "Élodie Arnaud annonce quatre-vingts logements sociaux sur l'ancienne friche "
            "Ducros. Quelqu'un sait si le permis est déposé ? Les loyers annoncés me "
            "semblent bien bas pour le quartier.",
            hours(50),
            author="Mireille_des_Tanneurs",
            post_id="318-1",
            thread_url=thread,
            position=1,
        ),
        _document(
            thread,
            "forum_post",
            "forum-citoyens",
            "Re: Logements sociaux rue des Tanneurs : qui croire ?",
            "Le permis a été déposé en septembre, c'est affiché sur la palissade. Élodie "
            "Arnaud l'a rappelé à la réunion de quartier de jeudi.",
            hours(48),
            author="Gégé49",
            post_id="318-2",
            thread_url=thread,
            position=2,
            parent_id=first_post,
        ),
        _document(
            thread,
            "forum_post",
            "forum-citoyens",
            "Re: Logements sociaux rue des Tanneurs : qui croire ?",
            "Affiché, oui, mais contesté par l'association des riverains. Et Jean-Baptiste "
            "Lefort promet d'abandonner le projet s'il est élu.",
            hours(47),
            author="Mireille_des_Tanneurs",
            post_id="318-3",
            thread_url=thread,
            position=3,
            parent_id=document_id(thread, "318-2"),
        ),
        _document(
            "http://blog.carnet-de-lucie.example/2026/11/la-securite-selon-lefort/",
            "blog_post",
            "carnet-de-lucie",
            "La sécurité selon Jean-Baptiste Lefort : vidéoprotection partout ?",
            "J'ai lu le programme de Jean-Baptiste Lefort jusqu'au bout. Quarante caméras de "
            "vidéoprotection de plus, une police municipale armée la nuit : la sécurité y "
            "tient trois pages, la culture une demi-ligne.",
            hours(100),
            author="Lucie Ferrand",
        ),
        _document(
            "http://www.quotidien-du-centre.example/politique/tramway-aubiers.html",
            "comment",
            "quotidien-politique",
            "Commentaire sur « Tramway : Claire Martin promet… »",
            "Encore des promesses. La ligne de bus 12 passe toutes les vingt minutes, "
            "commençons par là avant de rêver de tramway, madame Claire Martin.",
            hours(26),
            author="Riverain_fâché",
            post_id="c-7781",
            thread_url="http://www.quotidien-du-centre.example/politique/tramway-aubiers.html",
            position=1,
        ),
        _document(
            "http://video.tele-val.example/politique/debat-municipales-2026",
            "video",
            "tele-val",
            "Débat des municipales : Élodie Arnaud face à Jean-Baptiste Lefort",
            "Sous-titres : Élodie Arnaud — « Les loyers ont augmenté de douze pour cent en "
            "trois ans. » Jean-Baptiste Lefort — « Parlons d'abord de sécurité. »",
            hours(3),
            author="Télé Val",
            video={
                "channel": "Télé Val — politique",
                "duration": 3125,
                "views": 1840,
                "thumbnail": None,
                "captions": True,
            },
        ),
        _document(
            HOSTILE_CANONICAL,
            "forum_post",
            "forum-citoyens",
            HOSTILE_TITLE,
            HOSTILE_TEXT,
            hours(2),
            author=HOSTILE_AUTHOR,
            url=HOSTILE_URL,
            post_id="piege-42-1",
            thread_url=HOSTILE_CANONICAL,
            position=1,
        ),
    ]
    assert docs[-1].id == HOSTILE_ID
    return docs


def write_watchlist(path: Path) -> Path:
    path.write_text(WATCHLIST, encoding="utf-8")
    return path


def seed(store: Store, now: datetime | None = None) -> list[Document]:
    """Store the corpus in ``store`` and return it (searchable at once, also on ES)."""
    docs = build_corpus(now)
    result = store.upsert(docs)
    assert not result.failed and not result.spooled, result
    refresh = getattr(store, "refresh", None)
    if refresh is not None:
        refresh()
    return docs
