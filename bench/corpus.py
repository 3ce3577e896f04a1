"""A deterministic French political web corpus and watchlists, for the benchmarks.

Everything here is invented: the towns, the people, the sites. The same seed always gives
the same pages byte for byte, so two runs of a benchmark measure the same work.

- ``people(count)`` invents candidates (French first names × generated surnames), each
  with aliases in the forms the press and forums use ("J.-P. Valmont", "Mme Bérard",
  "VALMONT Jean-Pierre", "la députée Bérard") and, for a few, exclusion phrases
  ("lycée Jean-Pierre Valmont").
- ``write_watchlist`` writes them as a YAML watchlist; ``load_watchlist`` reads it back
  through ``traceur.watchlist.load_watchlist``, the loader the crawler uses.
- ``generate_corpus(count)`` writes news articles, forum threads and blog posts: 3 to 8 KB
  of main text built from sentence templates, wrapped in the boilerplate real sites carry
  (cookie banner, navigation, "Lire aussi", sidebar, footer, scripts). About 60 % of the
  pages name one to three candidates, in full, by alias, elided ("d'Élodie …") or
  lower-cased without accents as forums write them; each page records how many references
  it planted in its main content, so a benchmark can show what the tagger found next to
  what was written.

The cast and the watchlist live in ``corpus_people``, the words in ``corpus_text``.

Run it alone to see a sample: ``python bench/corpus.py [--pages N] [--show I]``.
"""

from __future__ import annotations

import argparse
import html
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from corpus_people import (
    MEN,
    OTHER_SURNAMES,
    SEED,
    SITES,
    WOMEN,
    Person,
    Site,
    people_for_aliases,
    slug,
    write_watchlist,
)
from corpus_text import (
    BLOG,
    BLOG_CANDIDATE,
    COMMENTS,
    DAYS,
    FORUM,
    FORUM_CANDIDATE,
    HEADINGS,
    MONTHS,
    NEWS,
    NEWS_CANDIDATE,
    NEWS_TEASERS,
    PSEUDOS,
    QUOTES,
    SECTIONS,
    SUBJECTS,
    TAGS,
    TITLES_BLOG,
    TITLES_BLOG_CANDIDATE,
    TITLES_FORUM,
    TITLES_FORUM_CANDIDATE,
    TITLES_NEWS,
    TITLES_NEWS_CANDIDATE,
    TOWNS,
    Writer,
    thousands,
)

DEFAULT_PAGES = 500
# When the corpus was "fetched"; fixed so that documents (and their ids, dates) never vary.
FETCHED_AT = datetime(2026, 3, 16, 6, 0, tzinfo=UTC)
_FIRST_PUBLISHED = datetime(2025, 9, 1, 6, 0, tzinfo=UTC)


@dataclass
class CorpusPage:
    """One generated page and what it holds."""

    url: str
    source_id: str
    kind: str
    html: str
    title: str
    # The main content as a reader sees it (paragraphs, posts, comments), without boilerplate.
    text: str
    # Candidate id → references written in the title and main content (exclusion phrases not
    # counted).
    mentions: dict[str, int] = field(default_factory=dict)


_CSS = (
    ":root{--brand:#b3122e;--ink:#1d1d1b;--muted:#6b6b6b}*{box-sizing:border-box}"
    "body{margin:0;font:16px/1.55 Georgia,serif;color:var(--ink)}"
    ".site-header{display:flex;align-items:center;gap:1rem;padding:.5rem 1rem;"
    "border-bottom:1px solid #ddd}.logo svg{height:32px}"
    ".main-nav ul{display:flex;gap:1rem;list-style:none;margin:0;padding:0}"
    ".main-nav a{color:var(--ink);text-decoration:none;font:600 14px/1 Arial,sans-serif}"
    ".cmp-banner{position:fixed;bottom:0;left:0;right:0;background:#fff;"
    "box-shadow:0 -2px 12px rgba(0,0,0,.2);padding:1rem;z-index:1000}"
    "main{display:grid;grid-template-columns:minmax(0,1fr) 300px;gap:2rem;max-width:1140px;"
    "margin:0 auto}.lead{font-size:1.2rem;font-weight:600}"
    ".lire-aussi{border-left:3px solid var(--brand);padding-left:.75rem;margin:1.5rem 0;"
    "font-family:Arial,sans-serif}"
    ".sidebar section{margin-bottom:2rem}"
    ".site-footer{background:#1d1d1b;color:#eee;padding:2rem 1rem;font:13px/1.6 Arial,sans-serif}"
    "@media (max-width:800px){main{grid-template-columns:1fr}.sidebar{display:none}}"
)
_ICON = (
    '<svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20">'
    '<path d="M18.9 1.2h3.7l-8 9.2L24 22.8h-7.4l-5.8-7.6-6.6 7.6H.5'
    'l8.6-9.8L0 1.2h7.6l5.2 6.9 6.1-6.9zm-1.3 19.4h2L6.5 3.3H4.3l13.3 17.3z"/></svg>'
)


