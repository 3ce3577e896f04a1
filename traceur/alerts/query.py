"""Alert rules filter with the one query language of Traceur (``traceur.query``): the
syntax of ``traceur search`` and of topic queries, evaluated on one document in Python
as documents arrive, so a rule works the same with either store.
"""

from __future__ import annotations

from ..errors import QueryError
from ..query import Node, evaluate, parse, words_of

# Kept under the name the rules module catches.
QuerySyntaxError = QueryError

__all__ = ["Node", "QuerySyntaxError", "parse_query", "query_matches", "words_of"]


def parse_query(text: str) -> Node | None:
    """The parsed query; None for a blank one, which matches every document."""
    return parse(text) if text.strip() else None


def query_matches(node: Node | None, title: str, text: str) -> bool:
    return True if node is None else evaluate(node, title, text)
