"""News pages with and without reader comments, each with its true article text and its
true comments: the labelled corpus of ``bench_article_text`` and of the fixed subset in
tests/fixtures/comments/.

Five invented newspapers, each with its own layout and its own comment system, none of
them the layouts of ``corpus.py`` or of the demo web:

- ``voix-bocage``: a regional daily's home-made CMS, its own "Réagir" module, replies
  nested under the comment they answer;
- ``courrier-2v``: a WordPress news theme (tagDiv-like classes), ``ol.comment-list`` with
  ``ol.children`` replies and a plain ``<cite>`` for the author;
- ``info-sarve``: a React site rendered on the server, hashed class names
  (``Comment_author__w2``), buttons as ``<button>``; half of its pages also list their
  comments in the article's JSON-LD;
- ``hebdo-plateau``: an old table layout, a "Réactions des lecteurs (N)" heading over
  flat ``div.message`` blocks without ids, dates printed in French;
- ``petit-riverain``: schema.org microdata, ``itemprop="comment"`` with nested replies.

A third of the pages carry comments (2 to 7, some of them replies). The true text of an
article is its lead, its paragraphs, its subheadings and its quotes: not the headline,
byline, captions, "À lire aussi" inserts, tags, sharing buttons or comments.

    .venv/bin/python bench/corpus_news.py --show 3
    .venv/bin/python bench/corpus_news.py --pages 30 --write tests/fixtures/comments
"""

# The page templates below are written as the sites print their HTML, long lines and all.
# ruff: noqa: E501

from __future__ import annotations

import argparse
import html
import json
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from corpus_people import MEN, OTHER_SURNAMES, WOMEN, people_for_aliases, slug
from corpus_text import (
    COMMENTS,
    FORUM,
    FORUM_CANDIDATE,
    HEADINGS,
    MONTHS,
    NEWS,
    NEWS_CANDIDATE,
    PSEUDOS,
    QUOTES,
    SUBJECTS,
    TAGS,
    TITLES_NEWS,
    TITLES_NEWS_CANDIDATE,
    TOWNS,
    Writer,
)

SEED = 20270312
DEFAULT_PAGES = 200
PARIS = ZoneInfo("Europe/Paris")
_FIRST = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)


@dataclass
class TrueComment:
    author: str
    published_at: str  # ISO 8601, UTC
    text: str
    parent: int | None  # index of the comment it answers, in this list
    comment_id: str | None  # what the page gives as its id, if anything


@dataclass
class NewsPage:
    url: str
    layout: str
    html: str
    title: str
    text: str  # the article as a reader sees it, one line per paragraph
    comments: list[TrueComment] = field(default_factory=list)


@dataclass
class _Thread:
    """A comment and its replies, as a page draws them."""

    index: int
    comment_id: str
    author: str
    when: datetime
    paragraphs: list[str]
    likes: int
    replies: list[_Thread] = field(default_factory=list)


@dataclass
class _Article:
    url: str
    title: str
    author: str
    published: datetime
    kicker: str
    lead: str
    blocks: list[tuple[str, str]]  # ("p" | "h" | "quote", text)
    read_also: list[str]
    threads: list[_Thread]
    comment_count: int


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _local(moment: datetime) -> datetime:
    return moment.astimezone(PARIS)


def _numeric(moment: datetime) -> str:
    local = _local(moment)
    return f"{local:%d/%m/%Y} à {local:%H}h{local:%M}"


def _long(moment: datetime) -> str:
    local = _local(moment)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year} à {local:%H:%M}"


def _flat(threads: list[_Thread]) -> list[_Thread]:
    out: list[_Thread] = []
    for thread in threads:
        out.append(thread)
        out.extend(_flat(thread.replies))
    return out


def _paragraphs_html(article: _Article, paragraph: str, heading: str, quote: str) -> str:
    parts = []
    for kind, text in article.blocks:
        template = {"p": paragraph, "h": heading, "quote": quote}[kind]
        parts.append(template.format(_e(text)))
    return "\n".join(parts)


# -- the five newspapers ------------------------------------------------------------------


