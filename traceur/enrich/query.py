"""The query language of ``traceur search`` and of watchlist topics (``query:``).

One syntax, parsed once into a tree, and evaluated three ways that find the same
documents: in Python on one document (``evaluate``, for topics), as an SQLite FTS5 MATCH
expression (``to_fts5``, ``to_fts5_plan``) and as an Elasticsearch query
(``to_elasticsearch``).

Syntax::

    tramway                  a word
    "logements sociaux"      a phrase: these words, side by side, in this order
    vidéo*                   a prefix: any word starting with "video"
    "saint mart"*            a phrase whose last word is a prefix
    a AND b,  a b            both (two terms side by side are ANDed)
    a OR b                   either
    NOT a                    not a (alone too: "NOT tramway" is every other document)
    a NEAR/5 b               a and b in the same field, in either order, with at most
                             5 words between them
    ( ... )                  grouping

Operators are written in capitals (``and``, ``or``, ``not``, ``near`` are words); quote
one to search it as a word (``"NOT"``). Precedence, tightest first: NEAR/n, NOT, AND,
OR: ``a b OR c`` is ``(a AND b) OR c`` and ``NOT a b`` is ``(NOT a) AND b``.

Words are compared folded (``traceur.textnorm.fold_plain``: case, accents, ligatures,
curly apostrophes) and cut into words the way FTS5's ``unicode61`` tokenizer cuts them: a
word is a run of letters and digits, and every other character (apostrophe, hyphen, dot,
underscore...) separates words. So ``l'adjoint`` is the phrase ``"l adjoint"``,
``Saint-Martin`` the phrase ``"saint martin"``, and ``élodie`` finds "Élodie". A word made
only of punctuation (``-``, ``&``, ``…``) is ignored, like a space.

NEAR/n joins exactly two operands, each a word, a prefix or a phrase (not a group): it
matches when both occur in the same field (title or text) and, taking the occurrence that
starts first, at most n words stand between its end and the start of the other. Order
does not matter; ``NEAR/0`` means side by side. Two occurrences may overlap (as in FTS5 and
in Elasticsearch's span queries): ``martin NEAR/3 martin`` is true of a single "martin".
A chain ``a NEAR/3 b NEAR/3 c`` is refused: FTS5 and Elasticsearch measure a group of
three differently; write ``(a NEAR/3 b) AND (b NEAR/3 c)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from traceur.errors import QueryError
from traceur.textnorm import fold_plain

# Big enough for any sensible proximity, small enough for Elasticsearch's int slop.
MAX_DISTANCE = 1000
# Limits that keep a hostile or mistaken query (a topic hot-edited into the scheduler's
# watchlist, a search typed in the web app) from exhausting the parser, the recursive
# translations or a store: the parser and every translation recurse once per level, and
# Elasticsearch refuses a query of more than about a thousand clauses (each word becomes
# one clause per searched field, four of them).
MAX_QUERY_LENGTH = 2000  # characters
MAX_QUERY_DEPTH = 20  # nested parentheses and NOTs
MAX_QUERY_WORDS = 100  # words and phrases
# A word: a run of letters and digits (str.isalnum), as unicode61 sees tokens.
_WORD = re.compile(r"[^\W_]+")
_NEAR = re.compile(r"NEAR/(\d+)")
_OPERAND = 'a word, a "phrase" or "("'


# -- the tree -------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One folded word."""

    word: str


@dataclass(frozen=True)
class Prefix:
    """Any word starting with ``stem`` (folded)."""

    stem: str


@dataclass(frozen=True)
class Phrase:
    """Two or more folded words side by side, in order; the last one a prefix when ``prefix``."""

    words: tuple[str, ...]
    prefix: bool = False


Operand = Term | Prefix | Phrase


@dataclass(frozen=True)
class Near:
    """Both operands in the same field, at most ``distance`` words apart (see the module
    docstring)."""

    operands: tuple[Operand, Operand]
    distance: int


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


Node = Term | Prefix | Phrase | Near | And | Or | Not


def words_of(text: str) -> list[str]:
    """``text`` folded and cut into words, as the FTS5 index and the folded ES fields hold it."""
    return _WORD.findall(fold_plain(text))


