"""Hold-out styles, written after the classifier's rules were frozen (commit "rules frozen
here"), to measure it on markup it was not tuned on: WordPress with an Astra-like theme
and Rank Math, an Over-blog blog, a Substack-like newsletter, a national news site and a
party federation's site made with a site builder."""

from __future__ import annotations

from html import escape

from tests.eval.pagetypes import _text as text
from tests.eval.pagetypes._base import Post, Style, jsonld, og, paras, published_meta, slugify
from tests.eval.pagetypes._styles_dev import COOKIE_BANNER, doc

# -- WordPress, Astra-like theme, Rank Math ----------------------------------------------


class WordPressAstra(Style):
    def __init__(self) -> None:
        super().__init__("wordpress-astra", "www.vezin-demain.example", "Vézin Demain", 21)

    def post_url(self, post: Post) -> str:
        return f"https://{self.host}/{post.slug}/"

    def section_url(self, slug: str) -> str:
        return f"https://{self.host}/rubrique/{slug}/"

    def body_class(self, kind: str) -> str:
        theme = "ast-desktop ast-separate-container ast-two-container ast-right-sidebar astra-4"
        wp = {
            "single": "post-template-default single single-post postid-873 single-format-standard",
            "home": "home blog",
            "category": "archive category category-vie-locale category-7",
            "tag": "archive tag tag-tramway tag-21",
            "search": "search search-results",
            "paged": "blog paged paged-2",
            "author": "archive author author-karim author-4",
            "archive": "archive date",
            "page": "page-template-default page page-id-58",
        }.get(kind, "")
        return f"{wp} {theme}"

    def shell(self, title: str, main: str, url: str, body_class: str = "", head: str = "") -> str:
        body = (
            '<a class="skip-link screen-reader-text" href="#content">Aller au contenu</a>'
            '<div class="hfeed site" id="page"><header class="site-header header-main-layout-1 '
            'ast-primary-menu-enabled" id="masthead"><div class="main-header-bar-wrap"><div '
            'class="ast-site-identity"><span class="site-title"><a href="/" rel="home">'
            f'{self.site}</a></span></div><nav class="main-header-bar-navigation" '
            'aria-label="Site Navigation"><ul id="primary-menu" class="main-header-menu '
            'ast-nav-menu"><li class="menu-item"><a href="/" class="menu-link">Accueil</a></li>'
            '<li class="menu-item"><a href="/rubrique/vie-locale/" class="menu-link">Vie locale'
            '</a></li><li class="menu-item"><a href="/qui-sommes-nous/" class="menu-link">'
            "Qui sommes-nous</a></li></ul></nav></div></header>"
            f'<div id="content" class="site-content"><div class="ast-container"><div '
            f'id="primary" class="content-area primary"><main id="main" class="site-main">{main}'
            '</main></div><div class="widget-area secondary" id="secondary"><div '
            'class="sidebar-main"><aside id="categories-2" class="widget widget_categories">'
            '<h2 class="widget-title">Rubriques</h2><ul><li class="cat-item"><a '
            'href="/rubrique/vie-locale/">Vie locale</a> (12)</li><li class="cat-item"><a '
            'href="/rubrique/politique/">Politique</a> (31)</li></ul></aside></div></div></div>'
            '</div><footer class="site-footer" id="colophon"><div class="ast-small-footer">'
            f"Copyright © 2026 {self.site} | Propulsé par Astra</div></footer></div>"
        )
        return doc(f"{title} - {self.site}", head, body, body_class=body_class)

    def post_head(self, post: Post, url: str) -> str:
        graph = {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "Organization", "@id": f"https://{self.host}/#organization"},
                {"@type": "WebSite", "@id": f"https://{self.host}/#website"},
                {"@type": "WebPage", "@id": f"{url}#webpage", "name": post.title},
                {"@type": "Person", "@id": f"https://{self.host}/#author", "name": post.author},
                {
                    "@type": "BlogPosting",
                    "headline": post.title,
                    "datePublished": post.iso,
                    "mainEntityOfPage": {"@id": f"{url}#webpage"},
                },
            ],
        }
        return og("article", post.title, url, self.site) + published_meta(post) + jsonld(graph)

    def listing_head(self, heading: str, url: str, kind: str) -> str:
        # Rank Math types its home and archives as plain pages: "CollectionPage" only on
        # category and tag pages.
        page = "CollectionPage" if kind in ("category", "tag") else "WebPage"
        graph = {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "Organization", "@id": f"https://{self.host}/#organization"},
                {"@type": page, "@id": f"{url}#webpage", "name": heading},
            ],
        }
        og_type = "article" if kind == "page" else "website"
        return og(og_type, heading, url, self.site) + jsonld(graph)

    def teaser(self, post: Post, excerpt: bool = True) -> str:
        return (
            f'<article class="post-{post.n} post type-post status-publish format-standard '
            f'has-post-thumbnail hentry ast-grid-common-col ast-full-width ast-article-post" '
            f'id="post-{post.n}"><div class="ast-post-format- blog-layout-1 ast-no-date-box">'
            f'<div class="post-content ast-grid-common-col"><div class="ast-blog-featured-section '
            f'post-thumb"><a href="{self.post_url(post)}"><img src="/wp-content/uploads/'
            f'{post.n}.jpg" alt=""></a></div><header class="entry-header"><h2 class="entry-title '
            f'ast-blog-single-element"><a href="{self.post_url(post)}" rel="bookmark">'
            f'{escape(post.title)}</a></h2><div class="entry-meta">{post.author} / {post.day}'
            "</div></header>"
            + (
                '<div class="ast-excerpt-container ast-blog-single-element"><p>'
                f"{escape(post.excerpt)}"
                '</p></div><p class="ast-blog-single-element ast-read-more-container read-more">'
                f'<a class="" href="{self.post_url(post)}">Lire la suite »</a></p>'
                if excerpt
                else ""
            )
            + "</div></div></article>"
        )

    def article(self, post: Post, body: str, related: list[Post]) -> str:
        box = (
            '<div class="ast-single-related-posts-container"><div '
            'class="ast-related-posts-title-section"><h2 class="ast-related-posts-title">'
            'Articles similaires</h2></div><div class="ast-related-posts-wrapper">'
            + "".join(
                f'<article class="ast-related-post post-{p.n} post type-post"><div '
                'class="ast-related-post-content"><header class="entry-header '
                'related-entry-header">'
                f'<h3 class="ast-related-post-title entry-title"><a href="{self.post_url(p)}" '
                f'rel="bookmark">{escape(p.title)}</a></h3></header><div class="entry-content '
                f'clear"><p class="ast-related-post-excerpt">{escape(p.excerpt)}</p></div></div>'
                "</article>"
                for p in related
            )
            + "</div></div>"
            if related
            else ""
        )
        return (
            f'<article class="post-{post.n} post type-post status-publish format-standard hentry '
            f'ast-article-single" id="post-{post.n}"><div class="ast-post-format- '
            'ast-no-thumb single-layout-1"><header class="entry-header"><h1 class="entry-title" '
            f'itemprop="headline">{escape(post.title)}</h1><div class="entry-meta">Par <span '
            f'class="posted-by author">{post.author}</span> / <span class="posted-on"><span '
            f'class="published">{post.day}</span></span></div></header><div '
            f'class="entry-content clear">{body}</div></div></article>'
            '<nav class="navigation post-navigation" aria-label="Articles"><div class="nav-links">'
            '<div class="nav-previous"><a href="/ancien-article/" rel="prev"><span '
            'class="ast-left-arrow">←</span> Article précédent</a></div></div></nav>' + box
        )

    def listing(self, heading: str, teasers: str, intro: str = "", pager: int = 0) -> str:
        top = (
            ""
            if heading == self.site
            else (
                '<section class="ast-archive-description"><h1 class="page-title ast-archive-title">'
                f"{escape(heading)}</h1>"
                + (f"<p>{escape(intro)}</p>" if intro else "")
                + "</section>"
            )
        )
        nav = (
            '<div class="ast-pagination"><nav class="navigation pagination" aria-label="Articles">'
            f'<div class="nav-links"><a class="prev page-numbers" href="/page/{pager - 1}/">'
            f'Page précédente</a><a class="page-numbers" href="/page/{pager + 1}/">'
            f"{pager + 1}</a></div></nav></div>"
            if pager
            else ""
        )
        return f'{top}<div class="ast-row">{teasers}</div>{nav}'

    def static(self, heading: str, body: str) -> str:
        return (
            '<article class="post-58 page type-page status-publish ast-article-single" '
            'id="post-58"><header class="entry-header ast-no-thumbnail"><h1 class="entry-title" '
            f'itemprop="headline">{escape(heading)}</h1></header><div class="entry-content '
            f'clear">{body}</div></article>'
        )

    def extra(self) -> None:
        sticky = self.post(33, 5)
        rest = [self.post(k) for k in range(34, 40)]
        url = f"https://{self.host}/"
        main = (
            f'<article class="post-{sticky.n} post type-post sticky hentry ast-article-post">'
            '<header class="entry-header"><h2 class="entry-title"><a '
            f'href="{self.post_url(sticky)}"'
            f' rel="bookmark">{escape(sticky.title)}</a></h2></header><div class="entry-content '
            f'clear">{paras(sticky)}</div></article>' + "".join(self.teaser(p) for p in rest)
        )
        self.add(
            "home-sticky",
            url,
            self.shell(
                self.site, main, url, self.body_class("home"), self.listing_head("", url, "home")
            ),
            False,
            "home page: a sticky post in full above six teasers",
        )
        for k, note in ((36, "a council report"), (38, "a post about the school map")):
            self.document(f"post-{k}", self.post(k, 5), note, related=3)
        self.static_page(
            "team",
            "l-equipe",
            "Qui sommes-nous ?",
            "".join(f"<p>{escape(t)}</p>" for t in text.ABOUT_PARAGRAPHS[:3]),
            "the team page",
        )