def _voix_bocage(article: _Article, rng: random.Random) -> str:
    def reaction(thread: _Thread) -> str:
        replies = "".join(reaction(reply) for reply in thread.replies)
        body = "".join(f"<p>{_e(p)}</p>" for p in thread.paragraphs)
        return (
            f'<div class="vb-react" id="r{thread.comment_id}">'
            f'<div class="vb-react-tete"><span class="vb-react-auteur">{_e(thread.author)}</span>'
            f' <span class="vb-react-date">le {_numeric(thread.when)}</span></div>'
            f'<div class="vb-react-contenu">{body}</div>'
            '<div class="vb-react-boutons"><a href="#vb-form">Répondre</a> '
            f'<a href="/moderation/signaler?r={thread.comment_id}">Signaler</a> '
            f'<span class="vb-like">J\'aime ({thread.likes})</span></div>'
            + (f'<div class="vb-react-reponses">{replies}</div>' if replies else "")
            + "</div>"
        )

    count = article.comment_count
    reactions = "".join(reaction(thread) for thread in article.threads)
    invite = "Soyez le premier à réagir" if not count else f"{count} réactions"
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8">
<title>{_e(article.title)} - La Voix du Bocage</title>
<meta name="description" content="{_e(article.lead[:150])}">
<meta property="og:title" content="{_e(article.title)}">
<meta property="article:published_time" content="{_local(article.published).isoformat()}">
<link rel="stylesheet" href="/css/vb.min.css?v=2027">
<script>var vbStats={{rub:"politique",id:{rng.randint(10000, 99999)}}};</script>
</head>
<body>
<div id="page" class="vb">
<div class="vb-bandeau-cookies">En poursuivant votre navigation, vous acceptez l'utilisation de cookies
destinés à la mesure d'audience. <a href="/cookies.html">Paramétrer</a> <a href="#" class="vb-ok">OK</a></div>
<div class="vb-top"><a class="vb-logo" href="/">La Voix du Bocage</a>
<ul class="vb-menu"><li><a href="/actualite/">Actualité</a></li><li><a href="/politique/">Politique</a></li>
<li><a href="/sports/">Sports</a></li><li><a href="/loisirs/">Loisirs</a></li><li><a href="/necrologie/">Carnet</a></li>
<li><a href="/abonnement/">S'abonner</a></li></ul></div>
<div class="vb-fil-ariane"><a href="/">Accueil</a> &gt; <a href="/politique/">Politique</a> &gt; {_e(article.kicker)}</div>
<div class="vb-colonnes"><div class="vb-col-principale">
<div class="vb-article">
<span class="vb-surtitre">{_e(article.kicker)}</span>
<h1>{_e(article.title)}</h1>
<div class="vb-infos">Publié le {_numeric(article.published)} · Par <strong>{_e(article.author)}</strong> · <a href="#vb-reagir">{invite}</a></div>
<p class="vb-chapo">{_e(article.lead)}</p>
<div class="vb-photo"><img src="/photos/{rng.randint(1000, 9999)}.jpg" alt=""><span class="vb-legende">Photo d'illustration. © La Voix du Bocage</span></div>
<div class="vb-corps">
{_paragraphs_html(article, "<p>{}</p>", '<h3 class="vb-inter">{}</h3>', '<p class="vb-citation">{}</p>')}
<div class="vb-encadre-lire">À lire aussi : <a href="/politique/lire-{rng.randint(100, 999)}.html">{_e(article.read_also[0])}</a></div>
</div>
<div class="vb-partage"><a href="#">Facebook</a> <a href="#">X</a> <a href="#">Imprimer</a></div>
</div>
<div class="vb-reagir" id="vb-reagir"><div class="vb-reagir-entete">Réagir ({count})</div>
<p class="vb-charte">Les réactions sont modérées a posteriori. <a href="/charte.html">Charte</a></p>
<form id="vb-form" action="/reagir" method="post"><input name="pseudo" placeholder="Pseudo">
<textarea name="texte" placeholder="Votre réaction"></textarea><button>Envoyer</button></form>
{reactions}
</div>
</div>
<div class="vb-col-droite"><div class="vb-bloc"><div class="vb-bloc-titre">Les plus lus</div>
<ol><li><a href="/faits-divers/a.html">{_e(article.read_also[1])}</a></li><li><a href="/sports/b.html">{_e(article.read_also[2])}</a></li></ol></div>
<div class="vb-pub">Publicité</div></div></div>
<div class="vb-pied"><a href="/mentions.html">Mentions légales</a> | <a href="/contact.html">Contact</a> | <a href="/annonces/">Annonces légales</a> | © La Voix du Bocage {article.published.year}</div>
</div></body></html>
"""


def _courrier_2v(article: _Article, rng: random.Random) -> str:
    post = rng.randint(10000, 60000)

    def comment(thread: _Thread, depth: int) -> str:
        replies = "".join(comment(reply, depth + 1) for reply in thread.replies)
        body = "".join(f"<p>{_e(p)}</p>" for p in thread.paragraphs)
        when = _local(thread.when)
        return (
            f'<li class="comment {"even" if thread.index % 2 else "odd"} depth-{depth}" '
            f'id="comment-{thread.comment_id}"><article><footer>'
            f'<img alt="" src="/wp-content/avatars/{thread.index}.png" class="avatar avatar-50">'
            f"<cite>{_e(thread.author)}</cite>"
            f'<a class="comment-link" href="#comment-{thread.comment_id}">'
            f'<time pubdate datetime="{when.isoformat()}">{when.day} '
            f"{MONTHS[when.month - 1]} {when.year} à {when:%H} h {when:%M} min</time></a></footer>"
            f'<div class="comment-content">{body}</div>'
            f'<div class="comment-meta" id="comment-meta-{thread.comment_id}">'
            '<a rel="nofollow" class="comment-reply-link" href="#respond">Répondre</a></div>'
            "</article>" + (f'<ol class="children">{replies}</ol>' if replies else "") + "</li>"
        )

    count = article.comment_count
    comments = "".join(comment(thread, 1) for thread in article.threads)
    listing = f'<ol class="comment-list">{comments}</ol>' if comments else ""
    when = _local(article.published)
    return f"""<!DOCTYPE html>