def _e(text: str) -> str:
    # Escape what markup needs, in text and in double-quoted attributes; apostrophes stay
    # as sites write them.
    return html.escape(text, quote=False).replace('"', "&quot;")


def _french_date(moment: datetime) -> str:
    return f"{DAYS[moment.weekday()]} {moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def _cookie_banner(rng: random.Random) -> str:
    return (
        '<div id="cookie-banner" class="cmp-banner" role="dialog" aria-label="Gestion des cookies">'
        "<p>Nous et nos partenaires utilisons des cookies et technologies similaires pour mesurer "
        "l'audience, personnaliser le contenu et les publicités, et proposer des fonctionnalités "
        "liées aux réseaux sociaux. Vous pouvez accepter, refuser ou paramétrer vos choix à tout "
        "moment depuis la page « Gestion des cookies ».</p>"
        '<button type="button" class="cmp-accept">Tout accepter</button> '
        '<button type="button" class="cmp-refuse">Continuer sans accepter</button> '
        f'<a href="/cookies?v={rng.randint(100, 999)}">Personnaliser mes choix</a></div>'
    )


def _analytics(rng: random.Random, site: Site) -> str:
    return (
        "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}"
        "gtag('js',new Date());"
        f"gtag('config','G-{rng.randint(10**9, 10**10 - 1)}',{{anonymize_ip:true}});"
        f"window.__SITE__={{name:{json.dumps(site.name)},section:{json.dumps(site.section)},consent:'pending'}};</script>"
    )


def _headline(writer: Writer, rng: random.Random) -> str:
    # Headlines for "Lire aussi" and sidebars: boilerplate, not counted as mentions.
    writer.counting = False
    try:
        if writer.cast and rng.random() < 0.3:
            title = writer.fill(
                rng.choice(TITLES_NEWS_CANDIDATE),
                writer.cast[0],
                writer.cast[-1] if len(writer.cast) > 1 else writer.cast[0],
            )
        else:
            title = writer.fill(rng.choice(TITLES_NEWS))
    finally:
        writer.counting = True
    return title


def _link(site: Site, rng: random.Random, title: str) -> str:
    return f"https://{site.host}/{site.section}/{slug(title)[:60]}-{rng.randint(10000, 99999)}.html"


def _footer(site: Site, year: int) -> str:
    links = (
        "Mentions légales",
        "Politique de confidentialité",
        "Gestion des cookies",
        "Conditions générales d'utilisation",
        "Contact",
        "Plan du site",
        "Publicité",
        "Nous rejoindre",
        "Charte de modération",
        "Accessibilité : partiellement conforme",
    )
    items = "".join(f'<li><a href="/{slug(link)}">{_e(link)}</a></li>' for link in links)
    return (
        f'<footer class="site-footer"><nav aria-label="Liens utiles"><ul>{items}</ul></nav>'
        f'<div class="social"><a href="https://x.example/{slug(site.name)}">{_ICON} X</a> '
        f'<a href="https://facebook.example/{slug(site.name)}">Facebook</a> '
        '<a href="/rss.xml">Flux RSS</a></div>'
        f"<p>© {year} {_e(site.name)} — Tous droits réservés. Reproduction interdite sans "
        "autorisation.</p></footer>"
    )


