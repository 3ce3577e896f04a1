"""Hold-out styles of round 3, written after the round-2 changes and evaluated once as
written: a regional daily whose cards have no headings, a participatory-democracy
platform (Decidim-like proposals) and a blog on a hosted site builder (Wix-like)."""

from __future__ import annotations

from html import escape

from tests.eval.pagetypes import _text as text
from tests.eval.pagetypes._base import Post, Style, jsonld, og, paras, published_meta, slugify
from tests.eval.pagetypes._styles_dev import COOKIE_BANNER, doc

# -- A regional daily: cards without headings, a CMS of its own ------------------------------


class RegionalDaily(Style):
    def __init__(self) -> None:
        super().__init__(
            "regional-daily", "www.la-voix-de-l-indre.example", "La Voix de l'Indre", 16
        )

    def post_url(self, post: Post) -> str:
        return f"https://{self.host}/{post.section[0]}/{slugify(post.title)[:60]}-{post.n + 90210}"

    def section_url(self, slug: str) -> str:
        return f"https://{self.host}/{slug}"

    def tag_url(self, slug: str) -> str:
        return f"https://{self.host}/theme/{slug}"

    def page_url(self, n: int) -> str:
        return f"https://{self.host}/politique?p={n}"

    def search_url(self, query: str) -> str:
        return f"https://{self.host}/rechercher?query={query}"

    def author_url(self, author: str) -> str:
        return f"https://{self.host}/journalistes/{slugify(author)}"

    def static_url(self, slug: str) -> str:
        return f"https://{self.host}/services/{slug}"

    def archive_url(self) -> str:
        return f"https://{self.host}/archives/2026-11-18"

    def shell(self, title: str, main: str, url: str, body_class: str = "", head: str = "") -> str:
        menu = "".join(f'<a class="menu__item" href="/{s}">{n}</a>' for s, n in text.SECTIONS)
        body = (
            '<div class="app"><div class="topbar"><a class="topbar__logo" href="/" '
            f'aria-label="{self.site}"></a><a class="topbar__cta" href="/abonnement">'
            "Je m’abonne</a></div>"
            f'<div class="menu" role="menubar">{menu}</div>'
            f'<div class="layout"><div class="layout__main">{main}</div>'
            '<div class="layout__side"><div class="ad ad--mpu">Publicité</div><div '
            'class="most-read"><div class="most-read__title">Les plus lus</div><ol>'
            + "".join(
                f'<li><a href="{self.post_url(self.post(k))}">{escape(self.post(k).title)}</a></li>'
                for k in range(30, 35)
            )
            + '</ol></div></div></div><div class="bottom"><div class="bottom__links"><a '
            'href="/services/mentions-legales">Mentions légales</a> <a href="/services/'
            'cookies">Cookies</a> <a href="/services/contact">Contact</a></div><div>© La Voix '
            "de l'Indre</div></div></div>" + COOKIE_BANNER
        )
        return doc(f"{title} | {self.site}", head, body, lang="fr")

    def post_head(self, post: Post, url: str) -> str:
        data = {
            "@context": "http://schema.org",
            "@type": "NewsArticle",
            "headline": post.title,
            "datePublished": post.iso,
            "articleSection": post.section[1],
        }
        return og("article", post.title, url, self.site) + published_meta(post) + jsonld(data)

    def listing_head(self, heading: str, url: str, kind: str) -> str:
        data = {"@context": "http://schema.org", "@type": "WebPage", "name": heading}
        return og("website", heading, url, self.site) + jsonld(data)

    def teaser(self, post: Post, excerpt: bool = True) -> str:
        return (
            '<div class="card card--horizontal"><a class="card__link" '
            f'href="{self.post_url(post)}">'
            f'<div class="card__media"><img src="/img/{post.n}.webp" alt=""></div><div '
            f'class="card__body"><span class="card__kicker">{post.section[1]}</span><span '
            f'class="card__title">{escape(post.title)}</span>'
            + (f'<span class="card__lead">{escape(post.excerpt)}</span>' if excerpt else "")
            + f'</div></a><span class="card__date">{post.published:%d/%m/%Y à %Hh%M}</span></div>'
        )

    def article(self, post: Post, body: str, related: list[Post]) -> str:
        related_html = (
            '<div class="reco"><div class="reco__title">À lire aussi</div><div class="reco__cards">'
            + "".join(self.teaser(p, excerpt=False) for p in related)
            + "</div></div>"
            if related
            else ""
        )
        return (
            f'<div class="story"><div class="story__kicker">{post.section[1]}</div><h1 '
            f'class="story__title">{escape(post.title)}</h1><div class="story__lead">'
            f'{escape(post.excerpt)}</div><div class="story__byline"><span>{post.author}</span>'
            f' · <span class="story__date">Publié le {post.published:%d/%m/%Y à %Hh%M}</span>'
            f'</div><div class="story__body">{body}</div></div>{related_html}'
        )

    def listing(self, heading: str, teasers: str, intro: str = "", pager: int = 0) -> str:
        nav = (
            f'<div class="pager"><a href="?p={pager - 1}">Page précédente</a> <a '
            f'href="?p={pager + 1}">Page suivante</a></div>'
            if pager
            else ""
        )
        return (
            f'<div class="section-head"><h1 class="section-head__title">{escape(heading)}</h1>'
            + (f'<div class="section-head__intro">{escape(intro)}</div>' if intro else "")
            + f'</div><div class="cards">{teasers}</div>{nav}'
        )

    def static(self, heading: str, body: str) -> str:
        return f'<div class="static"><h1 class="static__title">{escape(heading)}</h1>{body}</div>'

    def extra(self) -> None:
        self.document("faits-divers", self.post(27, 2), "a short news item", related=6)
        self.document("portrait", self.post(33, 7), "a long portrait", related=4)
        podcast = self.post(6, 1)
        self.document(
            "podcast",
            podcast,
            "a podcast episode: a player and two lines",
            body='<div class="player"><audio controls src="/audio/episode-12.mp3"></audio></div>'
            f"<p>{escape(podcast.paragraphs[0])}</p>",
        )


