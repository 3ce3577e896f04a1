"""Is a page a document (an article, a post, a live blog, a thread, a video) or a page to
crawl through (a home page, a section front, a category, tag, author, archive, search or
pagination list, an "about", contact or legal page)?

``classify_page`` weighs what the page says about itself, strongest first: the body
classes its engine writes (WordPress, Ghost, Blogger, SPIP, Drupal, Joomla, Hugo), a
title such as "Mentions légales", JSON-LD and microdata types, OpenGraph, then its
structure (teasers linking to leaf pages against one main text, a headline of its own, a
publication date, ``rel=next`` pagination), and last, as a weak hint, the shape of its URL.
Structure lives in ``pagetype_structure``; the evaluation on labelled pages in
``traceur.enrich.pagetype_eval``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import lxml.html

from traceur.parse.html import json_ld_top_level, json_ld_types, meta, parse_html, squash
from traceur.parse.pagetype_structure import Structure, is_away, read_structure
from traceur.textnorm import fold_plain


@dataclass(frozen=True)
class PageType:
    """What a page is: ``is_document`` decides whether a crawl keeps it; ``kind_hint``
    ("article", "blog_post", "forum", "video"; "listing", "about", "empty") says what kind;
    ``reason`` is the strongest evidence, short enough for a log line or ``traceur try``."""

    is_document: bool
    kind_hint: str
    reason: str


@dataclass(frozen=True)
class _Signal:
    weight: int  # > 0: a document; < 0: a page to crawl through
    reason: str
    static: bool = False  # says "a static page" (about, contact, legal), not a list
    hint: str = ""  # the kind of document it names, if any


# -- engine body classes: written by the engine's own templates, so they rarely lie -------

_ENGINE = 8
# Engines whose "article" view also shows their static pages (SPIP's "Qui sommes-nous ?"
# is an article, Joomla's contact details too) say less than a WordPress single post.
_VIEW = 4
_BODY_DOCUMENT = {
    "single-post": ("WordPress", _ENGINE),
    "single": ("WordPress", _ENGINE),
    "post-template": ("Ghost", _ENGINE),
    "item-view": ("Blogger", _VIEW),
    "page_article": ("SPIP", _VIEW),
    "page_breve": ("SPIP", _ENGINE),
    "page-node-type-article": ("Drupal", _ENGINE),
    "node-type-article": ("Drupal", _ENGINE),
    "view-article": ("Joomla", _VIEW),
    "kind-page": ("Hugo", _VIEW),
}
_BODY_LISTING = {
    "home": "WordPress",
    "blog": "WordPress",
    "archive": "WordPress",
    "category": "WordPress",
    "tag": "WordPress",
    "author": "WordPress",
    "search": "WordPress",
    "search-results": "WordPress",
    "paged": "WordPress",
    "date": "WordPress",
    "error404": "WordPress",
    "home-template": "Ghost",
    "tag-template": "Ghost",
    "author-template": "Ghost",
    "feed-view": "Blogger",
    "page_sommaire": "SPIP",
    "page_rubrique": "SPIP",
    "page_mot": "SPIP",
    "page_auteur": "SPIP",
    "page_recherche": "SPIP",
    "page_archives": "SPIP",
    "page_plan": "SPIP",
    "path-frontpage": "Drupal",
    "path-taxonomy": "Drupal",
    "path-search": "Drupal",
    "path-user": "Drupal",
    "page-taxonomy": "Drupal",
    "front": "Drupal",
    "view-featured": "Joomla",
    "view-category": "Joomla",
    "view-categories": "Joomla",
    "view-archive": "Joomla",
    "view-search": "Joomla",
    "view-tag": "Joomla",
    "view-contact": "Joomla",
    "kind-home": "Hugo",
    "kind-section": "Hugo",
    "kind-taxonomy": "Hugo",
    "kind-term": "Hugo",
}
_BLOG_ENGINES = frozenset({"WordPress", "Ghost", "Blogger", "Hugo"})


def _body_class_signals(root: lxml.html.HtmlElement) -> list[_Signal]:
    body = root.find("body")
    classes = set((body.get("class") or "").split()) if body is not None else set()
    static = _static_body_class(classes)
    if static:
        return [_Signal(-_ENGINE, static, static=True)]
    for name, engine in _BODY_LISTING.items():
        if name in classes:
            return [_Signal(-_ENGINE, f"{engine} body class '{name}'")]
    for name, (engine, weight) in _BODY_DOCUMENT.items():
        if name in classes:
            hint = "blog_post" if engine in _BLOG_ENGINES else "article"
            return [_Signal(weight, f"{engine} body class '{name}'", hint=hint)]
    return []


def _static_body_class(classes: set[str]) -> str:
    """The reason when the engine says "a static page" (WordPress and Ghost pages, Drupal
    basic pages): not a document unless its words say so."""
    if "page-template" in classes:
        return "Ghost body class 'page-template'"
    if "page" in classes and any(c.startswith(("page-id-", "page-template")) for c in classes):
        return "WordPress body class 'page'"
    if "page-node-type-page" in classes:
        return "Drupal body class 'page-node-type-page'"
    return ""


# -- titles of pages that are never documents ----------------------------------------------

_STATIC_TITLE = re.compile(
    r"^(a propos|qui (sommes-nous|suis-je)|contact|(nous|me) contacter|contactez|ecrivez-nous"
    r"|mentions legales|informations legales|politique de (confidentialite|cookies)"
    r"|(gestion des |les )?cookies|donnees personnelles|plan du site|conditions generales"
    r"|cgu|accessibilite|credits|newsletter|recevez|abonnez-vous|inscription)\b"
)
_STATIC_SLUG = frozenset(
    "a-propos apropos about about-us qui-sommes-nous qui-suis-je contact contactez-nous "
    "nous-contacter me-contacter mentions-legales legal cookies politique-de-cookies "
    "confidentialite politique-de-confidentialite donnees-personnelles plan-du-site plan "
    "sitemap cgu accessibilite credits newsletter abonnement".split()
)


def _title(root: lxml.html.HtmlElement) -> str:
    """The page's own title: its first <h1>, or when the <h1> is the site's logo (a
    link), its first <h2> outside navigation and sidebars (Dotclear, Blogger)."""
    for heading in root.iter("h1"):
        if heading.find(".//a") is None:
            return squash(heading.text_content())
        break
    for heading in root.iter("h2"):
        if heading.find(".//a") is None and not is_away(heading):
            return squash(heading.text_content())
    return ""


# A whole part of the <title> ("À propos - Les notes d'Yvette"), not its start: an
# article's title may begin with "Cookies :" and still be news.
_STATIC_TITLE_PART = re.compile(
    r"(a propos( de (moi|nous|ce (blog|site|carnet)))?|qui (sommes-nous|suis-je) \??"
    r"|contact(ez-nous)?|(nous|me) contacter|mentions legales|informations legales"
    r"|politique de (confidentialite|cookies)|(gestion des )?cookies|donnees personnelles"
    r"|plan du site|cgu|conditions generales d'utilisation|accessibilite|credits)"
)
_TITLE_PARTS = re.compile(r"\s+[-|–—·»]\s+")


def _static_page_signals(root: lxml.html.HtmlElement, url: str) -> list[_Signal]:
    title = _title(root)
    words = fold_plain(title)
    if words and len(words.split()) <= 6 and _STATIC_TITLE.match(words):
        return [_Signal(-10, f"a page titled '{title}'", True)]
    for part in _TITLE_PARTS.split(squash(root.findtext(".//title") or "")):
        if _STATIC_TITLE_PART.fullmatch(fold_plain(part).strip(" ?")):
            return [_Signal(-10, f"a page titled '{part}'", True)]
    path = re.sub(r"[?#].*", "", url).rstrip("/")
    # ".../a-propos/index.html" is the "a-propos" page.
    path = re.sub(r"/index\.(html?|php)$", "", path)
    slug = path.rsplit("/", 1)[-1].lower()
    slug = re.sub(r"\.(html?|php)$", "", slug).strip("-_")
    if slug in _STATIC_SLUG:
        return [_Signal(-10, f"an address ending in '{slug}'", True)]
    return []


# -- JSON-LD, microdata, OpenGraph --------------------------------------------------------

_LD_DOCUMENT = {
    "article": "article",
    "newsarticle": "article",
    "reportagenewsarticle": "article",
    "analysisnewsarticle": "article",
    "opinionnewsarticle": "article",
    "backgroundnewsarticle": "article",
    "reviewnewsarticle": "article",
    "liveblogposting": "article",
    "report": "article",
    "blogposting": "blog_post",
    "socialmediaposting": "blog_post",
    "discussionforumposting": "forum",
    "qapage": "forum",
    "videoobject": "video",
}
_LD_LISTING = frozenset(
    {"collectionpage", "itemlist", "searchresultspage", "profilepage", "blog", "series"}
)
_LD_STATIC = frozenset({"aboutpage", "contactpage"})


def _types(item: dict[str, Any]) -> list[str]:
    return [name.lower() for name in json_ld_types(item)]


def _json_ld_signals(root: lxml.html.HtmlElement) -> list[_Signal]:
    names = [name for item in json_ld_top_level(root) for name in _types(item)]
    for name in names:
        if name in _LD_DOCUMENT:
            return [_Signal(4, f"JSON-LD {_display(name)}", hint=_LD_DOCUMENT[name])]
    for name in names:
        if name in _LD_STATIC:
            return [_Signal(-5, f"JSON-LD {_display(name)}", static=True)]
        if name in _LD_LISTING:
            return [_Signal(-4, f"JSON-LD {_display(name)}")]
    if "webpage" in names:
        return [_Signal(-1, "JSON-LD WebPage without an article")]
    if names and set(names) <= {"website", "organization", "person", "breadcrumblist"}:
        return [_Signal(-2, "JSON-LD names only the site")]
    return []


_LD_NAMES = {
    "collectionpage": "CollectionPage",
    "itemlist": "ItemList",
    "searchresultspage": "SearchResultsPage",
    "profilepage": "ProfilePage",
    "aboutpage": "AboutPage",
    "contactpage": "ContactPage",
    "newsarticle": "NewsArticle",
    "blogposting": "BlogPosting",
    "liveblogposting": "LiveBlogPosting",
    "discussionforumposting": "DiscussionForumPosting",
    "videoobject": "VideoObject",
    "qapage": "QAPage",
    "socialmediaposting": "SocialMediaPosting",
}


def _display(name: str) -> str:
    return _LD_NAMES.get(name, name.capitalize())


_MICRODATA_DOCUMENT = re.compile(r"schema\.org/(Article|NewsArticle|BlogPosting)\b", re.I)
_MICRODATA_LISTING = re.compile(r"schema\.org/(Blog|CollectionPage|SearchResultsPage)$", re.I)


def _microdata_signals(root: lxml.html.HtmlElement, engine_said: bool) -> list[_Signal]:
    """Microdata, unless the engine's body class already spoke: Joomla writes both from the
    same view, and one piece of evidence must not count twice."""
    if engine_said:
        return []
    types = [str(t).strip() for t in root.xpath("//*[@itemtype]/@itemtype")]
    articles = [t for t in types if _MICRODATA_DOCUMENT.search(t)]
    if any(_MICRODATA_LISTING.search(t) for t in types):
        return [_Signal(-3, "microdata Blog list")]
    if len(articles) == 1:
        return [_Signal(2, "microdata Article")]
    if len(articles) > 1:
        return [_Signal(-2, f"{len(articles)} microdata articles")]
    return []


def _opengraph_signals(root: lxml.html.HtmlElement) -> list[_Signal]:
    kind = (meta(root, "og:type") or "").strip().lower()
    if kind == "article" or kind.startswith("video."):
        return [_Signal(2, f"og:type {kind}", hint="video" if kind.startswith("video") else "")]
    if kind == "profile":
        return [_Signal(-3, "og:type profile")]
    if kind == "website":
        return [_Signal(-1, "og:type website")]
    return []


# -- structure ----------------------------------------------------------------------------


def _structure_signals(structure: Structure) -> list[_Signal]:
    """Teasers against main text, a headline, a date and pagination, as evidence."""
    signals: list[_Signal] = []
    teasers, text = structure.teasers, structure.main_text
    if teasers >= 3 and text < 1200:
        around = "no main text" if text < 200 else f"around {text} characters of text"
        signals.append(_Signal(-5, f"{teasers} teasers linking to leaf pages, {around}"))
    elif teasers >= 3 and structure.teaser_text > text:
        signals.append(_Signal(-3, f"{teasers} teasers outweigh the main text"))
    elif teasers == 2 and text < 400:
        signals.append(_Signal(-4, "2 teasers linking to leaf pages, no main text"))
    elif teasers == 1 and text < 300:
        signals.append(_Signal(-3, "a single teaser linking to a leaf page, no main text"))
    elif text >= 1200:
        signals.append(_Signal(4, f"a main text of {text} characters"))
    elif text >= 500:
        signals.append(_Signal(3, f"a main text of {text} characters"))
    elif text >= 150:
        signals.append(_Signal(1, f"a short main text ({text} characters)"))
    if structure.headline and teasers == 0:
        signals.append(_Signal(2, "a headline of its own and no teasers"))
    elif structure.headline:
        signals.append(_Signal(1, "a headline of its own"))
    if structure.list_heading:
        signals.append(_Signal(-2, f"a list heading '{structure.list_heading}'"))
    signals.append(
        _Signal(1, "a publication date") if structure.dated else _Signal(-2, "no publication date")
    )
    if not structure.dated and not structure.headline:
        signals.append(_Signal(-2, "neither a headline nor a date"))
    if structure.paginated:
        signals.append(_Signal(-2, "rel=next/prev pagination"))
    return signals


# -- URL shape: a weak hint only ----------------------------------------------------------

_LIST_URL = re.compile(
    r"/(category|categories|categorie|tag|tags|etiquettes?|label|author|auteurs?|archives?"
    r"|search|recherche|rubriques?|mots?-cles?|topics?|page/\d+)(/|$|\?)"
    r"|[?&](s|q|page|start|debut_\w+|updated-max|paged)="
    r"|/-[^/]+-\.html$|/\+-[^/]+-\+\.html$|/_[^/]+_\.html$|/\d{4}/(\d{2}/)?$",
    re.I,
)
_LEAF_URL = re.compile(
    r"/\d{4}/\d{2}/\d{2}/[^/]+|/[a-z0-9]+(-[a-z0-9]+){2,}(\.html?|/)?$|[?&]article\d+|/\d+-[^/]+$",
    re.I,
)


def _url_signals(url: str) -> list[_Signal]:
    path_and_query = re.sub(r"^[a-z]+://[^/]+", "", url.split("#", 1)[0], flags=re.I) or "/"
    if path_and_query == "/":
        return [_Signal(-2, "the site's root")]
    if _LIST_URL.search(path_and_query):
        return [_Signal(-1, "a list-like URL")]
    if _LEAF_URL.search(path_and_query):
        return [_Signal(1, "a leaf-like URL")]
    return []


# -- the decision -------------------------------------------------------------------------


def classify_page(page: str | lxml.html.HtmlElement, url: str) -> PageType:
    """Classify a page (its HTML, or a tree already parsed with lxml.html, which is only
    read, so a crawl can share one tree between its parsers) fetched from ``url``.

    Each piece of evidence weighs for or against "a document"; the sum decides. A title
    such as "Mentions légales" (10) and an engine's body class (8, 4 for article views
    that also serve static pages) outweigh JSON-LD (4), which outweighs the structure
    (1 to 5 a signal) and OpenGraph (1 to 3); the URL's shape is worth 1 or 2. The reason
    names the two strongest pieces on the winning side."""
    root = parse_html(page) if isinstance(page, str) else page
    if root is None:
        return PageType(False, "empty", "an empty or unreadable page")
    engine = _body_class_signals(root)
    signals = [
        *engine,
        *_static_page_signals(root, url),
        *_json_ld_signals(root),
        *_microdata_signals(root, bool(engine)),
        *_opengraph_signals(root),
        *_structure_signals(read_structure(root, url)),
        *_url_signals(url),
    ]
    score = sum(signal.weight for signal in signals)
    is_document = score > 0
    winning = sorted(
        (s for s in signals if (s.weight > 0) == is_document and s.weight != 0),
        key=lambda s: -abs(s.weight),
    )
    reason = "; ".join(s.reason for s in winning[:2]) or "no evidence either way"
    return PageType(is_document, _kind_hint(is_document, winning), reason)


def _kind_hint(is_document: bool, winning: list[_Signal]) -> str:
    if not is_document:
        return "about" if any(s.static for s in winning[:2]) else "listing"
    for signal in winning:
        if signal.hint:
            return signal.hint
    return "article"
