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
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice, product
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence, Union

from .errors import QueryError
from .textnorm import fold_plain

if TYPE_CHECKING:
    from .watchlist import Topic

# Big enough for any sensible proximity, small enough for Elasticsearch's int slop.
MAX_DISTANCE = 1000
# FTS5 keeps the ligatures œ and æ where fold_plain writes "oe" and "ae"; a word with
# these letters is sent to FTS5 in each spelling (see _fts5_spellings), at most this many.
MAX_SPELLINGS = 16

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


Operand = Union[Term, Prefix, Phrase]


@dataclass(frozen=True)
class Near:
    """Both operands in the same field, at most ``distance`` words apart (see the module docstring)."""

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


Node = Union[Term, Prefix, Phrase, Near, And, Or, Not]


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
    tokens: list[_Token] = []
    at = 0
    length = len(text)
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
                raise QueryError(text, at + 1, "a closing '\"' for the phrase that starts here", "end of query",
                                 "close the phrase, or remove the quote")
            end = close + 1
            prefix = end < length and text[end] == "*"
            while end < length and text[end] == "*":
                end += 1
            words = tuple(words_of(text[at + 1 : close]))
            if not words:
                raise QueryError(text, at + 1, "words between the quotes", f"the empty phrase {text[at:end]}")
            tokens.append(_Token("phrase", text[at:end], at + 1, words, prefix))
            at = end
        else:
            end = at
            while end < length and not text[end].isspace() and text[end] not in '()"':
                end += 1
            raw = text[at:end]
            token = _word_token(text, raw, at + 1)
            if token is not None:
                tokens.append(token)
            at = end
    tokens.append(_Token("end", "", length + 1))
    return tokens


def _word_token(text: str, raw: str, column: int) -> _Token | None:
    if raw in ("AND", "OR", "NOT"):
        return _Token(raw, raw, column)
    if raw == "NEAR" or raw.startswith("NEAR/"):
        match = _NEAR.fullmatch(raw)
        if match is None:
            raise QueryError(text, column, "a distance after NEAR, as in NEAR/5", raw)
        distance = int(match.group(1))
        if distance > MAX_DISTANCE:
            raise QueryError(text, column + 5, f"a distance from 0 to {MAX_DISTANCE}", match.group(1))
        return _Token("NEAR", raw, column, distance=distance)
    stem = raw.rstrip("*")
    if "*" in stem:
        raise QueryError(text, column + stem.index("*"), '"*" only at the end of a word (a prefix)', f'"*" inside {raw}')
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


def _joined(kind: type[And] | type[Or], parts: list[Node]) -> Node:
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
            raise QueryError(self.text, token.column, "end of query", f'{token.describe()} that closes no "("',
                             'remove it, or open it with "(" earlier')
        return node

    def _or(self, where: str) -> Node:
        parts = [self._and(where)]
        while self._peek().kind == "OR":
            self._next()
            parts.append(self._and("after OR"))
        return _joined(Or, parts)

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
                return _joined(And, parts)

    def _unary(self, where: str) -> Node:
        if self._peek().kind == "NOT":
            self._next()
            return Not(self._unary("after NOT"))
        return self._near(where)

    def _near(self, where: str) -> Node:
        first = self._peek()
        left = self._primary(where)
        if self._peek().kind != "NEAR":
            return left
        near = self._next()
        hint = "NEAR/n joins two words or phrases"
        if first.kind == "(":
            raise QueryError(self.text, first.column, f'a word or a "phrase" before {near.text}', "a group in parentheses", hint)
        token = self._next()
        if token.kind not in ("word", "phrase"):
            raise self._fail(token, f'a word or a "phrase" after {near.text}', hint)
        following = self._peek()
        if following.kind == "NEAR":
            raise self._fail(following, f'AND, OR, ")" or the end after {first.text} {near.text} {token.text}',
                             f"{hint}: write ({first.text} {near.text} {token.text}) AND ({token.text} {following.text} ...)")
        assert isinstance(left, (Term, Prefix, Phrase))
        return Near((left, _operand(token)), near.distance)

    def _primary(self, where: str) -> Node:
        token = self._next()
        if token.kind in ("word", "phrase"):
            return _operand(token)
        if token.kind == "(":
            inside = self._or('after "("')
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


@lru_cache(maxsize=256)
def _parse_cached(text: str) -> Node:
    # Topic queries are parsed once per process, not once per document.
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
        return f"{format_query(node.operands[0])} NEAR/{node.distance} {format_query(node.operands[1])}"
    if isinstance(node, Not):
        inner = format_query(node.child)
        return f"NOT ({inner})" if isinstance(node.child, (And, Or)) else f"NOT {inner}"
    if isinstance(node, And):
        return " AND ".join(f"({format_query(c)})" if isinstance(c, Or) else format_query(c) for c in node.children)
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
                    self.words[start + last].startswith(words[last]) if operand.prefix else self.words[start + last] == words[last]
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