# -- A participatory-democracy platform (Decidim-like) -----------------------------------------


class ParticipationPlatform(Style):
    def __init__(self) -> None:
        super().__init__("participation", "participer.lerac.example", "Participer à Lérac", 19)

    def post_url(self, post: Post) -> str:
        return f"https://{self.host}/processes/budget-participatif/f/12/proposals/{post.n + 300}"

    def home_url(self) -> str:
        return f"https://{self.host}/"

    def section_url(self, slug: str) -> str:
        return f"https://{self.host}/processes/budget-participatif/f/12/proposals?filter[category]={slug}"

    def tag_url(self, slug: str) -> str:
        return (
            f"https://{self.host}/processes/budget-participatif/f/12/proposals?filter[tag]={slug}"
        )

    def page_url(self, n: int) -> str:
        return f"https://{self.host}/processes/budget-participatif/f/12/proposals?page={n}"

    def search_url(self, query: str) -> str:
        return f"https://{self.host}/search?term={query}"

    def author_url(self, author: str) -> str:
        return f"https://{self.host}/profiles/{slugify(author).replace('-', '_')}/activity"

    def static_url(self, slug: str) -> str:
        return f"https://{self.host}/pages/{slug}"

    def archive_url(self) -> str:
        return f"https://{self.host}/processes?filter[with_date]=past"

    def shell(self, title: str, main: str, url: str, body_class: str = "", head: str = "") -> str:
        body = (
            '<div class="layout-container"><header><div class="main-bar"><a class="main-bar__logo"'
            f' href="/">{self.site}</a><form class="main-bar__search" action="/search"><input '
            'name="term"></form><a class="main-bar__links-desktop__item" href="/users/sign_in">'
            'Se connecter</a></div><nav class="menu-bar" aria-label="Menu principal"><a '
            'href="/processes">Processus</a> <a href="/assemblies">Assemblées</a> <a '
            'href="/pages/help">Aide</a></nav></header>'
            f'<main class="layout-main">{main}</main>'
            '<footer><div class="main-footer"><a href="/pages/terms-of-service">Conditions '
            'd’utilisation</a> <a href="/pages/accessibilite">Accessibilité</a></div><div '
            'class="mini-footer">Plateforme libre de démocratie participative</div></footer></div>'
        )
        return doc(f"{title} - {self.site}", head, body, lang="fr")

    def post_head(self, post: Post, url: str) -> str:
        return og("article", post.title, url, self.site)

    def listing_head(self, heading: str, url: str, kind: str) -> str:
        return og("website", heading, url, self.site)

    def teaser(self, post: Post, excerpt: bool = True) -> str:
        return (
            f'<a href="{self.post_url(post)}" class="card__list" id="proposals__proposal_'
            f'{post.n + 300}"><div class="card__list-content"><h3 class="card__list-title">'
            f"{escape(post.title)}</h3>"
            + (f'<div class="card__list-text">{escape(post.excerpt)}</div>' if excerpt else "")
            + '<div class="card__list-metadata"><span>'
            f"{post.published:%d/%m/%Y}</span><span>{post.n % 40 + 3} soutiens</span></div>"
            "</div></a>"
        )

    def article(self, post: Post, body: str, related: list[Post]) -> str:
        linked = (
            '<section class="layout-main__section"><h2 class="h4">Propositions liées</h2><div '
            'class="card__list-list">'
            + "".join(self.teaser(p, excerpt=False) for p in related)
            + "</div></section>"
            if related
            else ""
        )
        return (
            '<section class="layout-main__section layout-main__heading"><h1 class="h1 '
            f'text-secondary">{escape(post.title)}</h1><div class="layout-author"><span '
            f'class="author__name">{post.author}</span> <span class="author__date">'
            f"{post.published:%d/%m/%Y %H:%M}</span></div></section><section "
            f'class="layout-main__section"><div class="editor-content">{body}</div></section>'
            '<section class="layout-main__section"><div class="proposal__supports"><button>'
            f"Soutenir</button> {post.n % 40 + 3} soutiens</div></section>{linked}"
            '<section class="layout-main__section" id="comments"><h2 class="h4">3 commentaires'
            '</h2><div class="comment"><p>Bonne idée, il faut aussi penser aux poussettes.</p>'
            "</div></section>"
        )

    def listing(self, heading: str, teasers: str, intro: str = "", pager: int = 0) -> str:
        nav = (
            '<ul class="pagination"><li class="pagination-previous"><a rel="prev" '
            f'href="?page={pager - 1}">Précédent</a></li><li class="pagination-next"><a '
            f'rel="next" href="?page={pager + 1}">Suivant</a></li></ul>'
            if pager
            else ""
        )
        return (
            f'<section class="layout-main__section"><h1 class="title-decorator">{escape(heading)}'
            "</h1>"
            + (f'<div class="editor-content"><p>{escape(intro)}</p></div>' if intro else "")
            + f'</section><div id="proposals" class="card__list-list">{teasers}</div>{nav}'
        )

    def static(self, heading: str, body: str) -> str:
        return (
            f'<section class="layout-main__section"><h1 class="h1">{escape(heading)}</h1><div '
            f'class="editor-content">{body}</div></section>'
        )

    def extra(self) -> None:
        self.document("proposal-a", self.post(8, 2), "a citizen's proposal", related=3)
        self.document("proposal-b", self.post(15, 3), "a proposal with comments")
        process = self.post(23, 4)
        url = f"https://{self.host}/processes/budget-participatif"
        steps = "".join(
            f'<li class="phase-item"><span class="phase-date">{d}</span> {escape(s)}</li>'
            for d, s in (
                ("01/10/2026", "Dépôt des propositions"),
                ("15/11/2026", "Analyse par les services"),
                ("01/12/2026", "Vote des habitants"),
            )
        )
        main = (
            '<section class="layout-main__section"><h1 class="h1">Budget participatif 2027</h1>'
            f'<div class="editor-content">{paras(process)}</div><ol class="phases">{steps}</ol>'
            '</section><section class="layout-main__section"><h2 class="h4">Dernières '
            'propositions</h2><div class="card__list-list">'
            + "".join(self.teaser(self.post(k)) for k in range(24, 29))
            + "</div></section>"
        )
        self.add(
            "process",
            url,
            self.shell("Budget participatif 2027", main, url, "", og("website", "", url, "")),
            False,
            "a participatory process page: a presentation, its phases and its proposals",
        )