def _head(
    site: Site,
    url: str,
    title: str,
    description: str,
    author: str,
    published: datetime | None,
    rng: random.Random,
    og_type: str,
) -> str:
    parts = [
        '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)} – {_e(site.name)}</title>",
        f'<meta name="description" content="{_e(description[:180])}">',
        f'<meta property="og:type" content="{og_type}">'
        f'<meta property="og:title" content="{_e(title)}">',
        f'<meta property="og:site_name" content="{_e(site.name)}">'
        f'<meta property="og:url" content="{url}">',
        '<meta property="og:image" '
        f'content="https://{site.host}/media/{rng.randint(10**5, 10**6)}.jpg">',
        f'<meta name="author" content="{_e(author)}">',
    ]
    if published is not None and rng.random() < 0.75:
        parts.append(f'<meta property="article:published_time" content="{published.isoformat()}">')
    parts += [
        f'<link rel="canonical" href="{url}">',
        f'<link rel="stylesheet" href="/static/css/main.{rng.randint(16**7, 16**8 - 1):x}.css">',
        f'<link rel="alternate" type="application/rss+xml" title="{_e(site.name)}" '
        'href="/rss.xml">',
        f"<style>{_CSS}</style>",
    ]
    if og_type == "article" and published is not None:
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "author": {"@type": "Person", "name": author},
            "datePublished": published.isoformat(),
            "publisher": {"@type": "Organization", "name": site.name},
        }
        parts.append(
            f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
        )
    parts.append(_analytics(rng, site))
    parts.append("</head>")
    return "\n".join(parts)


def _mega_menu() -> str:
    # News sites open every section on hover: a few hundred links of pure boilerplate.
    entries = []
    for section in SECTIONS:
        subs = (
            TAGS
            if section == "Politique"
            else TOWNS[:8]
            if section == "Régions"
            else ("À la une", "Décryptages", "Entretiens", "Tribunes", "Vidéos")
        )
        links = "".join(
            f'<li><a href="/{slug(section)}/{slug(sub)}/">{_e(sub)}</a></li>' for sub in subs
        )
        entries.append(
            f'<li class="has-sub"><a href="/{slug(section)}/">{_e(section)}</a>'
            f'<ul class="sub">{links}</ul></li>'
        )
    return '<nav class="main-nav" aria-label="Rubriques"><ul>' + "".join(entries) + "</ul></nav>"


def _nav(items: tuple[str, ...], css: str) -> str:
    return (
        f'<nav class="{css}"><ul>'
        + "".join(f'<li><a href="/{slug(item)}/">{_e(item)}</a></li>' for item in items)
        + "</ul></nav>"
    )


def _title(
    writer: Writer, rng: random.Random, plain: tuple[str, ...], with_candidate: tuple[str, ...]
) -> str:
    """Half the pages that name someone do it in the headline too."""
    if not writer.cast or rng.random() < 0.5:
        return writer.fill(rng.choice(plain))
    usable = [t for t in with_candidate if "{c2}" not in t or len(writer.cast) > 1]
    return writer.fill(
        rng.choice(usable), writer.cast[0], writer.cast[1] if len(writer.cast) > 1 else None
    )