# -- tokens ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # "word", "phrase", "(", ")", "AND", "OR", "NOT", "NEAR", "end"
    text: str  # as written
    column: int  # 1-based
    words: tuple[str, ...] = ()
    prefix: bool = False
    distance: int = 0

    def describe(self) -> str:
        if self.kind == "end":
            return "end of query"
        if self.kind in ("(", ")"):
            return f'"{self.kind}"'
        if self.kind == "word":
            return f"the word {self.text}"
        if self.kind == "phrase":
            return f"the phrase {self.text}"
        return self.text


def _tokens(text: str) -> list[_Token]:
    length = len(text)
    if length > MAX_QUERY_LENGTH:
        raise QueryError(
            text,
            MAX_QUERY_LENGTH + 1,
            f"a query of at most {MAX_QUERY_LENGTH} characters",
            f"{length} characters",
            "shorten it, or split it into several searches or topics",
        )
    tokens: list[_Token] = []
    operands = 0
    at = 0
    while at < length:
        ch = text[at]
        if ch.isspace():
            at += 1
        elif ch in "()":
            tokens.append(_Token(ch, ch, at + 1))
            at += 1
        elif ch == '"':
            close = text.find('"', at + 1)
            if close < 0:
                raise QueryError(
                    text,
                    at + 1,
                    "a closing '\"' for the phrase that starts here",
                    "end of query",
                    "close the phrase, or remove the quote",
                )
            end = close + 1
            prefix = end < length and text[end] == "*"
            while end < length and text[end] == "*":
                end += 1
            words = tuple(words_of(text[at + 1 : close]))
            if not words:
                raise QueryError(
                    text, at + 1, "words between the quotes", f"the empty phrase {text[at:end]}"
                )
            tokens.append(_Token("phrase", text[at:end], at + 1, words, prefix))
            operands += 1
            at = end
        else:
            end = at
            while end < length and not text[end].isspace() and text[end] not in '()"':
                end += 1
            raw = text[at:end]
            token = _word_token(text, raw, at + 1)
            if token is not None:
                tokens.append(token)
                operands += token.kind == "word"
            at = end
        if operands > MAX_QUERY_WORDS:
            raise QueryError(
                text,
                tokens[-1].column,
                f"at most {MAX_QUERY_WORDS} words and phrases",
                f"{tokens[-1].describe()} (word number {MAX_QUERY_WORDS + 1})",
                "split the query into several searches or topics",
            )
    tokens.append(_Token("end", "", length + 1))
    return tokens


def _shorten(raw: str) -> str:
    # An error message quotes what it found, never thousands of characters of it.
    return raw if len(raw) <= 40 else f"{raw[:37]}... ({len(raw)} characters)"


def _word_token(text: str, raw: str, column: int) -> _Token | None:
    if raw in ("AND", "OR", "NOT"):
        return _Token(raw, raw, column)
    if raw == "NEAR" or raw.startswith("NEAR/"):
        match = _NEAR.fullmatch(raw)
        if match is None:
            raise QueryError(text, column, "a distance after NEAR, as in NEAR/5", _shorten(raw))
        digits = match.group(1).lstrip("0") or "0"
        # Compared as text first: int() of thousands of digits is slow, then refused.
        if len(digits) > len(str(MAX_DISTANCE)) or int(digits) > MAX_DISTANCE:
            raise QueryError(
                text, column + 5, f"a distance from 0 to {MAX_DISTANCE}", _shorten(match.group(1))
            )
        distance = int(digits)
        return _Token("NEAR", raw, column, distance=distance)
    stem = raw.rstrip("*")
    if "*" in stem:
        raise QueryError(
            text,
            column + stem.index("*"),
            '"*" only at the end of a word (a prefix)',
            f'"*" inside {raw}',
        )
    words = tuple(words_of(stem))
    if not words:
        if len(stem) < len(raw):
            raise QueryError(text, column, 'a word before "*"', raw)
        # Punctuation alone ("-", "&", "…") separates words, as it does in the text.
        return None
    return _Token("word", raw, column, words, prefix=len(stem) < len(raw))