# -- Over-blog -------------------------------------------------------------------------


class OverBlog(Style):
    def __init__(self) -> None:
        super().__init__(
            "overblog", "lecarnetdemarcel.over-blog.example", "Le carnet de Marcel", 24
        )

    def post_url(self, post: Post) -> str:
        return f"http://{self.host}/{post.published:%Y/%m}/{post.slug[:45]}.html"

    def home_url(self) -> str:
        return f"http://{self.host}/"

    def section_url(self, slug: str) -> str:
        return f"http://{self.host}/categorie-{post_cat(slug)}.html"

    def tag_url(self, slug: str) -> str:
        return f"http://{self.host}/tag/{slug}/"

    def page_url(self, n: int) -> str:
        return f"http://{self.host}/page/{n}"

    def search_url(self, query: str) -> str:
        return f"http://{self.host}/search/{query}/"

    def author_url(self, author: str) -> str:
        return f"http://{self.host}/profil-1234567.html"

    def static_url(self, slug: str) -> str:
        return f"http://{self.host}/pages/{slug.replace('-', '_').capitalize()}-8812345.html"

    def archive_url(self) -> str:
        return f"http://{self.host}/archive/2026-11/"

    def shell(self, title: str, main: str, url: str, body_class: str = "", head: str = "") -> str:
        body = (
            '<div class="ob-header"><div class="ob-header-inner"><a class="ob-header-title" '
            f'href="/">{self.site}</a><p class="ob-header-description">Humeurs d’un retraité '
            "de la Brenne, politique locale et jardinage</p></div></div>"
            '<div class="ob-main"><div class="ob-content">' + main + "</div>"
            '<div class="ob-sidebar"><div class="ob-widget ob-widget-search"><form '
            'action="/search/"><input name="q"></form></div><div class="ob-widget '
            'ob-widget-articles"><div class="ob-widget-title">Articles récents</div><ul>'
            + "".join(
                f'<li><a href="{self.post_url(self.post(k))}">{escape(self.post(k).title)}</a></li>'
                for k in range(10, 14)
            )
            + '</ul></div><div class="ob-widget ob-widget-pages"><div class="ob-widget-title">'
            'Pages</div><ul><li><a href="/pages/Qui_suis_je-8812345.html">Qui suis-je ?</a></li>'
            "</ul></div></div></div>"
            '<div class="ob-footer">Blog créé avec Over-blog · <a href="/contact">Contact</a> · '
            '<a href="#">Signaler un abus</a></div>'
        )
        return doc(f"{title} - {self.site}", head, body, lang="fr")

    def post_head(self, post: Post, url: str) -> str:
        return og("article", post.title, url, self.site) + (
            f'<meta property="article:published_time" content="{post.iso}">'
            f'<meta property="article:tag" content="{post.tags[0][1]}">'
        )

    def listing_head(self, heading: str, url: str, kind: str) -> str:
        return og("website", heading or self.site, url, self.site)

    def post_block(self, post: Post, body: str, single: bool) -> str:
        title = (
            f'<h1 class="ob-post-title ob-title">{escape(post.title)}</h1>'
            if single
            else f'<h2 class="ob-post-title ob-title"><a href="{self.post_url(post)}">'
            f"{escape(post.title)}</a></h2>"
        )
        return (
            f'<div class="ob-section ob-section-post"><div class="ob-post">{title}'
            f'<div class="ob-post-info"><span class="ob-post-date">Publié le {post.day}</span> '
            f'par <span class="ob-post-author">Marcel</span></div>'
            f'<div class="ob-text ob-post-text">{body}</div>'
            '<div class="ob-post-tags">'
            + "".join(f'<a class="ob-tag" href="/tag/{t}/">#{n}</a> ' for t, n in post.tags)
            + '</div><div class="ob-share"><span>Partager cet article</span> <a href="#" '
            'class="ob-share-button">Facebook</a> <a class="ob-repost" href="#">Repost0</a>'
            "</div></div></div>"
        )

    def teaser(self, post: Post, excerpt: bool = True) -> str:
        # Over-blog lists show each post's start, cut at the author's "read more" mark.
        body = f"<p>{escape(post.paragraphs[0])}</p>" + (
            f'<p class="ob-readmore"><a href="{self.post_url(post)}">Lire la suite</a></p>'
        )
        return self.post_block(post, body if excerpt else "", single=False)

    def article(self, post: Post, body: str, related: list[Post]) -> str:
        box = (
            '<div class="ob-section ob-section-related"><div class="ob-title">Vous aimerez '
            'aussi :</div><ul class="ob-list">'
            + "".join(
                f'<li class="ob-related-item"><a href="{self.post_url(p)}"><img src="/img/{p.n}'
                f'.jpg" alt=""><span class="ob-related-title">{escape(p.title)}</span></a></li>'
                for p in related
            )
            + "</ul></div>"
            if related
            else ""
        )
        comments = (
            '<div class="ob-section ob-section-comments"><div class="ob-title">Commenter cet '
            "article</div><form><textarea></textarea></form></div>"
        )
        return self.post_block(post, body, single=True) + box + comments

    def listing(self, heading: str, teasers: str, intro: str = "", pager: int = 0) -> str:
        top = (
            f'<div class="ob-section ob-section-title"><h1 class="ob-title">{escape(heading)}'
            "</h1>" + (f'<p class="ob-description">{escape(intro)}</p>' if intro else "") + "</div>"
            if heading != self.site
            else ""
        )
        nav = (
            '<div class="ob-section ob-section-pagination"><a class="ob-page ob-page-previous" '
            f'href="/page/{pager - 1}">Page précédente</a> <a class="ob-page ob-page-next" '
            f'href="/page/{pager + 1}">Page suivante</a></div>'
            if pager
            else ""
        )
        return top + teasers + nav

    def static(self, heading: str, body: str) -> str:
        return (
            '<div class="ob-section ob-section-page"><div class="ob-page-content">'
            f'<h1 class="ob-title">{escape(heading)}</h1><div class="ob-text">{body}</div>'
            "</div></div>"
        )

    def extra(self) -> None:
        for k, note in ((14, "a post on the local budget"), (27, "a garden diary post")):
            self.document(f"post-{k}", self.post(k, 4), note, related=4)
        self.static_page(
            "qui-suis-je",
            "qui-suis-je",
            "Qui suis-je ?",
            "<p>Ancien instituteur, installé à Vézin depuis 1987. J'écris ici ce que je vois "
            "de la vie municipale, sans carte de parti, et avec mes tomates pour témoins.</p>",
            "the author's presentation page",
        )