def _article_page(
    site: Site, writer: Writer, rng: random.Random, url: str, published: datetime, target: int
) -> tuple[str, str, str]:
    density = rng.uniform(0.06, 0.18)
    title = _title(writer, rng, TITLES_NEWS, TITLES_NEWS_CANDIDATE)
    lead = writer.paragraph(NEWS, NEWS_CANDIDATE, density, (1, 2))
    author = f"{rng.choice(MEN + WOMEN)} {rng.choice(OTHER_SURNAMES)}"
    body: list[str] = []
    texts = [lead]
    size = len(lead)
    read_also = {rng.randint(1, 3), rng.randint(4, 7)}
    paragraph_index = 0
    while size < target:
        paragraph_index += 1
        if paragraph_index % 4 == 0:
            heading = writer.pick(HEADINGS)
            body.append(f"<h2>{_e(heading)}</h2>")
            texts.append(heading)
        if paragraph_index == 3 and rng.random() < 0.6:
            quote = rng.choice(QUOTES)
            body.append(f"<blockquote><p>« {_e(quote)} »</p></blockquote>")
            texts.append(f"« {quote} »")
        if writer.cast and writer.cast[0].has_exclusions and paragraph_index == 2:
            # A street named after the candidate: the watchlist's exclusions must not count it.
            person = writer.cast[0]
            para = (
                f"Le bureau de vote sera installé rue {person.name}, "
                f"à deux pas du lycée {person.name}, comme lors du précédent scrutin."
            )
        else:
            para = writer.paragraph(NEWS, NEWS_CANDIDATE, density, (3, 6))
        body.append(f"<p>{_e(para)}</p>")
        texts.append(para)
        size += len(para)
        if paragraph_index in read_also:
            other = _headline(writer, rng)
            body.append(
                '<aside class="lire-aussi"><strong>Lire aussi</strong> '
                f'<a href="{_link(site, rng, other)}">{_e(other)}</a></aside>'
            )
    related = "".join(
        f'<li class="teaser"><a href="{_link(site, rng, h)}">'
        f'<img src="https://{site.host}/media/{rng.randint(10**5, 10**6)}-320.jpg" alt="" '
        'loading="lazy">'
        f"<span>{_e(h)}</span></a><p>{_e(writer.fill(writer.pick(NEWS_TEASERS)))}</p></li>"
        for h in (_headline(writer, rng) for _ in range(4))
    )
    most_read = "".join(
        f'<li><a href="{_link(site, rng, h)}">{_e(h)}</a></li>'
        for h in (_headline(writer, rng) for _ in range(5))
    )
    comments = ""
    if rng.random() < 0.3:
        items = []
        for _ in range(rng.randint(2, 5)):
            said = writer.paragraph(FORUM, FORUM_CANDIDATE, density / 2, (1, 3))
            items.append(
                f'<div class="comment"><p class="comment-author">{_e(rng.choice(PSEUDOS))}</p>'
                f"<p>{_e(said)}</p></div>"
            )
            texts.append(said)
        comments = (
            f'<section class="comments" id="comments"><h2>{len(items)} commentaires</h2>'
            f"{''.join(items)}</section>"
        )
    stamp = published.strftime("%Hh%M")
    page = "\n".join(
        (
            _head(site, url, title, lead, author, published, rng, "article"),
            f'<body class="page-article rubrique-{slug(site.section)}">',
            _cookie_banner(rng),
            f'<header class="site-header"><a class="logo" href="/">{_ICON}<span>{_e(site.name)}'
            "</span></a>",
            _mega_menu(),
            '<form class="search" action="/recherche" role="search">'
            '<input name="q" placeholder="Rechercher un article"><button>OK</button></form>',
            '<a class="btn-abonnement" href="/abonnement">S’abonner — 1 € le premier mois</a>'
            "</header>",
            '<nav class="breadcrumb"><a href="/">Accueil</a> › '
            f'<a href="/{site.section}/">Politique</a> › <span>{_e(writer.town)}</span></nav>',
            "<main>",
            f'<article class="article"><header><p class="kicker">{_e(rng.choice(TAGS))}</p>'
            f"<h1>{_e(title)}</h1>",
            f'<p class="lead">{_e(lead)}</p>',
            f'<div class="byline">Par <a rel="author" href="/auteurs/{slug(author)}">{_e(author)}'
            "</a> · "
            f'<time datetime="{published.isoformat()}">Publié le {_french_date(published)} '
            f"à {stamp}</time></div></header>",
            f'<figure><img src="https://{site.host}/media/{rng.randint(10**5, 10**6)}.jpg" alt="" '
            'loading="lazy" width="1200" height="675">'
            f"<figcaption>{_e(writer.town)}, {_french_date(published - timedelta(days=1))}. © "
            "Photo Agence Centre Images</figcaption></figure>",
            '<div class="article-body">' + "\n".join(body) + "</div>",
            '<div class="share">Partager : <a href="https://x.example/intent">X</a> '
            '<a href="https://facebook.example/sharer">Facebook</a> '
            '<a href="https://linkedin.example/share">LinkedIn</a> '
            '<button type="button">Copier le lien</button></div>',
            '<ul class="tags">'
            + "".join(
                f'<li><a href="/sujets/{slug(t)}">{_e(t)}</a></li>' for t in rng.sample(TAGS, 3)
            )
            + "</ul>",
            "</article>",
            f'<section class="related"><h2>Sur le même sujet</h2><ul>{related}</ul></section>',
            comments,
            '<aside class="sidebar"><section class="most-read"><h2>Les plus lus</h2>'
            f"<ol>{most_read}</ol></section>",
            '<section class="newsletter"><h2>Newsletter</h2>'
            "<p>Recevez chaque matin l’essentiel de l’actualité politique locale.</p>"
            '<form action="/newsletter"><input type="email" name="email" '
            'placeholder="Votre adresse e-mail"><button>Je m’inscris</button></form></section>',
            f'<div class="ad" data-slot="sidebar-{rng.randint(1, 4)}" data-format="300x600"></div>'
            "</aside>",
            "</main>",
            _footer(site, published.year),
            f'<script src="/static/js/app.{rng.randint(16**7, 16**8 - 1):x}.js" defer></script>',
            "</body>\n</html>\n",
        )
    )
    return page, title, "\n\n".join(texts)


