"""Alert emails: a plain-text part and an HTML part, from Jinja2 templates shipped in
``traceur/alerts/templates``.

Everything that comes from a crawled page (titles, snippets, authors, URLs) is untrusted.
The HTML templates are autoescaped, highlights are built from escaped pieces, and links
are kept only when they are plain http(s) URLs, so a page with ``<script>`` in its title or
a crafted link cannot inject anything. Subjects are one line of text, without control
characters. The emails are written in French, for the campaign's digital team.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from jinja2 import (
    Environment,
    PackageLoader,
    StrictUndefined,
    TemplateNotFound,
    select_autoescape,
)
from markupsafe import Markup, escape

from traceur.alerts.outbox import message_id
from traceur.document import Document
from traceur.privacy.pseudonyms import display_author
from traceur.watchlist.model import Watchlist
from traceur.watchlist.recipients import email_addresses

KIND_LABELS = {
    "article": "article",
    "forum_post": "message de forum",
    "blog_post": "billet de blog",
    "comment": "commentaire",
    "video": "vidéo",
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
SUBJECT_PREFIX = "[Traceur]"
EXCERPT_CHARS = 220
CHAT_FALLBACK_CHARS = 1000


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("traceur.alerts", "templates"),
        # HTML templates escape every value; the plain-text ones have nothing to escape.
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["mark"] = mark_html
    env.filters["names_of"] = names_of
    return env


def one_line(text: str, limit: int = 0) -> str:
    """Text fit for a header or a list line: no control characters, no line breaks."""
    flat = " ".join(_CONTROL.sub(" ", text).split())
    if limit and len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return flat


def _flat(text: str) -> str:
    """Whitespace runs and control characters made single spaces, ends kept."""
    return re.sub(r"\s+", " ", _CONTROL.sub(" ", text))


def safe_href(url: str) -> str | None:
    """``url`` if it is a plain http(s) address, else None (shown as text, never a link)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or _CONTROL.search(url):
        return None
    return url.strip()


@dataclass(frozen=True)
class SnippetView:
    """A snippet cut around its match (the tagger already marks cut ends with "…")."""

    before: str
    match: str
    after: str

    def plain(self) -> str:
        return f"{self.before}«{self.match}»{self.after}"


def mark_html(snippet: SnippetView) -> Markup:
    """The snippet as HTML: each piece escaped, the match in ``<mark>``."""
    return Markup("{}<mark>{}</mark>{}").format(
        escape(snippet.before), escape(snippet.match), escape(snippet.after)
    )


@dataclass(frozen=True)
class DocView:
    id: str
    title: str
    url: str
    href: str | None
    source: str
    domain: str
    kind_label: str
    published: str
    author: str
    names: tuple[str, ...]
    snippet: SnippetView | None
    excerpt: str
    cluster: str
    # The document's page in the volunteers' web app (None when web_base_url is not set).
    web_href: str | None = None
    # Other documents of the same story cluster this entry stands for (immediate rules).
    reprises: int = 0


def local_time(moment: datetime | None, tz: str) -> str:
    if moment is None:
        return "date inconnue"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(tz)).strftime("%d/%m/%Y %H:%M")