<html lang="fr-FR"><head><meta charset="UTF-8">
<title>{_e(article.title)} | Le Courrier des Deux-Vallées</title>
<meta name="generator" content="WordPress 6.4.3">
<link rel="stylesheet" id="td-theme-css" href="/wp-content/themes/Newspaper/style.css?ver=12.6" type="text/css">
<meta property="og:title" content="{_e(article.title)}">
<meta property="article:published_time" content="{when.isoformat()}">
</head>
<body class="post-template-default single single-post postid-{post} single-format-standard td-standard-pack global-block-template-1">
<div class="td-scroll-up"></div>
<div id="td-outer-wrap" class="td-theme-wrap">
<div class="td-header-wrap"><div class="td-header-menu-wrap"><ul id="menu-principal" class="sf-menu">
<li class="menu-item"><a href="/">Accueil</a></li><li class="menu-item"><a href="/category/politique/">Politique</a></li>
<li class="menu-item"><a href="/category/economie/">Économie</a></li><li class="menu-item"><a href="/category/vallees/">Nos vallées</a></li>
<li class="menu-item"><a href="/agenda/">Agenda</a></li></ul></div></div>
<div class="td-main-content-wrap td-container-wrap"><div class="td-container"><div class="td-pb-row">
<div class="td-pb-span8 td-main-content" role="main"><div class="td-ss-main-content">
<article id="post-{post}" class="post-{post} post type-post status-publish format-standard has-post-thumbnail hentry category-politique">
<div class="td-post-header"><ul class="td-category"><li class="entry-category"><a href="/category/politique/">{_e(article.kicker)}</a></li></ul>
<header class="td-post-title"><h1 class="entry-title">{_e(article.title)}</h1>
<div class="td-module-meta-info"><div class="td-post-author-name"><div class="td-author-by">Par</div> <a href="/author/{slug(article.author)}/">{_e(article.author)}</a><div class="td-author-line"> - </div></div>
<span class="td-post-date"><time class="entry-date updated td-module-date" datetime="{when.isoformat()}">{when.day} {MONTHS[when.month - 1]} {when.year}</time></span>
<div class="td-post-comments"><a href="#comments"><i class="td-icon-comments"></i>{count}</a></div></div></header></div>
<div class="td-post-sharing-top"><a class="td-social-sharing-button" href="#">Facebook</a><a class="td-social-sharing-button" href="#">Twitter</a></div>
<div class="td-post-content tagdiv-type">
<div class="td-post-featured-image"><figure><img src="/wp-content/uploads/2027/{rng.randint(1, 12):02d}/photo.jpg" alt=""><figcaption class="wp-caption-text">Crédit photo : Le Courrier</figcaption></figure></div>
<p><strong>{_e(article.lead)}</strong></p>
{_paragraphs_html(article, "<p>{}</p>", "<h2>{}</h2>", "<blockquote><p>{}</p></blockquote>")}
<p><strong>LIRE AUSSI : <a href="/{slug(article.read_also[0])}/">{_e(article.read_also[0])}</a></strong></p>
</div>
<footer><div class="td-post-source-tags"><ul class="td-tags td-post-small-box clearfix"><li><span>TAGS</span></li>
<li><a href="/tag/{slug(article.kicker)}/">{_e(article.kicker)}</a></li></ul></div>
<div class="td-post-sharing-bottom"><a href="#">Partager</a></div></footer>
</article>
<div class="td_block_wrap td_block_related_posts"><h4 class="td-related-title"><a href="#">ARTICLES SIMILAIRES</a></h4>
<div class="td-related-row"><a href="/{slug(article.read_also[1])}/">{_e(article.read_also[1])}</a><a href="/{slug(article.read_also[2])}/">{_e(article.read_also[2])}</a></div></div>
<div class="comments" id="comments">
<div class="td-comments-title-wrap"><h4 class="block-title"><span>{count} COMMENTAIRES</span></h4></div>
{listing}
<div id="respond" class="comment-respond"><h3 id="reply-title" class="comment-reply-title">LAISSER UN COMMENTAIRE</h3>
<form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form"><div class="clearfix"></div>
<div class="comment-form-input-wrap td-form-comment"><textarea placeholder="Commentaire :" id="comment" name="comment"></textarea></div>
<div class="comment-form-input-wrap td-form-author"><input placeholder="Nom :*" name="author" type="text"></div>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Publier le commentaire"></p></form></div>
</div>
</div></div>
<div class="td-pb-span4 td-main-sidebar" role="complementary"><div class="td-ss-main-sidebar">
<div class="td_block_wrap td_block_popular"><h4 class="block-title"><span>POPULAIRES</span></h4>
<a href="/{slug(article.read_also[3])}/">{_e(article.read_also[3])}</a></div></div></div>
</div></div></div>
<div class="td-footer-wrapper"><div class="footer-text-wrap">Le Courrier des Deux-Vallées, l'information de proximité depuis 1946.</div>
<div class="td-sub-footer-copy">© Le Courrier des Deux-Vallées {article.published.year}</div></div>
</div></body></html>
"""


def _info_sarve(article: _Article, rng: random.Random) -> str:
    suffix = f"{rng.randint(16**4, 16**5 - 1):x}"

    def comment(thread: _Thread) -> str:
        replies = "".join(comment(reply) for reply in thread.replies)
        body = "".join(f'<p class="Text_p__{suffix}">{_e(p)}</p>' for p in thread.paragraphs)
        return (
            f'<div class="Comment_root__{suffix}" data-comment-id="{thread.comment_id}">'
            f'<div class="Comment_header__{suffix}"><span class="Comment_author__{suffix}">'
            f'{_e(thread.author)}</span><time datetime="{thread.when.isoformat()}">'
            f"{_long(thread.when)}</time></div>"
            f'<div class="Comment_body__{suffix}">{body}</div>'
            f'<div class="Comment_actions__{suffix}"><button type="button">J\'aime · '
            f'{thread.likes}</button><button type="button">Répondre</button>'
            '<button type="button">Signaler</button></div>'
            + (f'<div class="Comment_replies__{suffix}">{replies}</div>' if replies else "")
            + "</div>"
        )

    def ld_comment(thread: _Thread) -> dict[str, object]:
        item: dict[str, object] = {
            "@type": "Comment",
            "@id": f"{article.url}#c{thread.comment_id}",
            "author": {"@type": "Person", "name": thread.author},
            "dateCreated": thread.when.isoformat(),
            "text": "\n".join(thread.paragraphs),
        }
        if thread.replies:
            item["comment"] = [ld_comment(reply) for reply in thread.replies]
        return item

    ld: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "datePublished": article.published.isoformat(),
        "author": [{"@type": "Person", "name": article.author}],
        "commentCount": article.comment_count,
    }
    if article.threads and rng.random() < 0.5:
        ld["comment"] = [ld_comment(thread) for thread in article.threads]
    comments = "".join(comment(thread) for thread in article.threads)
    section = (
        f'<section class="Comments_root__{suffix}" id="commentaires" '
        'aria-labelledby="comments-heading">'
        f'<h2 id="comments-heading">Commentaires ({article.comment_count})</h2>'
        f'<div class="Comments_sort__{suffix}">Trier : <button>Plus récents</button>'
        f"<button>Plus anciens</button></div>{comments}"
        f'<button class="Comments_more__{suffix}">Voir plus de commentaires</button></section>'
        if comments
        else ""
    )
    return f"""<!DOCTYPE html><html lang="fr"><head><meta charSet="utf-8"/>
