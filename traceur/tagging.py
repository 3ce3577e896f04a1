"""Tagging: which candidates and topics a document mentions, where, and how often.

Names and aliases are matched on folded text (case, accents, apostrophe and dash
styles ignored) word by word, so "Jean-Baptiste", "jean baptiste" and "d’Élodie"
all match, on word boundaries only. A match that falls inside one of the
candidate's exclusion phrases ("Saint-Martin") does not count.

Matching walks a trie of folded name tokens over the document's words: the cost
grows with the text, not with the number of aliases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .document import Document, Mention, Snippet
from .textnorm import fold
from .watchlist import Watchlist

_WORD = re.compile(r"\w+")
# What may stand between two words of one name: spaces, a dash, an initial's dot, an
# apostrophe ("Anne d'Estrelles", folded from ’ too).
_SEPARATOR = re.compile(r"[\s.'\-]{1,4}")


@dataclass(frozen=True)
class _Entry:
    kind: str  # "candidate", "topic", or "exclude"
    owner: str  # candidate or topic id


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


@dataclass
class TagResult:
    candidates: list[str]
    topics: list[str]
    mentions: dict[str, Mention]
    matches: list[Match]


class Tagger:
    """Tags texts with a watchlist's candidates and topics."""

    def __init__(self, watchlist: Watchlist, snippet_chars: int = 80, max_snippets: int = 3) -> None:
        self.snippet_chars = snippet_chars
        self.max_snippets = max_snippets
        self._order = [c.id for c in watchlist.candidates] + [t.id for t in watchlist.topics]
        self._candidate_ids = {c.id for c in watchlist.candidates}
        self._root = _Node()
        for candidate in watchlist.candidates:
            for name in candidate.names:
                self._add(name, _Entry("candidate", candidate.id))
            for phrase in candidate.exclude:
                self._add(phrase, _Entry("exclude", candidate.id))
        for topic in watchlist.topics:
            for keyword in topic.keywords:
                self._add(keyword, _Entry("topic", topic.id))
            for phrase in topic.exclude:
                self._add(phrase, _Entry("exclude", topic.id))
        self.alias_count = sum(len(c.names) for c in watchlist.candidates)

    def _add(self, phrase: str, entry: _Entry) -> None:
        tokens = _WORD.findall(fold(phrase)[0])
        if not tokens:
            return
        node = self._root
        for token in tokens:
            node = node.children.setdefault(token, _Node())
        node.entries.append(entry)

    def find(self, text: str, field_name: str = "text") -> list[Match]:
        """Every counted match in ``text`` (exclusions applied), in reading order."""
        folded, origin = fold(text)
        words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(folded)]
        raw: list[tuple[int, int, _Entry]] = []
        for i, (start, _, token) in enumerate(words):
            node = self._root.children.get(token)
            j = i
            while node is not None:
                end = words[j][1]
                for entry in node.entries:
                    raw.append((start, end, entry))
                if not node.children or j + 1 >= len(words):
                    break
                gap = folded[end:words[j + 1][0]]
                if not _SEPARATOR.fullmatch(gap):
                    break
                j += 1
                node = node.children.get(words[j][2])
        excluded = [(s, e, entry.owner) for s, e, entry in raw if entry.kind == "exclude"]
        kept: list[tuple[int, int, _Entry]] = []
        for start, end, entry in raw:
            if entry.kind == "exclude":
                continue
            if any(owner == entry.owner and s <= start and end <= e for s, e, owner in excluded):
                continue
            kept.append((start, end, entry))
        # Of overlapping matches for one owner ("Claire Martin" and "Martin"), keep the longest.
        kept.sort(key=lambda m: (m[0], -(m[1] - m[0])))
        result: list[Match] = []
        last_end: dict[str, int] = {}
        for start, end, entry in kept:
            if start < last_end.get(entry.owner, -1):
                continue
            last_end[entry.owner] = end
            result.append(Match(entry.kind, entry.owner, field_name, origin[start], origin[end - 1] + 1))
        return result

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
        head = prefix + before + (" " if before and raw[start - left - 1 : start - left].isspace() else "")
        tail = (" " if after and raw[end - left : end - left + 1].isspace() else "") + after + suffix
        return Snippet(head + match + tail, len(head), len(head) + len(match), field_name)

    def tag(self, title: str, text: str) -> TagResult:
        matches = self.find(title, "title") + self.find(text, "text")
        counts: dict[str, int] = {}
        snippets: dict[str, list[Snippet]] = {}
        for match in matches:
            counts[match.owner] = counts.get(match.owner, 0) + 1
            kept = snippets.setdefault(match.owner, [])
            if len(kept) < self.max_snippets:
                source = title if match.field == "title" else text
                kept.append(self.snippet(source, match.start, match.end, match.field))
        ordered = [ident for ident in self._order if ident in counts]
        return TagResult(
            candidates=[i for i in ordered if i in self._candidate_ids],
            topics=[i for i in ordered if i not in self._candidate_ids],
            mentions={ident: Mention(counts[ident], tuple(snippets[ident])) for ident in ordered},
            matches=matches,
        )

    def apply(self, document: Document) -> Document:
        """Set ``candidates``, ``topics`` and ``mentions`` on ``document`` (and return it).

        A reply in a forum thread and a reader's comment carry the thread's (or the post's)
        title for display, but their authors did not write it: only their own text counts.
        """
        inherited_title = document.kind == "comment" or (document.kind == "forum_post" and (document.position or 1) > 1)
        result = self.tag("" if inherited_title else document.title, document.text)
        document.candidates = result.candidates
        document.topics = result.topics
        document.mentions = result.mentions
        return document
