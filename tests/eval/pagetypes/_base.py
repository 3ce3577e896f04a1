"""What every site style of the page-type set shares: posts drawn from the text pool, the
metadata helpers (JSON-LD, OpenGraph), and the list of pages each style is asked for —
documents and listings, with the hard cases on purpose. A style overrides how its pages
are marked up (shell, teaser, article body, listing), never which pages exist."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

from tests.eval.pagetypes import _text as text


@dataclass(frozen=True)
class Post:
    n: int
    title: str
    slug: str
    paragraphs: tuple[str, ...]
    excerpt: str
    author: str
    published: datetime
    section: tuple[str, str]
    tags: tuple[tuple[str, str], ...]

    @property
    def iso(self) -> str:
        return self.published.isoformat().replace("+00:00", "Z")

    @property
    def day(self) -> str:
        months = "janvier février mars avril mai juin juillet août septembre octobre novembre"
        name = (months + " décembre").split()[self.published.month - 1]
        return f"{self.published.day} {name} {self.published.year}"


def slugify(title: str) -> str:
    table = str.maketrans("àâäéèêëîïôöùûüçœ’'«»:?!,.", "aaaeeeeiioouuuco         ")
    words = title.lower().translate(table).split()
    return "-".join(w for w in words if w not in ("", "–"))[:70].strip("-")


def make_post(n: int, paragraphs: int = 5) -> Post:
    title = text.HEADLINES[n % len(text.HEADLINES)]
    pool = text.PARAGRAPHS
    chosen = tuple(pool[(n * 7 + k * 3) % len(pool)] for k in range(paragraphs))
    return Post(
        n=n,
        title=title,
        slug=slugify(title),
        paragraphs=chosen,
        excerpt=text.EXCERPTS[n % len(text.EXCERPTS)],
        author=text.AUTHORS[n % len(text.AUTHORS)],
        published=datetime(2026, 11, 2, 7, 30, tzinfo=UTC) + timedelta(days=n % 27, hours=n % 9),
        section=text.SECTIONS[n % len(text.SECTIONS)],
        tags=(text.TAGS[n % len(text.TAGS)], text.TAGS[(n + 2) % len(text.TAGS)]),
    )


def jsonld(data: Any) -> str:
    return (
        '<script type="application/ld+json">'
        + json.dumps(data, ensure_ascii=False, indent=None)
        + "</script>"
    )


def og(kind: str, title: str, url: str, site: str) -> str:
    return (
        f'<meta property="og:type" content="{kind}">\n'
        f'<meta property="og:title" content="{escape(title)}">\n'
        f'<meta property="og:url" content="{url}">\n'
        f'<meta property="og:site_name" content="{escape(site)}">'
    )


def published_meta(post: Post) -> str:
    return f'<meta property="article:published_time" content="{post.iso}">'


def paras(post: Post, links: int = 0, base: str = "") -> str:
    """The post's paragraphs; ``links`` inline links to other posts (a hard case)."""
    out = []
    for k, paragraph in enumerate(post.paragraphs):
        body = escape(paragraph)
        if k < links:
            other = make_post(post.n + k + 11)
            body += f' (voir <a href="{base}{other.slug}">{escape(other.title)}</a>)'
        out.append(f"<p>{body}</p>")
    return "\n".join(out)


@dataclass
class Page:
    name: str
    url: str
    html: str
    is_document: bool
    note: str