def post_cat(slug: str) -> str:
    """Over-blog numbers its categories; a stable number made from the name."""
    return f"{slug}-{sum(map(ord, slug)) * 7919 % 9000000 + 1000000}"


# -- Substack-like newsletter -----------------------------------------------------------


class Newsletter(Style):
    def __init__(self) -> None:
        super().__init__("newsletter", "lalettredenadia.substack.example", "La Lettre de Nadia", 27)

    def post_url(self, post: Post) -> str:
        return f"https://{self.host}/p/{post.slug[:50]}"

    def section_url(self, slug: str) -> str:
        return f"https://{self.host}/s/{slug}"

    def tag_url(self, slug: str) -> str:
        return f"https://{self.host}/s/{slug}"

    def page_url(self, n: int) -> str:
        return f"https://{self.host}/archive?sort=new&offset={(n - 1) * 12}"

    def search_url(self, query: str) -> str:
        return f"https://{self.host}/archive?sort=search&search={query}"

    def author_url(self, author: str) -> str:
        return f"https://{self.host}/people/{slugify(author)}"

    def static_url(self, slug: str) -> str:
        return f"https://{self.host}/{ {'a-propos': 'about'}.get(slug, slug) }"

    def archive_url(self) -> str:
        return f"https://{self.host}/archive?sort=new&month=2026-11"

    def shell(self, title: str, main: str, url: str, body_class: str = "", head: str = "") -> str:
        body = (
            '<div id="entry"><div id="main" class="main typography use-theme-bg"><div '
            'class="main-menu"><div class="topbar"><a class="navbar-title-link" href="/">'
            f'{self.site}</a><div class="navbar-buttons"><a class="button primary subscribe-btn" '
            'href="/subscribe">S’abonner</a><a class="button sign-in-link" href="/account/login">'
            'Se connecter</a></div></div><div class="topbar-tabs"><a href="/">Accueil</a>'
            '<a href="/archive">Archives</a><a href="/about">À propos</a></div></div>'
            f'<div class="container">{main}</div><div class="footer-wrap"><div class="footer">'
            f'<div class="footer-copyright">© 2026 {self.site}</div><a href="/privacy">'
            'Confidentialité</a> · <a href="/tos">Conditions</a></div></div></div></div>'
        )
        return doc(f"{title}", head, body, lang="fr")

    def post_head(self, post: Post, url: str) -> str:
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "url": url,
            "headline": post.title,
            "datePublished": post.iso,
            "isAccessibleForFree": True,
            "author": [{"@type": "Person", "name": "Nadia Ferrand"}],
            "publisher": {"@type": "Organization", "name": self.site},
        }
        return og("article", post.title, url, self.site) + jsonld(data)

    def listing_head(self, heading: str, url: str, kind: str) -> str:
        return og("website", heading, url, self.site)

    def teaser(self, post: Post, excerpt: bool = True) -> str:
        return (
            '<div class="post-preview portable-archive-post has-image"><div '
            'class="post-preview-content"><a class="post-preview-title newsletter" '
            f'href="{self.post_url(post)}">{escape(post.title)}</a>'
            + (
                f'<a class="post-preview-description" href="{self.post_url(post)}">'
                f"{escape(post.excerpt)}</a>"
                if excerpt
                else ""
            )
            + f'<div class="post-meta"><time datetime="{post.iso}">{post.day}</time> · '
            'Nadia Ferrand</div></div><div class="post-preview-image"><img src="/img/'
            f'{post.n}.jpg" alt=""></div></div>'
        )

    def article(self, post: Post, body: str, related: list[Post]) -> str:
        more = (
            '<div class="post-footer"><div class="more-posts"><h4>Plus de La Lettre de Nadia</h4>'
            + "".join(self.teaser(p) for p in related)
            + "</div></div>"
            if related
            else ""
        )
        return (
            '<div class="single-post-container"><article class="typography newsletter-post '
            'post"><div class="post-header"><h1 class="post-title published">'
            f'{escape(post.title)}</h1><h3 class="subtitle">{escape(post.excerpt)}</h3><div '
            'class="post-meta"><div class="profile-hover-card-target"><a href="/people/'
            f'nadia-ferrand">Nadia Ferrand</a></div><div class="post-date"><time datetime='
            f'"{post.iso}">{post.day}</time></div></div></div><div class="available-content">'
            f'<div class="body markup" dir="auto">{body}</div></div><div class="subscription-'
            'widget-wrap"><p>Merci de lire La Lettre de Nadia ! Abonnez-vous gratuitement pour '
            'recevoir les prochains numéros.</p><form><input type="email"><button>S’abonner'
            f"</button></form></div></article>{more}</div>"
        )

    def listing(self, heading: str, teasers: str, intro: str = "", pager: int = 0) -> str:
        top = (
            f'<div class="archive-header"><h1 class="archive-title">{escape(heading)}</h1>'
            + (f'<p class="archive-description">{escape(intro)}</p>' if intro else "")
            + "</div>"
        )
        return f'{top}<div class="portable-archive-list">{teasers}</div>'

    def static(self, heading: str, body: str) -> str:
        return (
            '<div class="about-page"><div class="content-about"><h1 class="about-title">'
            f'{escape(heading)}</h1><div class="body markup">{body}</div></div></div>'
        )

    def extra(self) -> None:
        paid = self.post(30, 2)
        self.document(
            "paywalled",
            paid,
            "a paid post: its first paragraphs, then a paywall",
            body=paras(paid)
            + '<div class="paywall"><h2 class="paywall-title">Cet article est réservé aux '
            "abonnés payants</h2><p>Abonnez-vous pour lire la suite et soutenir mon travail.</p>"
            '<a class="button" href="/subscribe">S’abonner</a></div>',
        )
        for k, note in ((31, "an issue of the newsletter"), (29, "an issue with three items")):
            self.document(f"issue-{k}", self.post(k, 5), note, related=3)
        hero = self.post(35, 4)
        rest = [self.post(k) for k in range(36, 41)]
        url = f"https://{self.host}/"
        main = (
            '<div class="home-hero"><div class="post-preview-hero"><a class="post-preview-title '
            f'newsletter" href="{self.post_url(hero)}">{escape(hero.title)}</a><div '
            f'class="post-preview-description">{escape(hero.paragraphs[0])} '
            f"{escape(hero.paragraphs[1])}</div></div></div>"
            '<div class="home-posts"><div class="portable-archive-tabs"><a class="active">'
            "Derniers</a> <a>Populaires</a></div>"
            + "".join(self.teaser(p) for p in rest)
            + "</div>"
        )
        self.add(
            "home-hero",
            url,
            self.shell(self.site, main, url, "", og("website", self.site, url, self.site)),
            False,
            "home page: the latest issue's first paragraphs, then the list",
        )