def matches_topic(topic: Topic, title: str, text: str, by_keywords: bool = False, lang: str | None = None) -> bool:
    """Whether a document is about ``topic``.

    A topic with a ``query`` is about the documents its query matches (in the topic's
    languages, when it names some and ``lang`` is known); without one, its keywords decide:
    ``by_keywords`` is what the tagger found.
    """
    if topic.query is None:
        return by_keywords
    if lang is not None and topic.lang and lang not in topic.lang:
        return False
    return evaluate(_parse_cached(topic.query), title, text)


# -- SQLite FTS5 ----------------------------------------------------------------------


def _spellings(word: str, prefix: bool) -> list[str]:
    """The ways FTS5 may have indexed a folded word.

    unicode61 folds case and accents but keeps the ligatures: "cœur" is indexed as "cœur",
    where fold_plain (and so the query, the Python evaluator and Elasticsearch) reads
    "coeur". Each "oe"/"ae" may therefore be "œ"/"æ" in the index; a prefix ending in "o"
    or "a" may be the start of one too ("co*" must find "cœur").
    """
    pieces = re.split(r"(oe|ae)", word)
    choices: list[tuple[str, ...]] = [
        (piece, "œ" if piece == "oe" else "æ") if piece in ("oe", "ae") else (piece,) for piece in pieces
    ]
    if prefix and word.endswith(("o", "a")) and not word.endswith(("oe", "ae")):
        last = choices[-1][0]
        choices[-1] = (last, last[:-1] + ("œ" if last.endswith("o") else "æ"))
    return ["".join(combo) for combo in islice(product(*choices), MAX_SPELLINGS)]


def _fts5_strings(operand: Operand) -> list[str]:
    """``operand`` as FTS5 phrase strings, one per spelling (see ``_spellings``)."""
    if isinstance(operand, Term):
        parts = [_spellings(operand.word, False)]
        prefix = False
    elif isinstance(operand, Prefix):
        parts = [_spellings(operand.stem, True)]
        prefix = True
    else:
        last = len(operand.words) - 1
        parts = [_spellings(word, operand.prefix and i == last) for i, word in enumerate(operand.words)]
        prefix = operand.prefix
    # Words are letters and digits only, so no quote to escape; double them anyway.
    return [
        '"' + " ".join(combo).replace('"', '""') + '"' + ("*" if prefix else "")
        for combo in islice(product(*parts), MAX_SPELLINGS)
    ]


def _either(expressions: Sequence[str]) -> str:
    return expressions[0] if len(expressions) == 1 else "(" + " OR ".join(expressions) + ")"


def fts5_expressible(node: Node) -> bool:
    """Whether one FTS5 MATCH expression says ``node``: FTS5's NOT is binary (``a NOT b``),
    so every NOT must stand in an AND beside at least one term that is not negated."""
    if isinstance(node, (Term, Prefix, Phrase, Near)):
        return True
    if isinstance(node, Not):
        return False
    if isinstance(node, Or):
        return all(fts5_expressible(child) for child in node.children)
    negated = [child.child for child in node.children if isinstance(child, Not)]
    positive = [child for child in node.children if not isinstance(child, Not)]
    return bool(positive) and all(fts5_expressible(child) for child in positive + negated)


def to_fts5(node: Node) -> str:
    """The FTS5 MATCH expression of ``node``.

    Raises ``ValueError`` when FTS5 cannot express it (``fts5_expressible`` is false: a NOT
    alone, or beside no positive term); ``to_fts5_plan`` runs every query.
    """
    if isinstance(node, (Term, Prefix, Phrase)):
        return _either(_fts5_strings(node))
    if isinstance(node, Near):
        left, right = (_fts5_strings(operand) for operand in node.operands)
        return _either([f"NEAR({a} {b}, {node.distance})" for a, b in islice(product(left, right), MAX_SPELLINGS)])
    if isinstance(node, Not):
        raise ValueError(f"FTS5 has no lone NOT: {format_query(node)!r} needs to_fts5_plan")
    if isinstance(node, Or):
        return "(" + " OR ".join(to_fts5(child) for child in node.children) + ")"
    positive = [to_fts5(child) for child in node.children if not isinstance(child, Not)]
    if not positive:
        raise ValueError(f"FTS5 has no lone NOT: {format_query(node)!r} needs to_fts5_plan")
    expression = positive[0] if len(positive) == 1 else "(" + " AND ".join(positive) + ")"
    for child in node.children:
        if isinstance(child, Not):
            expression = f"({expression} NOT {to_fts5(child.child)})"
    return expression


@dataclass(frozen=True)
class Fts5Plan:
    """How an FTS5 table answers a query.

    ``match``: the expression for ``<table> MATCH ?``, which FTS5 ranks and highlights;
    None when the query has no positive part FTS5 can match alone (``NOT tramway``).
    ``condition``: an SQL condition on the row id, with ``params``, for the rest: the parts
    FTS5 cannot express, run as "documents minus matches" (``rowid NOT IN (SELECT rowid
    ... MATCH ?)``). Rows must satisfy both.
    """

    match: str | None
    condition: str | None = None
    params: tuple[str, ...] = ()


