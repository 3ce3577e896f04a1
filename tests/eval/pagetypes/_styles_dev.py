"""The first seven site styles, on which the page classifier's rules were written and then
frozen: WordPress (a Twenty-Twenty-One-like theme with Yoast's JSON-LD), Ghost (Casper),
Blogger, SPIP (the "dist" templates), a Drupal regional newspaper, a Joomla town-hall
site and a Hugo blog (PaperMod-like). Markup follows each engine's documented class names
and URL shapes; the words are ours."""

from __future__ import annotations

from html import escape

from tests.eval.pagetypes import _text as text
from tests.eval.pagetypes._base import Post, Style, jsonld, og, paras, published_meta, slugify

COOKIE_BANNER = (
    '<div id="cookie-notice" role="dialog"><p>Nous utilisons des cookies pour mesurer '
    "l'audience.</p><button>Accepter</button> <button>Refuser</button></div>"
)


def doc(title: str, head: str, body: str, lang: str = "fr-FR", body_class: str = "") -> str:
    cls = f' class="{body_class}"' if body_class else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"{head}\n</head>\n<body{cls}>\n{body}\n</body>\n</html>\n"
    )


# -- WordPress, Twenty-Twenty-One-like, Yoast SEO --------------------------------------------


class WordPressYoast(Style):
    def __init__(self) -> None:
        super().__init__("wordpress-tt1", "lerac-en-commun.example", "Lérac en commun", 0)
        self.full_home = False

    def post_url(self, post: Post) -> str:
        return f"https://{self.host}/{post.published:%Y/%m/%d}/{post.slug}/"

    def body_class(self, kind: str) -> str:
        return {
            "single": "post-template-default single single-post postid-412 single-format-standard",
            "home": "home blog hfeed",
            "category": "archive category category-politique category-3 hfeed",
            "tag": "archive tag tag-tramway tag-12 hfeed",
            "search": "search search-results hfeed",
            "paged": "home blog paged paged-2 hfeed",
            "author": "archive author author-nadine-perrot author-2 hfeed",
            "archive": "archive date hfeed",
            "page": "page-template-default page page-id-2",
        }.get(kind, "")

    def shell(self, title: str, main: str, url: str, body_class: str = "", head: str = "") -> str:
        body = (
            '<div id="page" class="site"><a class="skip-link screen-reader-text" '
            'href="#content">Aller au contenu</a>\n'
            '<header id="masthead" class="site-header"><div class="site-branding">'
            f'<p class="site-title"><a href="/" rel="home">{self.site}</a></p>'
            '<p class="site-description">Le blog citoyen de Lérac</p></div>'
            '<nav id="site-navigation" class="primary-navigation"><ul id="primary-menu-list">'
            '<li><a href="/">Accueil</a></li><li><a href="/category/politique/">Politique</a></li>'
            '<li><a href="/a-propos/">À propos</a></li></ul></nav></header>\n'
            f'<div id="content" class="site-content"><div id="primary" class="content-area">'
            f'<main id="main" class="site-main">{main}</main></div></div>\n'
            '<aside class="widget-area"><section id="recent-posts-2" class="widget '
            'widget_recent_entries"><h2 class="widget-title">Articles récents</h2><ul>'
            + "".join(
                f'<li><a href="{self.post_url(self.post(k))}">{escape(self.post(k).title)}</a></li>'
                for k in range(20, 25)
            )
            + '</ul></section></aside>\n<footer id="colophon" class="site-footer">'
            '<p class="powered-by">Fièrement propulsé par WordPress</p></footer></div>'
            + COOKIE_BANNER
        )
        return doc(f"{title} – {self.site}", head, body, body_class=body_class)

    def post_head(self, post: Post, url: str) -> str:
        graph = {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "Article", "headline": post.title, "datePublished": post.iso},
                {"@type": "WebPage", "@id": url, "url": url, "name": post.title},
                {"@type": "BreadcrumbList", "itemListElement": []},
                {"@type": "WebSite", "name": self.site},
            ],
        }
        return og("article", post.title, url, self.site) + published_meta(post) + jsonld(graph)

    def listing_head(self, heading: str, url: str, kind: str) -> str:
        page_type = {"search": "SearchResultsPage", "author": "ProfilePage", "page": "WebPage"}
        graph = {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": page_type.get(kind, "CollectionPage"), "@id": url, "name": heading},
                {"@type": "WebSite", "name": self.site},
            ],
        }
        return og("article" if kind == "page" else "website", heading, url, self.site) + jsonld(
            graph
        )

    def entry(self, post: Post, body: str, linked: bool) -> str:
        title = (
            f'<h2 class="entry-title default-max-width"><a href="{self.post_url(post)}" '
            f'rel="bookmark">{escape(post.title)}</a></h2>'
            if linked
            else f'<h1 class="entry-title">{escape(post.title)}</h1>'
        )
        return (
            f'<article id="post-{post.n}" class="post-{post.n} post type-post status-publish '
            f'format-standard hentry category-{post.section[0]}">'
            f'<header class="entry-header alignwide">{title}</header>'
            f'<div class="entry-content">{body}</div>'
            f'<footer class="entry-footer default-max-width"><div class="posted-by">'
            f'<span class="posted-on">Publié le <time class="entry-date published" '
            f'datetime="{post.iso}">{post.day}</time></span><span class="byline">Par '
            f'<a href="/author/{slugify(post.author)}/" rel="author">{post.author}</a></span>'
            f"</div></footer></article>"
        )

    def teaser(self, post: Post, excerpt: bool = True) -> str:
        body = paras(post) if self.full_home else f"<p>{escape(post.excerpt)}</p>"
        return self.entry(post, body, linked=True)

    def article(self, post: Post, body: str, related: list[Post]) -> str:
        box = self.related_box(related) if related else ""
        return self.entry(post, body + box, linked=False) + (
            '<nav class="navigation post-navigation"><div class="nav-links">'
            '<div class="nav-previous"><a href="/2026/11/01/autre/" rel="prev">'
            "Article précédent</a></div></div></nav>"
        )

    def listing(self, heading: str, teasers: str, intro: str = "", pager: int = 0) -> str:
        desc = f'<div class="archive-description"><p>{escape(intro)}</p></div>' if intro else ""
        nav = (
            '<nav class="navigation pagination"><div class="nav-links">'
            f'<a class="prev page-numbers" href="/page/{pager - 1}/">Précédent</a>'
            f'<a class="next page-numbers" href="/page/{pager + 1}/">Suivant</a></div></nav>'
            if pager
            else ""
        )
        head = (
            f'<header class="page-header alignwide"><h1 class="page-title">{escape(heading)}'
            f"</h1>{desc}</header>"
        )
        return head + teasers + nav

    def static(self, heading: str, body: str) -> str:
        return (
            f'<article id="post-2" class="post-2 page type-page status-publish hentry">'
            f'<header class="entry-header alignwide"><h1 class="entry-title">{escape(heading)}'
            f'</h1></header><div class="entry-content">{body}</div></article>'
        )

    def extra(self) -> None:
        self.full_home = True
        posts = [self.post(k) for k in range(13, 16)]
        self.list_page(
            "home-full",
            f"https://{self.host}/",
            self.site,
            posts,
            "home page, posts in full",
            "home",
        )
        self.full_home = False
        comments = "".join(
            f'<li id="comment-{k}" class="comment"><article class="comment-body">'
            f'<footer class="comment-meta"><b class="fn">Lecteur {k}</b> <span class="says">dit :'
            f'</span></footer><div class="comment-content"><p>{escape(e)}</p></div></article></li>'
            for k, e in enumerate(text.EXCERPTS[:6])
        )
        post = self.post(16, 3)
        self.document(
            "post-comments",
            post,
            "a short post under six reader comments",
            body=paras(post)
            + f'<div id="comments" class="comments-area"><h2 class="comments-title">6 '
            f'commentaires</h2><ol class="comment-list">{comments}</ol></div>',
        )
        tribune = self.post(25, 4)
        self.document("tribune", tribune, "an opinion piece")