@dataclass
class Style:
    """A site style: override the markup methods; ``pages`` asks for the standard set."""

    name: str = ""
    host: str = ""
    site: str = ""
    first: int = 0  # where this style starts in the text pool, so styles differ
    pages_out: list[Page] = field(default_factory=list)

    # -- URL shapes ---------------------------------------------------------------------
    def post_url(self, post: Post) -> str:
        return f"https://{self.host}/{post.slug}/"

    def home_url(self) -> str:
        return f"https://{self.host}/"

    def section_url(self, slug: str) -> str:
        return f"https://{self.host}/category/{slug}/"

    def tag_url(self, slug: str) -> str:
        return f"https://{self.host}/tag/{slug}/"

    def page_url(self, n: int) -> str:
        return f"https://{self.host}/page/{n}/"

    def search_url(self, query: str) -> str:
        return f"https://{self.host}/?s={query}"

    def author_url(self, author: str) -> str:
        return f"https://{self.host}/author/{slugify(author)}/"

    def static_url(self, slug: str) -> str:
        return f"https://{self.host}/{slug}/"

    def archive_url(self) -> str:
        return f"https://{self.host}/2026/11/"

    # -- markup (to override) ---------------------------------------------------------------
    def shell(self, title: str, main: str, url: str, body_class: str = "", head: str = "") -> str:
        raise NotImplementedError

    def teaser(self, post: Post, excerpt: bool = True) -> str:
        raise NotImplementedError

    def article(self, post: Post, body: str, related: list[Post]) -> str:
        raise NotImplementedError

    def listing(self, heading: str, teasers: str, intro: str = "", pager: int = 0) -> str:
        raise NotImplementedError

    def static(self, heading: str, body: str) -> str:
        return f"<main><h1>{escape(heading)}</h1>\n{body}</main>"

    def post_head(self, post: Post, url: str) -> str:
        return og("article", post.title, url, self.site) + "\n" + published_meta(post)

    def listing_head(self, heading: str, url: str, kind: str) -> str:
        return og("website", heading, url, self.site)

    def body_class(self, kind: str) -> str:
        return ""

    def related_box(self, posts: list[Post]) -> str:
        items = "\n".join(
            f'<li><a href="{self.post_url(p)}"><img src="/img/{p.n}.jpg" alt=""> '
            f"<strong>{escape(p.title)}</strong></a> <span>{escape(p.excerpt)}</span></li>"
            for p in posts
        )
        return f'<section class="lire-aussi"><h2>Lire aussi</h2><ul>{items}</ul></section>'

    # -- the standard set ---------------------------------------------------------------
    def post(self, k: int, paragraphs: int = 5) -> Post:
        return make_post(self.first + k, paragraphs)

    def add(self, name: str, url: str, html: str, is_document: bool, note: str) -> None:
        self.pages_out.append(Page(name, url, html, is_document, note))

    def document(
        self,
        name: str,
        post: Post,
        note: str,
        body: str | None = None,
        related: int = 0,
        head: str | None = None,
        kind: str = "single",
    ) -> None:
        url = self.post_url(post)
        body = paras(post) if body is None else body
        others = [self.post(40 + k + post.n) for k in range(related)]
        main = self.article(post, body, others)
        html = self.shell(
            post.title,
            main,
            url,
            self.body_class(kind),
            self.post_head(post, url) if head is None else head,
        )
        self.add(name, url, html, True, note)

    def list_page(
        self,
        name: str,
        url: str,
        heading: str,
        posts: list[Post],
        note: str,
        kind: str,
        intro: str = "",
        pager: int = 0,
        excerpt: bool = True,
    ) -> None:
        teasers = "\n".join(self.teaser(p, excerpt) for p in posts)
        main = self.listing(heading, teasers, intro, pager)
        head = self.listing_head(heading, url, kind)
        self.add(
            name, url, self.shell(heading, main, url, self.body_class(kind), head), False, note
        )

    def static_page(self, name: str, slug: str, heading: str, body: str, note: str) -> None:
        url = self.static_url(slug)
        head = self.listing_head(heading, url, "page")
        html = self.shell(heading, self.static(heading, body), url, self.body_class("page"), head)
        self.add(name, url, html, False, note)

    def standard(self) -> list[Page]:
        """The pages every style gives; styles add their own on top (``extra``)."""
        p = [self.post(k) for k in range(12)]
        self.document("post", p[0], "an ordinary post")
        self.document(
            "post-lire-aussi",
            self.post(1, 6),
            "a post with a big 'Lire aussi' box and inline links",
            body=paras(self.post(1, 6), links=3, base=self.home_url()),
            related=6,
        )
        brief = self.post(2, 1)
        self.document("brief", brief, "a news brief of two sentences")
        photo = self.post(3, 1)
        figures = "\n".join(
            f'<figure><img src="/photos/{photo.n}-{k}.jpg" alt="">'
            f"<figcaption>{escape(text.CAPTIONS[(photo.n + k) % len(text.CAPTIONS)])}"
            "</figcaption></figure>"
            for k in range(4)
        )
        self.document(
            "photos", photo, "a photo story with little text", body=figures + paras(photo)
        )
        self.document("post-long", self.post(4, 9), "a long post")
        self.list_page("home", self.home_url(), self.site, p[5:12], "the home page", "home")
        self.list_page(
            "category",
            self.section_url(p[6].section[0]),
            p[6].section[1],
            p[6:11],
            "a category page with a long introduction",
            "category",
            intro=" ".join(text.PARAGRAPHS[p[6].n % 10 : p[6].n % 10 + 2]),
        )
        self.list_page(
            "tag-one",
            self.tag_url(p[7].tags[0][0]),
            f"Étiquette : {p[7].tags[0][1]}",
            [p[7]],
            "a tag page with a single teaser",
            "tag",
        )
        self.list_page(
            "search",
            self.search_url("tramway"),
            "Résultats de recherche pour « tramway »",
            p[2:6],
            "search results",
            "search",
        )
        self.list_page(
            "page-2",
            self.page_url(2),
            self.site,
            p[1:9],
            "second page of the list",
            "paged",
            pager=2,
        )
        self.list_page(
            "author",
            self.author_url(p[3].author),
            p[3].author,
            p[3:7],
            "an author's page with a short bio",
            "author",
            intro=f"{p[3].author} couvre la vie politique locale depuis 2019.",
        )
        self.list_page(
            "archive-one",
            self.archive_url(),
            "Archives : novembre 2026",
            [p[9]],
            "a month archive holding one post",
            "archive",
        )
        about = "\n".join(f"<p>{escape(t)}</p>" for t in text.ABOUT_PARAGRAPHS)
        self.static_page("about", "a-propos", "À propos", about, "a long 'about' page")
        legal = "\n".join(f"<p>{escape(t)}</p>" for t in text.LEGAL_PARAGRAPHS)
        self.static_page("legal", "mentions-legales", "Mentions légales", legal, "legal notice")
        self.extra()
        return self.pages_out

    def extra(self) -> None:
        """Pages of this style only (hard cases that suit its kind of site)."""