def _forum_page(
    site: Site, writer: Writer, rng: random.Random, url: str, published: datetime, target: int
) -> tuple[str, str, str]:
    density = rng.uniform(0.08, 0.25)
    title = _title(writer, rng, TITLES_FORUM, TITLES_FORUM_CANDIDATE)
    posts: list[str] = []
    texts: list[str] = []
    size = 0
    moment = published
    number = rng.randint(1000, 90000)
    while size < target:
        number += rng.randint(1, 40)
        moment += timedelta(minutes=rng.randint(3, 600))
        author = rng.choice(PSEUDOS)
        paragraphs = [
            writer.paragraph(FORUM, FORUM_CANDIDATE, density, (1, 4))
            for _ in range(rng.randint(1, 3))
        ]
        quote = ""
        if posts and rng.random() < 0.3:
            # Quoting an earlier post repeats its words; a plain sentence keeps the planted count
            # exact.
            quoted = writer.fill(writer.pick(FORUM))
            quote = (
                f'<blockquote class="quote"><cite>{_e(rng.choice(PSEUDOS))} a écrit :</cite>'
                f"<p>{_e(quoted)}</p></blockquote>"
            )
        message = "".join(f"<p>{_e(p)}</p>" for p in paragraphs)
        posts.append(
            f'<div class="post" id="p{number}"><div class="post-author">'
            f'<span class="username">{_e(author)}</span>'
            f'<span class="rank">{rng.choice(("Membre", "Membre actif", "Habitué", "Modérateur"))}'
            "</span>"
            f'<span class="posts">{thousands(rng.randint(3, 9000))} messages</span></div>'
            f'<div class="post-body"><div class="post-date">Posté le {_french_date(moment)} '
            f"à {moment.strftime('%H:%M')}</div>"
            f'<div class="message">{quote}{message}</div>'
            + (
                f'<div class="signature">{_e(rng.choice(QUOTES))} — {_e(author)}</div>'
                if rng.random() < 0.3
                else ""
            )
            + '<div class="post-actions"><a href="#">Citer</a> <a href="#">Signaler</a></div>'
            "</div></div>"
        )
        texts.extend(paragraphs)
        size += sum(len(p) for p in paragraphs)
    pages = rng.randint(1, 14)
    pagination = (
        '<div class="pagination">Page 1 sur '
        + str(pages)
        + " "
        + "".join(f'<a href="?page={i}">{i}</a> ' for i in range(2, min(pages, 6) + 1))
        + "</div>"
    )
    page = "\n".join(
        (
            _head(site, url, title, texts[0], "", None, rng, "website"),
            '<body class="forum viewtopic">',
            _cookie_banner(rng),
            f'<header class="forum-header"><a class="logo" href="/">{_e(site.name)}</a>',
            _nav(
                (
                    "Accueil",
                    "Forums",
                    "Membres",
                    "Règles",
                    "Recherche avancée",
                    "Connexion",
                    "S'inscrire",
                ),
                "forum-nav",
            ),
            "</header>",
            '<nav class="breadcrumb"><a href="/">Index du forum</a> » '
            f'<a href="/forum/politique-locale/">Politique locale</a> » <span>{_e(writer.town)}'
            "</span></nav>",
            f'<main class="topic"><h1 class="topic-title">{_e(title)}</h1>',
            pagination,
            '<div class="posts">' + "\n".join(posts) + "</div>",
            pagination,
            '<form class="quick-reply" action="/posting">'
            '<textarea name="message" placeholder="Votre réponse"></textarea>'
            "<button>Envoyer</button></form>",
            "</main>",
            '<aside class="online"><h2>Qui est en ligne ?</h2>'
            f"<p>{rng.randint(12, 300)} utilisateurs en ligne : {rng.randint(2, 30)} membres, "
            f"{rng.randint(10, 270)} invités. "
            f"Membres : {', '.join(_e(p) for p in rng.sample(PSEUDOS, 5))}</p></aside>",
            _footer(site, published.year),
            '<p class="powered">Propulsé par un logiciel de forum libre</p></body>\n</html>\n',
        )
    )
    return page, title, "\n\n".join(texts)


