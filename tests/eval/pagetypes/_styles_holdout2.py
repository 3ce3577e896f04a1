"""Hold-out styles of round 2, written after the rules were changed on round 1's mistakes
and evaluated once as written: a Canalblog blog, an association's site on a French site
builder (e-monsite-like), a Jekyll blog (minima theme, jekyll-seo-tag) and a town's site
on TYPO3 with the news extension."""

from __future__ import annotations

from html import escape

from tests.eval.pagetypes import _text as text
from tests.eval.pagetypes._base import Post, Style, jsonld, og, paras, published_meta, slugify
from tests.eval.pagetypes._styles_dev import doc

# -- Canalblog ---------------------------------------------------------------------------


class Canalblog(Style):
    def __init__(self) -> None:
        super().__init__("canalblog", "lesnotesdyvette.canalblog.example", "Les notes d'Yvette", 4)

    def post_url(self, post: Post) -> str:
        return f"http://{self.host}/archives/{post.published:%Y/%m/%d}/{40123400 + post.n}.html"

    def home_url(self) -> str:
        return f"http://{self.host}/"

    def section_url(self, slug: str) -> str:
        return f"http://{self.host}/archives/{slug}/index.html"

    def tag_url(self, slug: str) -> str:
        return f"http://{self.host}/tag/{slug}/"

    def page_url(self, n: int) -> str:
        return f"http://{self.host}/archives/p{n * 10}-10.html"

    def search_url(self, query: str) -> str:
        return f"http://{self.host}/search/?q={query}"

    def author_url(self, author: str) -> str:
        return f"http://{self.host}/profile/index.html"

    def static_url(self, slug: str) -> str:
        return f"http://{self.host}/pages/{slug}/index.html"

    def archive_url(self) -> str:
        return f"http://{self.host}/archives/2026/11/index.html"

    def shell(self, title: str, main: str, url: str, body_class: str = "", head: str = "") -> str:
        body = (
            '<div id="container"><div id="banner"><h1><a href="/" accesskey="1">'
            f'{self.site}</a></h1><h2 class="description">Carnet de bord d’une conseillère '
            'municipale d’opposition</h2></div><div id="left"><div class="sidebar"><div '
            'class="box"><h2 class="boxtitle">Archives</h2><ul><li><a href="/archives/2026/11/'
            'index.html">2026</a></li></ul></div><div class="box"><h2 class="boxtitle">Catégories'
            '</h2><ul><li><a href="/archives/politique/index.html">Politique</a></li><li><a '
            'href="/archives/quartier/index.html">Quartier</a></li></ul></div></div></div>'
            f'<div id="center"><div class="content">{main}</div></div>'
            '<div id="footer"><p>Blog hébergé par <a href="http://www.canalblog.example">'
            "Canalblog</a></p></div></div>"
        )
        return doc(f"{title} - {self.site}", head, body, lang="fr")

    def post_head(self, post: Post, url: str) -> str:
        return og("article", post.title, url, self.site)

    def listing_head(self, heading: str, url: str, kind: str) -> str:
        return og("blog", heading or self.site, url, self.site)

    def block(self, post: Post, body: str) -> str:
        return (
            f'<div class="blogbody"><a name="{40123400 + post.n}"></a><div class="itemdate">'
            f'{post.day}</div><h3 class="itemtitle"><a href="{self.post_url(post)}">'
            f'{escape(post.title)}</a></h3><div class="itemcontent">{body}</div><div '
            f'class="itemfooter">Posté par Yvette à {post.published:%H:%M} - <a '
            f'href="{self.section_url(post.section[0])}">{post.section[1]}</a> - <a '
            f'href="{self.post_url(post)}#comments">Commentaires [2]</a> - Permalien [<a '
            f'href="{self.post_url(post)}" title="Lien permanent">#</a>]</div></div>'
        )

    def teaser(self, post: Post, excerpt: bool = True) -> str:
        # The classic Canalblog home shows whole posts, one under the other.
        return self.block(post, paras(post) if excerpt else "")

    def article(self, post: Post, body: str, related: list[Post]) -> str:
        comments = (
            '<div class="blogbody"><a id="comments"></a><h3>Commentaires</h3><div '
            'class="comment"><p>Merci Yvette pour ce compte rendu, on n’a rien lu de tel dans le '
            'journal.</p><div class="itemfooter">Posté par Mireille, <span class="date">'
            "18 novembre 2026 à 10:12</span></div></div></div>"
        )
        box = (
            '<div class="box"><h2 class="boxtitle">Derniers messages</h2><ul>'
            + "".join(
                f'<li><a href="{self.post_url(p)}">{escape(p.title)}</a></li>' for p in related
            )
            + "</ul></div>"
            if related
            else ""
        )
        return self.block(post, body) + box + comments

    def listing(self, heading: str, teasers: str, intro: str = "", pager: int = 0) -> str:
        top = (
            f'<h2 class="date-header">{escape(heading)}</h2>'
            + (f'<p class="category-description">{escape(intro)}</p>' if intro else "")
            if heading != self.site
            else ""
        )
        nav = (
            f'<div class="pager"><a href="/archives/p{(pager - 1) * 10}-10.html">« Page '
            f'précédente</a> | <a href="/archives/p{(pager + 1) * 10}-10.html">Page suivante »'
            "</a></div>"
            if pager
            else '<div class="pager"><a href="/archives/p10-10.html">Messages plus anciens</a>'
            "</div>"
        )
        return top + teasers + nav

    def static(self, heading: str, body: str) -> str:
        return f'<div class="blogbody"><h3 class="itemtitle">{escape(heading)}</h3>{body}</div>'

    def extra(self) -> None:
        self.document("post-b", self.post(22, 4), "a post on the opposition's vote", related=5)
        self.document("post-c", self.post(9, 3), "a neighbourhood post")
        album = "".join(
            f'<div class="album-photo"><a href="/albums/marche/photos/{k}.html"><img '
            f'src="/albums/marche/{k}.jpg" alt=""></a></div>'
            for k in range(12)
        )
        url = f"http://{self.host}/albums/marche/index.html"
        self.add(
            "album",
            url,
            self.shell(
                "Album : le marché de Noël", f"<h2>Album : le marché de Noël</h2>{album}", url
            ),
            False,
            "a photo album: twelve thumbnails",
        )


