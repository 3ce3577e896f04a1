"""Tagging: which candidates and topics a document mentions, where, and how often.

Names and aliases are matched on folded text (case, accents, apostrophe and dash
styles ignored) word by word, so "Jean-Baptiste", "jean baptiste" and "d’Élodie"
all match, on word boundaries only. A match that falls inside one of the
candidate's exclusion phrases ("Saint-Martin") does not count.

Candidates' names are often ordinary words or common surnames, so some spellings
need more than a match:

- Case. Acronyms ("JBR") count only as written; short aliases ("Roy") and ambiguous
  ones only capitalised ("Roy", "ROY", never "roy"); full names in any case.
- Context. An ambiguous alias ("Martin", "France") counts only when the document also
  names the candidate without ambiguity (full name, a plain alias, "J.-B. Roy"), or
  when a cue stands right next to it: a civility or title ("Mme Martin", "la candidate
  Martin", "Roy, le maire sortant") or one of the candidate's own cues (a party name).
- Vetoes. Whatever the context, an ambiguous alias does not count where the words
  around it make it something else: joined by a hyphen ("Saint-Martin", "Port-Royal"),
  next to another capitalised name ("Paul Martin", "Radio France", "Martin Luther"),
  after an article or preposition a surname never takes ("la France", "en France"),
  after a street or building ("rue Martin", "lycée Royal"), after another person's
  initial ("P. Martin"), or after a civility of the other gender ("M. Martin" is not
  Claire Martin).
- Variants generated from the full name: initials ("J.-B. Roy", "JB Roy", "C. Martin")
  and the surname-first order of official lists ("ROY Jean-Baptiste").

The spellings and word lists live in :mod:`traceur.enrich.names`. Matching walks a trie
of folded name tokens over the document's words: the cost grows with the text, not with
the number of aliases; the checks above run on matches only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from traceur.config import default_settings
from traceur.document import Document, Mention, Snippet, Span
from traceur.enrich.names import (
    ADJACENT,
    AFTER_CUE,
    DETERMINERS,
    FIRST_NAMES,
    FUNCTION_WORDS,
    NAMED_THINGS,
    NO_DOT,
    PLACE_LINKS,
    PLACE_PREPOSITIONS,
    PLACE_WORDS,
    SEPARATOR,
    TITLE_ADJECTIVES,
    TITLES,
    WORD,
    Field,
    auto_case,
    gender_of,
    is_acronym,
    name_variants,
    strip_accents,
)
from traceur.enrich.query import evaluate, parse_cached
from traceur.textnorm import fold
from traceur.watchlist import Candidate, Topic, Watchlist


@dataclass(frozen=True)
class _Entry:
    kind: str  # "candidate", "topic", or "exclude"
    owner: str  # candidate or topic id
    # How the matched words must be written (see _case_ok): any, capitalised, exact, initials.
    case: str = "any"
    # The alias's words with accents folded but case kept, for case "exact".
    written: tuple[str, ...] = ()
    ambiguous: bool = False
    # Whether a dot may separate the words (not in "ROY Jean-Baptiste": see NO_DOT).
    dots: bool = True
    # Which of the words must be followed by a dot ("H. Martin", never "H Martin").
    dotted: tuple[int, ...] = ()
    # How many leading words must be in capitals (the initials of "J.-B. Roy", "JB Roy").
    capitals: int = 0
    how: str = "name"


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    entries: list[_Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Match:
    kind: str
    owner: str
    field: str
    start: int  # offsets in the original field text
    end: int
    # What made it count: "name", "alias", "variant", "ambiguous+context", "ambiguous+cue".
    how: str = ""


@dataclass
class TagResult:
    candidates: list[str]
    topics: list[str]
    mentions: dict[str, Mention]
    matches: list[Match]


@dataclass
class _Hit:
    """A match before the document-wide decision on ambiguous aliases."""

    match: Match
    ambiguous: bool
    # Why the words around it make it something else ("" when nothing does); a veto
    # "homonym:paul" names another bearer of the name ("Paul Martin").
    veto: str = ""
    cued: bool = False
    # Written without the capitals the alias needs: counts only after a civility or title.
    lowercase: bool = False


@dataclass(frozen=True)
class _Cue:
    words: tuple[str, ...]
    written: tuple[str, ...]  # case kept, for acronym cues ("AC" is not "ac")
    exact: bool


def matches_topic(
    topic: Topic, title: str, text: str, by_keywords: bool = False, lang: str | None = None
) -> bool:
    """Whether a document is about ``topic``.

    A topic with a ``query`` is about the documents its query matches (in the topic's
    languages, when it names some and ``lang`` is known); without one, its keywords decide:
    ``by_keywords`` is what the tagger found.
    """
    if topic.query is None:
        return by_keywords
    if lang is not None and topic.lang and lang not in topic.lang:
        return False
    return evaluate(parse_cached(topic.query), title, text)


class Tagger:
    """Tags texts with a watchlist's candidates and topics."""

    def __init__(
        self,
        watchlist: Watchlist,
        snippet_chars: int | None = None,
        max_snippets: int | None = None,
    ) -> None:
        defaults = default_settings()
        self.snippet_chars = defaults.snippet_chars if snippet_chars is None else snippet_chars
        self.max_snippets = defaults.max_snippets if max_snippets is None else max_snippets
        self._order = [c.id for c in watchlist.candidates] + [t.id for t in watchlist.topics]
        self._candidate_ids = {c.id for c in watchlist.candidates}
        self._topic_lang = {t.id: t.lang for t in watchlist.topics if t.lang}
        self._topics = watchlist.topics
        self._gender: dict[str, str | None] = {}
        self._cues: dict[str, list[_Cue]] = {}
        self._root = _Node()
        for candidate in watchlist.candidates:
            self._add_candidate(candidate)
        for topic in watchlist.topics:
            for keyword in topic.keywords:
                self._add(keyword, _Entry("topic", topic.id, how="keyword"))
            for phrase in topic.exclude:
                self._add(phrase, _Entry("exclude", topic.id))
        self.alias_count = sum(len(c.names) for c in watchlist.candidates)

    def _add_candidate(self, candidate: Candidate) -> None:
        self._gender[candidate.id] = gender_of(candidate)
        self._cues[candidate.id] = [
            _Cue(
                tuple(WORD.findall(fold(cue)[0])),
                tuple(WORD.findall(strip_accents(cue))),
                is_acronym(cue),
            )
            for cue in candidate.cues
        ]
        self._add(candidate.name, _Entry("candidate", candidate.id, how="name"))
        for text in candidate.aliases:
            option = candidate.alias(text)
            case = auto_case(text, option.ambiguous) if option.case == "auto" else option.case
            written = tuple(WORD.findall(strip_accents(text)))
            self._add(
                text,
                _Entry("candidate", candidate.id, case, written, option.ambiguous, how="alias"),
            )
        if candidate.variants:
            for variant in name_variants(candidate.name):
                entry = _Entry(
                    "candidate",
                    candidate.id,
                    variant.case,
                    (),
                    False,
                    variant.dots,
                    variant.dotted,
                    variant.capitals,
                    "variant",
                )
                self._add_words(variant.words, entry)
        for phrase in candidate.exclude:
            self._add(phrase, _Entry("exclude", candidate.id))

    def _add(self, phrase: str, entry: _Entry) -> None:
        self._add_words(tuple(WORD.findall(fold(phrase)[0])), entry)

    def _add_words(self, tokens: Sequence[str], entry: _Entry) -> None:
        if not tokens:
            return
        node = self._root
        for token in tokens:
            node = node.children.setdefault(token, _Node())
        if entry not in node.entries:
            node.entries.append(entry)

    # -- matching one field ------------------------------------------------------------

    def _raw(self, f: Field) -> list[tuple[int, int, _Entry]]:
        """Every trie match as (first word, last word, entry); the hot loop."""
        words, starts, folded = f.words, f.starts, f.folded
        ends = f.ends
        children = self._root.children
        separator = SEPARATOR.fullmatch
        raw: list[tuple[int, int, _Entry]] = []
        count = len(words)
        for i, token in enumerate(words):
            node = children.get(token)
            j = i
            while node is not None:
                for entry in node.entries:
                    raw.append((i, j, entry))
                if not node.children or j + 1 >= count:
                    break
                if not separator(folded, ends[j], starts[j + 1]):
                    break
                j += 1
                node = node.children.get(words[j])
        return raw

    def _written(self, f: Field, i: int, j: int, entry: _Entry) -> str:
        """Whether words i..j are written the way ``entry`` requires: "ok", "no", or
        "lowercase" (right but for capitals a "capitalised" alias needs)."""
        if not entry.dots and any(not NO_DOT.fullmatch(f.gap(k)) for k in range(i, j)):
            return "no"
        for position in entry.dotted:
            k = i + position
            if f.folded[f.ends[k] : f.ends[k] + 1] != ".":
                return "no"
        for k in range(i, min(j + 1, i + entry.capitals)):
            if not f.original(k).isupper():
                return "no"
        case = entry.case
        if case == "any":
            return "ok"
        if case == "exact":
            return (
                "ok"
                if tuple(strip_accents(f.original(k)) for k in range(i, j + 1)) == entry.written
                else "no"
            )
        # capitalised: every word starts with a capital ("Roy", "ROY", not "roy").
        return "ok" if all(f.original(k)[:1].isupper() for k in range(i, j + 1)) else "lowercase"

    def _hits(self, f: Field, field_name: str) -> list[_Hit]:
        raw = self._raw(f)
        if not raw:
            return []
        excluded = [(i, j, entry.owner) for i, j, entry in raw if entry.kind == "exclude"]
        kept: list[tuple[int, int, _Entry]] = []
        lowercase: set[tuple[int, int, _Entry]] = set()
        for i, j, entry in raw:
            if entry.kind == "exclude":
                continue
            if any(owner == entry.owner and s <= i and j <= e for s, e, owner in excluded):
                continue
            written = self._written(f, i, j, entry)
            if written == "no" or (written == "lowercase" and not entry.ambiguous):
                continue
            if written == "lowercase":
                # Automatic captions and some forums have no capitals at all: "madame martin"
                # still names her, a bare "martin" or "royal" says nothing.
                lowercase.add((i, j, entry))
            kept.append((i, j, entry))
        # Of overlapping matches for one owner ("Claire Martin" and "Martin"), keep the
        # longest; of two equal ones, the unambiguous.
        kept.sort(key=lambda m: (m[0], -(m[1] - m[0]), m[2].ambiguous))
        named: dict[int, str] = {}
        for i, j, entry in kept:
            if entry.kind == "candidate":
                for k in range(i, j + 1):
                    named.setdefault(k, entry.owner)
        hits: list[_Hit] = []
        last_end: dict[str, int] = {}
        for i, j, entry in kept:
            if i <= last_end.get(entry.owner, -1):
                continue
            last_end[entry.owner] = j
            start, end = f.origin[f.starts[i]], f.origin[f.ends[j] - 1] + 1
            hit = _Hit(
                Match(entry.kind, entry.owner, field_name, start, end, entry.how), entry.ambiguous
            )
            if entry.ambiguous:
                hit.veto = self._veto(f, i, j, entry.owner, named)
                hit.lowercase = (i, j, entry) in lowercase
                hit.cued = not hit.veto and self._cued(
                    f, i, j, entry.owner, titles_only=hit.lowercase
                )
            hits.append(hit)
        return hits

    # -- ambiguous aliases -------------------------------------------------------------

    def _veto(self, f: Field, i: int, j: int, owner: str, named: dict[int, str]) -> str:
        """Why the words around i..j make the alias something other than the candidate
        ("" when nothing does). ``named``: word → candidate, for the words of every match."""
        folded = f.folded
        before = folded[f.starts[i] - 2 : f.starts[i]] if f.starts[i] >= 2 else ""
        after = folded[f.ends[j] : f.ends[j] + 2]
        # Joined by a hyphen to another word: "Saint-Martin", "Port-Royal", "Île-de-France";
        # but "le duel Roy-Martin" joins two candidates.
        if (
            len(before) == 2
            and before[1] == "-"
            and before[0].isalnum()
            and named.get(i - 1, owner) == owner
        ):
            return "hyphen"
        if (
            len(after) == 2
            and after[0] == "-"
            and after[1].isalnum()
            and named.get(j + 1, owner) == owner
        ):
            return "hyphen"
        if i > 0:
            previous = f.words[i - 1]
            gap = f.gap(i - 1)
            adjacent = bool(ADJACENT.fullmatch(gap))
            # "la France", "en France", "across France": no surname takes an article, nor
            # a preposition of places.
            if (adjacent or gap == "'") and (
                previous in DETERMINERS or previous in PLACE_PREPOSITIONS
            ):
                return "determiner"
            # "in central France", "en Haute France".
            if (
                i > 1
                and adjacent
                and f.words[i - 2] in PLACE_PREPOSITIONS
                and ADJACENT.fullmatch(f.gap(i - 2))
            ):
                return "determiner"
            written = f.original(i - 1)
            if previous in TITLES:
                # "M. Martin" for Claire Martin is someone else.
                gender = self._title_gender(f, i - 1)
                wanted = self._gender.get(owner)
                if gender and wanted and gender != wanted:
                    return "gender"
            elif (
                len(previous) == 1
                and written.isupper()
                and folded[f.ends[i - 1] : f.ends[i - 1] + 1] == "."
            ):
                # Another person's initial: "P. Martin" (the candidate's own is a variant).
                return f"homonym:{previous}."
            elif (
                adjacent
                and written[:1].isupper()
                and previous not in FUNCTION_WORDS
                and (not written.isupper() or previous in FIRST_NAMES)
            ):
                # Next to another name: "Paul Martin", "Radio France". In capitals, only a
                # first name tells ("PAUL MARTIN"); "TRIBUNE MARTIN" says nothing.
                return f"homonym:{previous}"
            if self._after_place(f, i):
                return "place"
            # A dateline names a place: "BRENNAC, France —" opening a wire story.
            if i <= 3 and gap.strip() == "," and written.isupper() and len(written) > 1:
                return "dateline"
        if j + 1 < len(f.words) and ADJACENT.fullmatch(f.gap(j)):
            following = f.original(j + 1)
            # "Martin Luther", "France Inter", "France 2", "Royal Canin".
            if following[:1].isdigit():
                return "following"
            if (
                following[:1].isupper()
                and not following.isupper()
                and f.words[j + 1] not in FUNCTION_WORDS
                and named.get(j + 1, owner) == owner
            ):
                return "following"
        return ""

    @staticmethod
    def _after_place(f: Field, i: int) -> bool:
        """ "rue Martin", "lycée Jean-Roy", "avenue de France", "place du Roy"."""
        if i > 0 and f.words[i - 1] in NAMED_THINGS and ADJACENT.fullmatch(f.gap(i - 1)):
            return True
        k = i - 1
        # Skip up to two linking words ("de", "de la", "d'").
        for _ in range(2):
            if k >= 0 and f.words[k] in PLACE_LINKS:
                k -= 1
        if k < 0 or f.words[k] not in PLACE_WORDS:
            return False
        # One phrase, not "…sur la place. Martin…".
        return all(SEPARATOR.fullmatch(f.gap(n)) and "." not in f.gap(n) for n in range(k, i))

    def _title_gender(self, f: Field, k: int) -> str:
        """The gender the title at word k says, from its form or its article ("la maire")."""
        gender = TITLES.get(f.words[k], "")
        if gender:
            return gender
        if k > 0 and f.words[k - 1] in ("la", "le"):
            return "f" if f.words[k - 1] == "la" else "m"
        return ""

    def _cued(self, f: Field, i: int, j: int, owner: str, titles_only: bool = False) -> bool:
        """Whether a civility, a title or one of the candidate's cues stands next to i..j
        (with ``titles_only``, a civility or title right before it)."""
        wanted = self._gender.get(owner)
        # Before: "Mme Martin", "la candidate Martin", "le maire sortant Roy".
        k = i - 1
        if k >= 0 and f.words[k] in TITLE_ADJECTIVES and ADJACENT.fullmatch(f.gap(k)):
            k -= 1
        if k >= 0 and f.words[k] in TITLES and SEPARATOR.fullmatch(f.gap(k)):
            gender = self._title_gender(f, k)
            if not (gender and wanted and gender != wanted):
                return True
        if titles_only:
            return False
        # After: "Martin, la candidate écologiste", "Roy (le maire sortant)".
        k = j + 1
        if k < len(f.words) and AFTER_CUE.fullmatch(f.gap(j)):
            if f.words[k] in ("la", "le", "l") and k + 1 < len(f.words):
                k += 1
            if f.words[k] in TITLES and f.words[k] not in ("m", "liste", "parole", "camarade"):
                gender = self._title_gender(f, k)
                if not (gender and wanted and gender != wanted):
                    return True
        # The candidate's own cues (party, list, office) within a few words either side.
        cues = self._cues.get(owner)
        if cues:
            low, high = max(0, i - 12), min(len(f.words), j + 13)
            window = f.words[low:high]
            for cue in cues:
                size = len(cue.words)
                for start in range(len(window) - size + 1):
                    if tuple(window[start : start + size]) == cue.words:
                        if (
                            cue.exact
                            and tuple(
                                strip_accents(f.original(low + start + n)) for n in range(size)
                            )
                            != cue.written
                        ):
                            continue
                        return True
        return False

    def _resolve(self, hits: Iterable[_Hit]) -> list[Match]:
        """Keep unambiguous matches, and ambiguous ones with a cue or context in these hits.

        Context: the candidate named without ambiguity in the same document, more often
        than any other bearer of the name it also names ("Lucien Roy", twice, in a story
        about the rugby club, makes a bare "Roy" his, not the mayor's).
        """
        hits = list(hits)
        named: dict[str, int] = {}
        others: dict[str, dict[str, int]] = {}
        for hit in hits:
            if not hit.ambiguous:
                named[hit.match.owner] = named.get(hit.match.owner, 0) + 1
            elif hit.veto.startswith("homonym:"):
                bearers = others.setdefault(hit.match.owner, {})
                bearers[hit.veto] = bearers.get(hit.veto, 0) + 1
        result: list[Match] = []
        for hit in hits:
            match = hit.match
            if hit.ambiguous:
                if hit.veto or (hit.lowercase and not hit.cued):
                    continue
                if hit.cued:
                    match = Match(
                        match.kind,
                        match.owner,
                        match.field,
                        match.start,
                        match.end,
                        "ambiguous+cue",
                    )
                elif named.get(match.owner, 0) > max(
                    others.get(match.owner, {}).values(), default=0
                ):
                    match = Match(
                        match.kind,
                        match.owner,
                        match.field,
                        match.start,
                        match.end,
                        "ambiguous+context",
                    )
                else:
                    continue
            result.append(match)
        return result

    # -- public ------------------------------------------------------------------------

    def find(self, text: str, field_name: str = "text") -> list[Match]:
        """Every counted match in ``text`` (exclusions applied), in reading order; ``text``
        is the whole context ambiguous aliases get."""
        return self._resolve(self._hits(Field(text), field_name))

    def snippet(self, text: str, start: int, end: int, field_name: str) -> Snippet:
        """Up to ``snippet_chars`` on each side, cut at word boundaries."""
        left = max(0, start - self.snippet_chars)
        right = min(len(text), end + self.snippet_chars)
        if left > 0:
            space = text.find(" ", left, start)
            left = space + 1 if space != -1 else left
        if right < len(text):
            space = text.rfind(" ", end, right)
            right = space if space != -1 else right
        raw = text[left:right]
        prefix = "…" if left > 0 else ""
        suffix = "…" if right < len(text) else ""
        # Collapse whitespace but keep the match offsets right.
        before = " ".join(raw[: start - left].split())
        match = " ".join(raw[start - left : end - left].split())
        after = " ".join(raw[end - left :].split())
        head = (
            prefix
            + before
            + (" " if before and raw[start - left - 1 : start - left].isspace() else "")
        )
        tail = (
            (" " if after and raw[end - left : end - left + 1].isspace() else "") + after + suffix
        )
        return Snippet(head + match + tail, len(head), len(head) + len(match), field_name)

    def tag(self, title: str, text: str, lang: str | None = None) -> TagResult:
        """Tag a document's title and text together (an ambiguous alias in the text counts
        when the title names the candidate). ``lang``: topics restricted to other languages
        are left out; an unknown language keeps them."""
        hits = self._hits(Field(title), "title") + self._hits(Field(text), "text")
        matches = self._resolve(hits)
        if lang is not None and self._topic_lang:
            matches = [m for m in matches if lang in self._topic_lang.get(m.owner, (lang,))]
        counts: dict[str, int] = {}
        snippets: dict[str, list[Snippet]] = {}
        spans: dict[str, list[Span]] = {}
        for match in matches:
            counts[match.owner] = counts.get(match.owner, 0) + 1
            spans.setdefault(match.owner, []).append(Span(match.field, match.start, match.end))
            kept = snippets.setdefault(match.owner, [])
            if len(kept) < self.max_snippets:
                source = title if match.field == "title" else text
                kept.append(self.snippet(source, match.start, match.end, match.field))
        # A topic with a boolean query is decided by its query; the others by their keywords.
        topics = [t.id for t in self._topics if matches_topic(t, title, text, t.id in counts, lang)]
        ordered = [
            ident
            for ident in self._order
            if ident in counts and (ident in self._candidate_ids or ident in topics)
        ]
        return TagResult(
            candidates=[i for i in ordered if i in self._candidate_ids],
            topics=topics,
            mentions={
                ident: Mention(counts[ident], tuple(snippets[ident]), tuple(spans[ident]))
                for ident in ordered
            },
            matches=matches,
        )

    def apply(self, document: Document) -> Document:
        """Set ``candidates``, ``topics`` and ``mentions`` on ``document`` (and return it).

        A reply in a forum thread and a reader's comment carry the thread's (or the post's)
        title for display, but their authors did not write it: only their own text counts.
        """
        inherited_title = document.kind == "comment" or (
            document.kind == "forum_post" and (document.position or 1) > 1
        )
        result = self.tag("" if inherited_title else document.title, document.text, document.lang)
        document.candidates = result.candidates
        document.topics = result.topics
        document.mentions = result.mentions
        return document