def human_duration(seconds: int) -> str:
    for unit, size in (("j", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size} {unit}"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h".replace(".", ",")
    if seconds >= 60:
        return f"{seconds // 60} min"
    return f"{seconds} s"


class Names:
    """Display names of the watchlist's candidates, topics and sources."""

    def __init__(self, watchlist: Watchlist) -> None:
        self.candidates = {c.id: c.name for c in watchlist.candidates}
        self.topics = {t.id: t.name for t in watchlist.topics}
        # A source without a name is shown by its site's host name: people know sites,
        # not the watchlist's ids.
        self.sources = {s.id: s.name or _host(s.url) or s.id for s in watchlist.sources}

    def token(self, token: str) -> str | None:
        kind, _, ident = token.partition(":")
        if kind == "candidate":
            return self.candidates.get(ident, ident)
        if kind == "topic":
            return self.topics.get(ident, ident)
        return None

    def source(self, document: Document) -> str:
        return self.sources.get(document.source_id) or document.domain or document.source_id


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def _ordered_tokens(tokens: Iterable[str]) -> list[str]:
    # Candidates first, then topics: the subject names people before themes.
    return sorted(
        tokens, key=lambda t: (not t.startswith("candidate:"), not t.startswith("topic:"), t)
    )


def web_document_href(web_base_url: str | None, doc_id: str) -> str | None:
    """``{web_base_url}/document/{id}``, or None when the web app's address is not set."""
    if not web_base_url:
        return None
    # Document ids are hex digests; quoting anyway keeps a stray id from breaking the link.
    return safe_href(f"{web_base_url.rstrip('/')}/document/{quote(doc_id, safe='')}")


def doc_view(
    document: Document,
    tokens: Iterable[str],
    names: Names,
    tz: str,
    web_base_url: str | None = None,
) -> DocView:
    ordered = _ordered_tokens(tokens)
    snippet: SnippetView | None = None
    for token in (
        ordered
        + [f"candidate:{c}" for c in document.candidates]
        + [f"topic:{t}" for t in document.topics]
    ):
        mention = document.mentions.get(token.partition(":")[2])
        if mention and mention.snippets:
            # The title is shown anyway: a snippet from the text says more.
            s = next((x for x in mention.snippets if x.field == "text"), mention.snippets[0])
            snippet = SnippetView(
                _flat(s.text[: s.start]).lstrip(),
                _flat(s.text[s.start : s.end]),
                _flat(s.text[s.end :]).rstrip(),
            )
            break
    excerpt = "" if snippet else one_line(document.text, EXCERPT_CHARS)
    shown = [name for name in (names.token(t) for t in ordered) if name]
    return DocView(
        id=document.id,
        title=one_line(document.title, 200) or one_line(document.url, 200),
        url=one_line(document.url),
        href=safe_href(document.url),
        source=one_line(names.source(document)),
        domain=one_line(document.domain),
        kind_label=KIND_LABELS.get(document.kind, document.kind),
        published=local_time(document.published_at or document.fetched_at, tz),
        author=one_line(display_author(document.author) or ""),
        names=tuple(shown),
        snippet=snippet,
        excerpt=excerpt,
        cluster=document.cluster_id or document.id,
        web_href=web_document_href(web_base_url, document.id),
    )


def _list(values: Sequence[str], limit: int = 3) -> str:
    shown = list(dict.fromkeys(values))
    rest = len(shown) - limit
    return ", ".join(shown[:limit]) + (f" (+{rest})" if rest > 0 else "")


def names_of(docs: Sequence[DocView]) -> str:
    """The candidates and topics the documents name, first three, as a chat title shows them."""
    return _list([name for doc in docs for name in doc.names])


def immediate_subject(docs: Sequence[DocView]) -> str:
    names = [name for doc in docs for name in doc.names]
    sources = [doc.source for doc in docs]
    if len(docs) == 1:
        who = _list(names) or "nouveau document"
        more = f" (+{docs[0].reprises} reprise{'s' if docs[0].reprises > 1 else ''})"
        return one_line(
            f"{SUBJECT_PREFIX} {who} — {docs[0].source} : {docs[0].title}"
            + (more if docs[0].reprises else ""),
            200,
        )
    who = f" — {_list(names)}" if names else ""
    return one_line(f"{SUBJECT_PREFIX} {len(docs)} nouvelles mentions{who} — {_list(sources)}", 200)


@dataclass(frozen=True)
class Cluster:
    title: str
    docs: tuple[DocView, ...]


@dataclass(frozen=True)
class Group:
    label: str
    count: int
    clusters: tuple[Cluster, ...]


def group_for_digest(items: Sequence[tuple[DocView, tuple[str, ...]]]) -> list[Group]:
    """Documents grouped by candidate (then topic, then the rest), and within a group by
    story cluster, biggest first. A document naming two candidates is in both groups."""
    by_group: dict[str, list[DocView]] = {}
    for doc, labels in items:
        for label in labels or ("Autres documents",):
            by_group.setdefault(label, []).append(doc)
    groups: list[Group] = []
    for label, docs in by_group.items():
        clusters: dict[str, list[DocView]] = {}
        for doc in docs:
            clusters.setdefault(doc.cluster, []).append(doc)
        ordered = sorted(clusters.values(), key=lambda c: (-len(c), c[0].title))
        groups.append(
            Group(label, len(docs), tuple(Cluster(c[0].title, tuple(c)) for c in ordered))
        )
    return sorted(groups, key=lambda g: (g.label == "Autres documents", -g.count, g.label))


@dataclass
class Email:
    """A rendered alert, before it is queued: the email, and the short version for chat
    and webhook channels (title, body)."""

    subject: str
    text: str
    html: str
    extra: dict[str, Any] = field(default_factory=dict)
    chat: tuple[str, str] | None = None


def render(template: str, subject: str, **context: Any) -> Email:
    env = environment()
    context = {"subject": subject, **context}
    text = env.get_template(f"{template}.txt").render(**context)
    html = env.get_template(f"{template}.html").render(**context)
    try:
        chat = env.get_template(f"{template}.chat.txt").render(**context)
    except TemplateNotFound:
        # A kind of message without its chat version yet: the email's subject and the
        # start of its text, rather than nothing.
        chat = subject.removeprefix(SUBJECT_PREFIX) + "\n" + text[:CHAT_FALLBACK_CHARS]
    title, _, body = chat.strip().partition("\n")
    return Email(one_line(subject, 200), text, html, chat=(one_line(title, 200), body.strip()))


def build_message(
    email: Email,
    key: str,
    sender: str,
    recipients: Sequence[str],
    rule_id: str,
    now: datetime | None = None,
) -> Message:
    """The MIME message: multipart/alternative, plain text first, Message-ID from ``key``.

    Built with the ``compat32`` classes on purpose: Python 3.11's newer header folding drops
    the space between two encoded words of a long non-ASCII subject ("12 en1 h"), while
    ``Header`` encodes every character, spaces included. Lines end in CRLF, as SMTP wants
    (servers refuse bare line feeds since the SMTP smuggling fixes).
    """
    message = MIMEMultipart("alternative")
    message["Subject"] = Header(email.subject, "utf-8")  # type: ignore[assignment]
    name, address = parseaddr(sender)
    message["From"] = formataddr((name, address), charset="utf-8")
    # Chat and webhook recipients have their own outbox entries, never an email header.
    message["To"] = ", ".join(email_addresses(list(recipients)))
    message["Date"] = format_datetime(now or datetime.now(UTC))
    message["Message-ID"] = message_id(key, sender)
    message["X-Traceur-Rule"] = rule_id
    # RFC 3834: tells vacation responders not to answer an automatic message.
    message["Auto-Submitted"] = "auto-generated"
    # Quoted-printable keeps the French text readable in the raw message (base64 would not).
    utf8 = Charset("utf-8")
    utf8.body_encoding = QP
    for body, subtype in ((email.text, "plain"), (email.html, "html")):
        message.attach(MIMEText(body, subtype, utf8))  # type: ignore[arg-type]
    return message


def message_bytes(message: Message) -> bytes:
    """The message as sent: CRLF line ends."""
    return message.as_bytes(policy=compat32.clone(linesep="\r\n"))