# -- An association's site on a French site builder (e-monsite-like) ------------------------


class AssociationBuilder(Style):
    def __init__(self) -> None:
        super().__init__("asso-builder", "brenne-nature.e-monsite.example", "Brenne Nature", 7)

    def post_url(self, post: Post) -> str:
        return f"https://{self.host}/blog/{post.section[0]}/{post.slug[:50]}.html"

    def section_url(self, slug: str) -> str:
        return f"https://{self.host}/blog/{slug}/"

    def tag_url(self, slug: str) -> str:
        return f"https://{self.host}/blog/do/tag/{slug}/"

    def page_url(self, n: int) -> str:
        return f"https://{self.host}/blog/?page={n}"

    def search_url(self, query: str) -> str:
        return f"https://{self.host}/blog/do/search/?q={query}"

    def author_url(self, author: str) -> str:
        return f"https://{self.host}/blog/do/author/{slugify(author)}/"

    def static_url(self, slug: str) -> str:
        return f"https://{self.host}/pages/association/{slug}.html"

    def archive_url(self) -> str:
        return f"https://{self.host}/blog/do/archives/2026-11/"

    def shell(self, title: str, main: str, url: str, body_class: str = "", head: str = "") -> str:
        body = (
            '<div id="site-wrapper"><header id="header" class="header"><div class="container">'
            f'<a class="brand" href="/"><img src="/medias/logo.png" alt="{self.site}"></a>'
            '<nav id="menu-main" class="navbar"><ul class="nav"><li><a href="/">Accueil</a></li>'
            '<li><a href="/blog/">Actualités</a></li><li><a href="/pages/association/'
            'presentation.html">L’association</a></li><li><a href="/agenda/">Agenda</a></li>'
            '<li><a href="/contact/">Contact</a></li></ul></nav></div></header>'
            f'<div id="main-area" class="main-area"><div class="container"><div class="row">'
            f'<div id="main" class="col-main">{main}</div><aside id="sidebar" class="col-aside">'
            '<div class="widget widget-newsletter"><h3>Lettre d’information</h3><form><input '
            'type="email"></form></div><div class="widget"><h3>Nos partenaires</h3><p>La région, '
            "le département et la fondation des rivières.</p></div></aside></div></div></div>"
            '<footer id="footer"><div class="container"><p>Brenne Nature, association loi 1901 '
            '· <a href="/pages/association/mentions-legales.html">Mentions légales</a> · Site '
            "créé avec un constructeur de sites</p></div></footer></div>"
        )
        return doc(f"{title} - {self.site}", head, body, lang="fr")

    def post_head(self, post: Post, url: str) -> str:
        return og("article", post.title, url, self.site) + published_meta(post)

    def listing_head(self, heading: str, url: str, kind: str) -> str:
        return og("website", heading, url, self.site)

    def teaser(self, post: Post, excerpt: bool = True) -> str:
        return (
            '<div class="media"><div class="media-left"><a href="'
            f'{self.post_url(post)}"><img class="media-object" src="/medias/{post.n}.jpg" '
            'alt=""></a></div><div class="media-body"><p class="media-heading"><a href="'
            f'{self.post_url(post)}">{escape(post.title)}</a></p>'
            + (f'<p class="media-excerpt">{escape(post.excerpt)}</p>' if excerpt else "")
            + f'<p class="metas"><span class="meta-date">Le {post.published:%d/%m/%Y}</span>'
            "</p></div></div>"
        )

    def article(self, post: Post, body: str, related: list[Post]) -> str:
        box = (
            '<div class="related-posts"><p class="h4">Dans la même catégorie</p>'
            + "".join(self.teaser(p, excerpt=False) for p in related)
            + "</div>"
            if related
            else ""
        )
        return (
            '<div class="view view-blog" id="view-item"><div class="blog-post">'
            f'<h1 class="view-title">{escape(post.title)}</h1><p class="metas">'
            f'<span class="meta-date">Le {post.published:%d/%m/%Y}</span> <span '
            f'class="meta-category">Dans <a href="{self.section_url(post.section[0])}">'
            f'{post.section[1]}</a></span></p><div class="content">{body}</div></div>{box}</div>'
        )

    def listing(self, heading: str, teasers: str, intro: str = "", pager: int = 0) -> str:
        nav = (
            '<ul class="pagination"><li><a href="/blog/">«</a></li><li class="active"><span>'
            f'{pager}</span></li><li><a href="/blog/?page={pager + 1}">»</a></li></ul>'
            if pager
            else ""
        )
        return (
            f'<div class="view view-blog" id="view-index"><h1 class="view-title">'
            f"{escape(heading)}</h1>"
            + (f'<div class="section-description"><p>{escape(intro)}</p></div>' if intro else "")
            + f'<div class="media-list blog-items">{teasers}</div>{nav}</div>'
        )

    def static(self, heading: str, body: str) -> str:
        return (
            f'<div class="view view-pages"><h1 class="view-title">{escape(heading)}</h1>'
            f'<div class="content">{body}</div></div>'
        )

    def extra(self) -> None:
        self.static_page(
            "presentation",
            "presentation",
            "Présentation de l’association",
            "".join(f"<p>{escape(t)}</p>" for t in text.ABOUT_PARAGRAPHS),
            "the association's presentation (an 'about' page by another name)",
        )
        self.document("sortie", self.post(16, 3), "an outing report with photos", related=3)
        self.document("appel", self.post(13, 2), "a call to join a protest", related=2)