<title>{_e(article.title)} – Info Haute-Sarve</title>
<meta name="viewport" content="width=device-width"/><meta property="og:title" content="{_e(article.title)}"/>
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
<link rel="preload" href="/_next/static/css/{suffix}.css" as="style"/></head>
<body><div id="__next"><div class="Consent_banner__{suffix}"><p>Nous utilisons des cookies pour améliorer votre expérience.</p>
<button>Accepter</button><button>Refuser</button></div>
<header class="Header_root__{suffix}"><a href="/" class="Header_logo__{suffix}">Info Haute-Sarve</a>
<nav class="Nav_root__{suffix}"><a href="/politique">Politique</a><a href="/territoires">Territoires</a><a href="/enquetes">Enquêtes</a><a href="/podcasts">Podcasts</a></nav></header>
<main class="Layout_main__{suffix}"><article class="Article_article__{suffix}" data-testid="article">
<nav class="Breadcrumb_root__{suffix}"><a href="/">Accueil</a><span>/</span><a href="/politique">Politique</a></nav>
<span class="Article_kicker__{suffix}">{_e(article.kicker)}</span>
<h1 class="Article_title__{suffix}">{_e(article.title)}</h1>
<p class="Article_standfirst__{suffix}">{_e(article.lead)}</p>
<div class="Byline_root__{suffix}"><span class="Byline_name__{suffix}">{_e(article.author)}</span><time datetime="{article.published.isoformat()}">{_long(article.published)}</time></div>
<div class="Article_body__{suffix}">
{_paragraphs_html(article, f'<p class="Paragraph_p__{suffix}">{{}}</p>', f'<h2 class="Heading_h2__{suffix}">{{}}</h2>', f'<blockquote class="Quote_root__{suffix}"><p>{{}}</p></blockquote>')}
<aside class="Related_inline__{suffix}"><span>À lire aussi</span><a href="/politique/{slug(article.read_also[0])}">{_e(article.read_also[0])}</a></aside>
</div>
<aside class="Newsletter_box__{suffix}"><p>Chaque vendredi, l'essentiel de la politique locale dans votre boîte.</p><input type="email"/><button>S'inscrire</button></aside>
</article>
{section}
</main>
<footer class="Footer_root__{suffix}"><a href="/qui-sommes-nous">Qui sommes-nous ?</a><a href="/mentions">Mentions légales</a><p>Info Haute-Sarve, média indépendant financé par ses lecteurs.</p></footer>
</div><script id="__NEXT_DATA__" type="application/json">{{"props":{{"pageProps":{{"id":{rng.randint(1000, 9999)}}}}},"page":"/[slug]"}}</script></body></html>
"""


def _hebdo_plateau(article: _Article, rng: random.Random) -> str:
    # Flat: the old CMS has no replies, so every comment stands at the top level.
    messages = "".join(
        f'<div class="message"><b class="pseudo">{_e(thread.author)}</b> '
        f'<font class="petit">le {_numeric(thread.when)}</font><br>'
        + "<br>".join(_e(p) for p in thread.paragraphs)
        + f'<br><a href="/abus.php?m={thread.comment_id}">Signaler un abus</a></div>'
        for thread in _flat(article.threads)
    )
    reactions = (
        f'<h4 class="titre-reactions">Réactions des lecteurs ({article.comment_count})</h4>'
        f"{messages}"
        if messages
        else ""
    )
    return f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>L'Hebdo du Plateau - {_e(article.title)}</title>
<link rel="stylesheet" href="/styles.css" type="text/css"></head>
<body bgcolor="#ffffff" topmargin="0">
<table width="980" cellpadding="0" cellspacing="0" class="cadre" align="center">
<tr><td colspan="2" class="entete"><a href="/"><img src="/img/logo-hebdo.gif" alt="L'Hebdo du Plateau" border="0"></a></td></tr>
<tr><td class="menu" width="180" valign="top">
<a href="/index.php">Accueil</a><br><a href="/rubrique.php?r=2">Politique</a><br><a href="/rubrique.php?r=3">Vie locale</a><br>
<a href="/rubrique.php?r=4">Associations</a><br><a href="/petites-annonces.php">Petites annonces</a><br><a href="/contact.php">Nous écrire</a>
<p class="meteo">Météo du plateau : 7°C, averses</p></td>
<td class="contenu" valign="top">
<font class="rubrique">{_e(article.kicker.upper())}</font><br>
<h1 class="titre">{_e(article.title)}</h1>
<font class="date">Mis en ligne le {_numeric(article.published)}</font> - <font class="auteur">Par {_e(article.author)}</font>
<p class="chapeau"><b>{_e(article.lead)}</b></p>
<div class="texte">
{_paragraphs_html(article, "<p>{}</p>", "<p><b>{}</b></p>", "<p><i>{}</i></p>")}
</div>
<div class="outils"><a href="/imprimer.php">Imprimer</a> | <a href="/envoyer.php">Envoyer à un ami</a></div>
{reactions}
<p class="reagir"><a href="/reagir.php?art={rng.randint(1000, 9999)}">Réagir à cet article</a></p>
<p class="autres">Du même auteur : <a href="/art.php?id={rng.randint(100, 999)}">{_e(article.read_also[0])}</a></p>
</td></tr>
<tr><td colspan="2" class="pied">L'Hebdo du Plateau - 3, place du Marché - Tous droits réservés</td></tr>
</table></body></html>
"""


