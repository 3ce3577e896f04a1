"""A generated store-sized corpus for ``bench_web``: French documents as the pipeline stores
them (tagged, with snippets, clusters and forum threads), built in code and deterministic for
a seed — except the dates, which end now, so the web app's "7 days" and "30 days" periods
find documents.

- 12 candidates, a few named far more often than the others; 8 topics;
- about 55 % articles, 20 % forum posts, 10 % blog posts, 10 % comments, 5 % videos, from
  112 invented sites (each with its watchlist source);
- dates spread over the last 90 days, more of them recent;
- one article story in six is a wire story reprinted on 2 to 8 sites (one story cluster),
  so about half the articles belong to a cluster;
- forum posts come in threads of 1 to 12 posts.

Not a benchmark itself (``run.py`` only runs ``bench_*.py``).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from traceur.document import Document, Mention, Snippet, content_hash, document_id
from traceur.textnorm import fold_plain

CANDIDATES = {
    "claire-martin": "Claire Martin",
    "elodie-arnaud": "Élodie Arnaud",
    "jean-baptiste-lefort": "Jean-Baptiste Lefort",
    "yves-ollivier": "Yves Ollivier",
    "ines-benali": "Inès Benali",
    "francois-dupre": "François Dupré",
    "maelle-guerin": "Maëlle Guérin",
    "thierry-roux": "Thierry Roux",
    "sophie-lemaire": "Sophie Lemaire",
    "karim-haddad": "Karim Haddad",
    "helene-faure": "Hélène Faure",
    "noel-chastel": "Noël Chastel",
}
# How often each candidate is named, relative to the others (the two leaders, then the rest).
_CANDIDATE_WEIGHTS = [30, 22, 12, 8, 6, 5, 4, 3, 3, 3, 2, 2]
# topic id → (the keyword the tagger matches, how a sentence names it)
TOPICS = {
    "transports": ("tramway", "le tramway"),
    "logement": ("logements sociaux", "les logements sociaux"),
    "ecoles": ("cantine scolaire", "la cantine scolaire"),
    "securite": ("police municipale", "la police municipale"),
    "environnement": ("pistes cyclables", "les pistes cyclables"),
    "budget": ("taxe foncière", "la taxe foncière"),
    "sante": ("centre de santé", "le centre de santé"),
    "culture": ("médiathèque", "la médiathèque"),
}
KINDS = ("article", "forum_post", "blog_post", "comment", "video")
# Per story: a wire story makes several articles and a thread several posts, so these
# weights give about 55 % articles, 20 % forum posts, 10 % blog posts and comments, 5 % videos.
_KIND_WEIGHTS = (33, 3, 10, 10, 5)
_TOWNS = (
    "val", "rives", "centre", "plaine", "coteaux", "marais", "vallee", "littoral",
    "bocage", "causses", "estuaire", "monts", "pays-haut", "bassin", "canal", "forets",
)  # fmt: skip
_SITE_KIND = {
    "article": ("www.quotidien-{t}.example", "www.gazette-{t}.example", "www.echo-{t}.example"),
    "forum_post": ("forum.citoyens-{t}.example",),
    "blog_post": ("blog.carnet-{t}.example",),
    "comment": ("www.hebdo-{t}.example",),
    "video": ("video.tele-{t}.example",),
}
_AUTHORS = [
    f"{first} {last}"
    for first in ("Marie", "Lucie", "Paul", "Nadia", "Hugo", "Anne", "Rémi", "Zoé", "Louis")
    for last in ("Dupont", "Bernard", "Moreau", "Lefèvre", "Garnier", "Chevalier", "Roussel")
] + ["citoyen_du_val", "riverain37", "la_vigie", "Mamie Jeanne", "contribuable_en_colère"]
_SENTENCES = (
    "{name} a présenté hier soir son programme pour les municipales devant une salle comble.",
    "Selon l'entourage de {name}, le dossier concernant {topic} sera accéléré dès la rentrée.",
    "Au conseil municipal, {name} a interpellé la majorité sur {topic} et les loyers.",
    "« Nous tiendrons parole sur {topic} », a promis {name} devant les habitants.",
    "Plusieurs riverains ont demandé à {name} de revoir sa position sur {topic}.",
    "Le débat a opposé {name} à {other} sur {topic} et le stationnement en centre-ville.",
    "{other} reproche à {name} d'avoir changé d'avis sur {topic}.",
    "Dans une tribune, {name} défend {topic} et l'éclairage des quartiers.",
)
_FILLER = (
    "La réunion publique s'est tenue à la salle des fêtes, devant une centaine de personnes.",
    "Les associations de quartier réclament davantage de concertation avant le vote du budget.",
    "Le préfet a rappelé les règles applicables aux affichages électoraux pendant la campagne.",
    "La commission d'urbanisme doit rendre son avis sur le plan local à la fin du mois.",
    "Les riverains de la rue des Tanneurs dénoncent le bruit du chantier depuis des semaines.",
    "Une pétition en ligne a déjà recueilli plus de mille signatures selon ses organisateurs.",
    "Le collectif citoyen appelle à un débat contradictoire entre toutes les listes déclarées.",
    "À l'été, la municipalité avait déjà renoncé à l'extension du parking souterrain.",
    "Les élus d'opposition demandent la publication des comptes de la société d'économie mixte.",
    "Le marché du samedi a été déplacé place de la Libération le temps des travaux.",
)
_TITLES = (
    "{name} présente son programme",
    "Municipales : {name} mise sur {topic}",
    "{name} et {other}, un débat sous tension",
    "Ce que veut vraiment {name} pour les quartiers",
    "{name} s'explique sur {topic}",
    "Sondage : {name} devant {other}",
)


def sites() -> dict[str, tuple[str, str]]:
    """The 80 invented sites: domain → (kind of their documents, watchlist source id)."""
    found: dict[str, tuple[str, str]] = {}
    for kind in KINDS:
        for pattern in _SITE_KIND[kind]:
            for town in _TOWNS:
                domain = pattern.format(t=town)
                if domain not in found:
                    found[domain] = (kind, domain.split(".")[1])
    return found


def _mention(text: str, folded: str, name: str) -> Mention | None:
    """The mention of ``name`` in ``text`` (``folded`` is its folded form, offsets alike)."""
    key = fold_plain(name)
    at = folded.find(key)
    if at < 0:
        return None
    start = max(0, at - 60)
    piece = text[start : at + len(name) + 60]
    return Mention(
        count=folded.count(key),
        snippets=(Snippet(piece, at - start, at - start + len(name)),),
    )


def documents(count: int, seed: int = 5, now: datetime | None = None) -> Iterator[Document]:
    """``count`` documents, newest and oldest mixed, each tagged as the tagger would."""
    rng = random.Random(seed)
    now = (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    names = list(CANDIDATES)
    by_kind: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for domain, (kind, _) in sites().items():
        by_kind[kind].append(domain)
    source_of = {domain: source for domain, (_, source) in sites().items()}
    made = 0
    thread = 0
    while made < count:
        kind = rng.choices(KINDS, _KIND_WEIGHTS)[0]
        ident = rng.choices(names, _CANDIDATE_WEIGHTS)[0]
        other = rng.choice([n for n in names if n != ident])
        topic = rng.choice(list(TOPICS))
        name, other_name = CANDIDATES[ident], CANDIDATES[other]
        words = {"name": name, "other": other_name, "topic": TOPICS[topic][1]}
        title = rng.choice(_TITLES).format(**words)
        title = title[0].upper() + title[1:]
        sentences = [rng.choice(_SENTENCES).format(**words), *rng.sample(_FILLER, 3)]
        rng.shuffle(sentences)
        text = " ".join(sentences)
        folded = fold_plain(text)
        # Every copy of a story (and every post of a thread, for speed) has the same words.
        mentions: dict[str, Mention] = {}
        for key, value in ((ident, name), (other, other_name), (topic, TOPICS[topic][0])):
            found = _mention(text, folded, value)
            if found:
                mentions[key] = found
        slug = fold_plain(title).replace(" ", "-")[:60]
        # Recent days are busier: a campaign heats up.
        age = timedelta(hours=int(90 * 24 * rng.random() ** 1.6))
        published = now - age
        copies = 1
        cluster = None
        if kind == "article" and rng.random() < 1 / 6:
            copies = rng.randint(2, 8)
            cluster = f"depeche-{made}"
        posts = rng.randint(1, 12) if kind == "forum_post" else 1
        if kind == "forum_post":
            thread += 1
        domains = rng.sample(by_kind[kind], min(copies, len(by_kind[kind])))
        for copy, domain in enumerate(domains):
            for position in range(1, posts + 1):
                if made >= count:
                    return
                made += 1
                post_id = None
                thread_url = None
                if kind == "forum_post":
                    thread_url = f"https://{domain}/t/{thread}-{slug}"
                    canonical = thread_url
                    url = f"{thread_url}#p{position}"
                    post_id = str(position)
                else:
                    canonical = url = f"https://{domain}/{kind}/{made}-{slug}"
                when = published + timedelta(minutes=37 * copy + 11 * position)
                yield Document(
                    id=document_id(canonical, post_id),
                    url=url,
                    canonical_url=canonical,
                    domain=domain,
                    kind=kind,
                    source_id=source_of[domain],
                    title=title,
                    text=text,
                    author=rng.choice(_AUTHORS) if rng.random() < 0.8 else None,
                    published_at=min(when, now),
                    fetched_at=now,
                    lang="fr" if rng.random() < 0.97 else "en",
                    thread_url=thread_url,
                    post_id=post_id,
                    position=position if post_id else None,
                    candidates=[key for key in (ident, other) if key in mentions],
                    topics=[topic] if topic in mentions else [],
                    mentions=dict(mentions),
                    content_hash=content_hash(title, text),
                    cluster_id=cluster,
                    video={"channel": "Télé locale", "duration": 60 + made % 600, "views": made}
                    if kind == "video"
                    else None,
                )