# -- A blog on a hosted site builder (Wix-like) ---------------------------------------------


class HostedBuilderBlog(Style):
    def __init__(self) -> None:
        super().__init__(
            "hosted-builder-blog", "www.collectif-vezin-demain.example", "Vézin Demain", 22
        )

    def post_url(self, post: Post) -> str:
        return f"https://{self.host}/post/{post.slug[:60]}"

    def section_url(self, slug: str) -> str:
        return f"https://{self.host}/blog/categories/{slug}"

    def tag_url(self, slug: str) -> str:
        return f"https://{self.host}/blog/hashtags/{slug}"

    def page_url(self, n: int) -> str:
        return f"https://{self.host}/blog/page/{n}"

    def search_url(self, query: str) -> str:
        return f"https://{self.host}/search?q={query}&type=blog"

    def author_url(self, author: str) -> str:
        return f"https://{self.host}/profile/{slugify(author)}/profile"

    def static_url(self, slug: str) -> str:
        return f"https://{self.host}/{slug}"

    def archive_url(self) -> str:
        return f"https://{self.host}/blog/archive/2026/11"

    def shell(self, title: str, main: str, url: str, body_class: str = "", head: str = "") -> str:
        body = (
            '<div id="SITE_CONTAINER"><div id="main_MF"><header id="SITE_HEADER" '
            'class="wixui-header"><div data-testid="linkElement"><a href="/">'
            f'{self.site}</a></div><nav aria-label="Site"><ul><li><a href="/">Accueil</a>'
            '</li><li><a href="/blog">Blog</a></li><li><a href="/a-propos">Le collectif</a></li>'
            '</ul></nav></header><main id="PAGES_CONTAINER" tabindex="-1"><div id="SITE_PAGES">'
            f'<section class="wixui-section">{main}</section></div></main><footer '
            'id="SITE_FOOTER" class="wixui-footer"><p>© 2026 Vézin Demain, collectif citoyen. '
            "Créé avec un constructeur de sites.</p></footer></div></div>"
        )
        return doc(f"{title} | {self.site}", head, body, lang="fr")

    def post_head(self, post: Post, url: str) -> str:
        data = {
            "@context": "https://schema.org",
            "@type": "BlogPosting",
            "headline": post.title,
            "datePublished": post.iso,
            "author": {"@type": "Person", "name": post.author},
        }
        return og("article", post.title, url, self.site) + published_meta(post) + jsonld(data)

    def listing_head(self, heading: str, url: str, kind: str) -> str:
        return og("website", heading, url, self.site)

    def teaser(self, post: Post, excerpt: bool = True) -> str:
        return (
            '<div data-hook="post-list-item" class="blog-post-homepage-description-font"><div '
            f'data-hook="post-list-item__image"><img src="/media/{post.n}.jpg" alt=""></div>'
            '<div data-hook="post-list-item__content"><div data-hook="post-metadata"><span '
            f'data-hook="time-ago">{post.published:%d %b}</span> · <span>2 min</span></div>'
            f'<a href="{self.post_url(post)}" data-hook="post-list-item__title"><h2 '
            f'data-hook="post-title">{escape(post.title)}</h2></a>'
            + (
                f'<div data-hook="post-description"><p>{escape(post.excerpt)}</p></div>'
                if excerpt
                else ""
            )
            + "</div></div>"
        )

    def article(self, post: Post, body: str, related: list[Post]) -> str:
        recent = (
            '<section data-hook="recent-posts"><h2 data-hook="recent-posts-title">Posts récents'
            "</h2>" + "".join(self.teaser(p, excerpt=False) for p in related) + "</section>"
            if related
            else ""
        )
        return (
            '<article data-hook="post"><div data-hook="post-metadata"><span data-hook="user-name">'
            f'{post.author}</span> · <span data-hook="time-ago">{post.day}</span></div>'
            f'<h1 data-hook="post-title">{escape(post.title)}</h1>'
            '<div data-hook="post-description">'
            f'<div class="post-content__body">{body}</div></div><div data-hook="post-footer">'
            "<span>0 commentaire</span></div></article>" + recent
        )

    def listing(self, heading: str, teasers: str, intro: str = "", pager: int = 0) -> str:
        nav = (
            f'<nav data-hook="pagination"><a href="/blog/page/{pager - 1}">‹</a><span>{pager}'
            f'</span><a href="/blog/page/{pager + 1}">›</a></nav>'
            if pager
            else ""
        )
        return (
            f'<div data-hook="blog-header"><h1>{escape(heading)}</h1>'
            + (f"<p>{escape(intro)}</p>" if intro else "")
            + f'</div><div data-hook="post-list">{teasers}</div>{nav}'
        )

    def static(self, heading: str, body: str) -> str:
        return f'<div class="wixui-rich-text"><h1>{escape(heading)}</h1>{body}</div>'

    def extra(self) -> None:
        self.document("post-a", self.post(11, 4), "a post about a petition", related=3)
        self.document("post-b", self.post(14, 2), "a short post", related=3)
        self.static_page(
            "collectif",
            "le-collectif",
            "Le collectif",
            "".join(f"<p>{escape(t)}</p>" for t in text.ABOUT_PARAGRAPHS[:2]),
            "the group's presentation, under its own name",
        )
