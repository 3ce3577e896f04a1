"""The search syntax of ``traceur search``, matched against one document in Python.

Alert rules filter documents one at a time as they arrive, with either store, so the
query is evaluated here rather than by asking the store: words are all required,
``"quoted words"`` are a phrase, a trailing ``*`` makes a prefix, ``OR`` and ``NOT`` (in
capitals) and parentheses combine terms. Matching ignores case and accents and splits
words like the SQLite store's tokenizer (letters and digits; everything else separates),
so a rule's query finds what ``traceur search`` finds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

from ..textnorm import fold_plain

_TOKEN = re.compile(r'"[^"]*"?|\(|\)|[^\s()"]+')
_WORD = re.compile(r"[^\W_]+")


class QuerySyntaxError(ValueError):
    """The query cannot be read; the message says where."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # folded; more than one: a phrase
    prefix: bool = False  # the last word is a prefix


@dataclass(frozen=True)
class All:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Any_:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Without:
    keep: Node
    drop: Node


Node = Union[Term, All, Any_, Without]


def words_of(text: str) -> list[str]:
    """Folded words, as the store's tokenizer cuts them."""
    return _WORD.findall(fold_plain(text))


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens: list[str] = _TOKEN.findall(text)
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def any_(self) -> Node | None:
        parts = [self.all_()]
        while self.peek() == "OR":
            self.take()
            parts.append(self.all_())
        kept = [p for p in parts if p is not None]
        if len(kept) != len(parts):
            raise QuerySyntaxError("OR needs a term on each side")
        return kept[0] if len(kept) == 1 else Any_(tuple(kept))

    def all_(self) -> Node | None:
        parts: list[Node] = []
        while True:
            token = self.peek()
            if token is None or token in (")", "OR"):
                break
            if token == "AND":
                self.take()
                if not parts:
                    raise QuerySyntaxError("AND needs a term before it")
                continue
            if token == "NOT":
                if not parts:
                    raise QuerySyntaxError("NOT needs a term before it, e.g. martin NOT luther")
                self.take()
                drop = self.primary()
                if drop is None:
                    raise QuerySyntaxError("NOT needs a term after it")
                parts[-1] = Without(parts[-1], drop)
                continue
            node = self.primary()
            if node is not None:
                parts.append(node)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else All(tuple(parts))

    def primary(self) -> Node | None:
        token = self.take()
        if token == "(":
            inner = self.any_()
            if self.peek() != ")":
                raise QuerySyntaxError("a parenthesis is not closed")
            self.take()
            if inner is None:
                raise QuerySyntaxError("empty parentheses")
            return inner
        if token == ")":
            raise QuerySyntaxError("a closing parenthesis has no opening one")
        if token.startswith('"'):
            if len(token) < 2 or not token.endswith('"'):
                raise QuerySyntaxError("a quote is not closed")
            words = words_of(token[1:-1])
            return Term(tuple(words)) if words else None
        prefix = token.endswith("*")
        words = words_of(token.rstrip("*"))
        return Term(tuple(words), prefix) if words else None


def parse_query(text: str) -> Node | None:
    """The query as a tree; ``None`` for an empty query (which matches everything)."""
    parser = _Parser(text)
    node = parser.any_()
    if parser.peek() is not None:
        raise QuerySyntaxError("a closing parenthesis has no opening one")
    return node


class _Field:
    def __init__(self, text: str) -> None:
        self.words = words_of(text)
        self.positions: dict[str, list[int]] = {}
        for index, word in enumerate(self.words):
            self.positions.setdefault(word, []).append(index)

    def has(self, term: Term) -> bool:
        first, rest = term.words[0], term.words[1:]
        if not rest and term.prefix:
            return any(word.startswith(first) for word in self.positions)
        for start in self.positions.get(first, ()) if rest or not term.prefix else ():
            tail = self.words[start + 1 : start + 1 + len(rest)]
            if len(tail) < len(rest):
                continue
            if term.prefix:
                if tail[:-1] == list(rest[:-1]) and tail[-1].startswith(rest[-1]):
                    return True
            elif tail == list(rest):
                return True
        return False


def _eval(node: Node, fields: list[_Field]) -> bool:
    if isinstance(node, Term):
        return any(f.has(node) for f in fields)
    if isinstance(node, All):
        return all(_eval(part, fields) for part in node.parts)
    if isinstance(node, Any_):
        return any(_eval(part, fields) for part in node.parts)
    return _eval(node.keep, fields) and not _eval(node.drop, fields)


def query_matches(node: Node | None, title: str, text: str) -> bool:
    """Whether a document with this title and text matches the parsed query."""
    if node is None:
        return True
    return _eval(node, [_Field(title), _Field(text)])