def _blog_page(
    site: Site, writer: Writer, rng: random.Random, url: str, published: datetime, target: int
) -> tuple[str, str, str]:
    density = rng.uniform(0.06, 0.18)
    title = _title(writer, rng, TITLES_BLOG, TITLES_BLOG_CANDIDATE)
    texts: list[str] = []
    body: list[str] = []
    size = 0
    while size < target:
        if rng.random() < 0.4:
            para = writer.paragraph(NEWS, NEWS_CANDIDATE, density, (2, 4))
        else:
            para = writer.paragraph(BLOG, BLOG_CANDIDATE, density, (2, 5))
        body.append(f"<p>{_e(para)}</p>")
        texts.append(para)
        size += len(para)
    comments = []
    for _ in range(rng.randint(0, 6)):
        said = writer.paragraph(COMMENTS + FORUM, FORUM_CANDIDATE, density / 2, (1, 3))
        comments.append(
            '<li class="comment"><article><footer class="comment-meta">'
            f'<b class="fn">{_e(rng.choice(PSEUDOS))}</b> '
            f'<time datetime="{(published + timedelta(hours=rng.randint(1, 72))).isoformat()}">'
            f"le {_french_date(published)}</time></footer>"
            f'<div class="comment-content"><p>{_e(said)}</p></div>'
            '<a class="comment-reply-link" href="#respond">Répondre</a></article></li>'
        )
        texts.append(said)
    archives = "".join(
        f'<li><a href="/{2025 + (m < 8)}/{m + 1:02d}/">{MONTHS[m]} {2025 + (m < 8)}</a></li>'
        for m in (8, 9, 10, 11, 0, 1, 2)
    )
    recent = "".join(
        f'<li><a href="/billet-{rng.randint(100, 999)}">{_e(writer.fill(rng.choice(TITLES_BLOG)))}'
        "</a></li>"
        for _ in range(4)
    )
    page = "\n".join(
        (
            _head(site, url, title, texts[0], "Lucie", published, rng, "article"),
            '<body class="post-template-default single single-post">',
            _cookie_banner(rng) if rng.random() < 0.5 else "",
            '<header id="masthead" class="site-header"><p class="site-title">'
            f'<a href="/">{_e(site.name)}</a></p>'
            '<p class="site-description">Notes, chiffres et humeurs sur la vie politique de la '
            "vallée</p>",
            _nav(("Accueil", "À propos", "Archives", "Contact"), "main-navigation"),
            "</header>",
            '<div id="content" class="site-content"><main id="main" class="site-main">',
            '<article class="post type-post status-publish"><header class="entry-header">'
            f'<h1 class="entry-title">{_e(title)}</h1>'
            '<div class="entry-meta"><time class="entry-date published" '
            f'datetime="{published.isoformat()}">{_french_date(published)}</time> '
            f'dans <a href="/categorie/{slug(writer.town)}" rel="category tag">{_e(writer.town)}'
            "</a></div></header>",
            '<div class="entry-content">' + "\n".join(body) + "</div>",
            '<div class="sharedaddy"><h3>Partager :</h3><a href="?share=x">X</a> '
            '<a href="?share=facebook">Facebook</a> <a href="?share=email">E-mail</a></div>',
            "</article>",
            '<div id="comments" class="comments-area">'
            f'<h2 class="comments-title">{len(comments)} réflexions sur « {_e(title)} »</h2>'
            f'<ol class="comment-list">{"".join(comments)}</ol>'
            '<div id="respond"><h3>Laisser un commentaire</h3><form action="/wp-comments-post.php">'
            '<textarea name="comment"></textarea>'
            '<input name="author" placeholder="Nom"><input name="email" placeholder="E-mail">'
            "<button>Laisser un commentaire</button></form></div></div>",
            "</main>",
            '<aside id="secondary" class="widget-area"><section class="widget widget_search">'
            '<form role="search" action="/"><input name="s"></form></section>'
            '<section class="widget widget_recent_entries">'
            f'<h2 class="widget-title">Articles récents</h2><ul>{recent}</ul></section>'
            '<section class="widget widget_archive"><h2 class="widget-title">Archives</h2>'
            f"<ul>{archives}</ul></section>"
            '<section class="widget widget_categories"><h2 class="widget-title">Catégories</h2><ul>'
            + "".join(f'<li><a href="/categorie/{slug(t)}">{_e(t)}</a></li>' for t in TOWNS[:6])
            + "</ul></section></aside></div>",
            '<footer id="colophon" class="site-footer">'
            f"<p>© {published.year} {_e(site.name)} · Fièrement propulsé par un moteur de blog "
            "libre</p></footer>",
            "</body>\n</html>\n",
        )
    )
    return page, title, "\n\n".join(texts)