# -- Ghost (Casper) ----------------------------------------------------------------------


class Ghost(Style):
    def __init__(self) -> None:
        super().__init__("ghost-casper", "lettre-du-val.example", "La Lettre du Val", 3)

    def tag_url(self, slug: str) -> str:
        return f"https://{self.host}/tag/{slug}/"

    def section_url(self, slug: str) -> str:
        return f"https://{self.host}/tag/{slug}/"

    def search_url(self, query: str) -> str:
        return f"https://{self.host}/recherche/?q={query}"

    def archive_url(self) -> str:
        return f"https://{self.host}/archives/"

    def body_class(self, kind: str) -> str:
        return {
            "single": "post-template tag-politique",
            "home": "home-template",
            "category": "tag-template tag-politique",
            "tag": "tag-template tag-tramway",
            "paged": "home-template paged",
            "author": "author-template author-nadine-perrot",
            "page": "page-template page-a-propos",
            "search": "page-template page-recherche",
            "archive": "page-template page-archives",
        }.get(kind, "")

    def shell(self, title: str, main: str, url: str, body_class: str = "", head: str = "") -> str:
        body = (
            '<div class="viewport"><header id="gh-head" class="gh-head outer"><div '
            'class="gh-head-inner inner"><div class="gh-head-brand"><a class="gh-head-logo" '
            f'href="/">{self.site}</a></div><nav class="gh-head-menu"><ul class="nav">'
            '<li class="nav-accueil"><a href="/">Accueil</a></li><li class="nav-politique">'
            '<a href="/tag/politique/">Politique</a></li><li class="nav-a-propos">'
            '<a href="/a-propos/">À propos</a></li></ul></nav><div class="gh-head-actions">'
            '<a class="gh-head-button" href="#/portal/signup">S’abonner</a></div></div></header>'
            f'<div class="site-content">{main}</div>'
            '<footer class="site-footer outer"><div class="inner"><section class="copyright">'
            f'<a href="/">{self.site}</a> © 2026</section><div class="gh-powered-by">'
            "Propulsé par Ghost</div></div></footer></div>"
        )
        return doc(f"{title}", head, body, lang="fr", body_class=body_class)

    def post_head(self, post: Post, url: str) -> str:
        data = {
            "@context": "https://schema.org",
            "@type": "Article",
            "headline": post.title,
            "url": url,
            "datePublished": post.iso,
            "author": {"@type": "Person", "name": post.author},
        }
        return og("article", post.title, url, self.site) + published_meta(post) + jsonld(data)

    def listing_head(self, heading: str, url: str, kind: str) -> str:
        # Ghost calls its static pages "Article" too: JSON-LD that lies on purpose.
        kinds = {"home": "WebSite", "paged": "WebSite", "category": "Series", "tag": "Series"}
        kinds |= {"author": "Person", "page": "Article", "search": "Article", "archive": "Article"}
        data = {"@context": "https://schema.org", "@type": kinds.get(kind, "WebSite"), "url": url}
        og_type = "article" if kinds.get(kind) == "Article" else "website"
        return og(og_type, heading, url, self.site) + jsonld(data)

    def teaser(self, post: Post, excerpt: bool = True) -> str:
        return (
            f'<article class="post-card post tag-{post.section[0]}">'
            f'<a class="post-card-image-link" href="/{post.slug}/"><img class="post-card-image" '
            f'src="/content/images/{post.n}.jpg" alt="{escape(post.title)}" loading="lazy"></a>'
            '<div class="post-card-content"><a class="post-card-content-link" '
            f'href="/{post.slug}/">'
            f'<header class="post-card-header"><div class="post-card-tags"><span '
            f'class="post-card-primary-tag">{post.section[1]}</span></div><h2 '
            f'class="post-card-title">{escape(post.title)}</h2></header>'
            + (f'<div class="post-card-excerpt">{escape(post.excerpt)}</div>' if excerpt else "")
            + f'</a><footer class="post-card-meta"><time class="post-card-meta-date" '
            f'datetime="{post.published:%Y-%m-%d}">{post.day}</time></footer></div></article>'
        )

    def article(self, post: Post, body: str, related: list[Post]) -> str:
        more = (
            '<aside class="read-more-wrap outer"><div class="read-more inner"><div '
            'class="read-more-feed">' + "".join(self.teaser(p) for p in related) + "</div></div>"
            "</aside>"
            if related
            else ""
        )
        return (
            f'<main id="site-main" class="site-main"><article class="article post '
            f'tag-{post.section[0]}"><header class="article-header gh-canvas"><div '
            f'class="article-tag post-card-tags"><span class="post-card-primary-tag"><a '
            f'href="/tag/{post.section[0]}/">{post.section[1]}</a></span></div><h1 '
            f'class="article-title">{escape(post.title)}</h1><p class="article-excerpt">'
            f'{escape(post.excerpt)}</p><div class="article-byline"><div '
            f'class="article-byline-meta"><h4 class="author-name"><a href="/author/'
            f'{slugify(post.author)}/">{post.author}</a></h4><div class="byline-meta-content">'
            f'<time class="byline-meta-date" datetime="{post.published:%Y-%m-%d}">{post.day}'
            f'</time></div></div></div></header><section class="gh-content gh-canvas">{body}'
            "</section></article></main>" + more
        )

    def listing(self, heading: str, teasers: str, intro: str = "", pager: int = 0) -> str:
        header = (
            f'<section class="post-card post-card-large"><h1 class="site-title">{escape(heading)}'
            "</h1>" + (f'<p class="site-description">{escape(intro)}</p>' if intro else "")
        ) + "</section>"
        nav = (
            f'<nav class="pagination"><a class="newer-posts" href="/page/{pager - 1}/">Plus '
            f'récents</a> <a class="older-posts" href="/page/{pager + 1}/">Plus anciens</a></nav>'
            if pager
            else ""
        )
        return (
            f'<main id="site-main" class="site-main outer"><div class="inner posts">{header}'
            f'<div class="post-feed">{teasers}</div>{nav}</div></main>'
        )

    def static(self, heading: str, body: str) -> str:
        return (
            '<main id="site-main" class="site-main"><article class="article page no-image">'
            f'<header class="article-header gh-canvas"><h1 class="article-title">{escape(heading)}'
            f'</h1></header><section class="gh-content gh-canvas">{body}</section></article></main>'
        )

    def extra(self) -> None:
        interview = self.post(35, 3)
        qa = "".join(
            f"<h3>{escape(q)}</h3><p>{escape(a)}</p>"
            for q, a in zip(
                ("Pourquoi vous présenter ?", "Votre priorité ?", "Et le tramway ?"),
                interview.paragraphs,
                strict=True,
            )
        )
        self.document("interview", interview, "an interview in questions and answers", body=qa)
        plain = self.post(17, 4)
        self.document("post-plain", plain, "another ordinary post")
        self.static_page(
            "newsletter",
            "newsletter",
            "Recevez la Lettre chaque semaine",
            "<p>Inscrivez-vous pour recevoir nos décryptages chaque vendredi.</p>"
            '<form class="gh-signup"><input type="email"><button>S’abonner</button></form>',
            "a newsletter sign-up page",
        )


