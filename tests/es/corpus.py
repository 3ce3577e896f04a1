"""Realistic French documents for the Elasticsearch tests and benchmark, built in code.

Local-politics articles, forum posts, blog posts and videos naming three candidates;
deterministic for a given seed. ``candidates`` and ``topics`` are set the way the tagger
would (the full name, accents and case aside, appears in the text).
"""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta

from traceur.document import Document, Mention, Snippet, content_hash, document_id
from traceur.textnorm import fold_plain

CANDIDATES = {
    "claire-martin": "Claire Martin",
    "elodie-arnaud": "Élodie Arnaud",
    "jean-baptiste-lefort": "Jean-Baptiste Lefort",
}
TOPICS = {"transports": ("tramway", "ligne de bus"), "logement": ("logements sociaux", "loyers")}
# domain → (kind, source id)
SOURCES = {
    "www.quotidien-du-centre.example": ("article", "quotidien-politique"),
    "www.gazette-du-val.example": ("article", "gazette-du-val"),
    "forum.citoyens-du-val.example": ("forum_post", "forum-citoyens"),
    "blog.carnet-de-lucie.example": ("blog_post", "carnet-de-lucie"),
    "video.tele-val.example": ("video", "tele-val"),
}
START = datetime(2026, 10, 20, 6, 0, tzinfo=UTC)
FETCHED = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)

_SENTENCES = [
    (
        "{name} a présenté hier soir son programme pour "
        "les élections municipales devant une salle comble."
    ),
    (
        "Selon l'entourage de {name}, le projet de tramway "
        "reliant la gare au nouveau quartier sera accéléré."
    ),
    (
        "Au conseil municipal, {name} a interpellé la majorité "
        "sur la hausse des loyers dans le centre-ville."
    ),
    "« Nous construirons deux cents logements sociaux d'ici la fin du mandat », a promis {name}.",
    "Plusieurs habitants ont demandé à {name} de rétablir la ligne de bus supprimée l'an dernier.",
    "L'élection s'annonce serrée : {name} devance de peu ses adversaires dans le dernier sondage.",
    (
        "Sur le marché du samedi, {name} a longuement "
        "échangé avec les commerçants inquiets des travaux."
    ),
    (
        "Le débat télévisé a opposé {name} à {other} sur la "
        "question du stationnement et des pistes cyclables."
    ),
    "{other} reproche à {name} d'avoir changé d'avis sur la rénovation de l'école Jules-Ferry.",
    (
        "Dans une tribune, {name} défend une police "
        "municipale de proximité et l'éclairage des quartiers."
    ),
]
_FILLER = [
    (
        "La réunion publique s'est tenue à la salle des fêtes, "
        "où une centaine de personnes s'étaient déplacées."
    ),
    "Les associations de quartier réclament davantage de concertation avant le vote du budget.",
    "Le préfet a rappelé les règles applicables aux affichages électoraux pendant la campagne.",
    "La commission d'urbanisme doit rendre son avis sur le plan local à la fin du mois.",
    (
        "Les riverains de la rue des Tanneurs dénoncent "
        "le bruit du chantier depuis plusieurs semaines."
    ),
    "Une pétition en ligne a déjà recueilli plus de mille signatures selon ses organisateurs.",
    (
        "La chambre de commerce publiera la semaine "
        "prochaine son étude sur la fréquentation du centre."
    ),
    "Le collectif citoyen appelle à un débat contradictoire entre toutes les listes déclarées.",
    "À l'été, la municipalité avait déjà renoncé à l'extension du parking souterrain.",
    "Les élus d'opposition demandent la publication des comptes de la société d'économie mixte.",
]
_TITLES = [
    "{name} présente son programme pour la ville",
    "Municipales : {name} mise sur le tramway",
    "Logement : les propositions de {name}",
    "{name} et {other}, un débat sous tension",
    "Ce que veut vraiment {name} pour les quartiers",
    "Sondage : {name} en tête, {other} en embuscade",
]


def _mentions(title: str, text: str) -> tuple[list[str], list[str], dict[str, Mention]]:
    folded_title, folded_text = fold_plain(title), fold_plain(text)
    candidates: list[str] = []
    mentions: dict[str, Mention] = {}
    for ident, name in CANDIDATES.items():
        key = fold_plain(name)
        count = folded_title.count(key) + folded_text.count(key)
        if count:
            candidates.append(ident)
            at = folded_text.find(key)
            snippets = (
                (
                    Snippet(
                        text[max(0, at - 40) : at + len(name) + 40],
                        min(40, at),
                        min(40, at) + len(name),
                    ),
                )
                if at >= 0
                else ()
            )
            mentions[ident] = Mention(count=count, snippets=snippets)
    topics = [
        ident for ident, words in TOPICS.items() if any(word in folded_text for word in words)
    ]
    return candidates, topics, mentions


def make_document(number: int, rng: random.Random, paragraphs: int = 3) -> Document:
    """One document; ``paragraphs`` sets its size (3 ≈ 1.5 KB of text, 8 ≈ 4 KB)."""
    domain = rng.choice(list(SOURCES))
    kind, source_id = SOURCES[domain]
    names = list(CANDIDATES.values())
    name = rng.choice(names)
    other = rng.choice([n for n in names if n != name])
    title = rng.choice(_TITLES).format(name=name, other=other)
    body: list[str] = []
    for _ in range(paragraphs):
        sentences = [rng.choice(_SENTENCES).format(name=name, other=other)] + rng.sample(_FILLER, 3)
        rng.shuffle(sentences)
        body.append(" ".join(sentences))
    text = "\n\n".join(body)
    if kind == "forum_post":
        url = f"https://{domain}/forum/t/{number // 10}-municipales#post-{number}"
        canonical = f"https://{domain}/forum/t/{number // 10}-municipales"
        post_id = str(number)
    else:
        url = canonical = f"https://{domain}/{kind}/{number}-{fold_plain(name).replace(' ', '-')}"
        post_id = None
    published = START + timedelta(hours=rng.randrange(0, 10 * 24))
    candidates, topics, mentions = _mentions(title, text)
    return Document(
        id=document_id(canonical, post_id),
        url=url,
        canonical_url=canonical,
        domain=domain,
        kind=kind,
        source_id=source_id,
        title=title,
        text=text,
        author=rng.choice(["Marie Dupont", "Lucie Bernard", None, "citoyen_du_val"]),
        published_at=published,
        fetched_at=FETCHED,
        lang="fr",
        thread_url=canonical if post_id else None,
        post_id=post_id,
        position=(number % 10) if post_id else None,
        candidates=candidates,
        topics=topics,
        mentions=mentions,
        content_hash=content_hash(title, text),
        video={"channel": "Télé Val", "duration": 95 + number % 400, "views": 1000 + number}
        if kind == "video"
        else None,
    )


def corpus(count: int, seed: int = 7, paragraphs: int = 3) -> list[Document]:
    rng = random.Random(seed)
    return [make_document(number, rng, paragraphs) for number in range(count)]


def revised(
    document: Document, note: str = "Mise à jour : la mairie a répondu dans la soirée."
) -> Document:
    """The same page fetched again later, with a sentence added."""
    text = document.text + "\n\n" + note
    fetched = document.fetched_at + timedelta(hours=1) if document.fetched_at else None
    return dataclasses.replace(
        document, text=text, content_hash=content_hash(document.title, text), fetched_at=fetched
    )
