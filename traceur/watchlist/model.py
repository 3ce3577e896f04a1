"""The watchlist's typed objects: who and what to watch (candidates, topics), where
(sources), and the alert rules (:mod:`traceur.watchlist.rules`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from traceur.errors import WatchlistError
from traceur.watchlist.rules import AlertRule

SOURCE_KINDS = ("feed", "site", "sitemap", "forum", "blog", "video")
DOCUMENT_KIND_BY_SOURCE = {
    "feed": "article",
    "site": "article",
    "sitemap": "article",
    "forum": "forum_post",
    "blog": "blog_post",
    "video": "video",
}
MIN_INTERVAL_SECONDS = 10


# How an alias's letters must be written to count: "any" case; "capitalised" (each word
# starts with a capital: "Roy", "ROY", not "roy"); "exact" (as written in the watchlist:
# "JBR", not "Jbr"); "auto" picks "exact" for acronyms, "capitalised" for short and
# ambiguous aliases, "any" otherwise (see traceur.enrich.tagging).
ALIAS_CASES = ("auto", "any", "capitalised", "exact")
GENDERS = ("f", "m")


@dataclass(frozen=True)
class Alias:
    """An alias written with options in the watchlist (``{alias: Martin, ambiguous: true}``).

    An ambiguous alias (a surname that is also a common word, a town or another person's
    name) counts only with context: the candidate named without ambiguity elsewhere in
    the same document, or a cue right next to it ("Mme Martin", "la candidate Martin").
    """

    text: str
    ambiguous: bool = False
    case: str = "auto"


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    # Every alias's text, options or not, so code that only needs the spellings reads them here.
    aliases: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    # The aliases written as mappings, with their options.
    alias_options: tuple[Alias, ...] = ()
    # Words that, next to an ambiguous alias, say it is this candidate (party, list, office).
    cues: tuple[str, ...] = ()
    # "f" or "m": civilities and titles of the other gender are then no cue ("M. Martin"
    # is not Claire Martin). None: inferred from the aliases ("Mme Martin"), else unknown.
    gender: str | None = None
    # Spellings generated from the name (initials "J.-B. Roy", "ROY Jean-Baptiste").
    variants: bool = True

    @property
    def names(self) -> tuple[str, ...]:
        """The full name first, then the aliases."""
        return (self.name, *self.aliases)

    def alias(self, text: str) -> Alias:
        """The options of alias ``text`` (defaults when it was written as a plain string)."""
        for option in self.alias_options:
            if option.text == text:
                return option
        return Alias(text)


@dataclass(frozen=True)
class Topic:
    id: str
    name: str
    keywords: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    # Keywords are words of a language: "loyers" means rents in French only. Empty: any language.
    lang: tuple[str, ...] = ()
    # A boolean query (traceur.enrich.query, checked at load time): when given, a document is about
    # the topic when the query matches it (traceur.enrich.tagging.matches_topic); keywords then only
    # mark the snippets.
    query: str | None = None


@dataclass(frozen=True)
class SourceLimits:
    max_pages: int | None = None
    max_depth: int | None = None
    max_entries: int | None = None


@dataclass(frozen=True)
class Source:
    id: str
    kind: str
    url: str
    every: int
    name: str = ""
    match: str | None = None
    follow: str | None = None
    sitemap: str | None = None
    lang: str | None = None
    enabled: bool = True
    limits: SourceLimits = field(default_factory=SourceLimits)
    # Sitemaps: only entries published (or modified) within this many seconds are fetched.
    max_age: int | None = None

    @property
    def document_kind(self) -> str:
        return DOCUMENT_KIND_BY_SOURCE[self.kind]

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this source keeps (``lang: fr`` or ``lang: [fr, en]``); empty: all."""
        return tuple(code for code in (self.lang or "").split(",") if code)


@dataclass(frozen=True)
class Watchlist:
    path: Path
    candidates: tuple[Candidate, ...]
    topics: tuple[Topic, ...]
    sources: tuple[Source, ...]
    # Typed and validated by traceur.watchlist.rules (immediate, digest, spike, source_health).
    alerts: tuple[AlertRule, ...] = ()

    def source(self, source_id: str) -> Source:
        for source in self.sources:
            if source.id == source_id:
                return source
        known = ", ".join(s.id for s in self.sources) or "none"
        raise WatchlistError([f"{self.path}: no source has the id {source_id!r} (known: {known})"])

    def candidate(self, candidate_id: str) -> Candidate:
        for candidate in self.candidates:
            if candidate.id == candidate_id:
                return candidate
        known = ", ".join(c.id for c in self.candidates) or "none"
        raise WatchlistError(
            [f"{self.path}: no candidate has the id {candidate_id!r} (known: {known})"]
        )