# -- A national news site ------------------------------------------------------------------


class NationalNews(Style):
    def __init__(self) -> None:
        super().__init__("national-news", "www.le-courrier-national.example", "Le Courrier", 30)

    def post_url(self, post: Post) -> str:
        return (
            f"https://{self.host}/{post.section[0]}/article/{post.published:%Y/%m/%d}/"
            f"{post.slug[:60]}_{6100000 + post.n}_{823448 + post.n % 7}.html"
        )

    def section_url(self, slug: str) -> str:
        return f"https://{self.host}/{slug}/"

    def tag_url(self, slug: str) -> str:
        return f"https://{self.host}/{slug}/"

    def page_url(self, n: int) -> str:
        return f"https://{self.host}/politique/{n}/"

    def search_url(self, query: str) -> str:
        return f"https://{self.host}/recherche/?search_keywords={query}&page=1"

    def author_url(self, author: str) -> str:
        return f"https://{self.host}/signataires/{slugify(author)}/"

    def static_url(self, slug: str) -> str:
        return f"https://{self.host}/{slug}/"

    def archive_url(self) -> str:
        return f"https://{self.host}/archives/2026/11/18/"

    def shell(self, title: str, main: str, url: str, body_class: str = "", head: str = "") -> str:
        sections = "".join(
            f'<li class="nav__item"><a class="nav__link" href="/{s}/">{n}</a></li>'
            for s, n in text.SECTIONS
        )
        body = (
            '<header class="header" role="banner"><div class="header__top"><a class="logo" '
            f'href="/"><span class="visually-hidden">{self.site}</span></a><a '
            'class="header__subscribe" href="/abonnement/">S’abonner dès 1 €</a><a '
            'class="header__login" href="/connexion/">Se connecter</a></div><nav '
            f'class="nav" role="navigation"><ul class="nav__list">{sections}</ul></nav></header>'
            f'<main class="page" id="main">{main}</main>'
            '<footer class="footer" role="contentinfo"><ul class="footer__links"><li><a '
            'href="/qui-sommes-nous/">Qui sommes-nous ?</a></li><li><a href="/mentions-legales/">'
            'Mentions légales</a></li><li><a href="/cookies/">Gestion des cookies</a></li><li><a '
            'href="/plan-du-site/">Plan du site</a></li></ul><p class="footer__copyright">'
            f"© {self.site} – Reproduction interdite</p></footer>" + COOKIE_BANNER
        )
        return doc(f"{title} – {self.site}", head, body, lang="fr")

    def post_head(self, post: Post, url: str) -> str:
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "mainEntityOfPage": {"@type": "WebPage", "@id": url},
            "headline": post.title,
            "datePublished": post.iso,
            "dateModified": post.iso,
            "author": [{"@type": "Person", "name": post.author}],
            "isAccessibleForFree": False,
            "hasPart": {
                "@type": "WebPageElement",
                "isAccessibleForFree": False,
                "cssSelector": ".paywall",
            },
        }
        return og("article", post.title, url, self.site) + published_meta(post) + jsonld(data)

    def listing_head(self, heading: str, url: str, kind: str) -> str:
        items = {
            "@context": "https://schema.org",
            "@type": "ItemList",
            "itemListElement": [
                {"@type": "ListItem", "position": k + 1, "url": self.post_url(self.post(k))}
                for k in range(3)
            ],
        }
        return og("website", heading, url, self.site) + (
            jsonld(items) if kind in ("home", "category") else ""
        )

    def teaser(self, post: Post, excerpt: bool = True) -> str:
        return (
            f'<section class="teaser teaser--inline-picture" data-id="{6100000 + post.n}">'
            f'<a class="teaser__link" href="{self.post_url(post)}"><figure class="teaser__media">'
            f'<img src="/img/{post.n}.jpg" alt=""></figure><h3 class="teaser__title">'
            f"{escape(post.title)}</h3>"
            + (f'<p class="teaser__desc">{escape(post.excerpt)}</p>' if excerpt else "")
            + f'</a><span class="meta__date">Publié le {post.day}</span></section>'
        )

    def article(self, post: Post, body: str, related: list[Post]) -> str:
        inline = (
            '<section class="catcher catcher--inline"><span class="catcher__label">Lire aussi'
            "</span>"
            + "".join(
                f'<a class="catcher__title" href="{self.post_url(p)}">{escape(p.title)}</a>'
                for p in related[:2]
            )
            + "</section>"
            if related
            else ""
        )
        paragraphs = body.split("</p>")
        middle = len(paragraphs) // 2
        body = "</p>".join(paragraphs[:middle]) + ("</p>" if middle else "") + inline
        body += "</p>".join(paragraphs[middle:])
        more = (
            '<section class="services services--related"><h2 class="services__title">Sur le '
            'même sujet</h2><div class="services__list">'
            + "".join(self.teaser(p) for p in related[2:])
            + "</div></section>"
            if len(related) > 2
            else ""
        )
        return (
            '<section class="zone zone--article"><section class="article__header"><ul '
            f'class="breadcrumb"><li><a href="/{post.section[0]}/">{post.section[1]}</a></li>'
            f'</ul><h1 class="article__title">{escape(post.title)}</h1><p class="article__desc">'
            f'{escape(post.excerpt)}</p><section class="meta meta__publisher"><span '
            'class="meta__author">Par <a class="article__author-link" '
            f'href="{self.author_url(post.author)}">'
            f'{post.author}</a></span><span class="meta__date">Publié le {post.day} à 07 h 30'
            f'</span></section></section><article class="article__content" id="article-body">'
            f"{body}</article></section>{more}"
        )

    def listing(self, heading: str, teasers: str, intro: str = "", pager: int = 0) -> str:
        top = (
            f'<h1 class="page__title">{escape(heading)}</h1>'
            + (f'<p class="page__desc">{escape(intro)}</p>' if intro else "")
            if heading != self.site
            else ""
        )
        nav = (
            '<section class="river__pagination"><a class="river__pagination-elem" href="/'
            f'politique/{pager - 1}/">{pager - 1}</a><span class="river__pagination-elem '
            f'river__pagination-elem--active">{pager}</span><a class="river__pagination-elem" '
            f'href="/politique/{pager + 1}/">{pager + 1}</a></section>'
            if pager
            else ""
        )
        return f'{top}<section class="river">{teasers}</section>{nav}'

    def static(self, heading: str, body: str) -> str:
        return (
            f'<section class="zone zone--static"><h1 class="page__title">{escape(heading)}</h1>'
            f"{body}</section>"
        )

    def extra(self) -> None:
        live = self.post(12, 1)
        url = self.post_url(live)
        entries = "".join(
            f'<section class="post post__live-container"><span class="date">{t}</span><div '
            f'class="content--live"><p class="post__live-container--answer-text">{escape(e)}</p>'
            "</div></section>"
            for t, e in text.LIVE_ENTRIES
        )
        head = og("article", live.title, url, self.site) + jsonld(
            {
                "@context": "https://schema.org",
                "@type": "LiveBlogPosting",
                "headline": live.title,
                "coverageStartTime": live.iso,
                "liveBlogUpdate": [
                    {"@type": "BlogPosting", "headline": t, "articleBody": e}
                    for t, e in text.LIVE_ENTRIES
                ],
            }
        )
        self.document("live", live, "a live blog", body=entries, head=head)
        video = self.post(13, 1)
        vurl = self.post_url(video)
        vhead = og("video.other", video.title, vurl, self.site) + jsonld(
            {
                "@context": "https://schema.org",
                "@type": "VideoObject",
                "name": video.title,
                "uploadDate": video.iso,
                "duration": "PT3M12S",
            }
        )
        self.document(
            "video",
            video,
            "a video article with two sentences",
            body='<div class="video-player"><iframe src="https://player.example/embed/x7z"></iframe>'
            f"</div><p>{escape(video.paragraphs[0])}</p>",
            head=vhead,
        )
        paid = self.post(14, 2)
        self.document(
            "paywalled",
            paid,
            "a subscribers' article cut by the paywall",
            body=paras(paid)[:400].rsplit(" ", 1)[0]
            + '…</p><div class="paywall"><p>Il vous reste 80 % de cet article à lire. La suite '
            'est réservée aux abonnés.</p><a href="/abonnement/">S’abonner</a></div>',
            related=4,
        )
        self.document("tribune", self.post(15, 6), "an opinion piece with a related box", related=5)
        self.list_page(
            "dossier",
            f"https://{self.host}/municipales-2026/",
            "Municipales 2026",
            [self.post(k) for k in range(16, 30)],
            "a topic page: fourteen teasers",
            "category",
            intro="Retrouvez tous nos articles sur les élections municipales.",
        )
        self.static_page(
            "plan-du-site",
            "plan-du-site",
            "Plan du site",
            "<ul>"
            + "".join(f'<li><a href="/{s}/">{n}</a></li>' for s, n in text.SECTIONS)
            + "</ul>",
            "the site map",
        )


