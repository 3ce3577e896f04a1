"""More styles the classifier's rules were written on: a Drupal regional newspaper, a
Joomla town-hall site and a Hugo blog (PaperMod-like)."""

from __future__ import annotations

from html import escape

from tests.eval.pagetypes import _text as text
from tests.eval.pagetypes._base import Post, Style, jsonld, og, published_meta, slugify
from tests.eval.pagetypes._styles_dev import COOKIE_BANNER, doc

# -- Drupal regional newspaper (Olivero-like, Metatag + Schema.org Metatag) ---------------


class DrupalNews(Style):
    def __init__(self) -> None:
        super().__init__("drupal-news", "www.echo-de-la-brenne.example", "L'Écho de la Brenne", 12)

    def post_url(self, post: Post) -> str:
        return f"https://{self.host}/{post.section[0]}/{post.published:%Y/%m/%d}/{post.slug}"

    def section_url(self, slug: str) -> str:
        return f"https://{self.host}/{slug}"

    def tag_url(self, slug: str) -> str:
        return f"https://{self.host}/mots-cles/{slug}"

    def page_url(self, n: int) -> str:
        return f"https://{self.host}/politique?page={n - 1}"

    def search_url(self, query: str) -> str:
        return f"https://{self.host}/search/node?keys={query}"

    def author_url(self, author: str) -> str:
        return f"https://{self.host}/auteurs/{slugify(author)}"

    def static_url(self, slug: str) -> str:
        return f"https://{self.host}/{slug}"

    def archive_url(self) -> str:
        return f"https://{self.host}/archives/2026-11"

    def body_class(self, kind: str) -> str:
        return {
            "single": "path-node page-node-type-article",
            "live": "path-node page-node-type-live",
            "page": "path-node page-node-type-page",
            "home": "path-frontpage",
            "category": "path-taxonomy",
            "tag": "path-taxonomy",
            "paged": "path-taxonomy",
            "search": "path-search",
            "author": "path-auteurs",
            "archive": "path-archives",
        }.get(kind, "")

    def shell(self, title: str, main: str, url: str, body_class: str = "", head: str = "") -> str:
        menu = "".join(
            f'<li class="menu__item"><a href="/{s}">{n}</a></li>' for s, n in text.SECTIONS
        )
        body = (
            '<a href="#main-content" class="visually-hidden focusable skip-link">Aller au contenu '
            'principal</a><div class="dialog-off-canvas-main-canvas"><div id="page-wrapper" '
            'class="page-wrapper"><div id="page"><header id="header" class="site-header" '
            'role="banner"><div class="site-branding"><a href="/" rel="home" '
            f'class="site-branding__name">{escape(self.site)}</a></div><nav role="navigation" '
            f'class="primary-nav"><ul class="menu primary-nav__menu">{menu}</ul></nav></header>'
            '<div id="main-wrapper" class="layout-main-wrapper"><div id="main" class="layout-main">'
            '<main role="main"><a id="main-content" tabindex="-1"></a><div '
            f'class="layout-content">{main}</div></main><aside class="region '
            'region--sidebar"><div class="block block-views block-views-blockles-plus-lus">'
            '<h2 class="block__title">Les plus lus</h2><div class="item-list"><ol>'
            + "".join(
                f'<li><a href="{self.post_url(self.post(k))}">{escape(self.post(k).title)}</a></li>'
                for k in range(28, 33)
            )
            + '</ol></div></div></aside></div></div><footer class="site-footer"><div '
            'class="region region--footer"><nav><ul class="menu"><li><a href="/mentions-legales">'
            'Mentions légales</a></li><li><a href="/cookies">Cookies</a></li></ul></nav>'
            "<p>© L'Écho de la Brenne, quotidien régional</p></div></footer></div></div></div>"
            + COOKIE_BANNER
        )
        return doc(f"{title} | {self.site}", head, body, lang="fr", body_class=body_class)

    def post_head(self, post: Post, url: str) -> str:
        graph = {
            "@context": "https://schema.org",
            "@graph": [
                {
                    "@type": "NewsArticle",
                    "headline": post.title,
                    "datePublished": post.iso,
                    "author": {"@type": "Person", "name": post.author},
                    "isAccessibleForFree": "True",
                }
            ],
        }
        return og("article", post.title, url, self.site) + published_meta(post) + jsonld(graph)

    def listing_head(self, heading: str, url: str, kind: str) -> str:
        return og("website", heading, url, self.site)

    def teaser(self, post: Post, excerpt: bool = True) -> str:
        return (
            '<div class="views-row"><article class="node node--type-article '
            'node--view-mode-teaser"><div class="node__image"><img src="/sites/default/files/'
            f'{post.n}.jpg" alt=""></div><h2 class="node__title"><a href="{self.post_url(post)}" '
            f'rel="bookmark"><span class="field field--name-title">{escape(post.title)}</span>'
            "</a></h2>"
            + (
                '<div class="node__content"><div class="field field--name-field-chapo">'
                f"{escape(post.excerpt)}</div></div>"
                if excerpt
                else ""
            )
            + "</article></div>"
        )

    def article(self, post: Post, body: str, related: list[Post]) -> str:
        box = (
            '<div class="block block-views block-views-blockmeme-sujet"><h2 class="block__title">'
            'Sur le même sujet</h2><div class="view-content">'
            + "".join(self.teaser(p, excerpt=False) for p in related)
            + "</div></div>"
            if related
            else ""
        )
        return (
            f'<article data-history-node-id="{post.n}" class="node node--type-article '
            'node--promoted node--view-mode-full"><header class="node__header"><div '
            f'class="field field--name-field-rubrique"><a href="/{post.section[0]}">'
            f'{post.section[1]}</a></div><h1 class="page-title"><span class="field '
            f'field--name-title">{escape(post.title)}</span></h1><div class="node__meta">'
            f'<span class="field field--name-uid"><a href="{self.author_url(post.author)}">'
            f'{post.author}</a></span> <span class="field field--name-created"><time '
            f'datetime="{post.iso}">{post.day}</time></span></div></header><div '
            f'class="node__content"><div class="field field--name-body text-content">{body}</div>'
            f"</div></article>{box}"
        )

    def listing(self, heading: str, teasers: str, intro: str = "", pager: int = 0) -> str:
        description = (
            f'<div class="taxonomy-term__description"><p>{escape(intro)}</p></div>' if intro else ""
        )
        nav = (
            '<nav class="pager" role="navigation" aria-labelledby="pagination-heading"><ul '
            'class="pager__items js-pager__items"><li class="pager__item pager__item--previous">'
            f'<a href="?page={pager - 2}" rel="prev">Précédent</a></li><li class="pager__item '
            f'pager__item--next"><a href="?page={pager}" rel="next">Suivant</a></li></ul></nav>'
            if pager
            else ""
        )
        return (
            f'<h1 class="page-title">{escape(heading)}</h1>{description}<div '
            'class="views-element-container"><div class="view view-taxonomy-term '
            f'view-display-id-page_1"><div class="view-content">{teasers}</div>{nav}</div></div>'
        )

    def static(self, heading: str, body: str) -> str:
        return (
            '<article class="node node--type-page node--view-mode-full"><h1 class="page-title">'
            f'{escape(heading)}</h1><div class="node__content"><div class="field '
            f'field--name-body">{body}</div></div></article>'
        )

    def extra(self) -> None:
        live = self.post(10, 1)
        entries = "".join(
            f'<div class="live-entry"><span class="live-entry__time">{t}</span><p>{escape(e)}</p>'
            "</div>"
            for t, e in text.LIVE_ENTRIES
        )
        head = og("article", live.title, self.post_url(live), self.site) + jsonld(
            {
                "@context": "https://schema.org",
                "@type": "LiveBlogPosting",
                "headline": "Direct : la soirée électorale à Lérac",
                "coverageStartTime": live.iso,
            }
        )
        self.document(
            "live", live, "a live blog: short timed entries", body=entries, head=head, kind="live"
        )
        brief = self.post(20, 1)
        self.document(
            "brief-nometa",
            brief,
            "a brief without JSON-LD nor OpenGraph",
            head="",
            related=3,
        )
        nxt = self.post(29, 5)
        url = self.post_url(nxt)
        self.document(
            "article-p2",
            nxt,
            "an article split over two pages (rel=next)",
            head=self.post_head(nxt, url) + f'<link rel="next" href="{url}?page=1">',
        )
        self.list_page(
            "section-front",
            self.section_url("environnement"),
            "Environnement",
            [self.post(k) for k in range(30, 42)],
            "a section front with twelve teasers",
            "category",
        )