# -- Blogger --------------------------------------------------------------------------


class Blogger(Style):
    def __init__(self) -> None:
        super().__init__("blogger", "carnets-de-josiane.example", "Les carnets de Josiane", 6)

    def post_url(self, post: Post) -> str:
        return f"https://{self.host}/{post.published:%Y/%m}/{post.slug[:40]}.html"

    def section_url(self, slug: str) -> str:
        return f"https://{self.host}/search/label/{slug}"

    def tag_url(self, slug: str) -> str:
        return f"https://{self.host}/search/label/{slug}"

    def page_url(self, n: int) -> str:
        return f"https://{self.host}/search?updated-max=2026-11-10T08:00:00%2B01:00&max-results=7"

    def search_url(self, query: str) -> str:
        return f"https://{self.host}/search?q={query}"

    def author_url(self, author: str) -> str:
        return "https://www.blogger.example/profile/04812375601928374651"

    def static_url(self, slug: str) -> str:
        return f"https://{self.host}/p/{slug}.html"

    def body_class(self, kind: str) -> str:
        view = "item-view" if kind in ("single", "page") else "feed-view"
        return f"version-1-3-3 variant-indie_light {view}"

    def shell(self, title: str, main: str, url: str, body_class: str = "", head: str = "") -> str:
        body = (
            '<div class="page"><header class="centered-top-container"><div '
            'class="centered-top"><div class="section" id="header"><div class="widget Header">'
            f'<h1><a href="https://{self.host}/">{self.site}</a></h1><p>Notes d’une habitante '
            'du Pont-Arnaud</p></div></div></div></header><div class="page_body"><div '
            f'class="centered"><main class="centered-bottom" id="main" role="main">{main}</main>'
            '</div></div><aside class="sidebar-container"><div class="widget BlogArchive" '
            'id="BlogArchive1"><h3 class="title">Archives du blog</h3><ul class="hierarchy">'
            '<li><a class="post-count-link" href="/2026/">2026</a> (14)</li></ul></div>'
            '<div class="widget Label"><h3 class="title">Libellés</h3><ul><li><a '
            'href="/search/label/quartier">quartier</a></li></ul></div></aside>'
            '<footer class="footer section"><div class="widget Attribution"><div>Fourni par '
            "Blogger</div></div></footer></div>"
        )
        return doc(f"{self.site}: {title}", head, body, body_class=body_class)

    def post_head(self, post: Post, url: str) -> str:
        return (
            f'<link rel="canonical" href="{url}">\n<meta property="og:url" content="{url}">\n'
            f'<meta property="og:title" content="{escape(post.title)}">'
        )

    def listing_head(self, heading: str, url: str, kind: str) -> str:
        nxt = '<link rel="next" href="/search?updated-max=2026-11-01">' if kind == "home" else ""
        return (
            f'<meta property="og:url" content="{url}">\n'
            f'<meta property="og:title" content="{self.site}">{nxt}'
        )

    def outer(self, post: Post, body: str, linked: bool) -> str:
        title = (
            f'<a href="{self.post_url(post)}">{escape(post.title)}</a>'
            if linked
            else escape(post.title)
        )
        return (
            '<div class="post-outer-container"><div class="post-outer"><div class="post">'
            f'<a name="{post.n}"></a><h3 class="post-title entry-title">{title}</h3>'
            '<div class="post-header"><div class="post-header-line-1"><span class="byline '
            f'post-timestamp"><a class="timestamp-link" href="{self.post_url(post)}" '
            f'rel="bookmark" title="permanent link"><time class="published" datetime="{post.iso}"'
            f">{post.day}</time></a></span></div></div>"
            f'<div class="post-body entry-content float-container" id="post-body-{post.n}">'
            f"{body}</div>"
            '<div class="post-footer"><span class="byline post-labels">Libellés : '
            + ", ".join(f'<a href="/search/label/{t}" rel="tag">{n}</a>' for t, n in post.tags)
            + "</span></div></div></div></div>"
        )

    def teaser(self, post: Post, excerpt: bool = True) -> str:
        # Blogger shows posts in full on its home and label pages, <br>-separated.
        return self.outer(post, "<br><br>".join(escape(p) for p in post.paragraphs[:3]), True)

    def article(self, post: Post, body: str, related: list[Post]) -> str:
        body = body.replace("<p>", "").replace("</p>", "<br><br>")
        return (
            '<div class="blog-posts hfeed container">' + self.outer(post, body, False) + "</div>"
            '<div class="blog-pager" id="blog-pager"><a class="blog-pager-newer-link" '
            'href="/2026/11/plus-recent.html">Article plus récent</a></div>'
        )

    def listing(self, heading: str, teasers: str, intro: str = "", pager: int = 0) -> str:
        status = (
            f'<div class="status-msg-wrap"><div class="status-msg-body">{escape(heading)}</div>'
            "</div>"
            if heading != self.site
            else ""
        )
        return (
            f'{status}<div class="blog-posts hfeed container">{teasers}</div>'
            '<div class="blog-pager" id="blog-pager"><a class="blog-pager-older-link" '
            'href="/search?updated-max=2026-11-01">Articles plus anciens</a></div>'
        )

    def static(self, heading: str, body: str) -> str:
        return (
            '<div class="post-outer-container"><div class="post-outer"><div class="post">'
            f'<h3 class="post-title entry-title">{escape(heading)}</h3><div class="post-body '
            f'entry-content">{body}</div></div></div></div>'
        )

    def extra(self) -> None:
        for k, note in ((18, "a diary post"), (26, "a post about a meeting")):
            self.document(f"post-{k}", self.post(k, 4), note)
        self.static_page(
            "contact",
            "contact",
            "Me contacter",
            "<p>Un mot, une remarque ? Utilisez le formulaire ci-dessous.</p>"
            '<div class="widget ContactForm"><form><input name="name"><textarea></textarea>'
            "<button>Envoyer</button></form></div>",
            "a contact page",
        )