# -- A party federation's site, made with a site builder --------------------------------------


class PartySite(Style):
    def __init__(self) -> None:
        super().__init__("party-builder", "www.territoires-brenne.example", "Territoires 36", 33)

    def post_url(self, post: Post) -> str:
        return f"https://{self.host}/actualites/{post.slug[:55]}"

    def section_url(self, slug: str) -> str:
        return f"https://{self.host}/actualites"

    def tag_url(self, slug: str) -> str:
        return f"https://{self.host}/theme/{slug}"

    def page_url(self, n: int) -> str:
        return f"https://{self.host}/actualites?2f8a1b3c_page={n}"

    def search_url(self, query: str) -> str:
        return f"https://{self.host}/search?query={query}"

    def author_url(self, author: str) -> str:
        return f"https://{self.host}/equipe/{slugify(author)}"

    def static_url(self, slug: str) -> str:
        return f"https://{self.host}/{slug}"

    def archive_url(self) -> str:
        return f"https://{self.host}/communiques"

    def shell(self, title: str, main: str, url: str, body_class: str = "", head: str = "") -> str:
        body = (
            '<div data-collapse="medium" data-animation="default" class="navbar w-nav"><div '
            'class="container w-container"><a href="/" class="brand w-nav-brand w--current">'
            '<img src="/images/logo.svg" alt="Territoires 36"></a><nav role="navigation" '
            'class="nav-menu w-nav-menu"><a href="/" class="nav-link w-nav-link">Accueil</a>'
            '<a href="/actualites" class="nav-link w-nav-link">Actualités</a><a '
            'href="/nos-propositions" class="nav-link w-nav-link">Nos propositions</a><a '
            'href="/adherer" class="nav-link button-nav w-nav-link">Adhérer</a></nav></div></div>'
            f'<div class="page-wrapper">{main}</div>'
            '<div class="section-newsletter"><div class="container"><h3 class="heading-newsletter">'
            'Restez informé·e</h3><div class="w-form"><form><input type="email" '
            'class="text-field w-input"><input type="submit" value="Je m’inscris" '
            'class="submit-button w-button"></form></div></div></div>'
            '<div class="footer"><div class="container"><div class="footer-links"><a '
            'href="/mentions-legales" class="footer-link">Mentions légales</a><a href="/contact" '
            'class="footer-link">Contact</a><a href="/faire-un-don" class="footer-link">Faire un '
            "don</a></div><div>Fédération de l'Indre · 2026</div></div></div>"
        )
        return doc(f"{title} | {self.site}", head, body, lang="fr")

    def post_head(self, post: Post, url: str) -> str:
        # The builder writes the same og:type on every page and no JSON-LD at all.
        return og("website", post.title, url, self.site)

    def listing_head(self, heading: str, url: str, kind: str) -> str:
        return og("website", heading, url, self.site)

    def teaser(self, post: Post, excerpt: bool = True) -> str:
        return (
            '<div role="listitem" class="collection-item w-dyn-item"><a href="'
            f'{self.post_url(post)}" class="blog-card w-inline-block"><img src="/images/{post.n}'
            '.jpg" loading="lazy" alt="" class="blog-card-image"><div class="blog-card-content">'
            f'<div class="blog-card-date">{post.published:%d/%m/%Y}</div><h3 '
            f'class="blog-card-title">{escape(post.title)}</h3>'
            + (f'<p class="blog-card-excerpt">{escape(post.excerpt)}</p>' if excerpt else "")
            + "</div></a></div>"
        )

    def article(self, post: Post, body: str, related: list[Post]) -> str:
        more = (
            '<div class="section-more"><div class="container"><h2 class="heading-more">Nos '
            'dernières actualités</h2><div class="collection-list-wrapper w-dyn-list"><div '
            'role="list" class="collection-list w-dyn-items">'
            + "".join(self.teaser(p) for p in related)
            + "</div></div></div></div>"
            if related
            else ""
        )
        return (
            '<div class="section-hero-article"><div class="container"><a href="/actualites" '
            'class="link-back">← Toutes les actualités</a><h1 class="heading-article">'
            f'{escape(post.title)}</h1><div class="article-date">{post.published:%d/%m/%Y}</div>'
            '</div></div><div class="section-article"><div class="container-narrow"><div '
            f'class="rich-text-article w-richtext">{body}</div></div></div>{more}'
        )

    def listing(self, heading: str, teasers: str, intro: str = "", pager: int = 0) -> str:
        top = (
            f'<div class="section-hero"><div class="container"><h1 class="heading-hero">'
            f"{escape(heading)}</h1>"
            + (f'<p class="paragraph-hero">{escape(intro)}</p>' if intro else "")
            + "</div></div>"
        )
        nav = (
            '<div role="navigation" aria-label="List" class="w-pagination-wrapper"><a '
            f'href="?2f8a1b3c_page={pager - 1}" aria-label="Previous Page" '
            'class="w-pagination-previous">Précédent</a><a href="?2f8a1b3c_page='
            f'{pager + 1}" aria-label="Next Page" class="w-pagination-next">Suivant</a></div>'
            if pager
            else ""
        )
        return (
            f'{top}<div class="section-list"><div class="container"><div '
            'class="collection-list-wrapper w-dyn-list"><div role="list" class="collection-list '
            f'w-dyn-items">{teasers}</div>{nav}</div></div></div>'
        )

    def static(self, heading: str, body: str) -> str:
        return (
            f'<div class="section-hero"><div class="container"><h1 class="heading-hero">'
            f'{escape(heading)}</h1></div></div><div class="section-content"><div '
            f'class="container-narrow"><div class="rich-text w-richtext">{body}</div></div></div>'
        )

    def extra(self) -> None:
        press = self.post(18, 3)
        self.document(
            "communique",
            press,
            "a press release naming the candidate",
            body="<p><strong>Communiqué de presse</strong></p>" + paras(press),
            related=3,
        )
        self.document("post-20", self.post(20, 4), "a news item of the federation", related=3)
        self.static_page(
            "adherer",
            "adherer",
            "Adhérer à Territoires 36",
            "<p>Adhérer, c'est soutenir une autre façon de faire de la politique, au plus près des "
            "communes. La cotisation est libre à partir de 10 euros par an.</p><div "
            'class="w-form"><form><input name="nom"><input name="email"><select name="montant">'
            "<option>10 €</option><option>30 €</option></select><button>Je adhère</button></form>"
            "</div>",
            "a membership form",
        )
        self.static_page(
            "don",
            "faire-un-don",
            "Faire un don",
            "<p>Votre don finance nos campagnes locales. Il ouvre droit à une réduction d'impôt "
            "de 66 % de son montant, dans la limite de 20 % du revenu imposable.</p>",
            "a donation page",
        )
        agenda = "".join(
            '<div role="listitem" class="collection-item w-dyn-item"><div class="event-card">'
            f'<div class="event-date">{d}</div><h3 class="event-title">{escape(t)}</h3><p>{p}</p>'
            "</div></div>"
            for d, t, p in (
                ("12/12/2026", "Réunion publique à Lérac", "Salle des fêtes, 20 h."),
                ("15/12/2026", "Porte-à-porte quartier de la gare", "Rendez-vous devant la gare."),
                ("19/12/2026", "Marché de Vézin", "Stand devant la halle, de 9 h à midi."),
            )
        )
        url = f"https://{self.host}/agenda"
        self.add(
            "agenda",
            url,
            self.shell(
                "Agenda", self.listing("Agenda", agenda), url, "", og("website", "Agenda", url, "")
            ),
            False,
            "an events calendar without links",
        )