def _petit_riverain(article: _Article, rng: random.Random) -> str:
    def comment(thread: _Thread) -> str:
        replies = "".join(comment(reply) for reply in thread.replies)
        body = "".join(f"<p>{_e(p)}</p>" for p in thread.paragraphs)
        local = _local(thread.when)
        return (
            '<div itemprop="comment" itemscope itemtype="https://schema.org/Comment" '
            f'id="msg-{thread.comment_id}" class="pr-c">'
            '<div class="pr-c-head"><span itemprop="author" itemscope '
            'itemtype="https://schema.org/Person"><span itemprop="name">'
            f"{_e(thread.author)}</span></span> "
            f'<meta itemprop="dateCreated" content="{local.isoformat()}">'
            f'<span class="pr-c-when">{local.day} {MONTHS[local.month - 1]}, {local:%H:%M}</span>'
            f'</div><div itemprop="text">{body}</div>'
            '<ul class="pr-c-tools"><li><a href="#pr-form">Répondre</a></li>'
            f'<li><a href="/signaler/{thread.comment_id}">Signaler</a></li>'
            f"<li>J'aime ({thread.likes})</li></ul>{replies}</div>"
        )

    comments = "".join(comment(thread) for thread in article.threads)
    discussion = (
        '<div class="pr-discussion"><h2 class="pr-discussion__title">La discussion</h2>'
        f"{comments}</div>"
        if comments
        else ""
    )
    local = _local(article.published)
    return f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{_e(article.title)} · Le Petit Riverain</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body class="pr">