# -- SPIP (dist) --------------------------------------------------------------------------


class Spip(Style):
    def __init__(self) -> None:
        super().__init__("spip", "www.vivre-a-vezin.example", "Vivre à Vézin", 9)

    def post_url(self, post: Post) -> str:
        return f"https://{self.host}/{post.slug[:50]}.html"

    def section_url(self, slug: str) -> str:
        return f"https://{self.host}/-{slug.capitalize()}-.html"

    def tag_url(self, slug: str) -> str:
        return f"https://{self.host}/+-{slug}-+.html"

    def page_url(self, n: int) -> str:
        return f"https://{self.host}/-Politique-.html?debut_articles=10#pagination_articles"

    def search_url(self, query: str) -> str:
        return f"https://{self.host}/spip.php?page=recherche&recherche={query}"

    def author_url(self, author: str) -> str:
        return f"https://{self.host}/_{author.replace(' ', '-')}_.html"

    def static_url(self, slug: str) -> str:
        return f"https://{self.host}/{slug.capitalize()}.html"

    def archive_url(self) -> str:
        return f"https://{self.host}/spip.php?page=archives&annee=2026&mois=11"

    def body_class(self, kind: str) -> str:
        return {
            "single": "page_article",
            "page": "page_article",
            "home": "page_sommaire",
            "category": "page_rubrique",
            "paged": "page_rubrique",
            "tag": "page_mot",
            "author": "page_auteur",
            "search": "page_recherche",
            "archive": "page_archives",
        }.get(kind, "")

    def shell(self, title: str, main: str, url: str, body_class: str = "", head: str = "") -> str:
        body = (
            '<div class="page"><div class="header" id="header"><a rel="start home" href="/" '
            f'title="Accueil" class="accueil"><span class="spip_logo">{self.site}</span></a>'
            '<p id="slogan">Le journal des habitants</p></div><div class="nav clearfix" '
            'id="nav"><ul><li><a href="-Politique-.html">Politique</a></li><li><a '
            'href="-Associations-.html">Associations</a></li></ul></div><div class="main">'
            f'<div class="wrapper hfeed"><div class="content hentry" id="content">{main}</div>'
            '</div><div class="aside"><div class="formulaire_spip formulaire_recherche" '
            'id="formulaire_recherche"><form action="spip.php?page=recherche"><input '
            'type="search" name="recherche"></form></div></div></div><div class="footer" '
            'id="footer"><p class="colophon">Site réalisé avec SPIP | <a '
            'href="spip.php?page=plan">Plan du site</a></p></div></div>'
        )
        return doc(f"{title} - {self.site}", head, body, lang="fr", body_class=body_class)

    def post_head(self, post: Post, url: str) -> str:
        return f'<link rel="canonical" href="{url}">'

    def listing_head(self, heading: str, url: str, kind: str) -> str:
        return ""

    def article(self, post: Post, body: str, related: list[Post]) -> str:
        box = (
            '<div class="menu"><h2>Dans la même rubrique</h2><ul>'
            + "".join(
                f'<li><a href="{self.post_url(p)}">{escape(p.title)}</a></li>' for p in related
            )
            + "</ul></div>"
            if related
            else ""
        )
        return (
            '<p class="arbo"><a href="/">Accueil</a> &gt; <a href="-Politique-.html">Politique'
            f'</a> &gt; <strong class="on">{escape(post.title)}</strong></p><div '
            f'class="cartouche"><h1 class="surlig crayon article-titre-{post.n} h1 entry-title">'
            f'{escape(post.title)}</h1><p class="info-publi"><abbr class="published" '
            f'title="{post.iso}">{post.day}</abbr><span class="sep">, </span><span '
            'class="auteurs">par <span class="vcard author"><a class="url fn spip_in" '
            f'href="{self.author_url(post.author)}">{post.author}</a></span></span></p></div>'
            f'<div class="surlig crayon article-texte-{post.n} texte entry-content">{body}</div>'
            + box
        )

    def teaser(self, post: Post, excerpt: bool = True) -> str:
        return (
            f'<li class="item hentry"><h3 class="h3 entry-title"><a href="{self.post_url(post)}"'
            f' rel="bookmark">{escape(post.title)}</a></h3><small><abbr class="published" '
            f'title="{post.iso}">{post.day}</abbr></small>'
            + (
                f'<div class="introduction entry-content"><p>{escape(post.excerpt)}</p></div>'
                if excerpt
                else ""
            )
            + "</li>"
        )

    def listing(self, heading: str, teasers: str, intro: str = "", pager: int = 0) -> str:
        pagination = (
            '<p class="pagination"><a href="-Politique-.html#pagination_articles" '
            'class="lien_pagination" rel="nofollow">0</a><span class="sep"> | </span><strong '
            'class="on">10</strong></p>'
            if pager
            else ""
        )
        return (
            f'<p class="arbo"><a href="/">Accueil</a> &gt; <strong class="on">{escape(heading)}'
            f'</strong></p><div class="cartouche"><h1 class="h1">{escape(heading)}</h1></div>'
            + (f'<div class="texte">{escape(intro)}</div>' if intro else "")
            + f'<div class="menu menu_articles"><h2>Derniers articles</h2><ul>{teasers}</ul>'
            f"{pagination}</div>"
        )

    def static(self, heading: str, body: str) -> str:
        return (
            f'<div class="cartouche"><h1 class="surlig crayon article-titre-1 h1 entry-title">'
            f'{escape(heading)}</h1></div><div class="surlig crayon article-texte-1 texte '
            f'entry-content">{body}</div>'
        )

    def extra(self) -> None:
        self.document("article-b", self.post(19, 4), "an article of the association section")
        self.document("article-c", self.post(27, 5), "a council report")
        sitemap = "<ul>" + "".join(
            f'<li><a href="{self.section_url(s)}">{n}</a><ul>'
            + "".join(
                f'<li><a href="{self.post_url(self.post(k))}">{escape(self.post(k).title)}</a></li>'
                for k in range(i * 3, i * 3 + 3)
            )
            + "</ul></li>"
            for i, (s, n) in enumerate(text.SECTIONS[:4])
        )
        self.static_page("plan", "plan", "Plan du site", sitemap + "</ul>", "the site map")
