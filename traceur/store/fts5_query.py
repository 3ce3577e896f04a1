"""The query language (:mod:`traceur.enrich.query`) as SQLite FTS5 expressions: what
FTS5 can express goes to one MATCH, the rest becomes a SQL condition over several.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice, product
from typing import TYPE_CHECKING

from traceur.enrich.query import (
    And,
    Near,
    Node,
    Not,
    Operand,
    Or,
    Phrase,
    Prefix,
    Term,
    format_query,
    join_nodes,
)

if TYPE_CHECKING:
    pass

# FTS5 keeps the ligatures œ and æ where fold_plain writes "oe" and "ae"; a word with
# these letters is sent to FTS5 in each spelling (see _spellings), at most this many.
MAX_SPELLINGS = 16

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
        (piece, "œ" if piece == "oe" else "æ") if piece in ("oe", "ae") else (piece,)
        for piece in pieces
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
        parts = [
            _spellings(word, operand.prefix and i == last) for i, word in enumerate(operand.words)
        ]
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
        return _either(
            [
                f"NEAR({a} {b}, {node.distance})"
                for a, b in islice(product(left, right), MAX_SPELLINGS)
            ]
        )
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
        match=to_fts5(join_nodes(And, matched)) if matched else None,
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
    return (
        "("
        + glue.join(_fts5_condition(child, table, rowid, params) for child in node.children)
        + ")"
    )