# -- Joomla town hall (Cassiopeia) ----------------------------------------------------------


class JoomlaMairie(Style):
    def __init__(self) -> None:
        super().__init__(
            "joomla-mairie", "www.mairie-saint-ours.example", "Saint-Ours-la-Vallée", 15
        )

    def post_url(self, post: Post) -> str:
        return f"https://{self.host}/actualites/{post.n + 100}-{post.slug[:40]}"

    def home_url(self) -> str:
        return f"https://{self.host}/"

    def section_url(self, slug: str) -> str:
        return f"https://{self.host}/actualites"

    def tag_url(self, slug: str) -> str:
        return f"https://{self.host}/component/tags/tag/{slug}"

    def page_url(self, n: int) -> str:
        return f"https://{self.host}/actualites?start={(n - 1) * 10}"

    def search_url(self, query: str) -> str:
        return f"https://{self.host}/component/finder/search?q={query}&Itemid=101"

    def author_url(self, author: str) -> str:
        return f"https://{self.host}/elus/{slugify(author)}"

    def static_url(self, slug: str) -> str:
        return f"https://{self.host}/la-commune/{slug}"

    def archive_url(self) -> str:
        return f"https://{self.host}/archives?month=11&year=2026"

    def body_class(self, kind: str) -> str:
        view = {
            "single": "com_content view-article no-layout",
            "page": "com_content view-article no-layout",
            "home": "com_content view-featured no-layout",
            "category": "com_content view-category layout-blog",
            "paged": "com_content view-category layout-blog",
            "tag": "com_tags view-tag no-layout",
            "search": "com_finder view-search no-layout",
            "author": "com_contact view-contact no-layout",
            "archive": "com_content view-archive no-layout",
        }.get(kind, "com_content")
        return f"site {view} no-task itemid-10{len(kind)} has-sidebar-right"

    def shell(self, title: str, main: str, url: str, body_class: str = "", head: str = "") -> str:
        body = (
            '<header class="header container-header full-width"><div class="grid-child"><div '
            f'class="navbar-brand"><a class="brand-logo" href="/"><span title="{self.site}">'
            f'Mairie de {self.site}</span></a></div></div><div class="grid-child '
            'container-nav"><ul class="mod-menu mod-list nav"><li class="nav-item item-101 '
            'default"><a href="/">Accueil</a></li><li class="nav-item item-102"><a '
            'href="/actualites">Actualités</a></li><li class="nav-item item-103"><a '
            'href="/la-commune/mot-du-maire">La commune</a></li><li class="nav-item item-104">'
            '<a href="/demarches">Démarches</a></li></ul></div></header><div class="site-grid">'
            '<div class="grid-child container-component"><nav class="mod-breadcrumbs__wrapper" '
            'aria-label="Fil d\'Ariane"><ol class="mod-breadcrumbs breadcrumb"><li><a href="/">'
            f'Accueil</a></li></ol></nav><main>{main}</main></div><div class="grid-child '
            'container-sidebar-right"><div class="sidebar-right card"><h3 class="card-header">'
            'Horaires de la mairie</h3><div class="card-body"><p>Du lundi au vendredi, de 9 h à '
            "12 h et de 14 h à 17 h 30.</p></div></div></div></div><footer "
            'class="container-footer footer full-width"><div class="grid-child"><p>Mairie de '
            f"{self.site}, 1 place de l'Église</p></div></footer>"
        )
        return doc(f"{title}", head, body, lang="fr-fr", body_class=body_class)

    def post_head(self, post: Post, url: str) -> str:
        return f'<meta name="author" content="{post.author}">'

    def listing_head(self, heading: str, url: str, kind: str) -> str:
        return ""

    def article(self, post: Post, body: str, related: list[Post]) -> str:
        box = (
            '<div class="moduletable"><h3>Autres actualités</h3><ul class="mod-articles-category '
            'category-module">'
            + "".join(
                f'<li><a class="mod-articles-category-title" href="{self.post_url(p)}">'
                f"{escape(p.title)}</a></li>"
                for p in related
            )
            + "</ul></div>"
            if related
            else ""
        )
        return (
            '<div class="com-content-article item-page" itemscope '
            'itemtype="https://schema.org/Article"><meta itemprop="inLanguage" content="fr-FR">'
            f'<div class="page-header"><h1 itemprop="headline">{escape(post.title)}</h1></div>'
            '<dl class="article-info text-muted"><dt class="article-info-term">Détails</dt>'
            '<dd class="createdby" itemprop="author" itemscope itemtype="https://schema.org/'
            f'Person">Écrit par <span itemprop="name">{post.author}</span></dd><dd '
            f'class="published"><time datetime="{post.iso}" itemprop="datePublished">'
            f'Publication : {post.day}</time></dd></dl><div itemprop="articleBody" '
            f'class="com-content-article__body">{body}</div></div>{box}'
        )

    def teaser(self, post: Post, excerpt: bool = True) -> str:
        return (
            '<div class="com-content-category-blog__item blog-item" itemprop="blogPost" '
            'itemscope itemtype="https://schema.org/BlogPosting"><div class="item-content">'
            f'<div class="page-header"><h2 itemprop="name"><a href="{self.post_url(post)}" '
            f'itemprop="url">{escape(post.title)}</a></h2></div>'
            + (f"<p>{escape(post.excerpt)}</p>" if excerpt else "")
            + f'<p class="readmore"><a class="btn btn-secondary" href="{self.post_url(post)}" '
            f'aria-label="Lire la suite : {escape(post.title)}">Lire la suite…</a></p>'
            "</div></div>"
        )

    def listing(self, heading: str, teasers: str, intro: str = "", pager: int = 0) -> str:
        nav = (
            '<div class="com-content-category-blog__navigation w-100"><p class="counter">Page '
            f'{pager} sur 4</p><div class="com-content-category-blog__pagination"><nav '
            'class="pagination__wrapper" aria-label="Pagination"><ul class="pagination">'
            '<li class="page-item"><a aria-label="Aller à la page précédente" href="/actualites"'
            ' class="page-link">‹</a></li></ul></nav></div></div>'
            if pager
            else ""
        )
        return (
            '<div class="com-content-category-blog blog" itemscope '
            f'itemtype="https://schema.org/Blog"><h1>{escape(heading)}</h1>'
            + (f'<div class="category-desc clearfix"><p>{escape(intro)}</p></div>' if intro else "")
            + f'<div class="com-content-category-blog__items blog-items">{teasers}</div>{nav}</div>'
        )

    def static(self, heading: str, body: str) -> str:
        return (
            '<div class="com-content-article item-page" itemscope '
            f'itemtype="https://schema.org/Article"><div class="page-header"><h1 '
            f'itemprop="headline">{escape(heading)}</h1></div><div itemprop="articleBody" '
            f'class="com-content-article__body">{body}</div></div>'
        )

    def extra(self) -> None:
        cm = self.post(21, 6)
        self.document("compte-rendu", cm, "a council report with a list of decisions")
        works = self.post(31, 2)
        self.document("avis-travaux", works, "a short notice about road works")
        procedures = "<ul>" + "".join(
            f'<li><a href="/demarches/{slugify(name)}">{name}</a> : {what}</li>'
            for name, what in (
                ("Carte d'identité", "sur rendez-vous, le mardi et le jeudi"),
                ("Inscription sur les listes électorales", "en ligne ou en mairie"),
                ("Urbanisme", "dépôt des permis et déclarations préalables"),
                ("État civil", "actes de naissance, de mariage et de décès"),
            )
        )
        self.static_page(
            "demarches",
            "demarches",
            "Démarches administratives",
            f"<p>Les démarches les plus courantes.</p>{procedures}</ul>",
            "a page of links to procedures",
        )
        self.static_page(
            "contact",
            "contact",
            "Contacter la mairie",
            "<p>Mairie, 1 place de l'Église. Tél. 02 00 00 00 00.</p><form "
            'class="com-contact__form"><input name="jform[contact_name]"><textarea '
            'name="jform[contact_message]"></textarea><button>Envoyer</button></form>',
            "the contact form",
        )