<div class="pr-rgpd">Le Petit Riverain dépose des cookies de mesure d'audience. <a href="/vie-privee">Vie privée</a> <button>Fermer</button></div>
<header class="pr-header"><div class="pr-brand"><a href="/">Le Petit Riverain</a><span>Le journal des bords de Sarve</span></div>
<nav><a href="/communes/">Communes</a> <a href="/politique/">Politique</a> <a href="/environnement/">Environnement</a> <a href="/dons/">Nous soutenir</a></nav></header>
<main class="pr-main">
<article itemscope itemtype="https://schema.org/NewsArticle" class="pr-article">
<p class="pr-kicker">{_e(article.kicker)}</p>
<h1 itemprop="headline">{_e(article.title)}</h1>
<div class="pr-meta"><span itemprop="author" itemscope itemtype="https://schema.org/Person">Par <span itemprop="name">{_e(article.author)}</span></span>,
<time itemprop="datePublished" datetime="{local.isoformat()}">le {local.day} {MONTHS[local.month - 1]} {local.year}</time></div>
<div itemprop="articleBody" class="pr-body">
<p class="pr-lead">{_e(article.lead)}</p>
{_paragraphs_html(article, "<p>{}</p>", "<h2>{}</h2>", "<blockquote>{}</blockquote>")}
</div>
<p class="pr-soutien">Le Petit Riverain vit de vos dons. <a href="/dons/">Nous soutenir</a></p>
{discussion}
<form id="pr-form" class="pr-form" action="/commenter" method="post"><label>Votre nom <input name="nom"></label>
<label>Votre message <textarea name="message"></textarea></label><button>Publier</button></form>
</article>
<aside class="pr-aside"><h3>À lire aussi</h3><ul><li><a href="/politique/{slug(article.read_also[0])}">{_e(article.read_also[0])}</a></li>
<li><a href="/communes/{slug(article.read_also[1])}">{_e(article.read_also[1])}</a></li></ul></aside>
</main>
<footer class="pr-footer"><p>Le Petit Riverain — association loi 1901 — <a href="/mentions">mentions légales</a></p></footer>
</body></html>
"""


LAYOUTS: dict[str, Callable[[_Article, random.Random], str]] = {
    "voix-bocage": _voix_bocage,
    "courrier-2v": _courrier_2v,
    "info-sarve": _info_sarve,
    "hebdo-plateau": _hebdo_plateau,
    "petit-riverain": _petit_riverain,
}
_HOSTS = {
    "voix-bocage": "www.voix-du-bocage.example",
    "courrier-2v": "courrier-deux-vallees.example",
    "info-sarve": "info-haute-sarve.example",
    "hebdo-plateau": "www.hebdo-plateau.example",
    "petit-riverain": "petit-riverain.example",
}


# -- the words ------------------------------------------------------------------------------


def _threads(writer: Writer, rng: random.Random, published: datetime) -> list[_Thread]:
    count = rng.randint(2, 7)
    threads: list[_Thread] = []
    when = published
    for index in range(count):
        when += timedelta(minutes=rng.randint(3, 400))
        paragraphs = [
            writer.paragraph(COMMENTS + FORUM, FORUM_CANDIDATE, 0.08, (1, 3))
            for _ in range(rng.choice((1, 1, 1, 2)))
        ]
        thread = _Thread(
            index=index,
            comment_id=str(rng.randint(100000, 999999)),
            author=rng.choice(PSEUDOS),
            when=when,
            paragraphs=paragraphs,
            likes=rng.randint(0, 40),
        )
        if threads and rng.random() < 0.35:
            threads[rng.randrange(len(threads))].replies.append(thread)
        else:
            threads.append(thread)
    return threads


def _truth(threads: list[_Thread]) -> list[TrueComment]:
    flat = _flat(threads)
    position = {id(thread): index for index, thread in enumerate(flat)}
    parents: dict[int, int] = {}
    for thread in flat:
        for reply in thread.replies:
            parents[id(reply)] = position[id(thread)]
    return [
        TrueComment(
            author=thread.author,
            published_at=thread.when.replace(second=0).isoformat(),
            text="\n".join(thread.paragraphs),
            parent=parents.get(id(thread)),
            comment_id=thread.comment_id,
        )
        for thread in flat
    ]


def _article(
    writer: Writer, rng: random.Random, url: str, published: datetime, with_comments: bool
) -> _Article:
    density = rng.uniform(0.05, 0.15)
    if writer.cast and rng.random() < 0.5:
        title = writer.fill(rng.choice(TITLES_NEWS_CANDIDATE), writer.cast[0], writer.cast[-1])
    else:
        title = writer.fill(rng.choice(TITLES_NEWS))
    lead = writer.paragraph(NEWS, NEWS_CANDIDATE, density, (1, 2))
    blocks: list[tuple[str, str]] = []
    size, target = len(lead), rng.randint(1500, 5000)
    while size < target:
        if blocks and len(blocks) % 4 == 3:
            blocks.append(("h", writer.pick(HEADINGS)))
        if len(blocks) == 2 and rng.random() < 0.5:
            blocks.append(("quote", f"« {rng.choice(QUOTES)} »"))
        paragraph = writer.paragraph(NEWS, NEWS_CANDIDATE, density, (2, 5))
        blocks.append(("p", paragraph))
        size += len(paragraph)
    writer.counting = False
    read_also = [writer.fill(rng.choice(TITLES_NEWS)) for _ in range(4)]
    writer.counting = True
    threads = _threads(writer, rng, published) if with_comments else []
    return _Article(
        url=url,
        title=title,
        author=f"{rng.choice(MEN + WOMEN)} {rng.choice(OTHER_SURNAMES)}",
        published=published,
        kicker=rng.choice(TAGS),
        lead=lead,
        blocks=blocks,
        read_also=read_also,
        threads=threads,
        comment_count=len(_flat(threads)),
    )


def generate_news(count: int = DEFAULT_PAGES, seed: int = SEED) -> list[NewsPage]:
    """``count`` pages, the layouts in turn; a third of them (drawn) with comments."""
    rng = random.Random(seed)
    cast = people_for_aliases(1000, seed)[:40]
    layouts = list(LAYOUTS)
    pages: list[NewsPage] = []
    for index in range(count):
        layout = layouts[index % len(layouts)]
        named = rng.sample(cast, rng.choice((0, 1, 1, 2)))
        writer = Writer(rng, "article", rng.choice(TOWNS), rng.choice(SUBJECTS), named)
        published = _FIRST + timedelta(minutes=rng.randint(0, 120 * 24 * 60))
        url = f"https://{_HOSTS[layout]}/politique/{slug(writer.subject)}-{index:04d}.html"
        article = _article(writer, rng, url, published, rng.random() < 1 / 3)
        page_html = LAYOUTS[layout](article, rng)
        text = "\n".join([article.lead, *(text for _, text in article.blocks)])
        comments = _truth(article.threads)
        if layout == "hebdo-plateau":
            # The page shows no ids and no threads: whatever it gives is right.
            comments = [TrueComment(c.author, c.published_at, c.text, None, None) for c in comments]
        pages.append(NewsPage(url, layout, page_html, article.title, text, comments))
    return pages


def write(pages: list[NewsPage], directory: Path) -> None:
    """Each page as NNN-layout.html, and their labels in labels.json."""
    directory.mkdir(parents=True, exist_ok=True)
    labels = []
    for index, page in enumerate(pages):
        name = f"{index:03d}-{page.layout}.html"
        (directory / name).write_text(page.html, encoding="utf-8")
        label = asdict(page)
        del label["html"]
        labels.append({"file": name, **label})
    (directory / "labels.json").write_text(
        json.dumps(labels, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--pages", type=int, default=DEFAULT_PAGES)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--show", type=int, metavar="I", help="print page I's HTML")
    parser.add_argument("--write", type=Path, metavar="DIR", help="write pages and labels")
    args = parser.parse_args(argv)
    pages = generate_news(args.pages, args.seed)
    if args.show is not None:
        print(pages[args.show].html)
    if args.write:
        write(pages, args.write)
        print(f"{len(pages)} pages and labels.json written to {args.write}")
    with_comments = sum(1 for page in pages if page.comments)
    print(f"{len(pages)} pages, {with_comments} with comments", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