# -- parsing --------------------------------------------------------------------------


def _operand(token: _Token) -> Operand:
    if len(token.words) == 1:
        return Prefix(token.words[0]) if token.prefix else Term(token.words[0])
    return Phrase(token.words, token.prefix)


def join_nodes(kind: type[And] | type[Or], parts: list[Node]) -> Node:
    if len(parts) == 1:
        return parts[0]
    children: list[Node] = []
    for part in parts:
        # (a AND b) AND c is a AND b AND c: one level, simpler translations.
        children.extend(part.children if isinstance(part, kind) else (part,))
    return kind(tuple(children))


class _Parser:
    """Recursive descent over the tokens; each method parses one precedence level.

    ``where`` tells the first operand's context for error messages ("after AND").
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.at = 0
        self.depth = 0  # open parentheses and NOTs around the current token

    def _deeper(self, token: _Token) -> None:
        # Every level is a recursive call here and in each translation: bounded, a query of
        # ten thousand NOTs or parentheses is a clean error, never a RecursionError.
        self.depth += 1
        if self.depth > MAX_QUERY_DEPTH:
            raise QueryError(
                self.text,
                token.column,
                f"at most {MAX_QUERY_DEPTH} nested parentheses and NOTs",
                f"{token.describe()}, one level more",
                "remove the extra levels (NOT NOT a is a; ((a)) is a)",
            )

    def _peek(self) -> _Token:
        return self.tokens[self.at]

    def _next(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def _fail(self, token: _Token, expected: str, hint: str = "") -> QueryError:
        return QueryError(self.text, token.column, expected, token.describe(), hint)

    def parse(self) -> Node:
        node = self._or("at the start of the query")
        token = self._peek()
        if token.kind != "end":
            # Every other token continues an AND or an OR: only ")" can be left over.
            raise QueryError(
                self.text,
                token.column,
                "end of query",
                f'{token.describe()} that closes no "("',
                'remove it, or open it with "(" earlier',
            )
        return node

    def _or(self, where: str) -> Node:
        parts = [self._and(where)]
        while self._peek().kind == "OR":
            self._next()
            parts.append(self._and("after OR"))
        return join_nodes(Or, parts)

    def _and(self, where: str) -> Node:
        parts = [self._unary(where)]
        while True:
            kind = self._peek().kind
            if kind == "AND":
                self._next()
                parts.append(self._unary("after AND"))
            elif kind in ("word", "phrase", "(", "NOT"):
                # Side by side: an implicit AND.
                parts.append(self._unary(""))
            else:
                return join_nodes(And, parts)

    def _unary(self, where: str) -> Node:
        if self._peek().kind == "NOT":
            self._deeper(self._next())
            child = self._unary("after NOT")
            self.depth -= 1
            return Not(child)
        return self._near(where)

    def _near(self, where: str) -> Node:
        first = self._peek()
        left = self._primary(where)
        if self._peek().kind != "NEAR":
            return left
        near = self._next()
        hint = "NEAR/n joins two words or phrases"
        if first.kind == "(":
            raise QueryError(
                self.text,
                first.column,
                f'a word or a "phrase" before {near.text}',
                "a group in parentheses",
                hint,
            )
        token = self._next()
        if token.kind not in ("word", "phrase"):
            raise self._fail(token, f'a word or a "phrase" after {near.text}', hint)
        following = self._peek()
        if following.kind == "NEAR":
            raise self._fail(
                following,
                f'AND, OR, ")" or the end after {first.text} {near.text} {token.text}',
                f"{hint}: write ({first.text} {near.text} {token.text}) AND"
                f" ({token.text} {following.text} ...)",
            )
        assert isinstance(left, (Term, Prefix, Phrase))
        return Near((left, _operand(token)), near.distance)

    def _primary(self, where: str) -> Node:
        token = self._next()
        if token.kind in ("word", "phrase"):
            return _operand(token)
        if token.kind == "(":
            self._deeper(token)
            inside = self._or('after "("')
            self.depth -= 1
            close = self._next()
            if close.kind != ")":
                raise self._fail(close, f'")" to close the "(" of column {token.column}')
            return inside
        raise self._fail(token, f"{_OPERAND} {where}".rstrip())


def parse(text: str) -> Node:
    """Parse a query into its tree; raise ``QueryError`` (column, expected, found) if malformed.

    An empty query is an error too: callers that accept one (a listing) check first.
    """
    return _Parser(text).parse()


def prefix_columns(text: str) -> list[tuple[int, str]]:
    """(column, prefix as written) of each prefix of a well-formed query, in order: what a
    store that expands prefixes into words (Elasticsearch's span queries) reports."""
    return [(token.column, token.text) for token in _tokens(text) if token.prefix]


@lru_cache(maxsize=256)
def parse_cached(text: str) -> Node:
    # Topic and alert queries are parsed once per process, not once per document.
    return parse(text)


def format_query(node: Node) -> str:
    """The query written back in the language (folded words, explicit operators);
    ``parse(format_query(node)) == node``."""
    if isinstance(node, Term):
        return node.word
    if isinstance(node, Prefix):
        return node.stem + "*"
    if isinstance(node, Phrase):
        return '"' + " ".join(node.words) + '"' + ("*" if node.prefix else "")
    if isinstance(node, Near):
        return (
            f"{format_query(node.operands[0])} NEAR/{node.distance}"
            f" {format_query(node.operands[1])}"
        )
    if isinstance(node, Not):
        inner = format_query(node.child)
        return f"NOT ({inner})" if isinstance(node.child, (And, Or)) else f"NOT {inner}"
    if isinstance(node, And):
        return " AND ".join(
            f"({format_query(c)})" if isinstance(c, Or) else format_query(c) for c in node.children
        )
    return " OR ".join(format_query(c) for c in node.children)


# -- evaluation in Python -------------------------------------------------------------


class _Field:
    """One field's words and where each word stands."""

    __slots__ = ("words", "positions")

    def __init__(self, text: str) -> None:
        self.words = words_of(text)
        self.positions: dict[str, list[int]] = {}
        for position, word in enumerate(self.words):
            self.positions.setdefault(word, []).append(position)

    def occurrences(self, operand: Operand) -> Iterator[tuple[int, int]]:
        """(start, length) of each occurrence of ``operand``, in order."""
        if isinstance(operand, Term):
            for position in self.positions.get(operand.word, ()):
                yield position, 1
        elif isinstance(operand, Prefix):
            for position, word in enumerate(self.words):
                if word.startswith(operand.stem):
                    yield position, 1
        else:
            words, size = operand.words, len(operand.words)
            last = size - 1
            for start in self.positions.get(words[0], ()):
                if start + size > len(self.words):
                    break
                if all(self.words[start + i] == words[i] for i in range(1, last)) and (
                    self.words[start + last].startswith(words[last])
                    if operand.prefix
                    else self.words[start + last] == words[last]
                ):
                    yield start, size

    def near(self, node: Near) -> bool:
        left, right = node.operands
        others = list(self.occurrences(right))
        if not others:
            return False
        for start, size in self.occurrences(left):
            for other_start, other_size in others:
                # Words between the end of the occurrence that starts first and the start of
                # the other (negative when they overlap): FTS5's and Lucene's measure.
                if start <= other_start:
                    between = other_start - start - size
                else:
                    between = start - other_start - other_size
                if between <= node.distance:
                    return True
        return False


@lru_cache(maxsize=32)
def _fields(title: str, text: str) -> tuple[_Field, _Field]:
    # Cached: several topic queries are evaluated on the same document in a row.
    return _Field(title), _Field(text)


def _matches(node: Node, fields: tuple[_Field, ...]) -> bool:
    if isinstance(node, (Term, Prefix, Phrase)):
        return any(next(field.occurrences(node), None) is not None for field in fields)
    if isinstance(node, Near):
        return any(field.near(node) for field in fields)
    if isinstance(node, Not):
        return not _matches(node.child, fields)
    if isinstance(node, And):
        return all(_matches(child, fields) for child in node.children)
    return any(_matches(child, fields) for child in node.children)


def evaluate(node: Node, title: str, text: str) -> bool:
    """Whether a document with this title and text matches the query."""
    return _matches(node, _fields(title, text))