# -- Hugo (PaperMod-like) --------------------------------------------------------------------


class Hugo(Style):
    def __init__(self) -> None:
        super().__init__("hugo-papermod", "notes.thibault-mercier.example", "Notes de Thibault", 18)

    def post_url(self, post: Post) -> str:
        return f"https://{self.host}/posts/{post.slug}/"

    def section_url(self, slug: str) -> str:
        return f"https://{self.host}/categories/{slug}/"

    def tag_url(self, slug: str) -> str:
        return f"https://{self.host}/tags/{slug}/"

    def page_url(self, n: int) -> str:
        return f"https://{self.host}/posts/page/{n}/"

    def search_url(self, query: str) -> str:
        return f"https://{self.host}/search/"

    def author_url(self, author: str) -> str:
        return f"https://{self.host}/posts/"

    def archive_url(self) -> str:
        return f"https://{self.host}/archives/"

    def body_class(self, kind: str) -> str:
        return "" if kind in ("single", "page") else "list"

    def shell(self, title: str, main: str, url: str, body_class: str = "", head: str = "") -> str:
        body = (
            '<header class="header"><nav class="nav"><div class="logo"><a href="/" '
            f'accesskey="h" title="{self.site} (Alt + H)">{self.site}</a></div><ul id="menu">'
            '<li><a href="/archives/" title="Archives"><span>Archives</span></a></li><li><a '
            'href="/tags/" title="Étiquettes"><span>Étiquettes</span></a></li><li><a '
            'href="/search/" title="Recherche"><span>Recherche</span></a></li></ul></nav>'
            f'</header><main class="main">{main}</main><footer class="footer"><span>© 2026 '
            f'<a href="/">{self.site}</a></span> · <span>Propulsé par Hugo</span></footer>'
            '<a href="#top" aria-label="go to top" title="Go to Top (Alt + G)" class="top-link" '
            'id="top-link" accesskey="g">↑</a>'
        )
        return doc(f"{title} | {self.site}", head, body, lang="fr", body_class=body_class)

    def post_head(self, post: Post, url: str) -> str:
        data = {
            "@context": "https://schema.org",
            "@type": "BlogPosting",
            "headline": post.title,
            "datePublished": post.iso,
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        }
        return og("article", post.title, url, self.site) + published_meta(post) + jsonld(data)

    def listing_head(self, heading: str, url: str, kind: str) -> str:
        feed = f'<link rel="alternate" type="application/rss+xml" href="{url}index.xml">'
        return og("website", heading, url, self.site) + feed

    def teaser(self, post: Post, excerpt: bool = True) -> str:
        return (
            '<article class="post-entry"><header class="entry-header"><h2 '
            f'class="entry-hint-parent">{escape(post.title)}</h2></header>'
            + (
                f'<div class="entry-content"><p>{escape(post.excerpt)}…</p></div>'
                if excerpt
                else ""
            )
            + f'<footer class="entry-footer"><span title="{post.iso}">{post.day}</span>'
            f'</footer><a class="entry-link" aria-label="post link to {escape(post.title)}" '
            f'href="{self.post_url(post)}"></a></article>'
        )

    def article(self, post: Post, body: str, related: list[Post]) -> str:
        nav = (
            '<nav class="paginav">'
            + "".join(
                f'<a class="{c}" href="{self.post_url(p)}"><span class="title">{label}</span><br>'
                f"<span>{escape(p.title)}</span></a>"
                for c, label, p in zip(
                    ("prev", "next"), ("« Précédent", "Suivant »"), related[:2], strict=False
                )
            )
            + "</nav>"
            if related
            else ""
        )
        tags = "".join(f'<li><a href="/tags/{t}/">{n}</a></li>' for t, n in post.tags)
        return (
            f'<article class="post-single"><header class="post-header"><h1 class="post-title '
            f'entry-hint-parent">{escape(post.title)}</h1><div class="post-meta"><span '
            f"title='{post.iso}'>{post.day}</span>&nbsp;·&nbsp;4 min&nbsp;·&nbsp;{post.author}"
            f'</div></header><div class="post-content">{body}</div><footer class="post-footer">'
            f'<ul class="post-tags">{tags}</ul>{nav}</footer></article>'
        )

    def listing(self, heading: str, teasers: str, intro: str = "", pager: int = 0) -> str:
        header = (
            f'<header class="page-header"><h1>{escape(heading)}</h1>'
            + (f'<div class="post-description">{escape(intro)}</div>' if intro else "")
            + "</header>"
        )
        nav = (
            f'<footer class="page-footer"><nav class="pagination"><a class="prev" '
            f'href="/posts/page/{pager - 1}/">«&nbsp;Précédent</a><a class="next" '
            f'href="/posts/page/{pager + 1}/">Suivant&nbsp;»</a></nav></footer>'
            if pager
            else ""
        )
        return header + teasers + nav

    def static(self, heading: str, body: str) -> str:
        return (
            f'<article class="post-single"><header class="post-header"><h1 class="post-title">'
            f'{escape(heading)}</h1></header><div class="post-content">{body}</div></article>'
        )

    def extra(self) -> None:
        posts = [self.post(k) for k in range(22, 28)]
        intro = (
            '<article class="first-entry home-info"><header class="entry-header"><h1>Bonjour, '
            'je suis Thibault</h1></header><div class="entry-content"><p>J\'écris ici sur la '
            "vie politique de mon département : conseils municipaux, budgets, transports et "
            "tout ce qui fait la démocratie locale au quotidien. Les avis n'engagent que moi."
            "</p></div></article>"
        )
        teasers = "".join(self.teaser(p) for p in posts)
        url = f"https://{self.host}/"
        self.add(
            "home-intro",
            url,
            self.shell(self.site, intro + teasers, url, "list", og("website", self.site, url, "")),
            False,
            "home page with a self-introduction above the list",
        )
        for k, note in ((32, "a post with prev/next navigation"), (34, "a long reading note")):
            post = self.post(k, 6)
            self.document(f"post-{k}", post, note, related=2)
        short = self.post(23, 2)
        self.document(
            "til", short, "a very short note", body=f"<p>{escape(short.paragraphs[0])}</p>"
        )