# -- Jekyll (minima, jekyll-seo-tag) ----------------------------------------------------------


class Jekyll(Style):
    def __init__(self) -> None:
        super().__init__("jekyll-minima", "blog.anne-laure-pichon.example", "Carnet d'élue", 10)

    def post_url(self, post: Post) -> str:
        return f"https://{self.host}/{post.section[0]}/{post.published:%Y/%m/%d}/{post.slug}.html"

    def section_url(self, slug: str) -> str:
        return f"https://{self.host}/categories/#{slug}"

    def tag_url(self, slug: str) -> str:
        return f"https://{self.host}/tags/{slug}/"

    def page_url(self, n: int) -> str:
        return f"https://{self.host}/page{n}/"

    def search_url(self, query: str) -> str:
        return f"https://{self.host}/recherche/?q={query}"

    def author_url(self, author: str) -> str:
        return f"https://{self.host}/auteurs/{slugify(author)}/"

    def archive_url(self) -> str:
        return f"https://{self.host}/archives/"

    def shell(self, title: str, main: str, url: str, body_class: str = "", head: str = "") -> str:
        body = (
            '<header class="site-header" role="banner"><div class="wrapper"><a '
            f'class="site-title" rel="author" href="/">{self.site}</a><nav class="site-nav">'
            '<div class="trigger"><a class="page-link" href="/a-propos/">À propos</a><a '
            'class="page-link" href="/archives/">Archives</a></div></nav></div></header>'
            f'<main class="page-content" aria-label="Content"><div class="wrapper">{main}</div>'
            '</main><footer class="site-footer h-card"><div class="wrapper"><h2 '
            f'class="footer-heading">{self.site}</h2><div class="footer-col-wrapper"><ul '
            'class="contact-list"><li class="p-name">Anne-Laure Pichon</li><li><a '
            'class="u-email" href="mailto:contact@example.org">contact@example.org</a></li>'
            "</ul><p>Notes d’une conseillère départementale.</p></div></div></footer>"
        )
        return doc(f"{title} | {self.site}", head, body, lang="fr")

    def seo(self, kind: str, title: str, url: str, extra: dict[str, str]) -> str:
        data = {"@context": "https://schema.org", "@type": kind, "headline": title, "url": url}
        return jsonld(data | extra)

    def post_head(self, post: Post, url: str) -> str:
        return (
            og("article", post.title, url, self.site)
            + published_meta(post)
            + self.seo("BlogPosting", post.title, url, {"datePublished": post.iso})
        )

    def listing_head(self, heading: str, url: str, kind: str) -> str:
        kind_ld = "WebSite" if kind in ("home", "paged") else "WebPage"
        return og("website", heading, url, self.site) + self.seo(kind_ld, heading, url, {})

    def teaser(self, post: Post, excerpt: bool = True) -> str:
        return (
            f'<li><span class="post-meta">{post.published:%d %b %Y}</span><h3><a '
            f'class="post-link" href="{self.post_url(post)}">{escape(post.title)}</a></h3>'
            + (f"<p>{escape(post.excerpt)}</p>" if excerpt else "")
            + "</li>"
        )

    def article(self, post: Post, body: str, related: list[Post]) -> str:
        return (
            '<article class="post h-entry" itemscope itemtype="http://schema.org/BlogPosting">'
            '<header class="post-header"><h1 class="post-title p-name" itemprop="name headline">'
            f'{escape(post.title)}</h1><p class="post-meta"><time class="dt-published" '
            f'datetime="{post.iso}" itemprop="datePublished">{post.day}</time></p></header>'
            f'<div class="post-content e-content" itemprop="articleBody">{body}</div>'
            f'<a class="u-url" href="{self.post_url(post)}" hidden></a></article>'
        )

    def listing(self, heading: str, teasers: str, intro: str = "", pager: int = 0) -> str:
        nav = (
            f'<div class="pagination"><a href="/page{pager - 1}/" class="previous">« '
            f'Précédent</a><span class="page_number">Page {pager} sur 3</span><a '
            f'href="/page{pager + 1}/" class="next">Suivant »</a></div>'
            if pager
            else ""
        )
        return (
            '<div class="home">'
            + (f'<h1 class="page-heading">{escape(heading)}</h1>' if heading != self.site else "")
            + (f"<p>{escape(intro)}</p>" if intro else "")
            + f'<h2 class="post-list-heading">Articles</h2><ul class="post-list">{teasers}</ul>'
            f"{nav}</div>"
        )

    def static(self, heading: str, body: str) -> str:
        return (
            '<article class="post"><header class="post-header"><h1 class="post-title">'
            f'{escape(heading)}</h1></header><div class="post-content">{body}</div></article>'
        )

    def extra(self) -> None:
        self.document("note", self.post(19, 2), "a short note after a committee meeting")
        self.document("compte-rendu", self.post(28, 7), "a long session report")
        years = "".join(
            f'<h2 id="y{y}">{y}</h2><ul>'
            + "".join(
                f'<li><time>{self.post(k).day}</time> <a href="{self.post_url(self.post(k))}">'
                f"{escape(self.post(k).title)}</a></li>"
                for k in range(y - 2020, y - 2014)
            )
            + "</ul>"
            for y in (2026, 2025)
        )
        url = f"https://{self.host}/archives/"
        self.add(
            "archives-all",
            url,
            self.shell("Archives", f'<h1 class="page-heading">Archives</h1>{years}', url),
            False,
            "all posts by year, titles only",
        )