_BUILDERS = {"article": _article_page, "forum_post": _forum_page, "blog_post": _blog_page}


def generate_corpus(
    count: int = DEFAULT_PAGES, seed: int = SEED, cast: list[Person] | None = None
) -> list[CorpusPage]:
    """``count`` pages: 60 % news articles, 20 % forum threads, 20 % blog posts.

    ``cast`` is who may be named (by default the candidates of the 1,000-alias watchlist);
    a few are named often and most rarely, as in real coverage.
    """
    rng = random.Random(seed)
    cast = cast if cast is not None else people_for_aliases(1000, seed)
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(cast))]
    by_kind = {kind: [s for s in SITES if s.kind == kind] for kind in _BUILDERS}
    pages: list[CorpusPage] = []
    for index in range(count):
        roll = rng.random()
        kind = "article" if roll < 0.6 else "forum_post" if roll < 0.8 else "blog_post"
        site = rng.choice(by_kind[kind])
        named: list[Person] = []
        if cast and rng.random() < 0.6:
            while len(named) < rng.choice((1, 1, 2, 3)):
                person = rng.choices(cast, weights)[0]
                if person not in named:
                    named.append(person)
        writer = Writer(rng, kind, rng.choice(TOWNS), rng.choice(SUBJECTS), named)
        published = _FIRST_PUBLISHED + timedelta(minutes=rng.randint(0, 196 * 24 * 60))
        target = rng.randint(3000, 8000)
        path_title = f"{writer.subject} {writer.town} {index}"
        url = f"https://{site.host}/{site.section}/{slug(path_title)}-{index:05d}.html"
        if kind == "forum_post":
            url = f"https://{site.host}/{site.section}/{index:05d}-{slug(writer.subject)}"
        html_text, title, text = _BUILDERS[kind](site, writer, rng, url, published, target)
        pages.append(CorpusPage(url, site.id, kind, html_text, title, text, dict(writer.mentions)))
    return pages


def describe(pages: list[CorpusPage]) -> str:
    """One line: how many pages of each kind, HTML and text sizes, pages naming a candidate."""
    kinds: dict[str, int] = {}
    for page in pages:
        kinds[page.kind] = kinds.get(page.kind, 0) + 1
    html_bytes = sum(len(p.html.encode("utf-8")) for p in pages)
    text_bytes = sum(len(p.text.encode("utf-8")) for p in pages)
    named = sum(1 for p in pages if p.mentions)
    references = sum(sum(p.mentions.values()) for p in pages)
    kinds_text = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    return (
        f"{len(pages)} pages ({kinds_text}); HTML {html_bytes / 1e6:.1f} MB "
        f"(avg {html_bytes / len(pages) / 1e3:.1f} KB/page), "
        f"main text {text_bytes / 1e6:.2f} MB (avg {text_bytes / len(pages) / 1e3:.1f} KB/page); "
        f"{named} pages name a candidate ({references} references)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the benchmark corpus and show a sample.")
    parser.add_argument("--pages", type=int, default=DEFAULT_PAGES)
    parser.add_argument("--show", type=int, default=None, help="print the HTML of page number SHOW")
    parser.add_argument(
        "--write", metavar="DIR", help="write the pages and a 1,000-alias watchlist into DIR"
    )
    args = parser.parse_args(argv)
    pages = generate_corpus(args.pages)
    print(describe(pages))
    if args.show is not None:
        page = pages[args.show]
        print(page.url, page.kind, page.mentions)
        print(page.html)
    if args.write:
        out = Path(args.write)
        out.mkdir(parents=True, exist_ok=True)
        for index, page in enumerate(pages):
            (out / f"{index:05d}.html").write_text(page.html, encoding="utf-8")
        print(f"wrote {len(pages)} pages and {write_watchlist(people_for_aliases(1000), out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