def to_fts5_plan(node: Node, table: str, rowid: str) -> Fts5Plan:
    """Plan ``node`` on FTS5 table ``table`` whose row ids are ``rowid`` in the outer query."""
    children: Sequence[Node] = node.children if isinstance(node, And) else (node,)
    positive = [c for c in children if not isinstance(c, Not) and fts5_expressible(c)]
    negated = [c for c in children if isinstance(c, Not) and fts5_expressible(c.child)]
    matched: list[Node] = positive + negated if positive else []
    rest = [c for c in children if not any(c is m for m in matched)]
    params: list[str] = []
    conditions = [_fts5_condition(child, table, rowid, params) for child in rest]
    return Fts5Plan(
        match=to_fts5(_joined(And, matched)) if matched else None,
        condition=" AND ".join(conditions) if conditions else None,
        params=tuple(params),
    )


def _fts5_condition(node: Node, table: str, rowid: str, params: list[str]) -> str:
    if isinstance(node, Not):
        return f"NOT ({_fts5_condition(node.child, table, rowid, params)})"
    if fts5_expressible(node):
        params.append(to_fts5(node))
        return f"{rowid} IN (SELECT rowid FROM {table} WHERE {table} MATCH ?)"
    assert isinstance(node, (And, Or))
    glue = " AND " if isinstance(node, And) else " OR "
    return "(" + glue.join(_fts5_condition(child, table, rowid, params) for child in node.children) + ")"


# -- Elasticsearch --------------------------------------------------------------------


def _field_boosts(fields: Iterable[str]) -> list[tuple[str, float]]:
    boosted: list[tuple[str, float]] = []
    for spec in fields:
        name, _, boost = spec.partition("^")
        boosted.append((name, float(boost) if boost else 1.0))
    return boosted


def _span(operand: Operand, field: str) -> dict[str, Any]:
    # Span queries are not analysed: the words are already folded and cut as the folded
    # fields index them.
    if isinstance(operand, Term):
        return {"span_term": {field: operand.word}}
    if isinstance(operand, Prefix):
        return {"span_multi": {"match": {"prefix": {field: {"value": operand.stem}}}}}
    clauses: list[dict[str, Any]] = [{"span_term": {field: word}} for word in operand.words]
    if operand.prefix:
        clauses[-1] = _span(Prefix(operand.words[-1]), field)
    return {"span_near": {"clauses": clauses, "slop": 0, "in_order": True}}


def _leaf(node: Operand | Near, field: str, boost: float) -> dict[str, Any]:
    if isinstance(node, Term):
        return {"match_phrase": {field: {"query": node.word, "boost": boost}}}
    if isinstance(node, Prefix):
        # A prefix query finds every word, where match_phrase_prefix stops at max_expansions.
        return {"prefix": {field: {"value": node.stem, "boost": boost}}}
    if isinstance(node, Phrase) and not node.prefix:
        return {"match_phrase": {field: {"query": " ".join(node.words), "boost": boost}}}
    if isinstance(node, Phrase):
        span = _span(node, field)
        span["span_near"]["boost"] = boost
        return span
    clauses = [_span(operand, field) for operand in node.operands]
    return {"span_near": {"clauses": clauses, "slop": node.distance, "in_order": False, "boost": boost}}


def to_elasticsearch(node: Node, fields: Sequence[str]) -> dict[str, Any]:
    """The Elasticsearch query of ``node`` over ``fields`` (names, ``"title_folded^5"`` to boost).

    The fields must hold folded words cut as ``words_of`` cuts them: the ``*_folded``
    copies (standard analyzer over text folded in Python) or the ``.folded`` sub-fields of
    French clusters. Words and phrases are ``match_phrase``, prefixes ``prefix``, NEAR/n
    an unordered ``span_near`` with slop n; each searches every field, and a match in any
    one counts (a phrase or a NEAR must lie within one field, as in FTS5).
    """
    boosted = _field_boosts(fields)
    if isinstance(node, (Term, Prefix, Phrase, Near)):
        queries = [_leaf(node, name, boost) for name, boost in boosted]
        return queries[0] if len(queries) == 1 else {"bool": {"should": queries, "minimum_should_match": 1}}
    if isinstance(node, Not):
        # A bool query with only must_not matches every other document.
        return {"bool": {"must_not": [to_elasticsearch(node.child, fields)]}}
    if isinstance(node, Or):
        return {"bool": {"should": [to_elasticsearch(c, fields) for c in node.children], "minimum_should_match": 1}}
    query: dict[str, Any] = {}
    must = [to_elasticsearch(c, fields) for c in node.children if not isinstance(c, Not)]
    must_not = [to_elasticsearch(c.child, fields) for c in node.children if isinstance(c, Not)]
    if must:
        query["must"] = must
    if must_not:
        query["must_not"] = must_not
    return {"bool": query}


__all__ = [
    "And", "Fts5Plan", "MAX_DISTANCE", "Near", "Node", "Not", "Operand", "Or", "Phrase", "Prefix", "Term",
    "evaluate", "format_query", "fts5_expressible", "matches_topic", "parse", "to_elasticsearch", "to_fts5",
    "to_fts5_plan", "words_of",
]