# -- A town's site on TYPO3 with the news extension -----------------------------------------


class Typo3Town(Style):
    def __init__(self) -> None:
        super().__init__("typo3-ville", "www.ville-pontmarin.example", "Ville de Pontmarin", 13)

    def post_url(self, post: Post) -> str:
        return f"https://{self.host}/actualites/detail/{post.slug[:50]}"

    def section_url(self, slug: str) -> str:
        return f"https://{self.host}/actualites/categorie/{slug}"

    def tag_url(self, slug: str) -> str:
        return f"https://{self.host}/actualites/mot-cle/{slug}"

    def page_url(self, n: int) -> str:
        return f"https://{self.host}/actualites/page-{n}"

    def search_url(self, query: str) -> str:
        return f"https://{self.host}/recherche?tx_indexedsearch_pi2%5Bsearch%5D%5Bsword%5D={query}"

    def author_url(self, author: str) -> str:
        return f"https://{self.host}/actualites/auteur/{slugify(author)}"

    def static_url(self, slug: str) -> str:
        return f"https://{self.host}/mairie/{slug}"

    def archive_url(self) -> str:
        return f"https://{self.host}/actualites/archives/2026/11"

    def shell(self, title: str, main: str, url: str, body_class: str = "", head: str = "") -> str:
        body = (
            '<div class="page"><header class="page-header"><div class="container"><a '
            f'class="logo" href="/" title="{self.site}"><img src="/fileadmin/logo.svg" '
            f'alt="{self.site}"></a><form class="header-search" action="/recherche"><input '
            'name="tx_indexedsearch_pi2[search][sword]"></form></div><nav class="main-nav">'
            '<ul><li><a href="/mairie">Mairie</a></li><li><a href="/actualites">Actualités</a>'
            '</li><li><a href="/demarches">Démarches</a></li><li><a href="/cadre-de-vie">Cadre '
            'de vie</a></li></ul></nav></header><div class="breadcrumb-wrap"><ol '
            'class="breadcrumb"><li><a href="/">Accueil</a></li></ol></div><main '
            f'class="page-content" id="content"><div class="container">{main}</div></main>'
            '<footer class="page-footer"><div class="container"><address>Hôtel de ville, 2 rue '
            'de la République, 36000 Pontmarin</address><ul class="footer-links"><li><a '
            'href="/mentions-legales">Mentions légales</a></li><li><a href="/accessibilite">'
            "Accessibilité : partiellement conforme</a></li></ul></div></footer></div>"
        )
        return doc(f"{title} - {self.site}", head, body, lang="fr")

    def post_head(self, post: Post, url: str) -> str:
        return og("article", post.title, url, self.site)

    def listing_head(self, heading: str, url: str, kind: str) -> str:
        return og("website", heading, url, self.site)

    def teaser(self, post: Post, excerpt: bool = True) -> str:
        return (
            '<div class="article articletype-0" itemscope="itemscope" '
            'itemtype="http://schema.org/Article"><div class="news-img-wrap"><a '
            f'href="{self.post_url(post)}"><img src="/fileadmin/_processed_/{post.n}.jpg" '
            'alt=""></a></div><div class="header"><h3><a title="'
            f'{escape(post.title)}" href="{self.post_url(post)}"><span itemprop="headline">'
            f"{escape(post.title)}</span></a></h3></div>"
            + (
                f'<div class="teaser-text"><div itemprop="description"><p>{escape(post.excerpt)}'
                "</p></div></div>"
                if excerpt
                else ""
            )
            + '<div class="footer"><p><span class="news-list-date"><time itemprop="datePublished"'
            f' datetime="{post.published:%Y-%m-%d}">{post.published:%d/%m/%Y}</time></span></p>'
            "</div></div>"
        )

    def article(self, post: Post, body: str, related: list[Post]) -> str:
        box = (
            '<div class="news-related-wrap"><h4>Voir aussi</h4><ul>'
            + "".join(
                f'<li><a href="{self.post_url(p)}">{escape(p.title)}</a></li>' for p in related
            )
            + "</ul></div>"
            if related
            else ""
        )
        return (
            '<div class="news news-single"><div class="article" itemscope="itemscope" '
            'itemtype="http://schema.org/Article"><div class="header"><h1 itemprop="headline">'
            f'{escape(post.title)}</h1></div><div class="footer"><p><span '
            f'class="news-list-date"><time itemprop="datePublished" datetime="'
            f'{post.published:%Y-%m-%d}">{post.published:%d/%m/%Y}</time></span></p></div>'
            f'<div class="teaser-text" itemprop="description"><p>{escape(post.excerpt)}</p>'
            f'</div><div class="news-text-wrap" itemprop="articleBody">{body}</div>{box}'
            '<div class="news-backlink-wrap"><a href="/actualites">Retour</a></div></div></div>'
        )

    def listing(self, heading: str, teasers: str, intro: str = "", pager: int = 0) -> str:
        nav = (
            '<div class="page-navigation"><p>Page 2 sur 5</p><ul class="f3-widget-paginator">'
            '<li class="previous"><a href="/actualites">précédent</a></li><li class="next '
            'last"><a href="/actualites/page-3">suivant</a></li></ul></div>'
            if pager
            else ""
        )
        return (
            f'<div class="frame frame-default frame-type-header"><header><h1>{escape(heading)}'
            "</h1></header></div>"
            + (
                f'<div class="frame frame-default frame-type-text"><p>{escape(intro)}</p></div>'
                if intro
                else ""
            )
            + f'<div class="frame frame-default frame-type-news_pi1"><div class="news"><div '
            f'class="news-list-view" id="news-container-12">{teasers}{nav}</div></div></div>'
        )

    def static(self, heading: str, body: str) -> str:
        return (
            f'<div class="frame frame-default frame-type-header"><header><h1>{escape(heading)}'
            f'</h1></header></div><div class="frame frame-default frame-type-text">{body}</div>'
        )

    def extra(self) -> None:
        council = "".join(
            f"<h2>{role}</h2><p>{escape(people)}</p>"
            for role, people in (
                ("Le maire", "Bernard Tissier, maire depuis 2020, retraité de l'enseignement."),
                (
                    "Les adjoints",
                    "Huit adjoints, chargés des finances, de l'urbanisme, de la vie scolaire, "
                    "des sports, de la culture, des solidarités, des travaux et de la "
                    "démocratie locale.",
                ),
                (
                    "Les conseillers",
                    "Vingt conseillers municipaux, dont six de l'opposition, siègent au "
                    "conseil, qui se réunit au moins une fois par trimestre en séance publique.",
                ),
            )
        )
        self.static_page(
            "conseil",
            "conseil-municipal",
            "Le conseil municipal",
            council,
            "who sits on the council",
        )
        self.document("travaux", self.post(24, 3), "road works notice", related=4)
        self.document("ceremonie", self.post(26, 2), "a ceremony report", related=3)
