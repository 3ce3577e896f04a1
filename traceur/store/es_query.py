"""Reading the Elasticsearch store: the query language as Elasticsearch queries, the
search filters, and the highlight fragments of the hits.

Searching uses the query language of ``traceur.enrich.query`` (words ANDed, "phrases",
prefix*, upper-case AND/OR/NOT, NEAR/n and parentheses), translated by ``to_elasticsearch``,
on accent-folded fields cut into words as SQLite's unicode61 cuts them, so both stores find
the same documents for the same query. Where the cluster has the analysis-common module,
the ``.folded`` sub-fields fold accents in the analyzer. Where it has not (the stripped test
distribution), we index folded copies made in Python, ``title_folded`` and ``text_folded``
(``folded_copy``, also used by the writer): the standard analyzer cannot fold, and adding
analysis plugins to a cluster is not a store's business. Queries ask both kinds of field,
so indices of either kind answer alike. The stemmed French fields are not searched:
"logement" does not find "logements", as in SQLite.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from traceur.document import Document, format_utc
from traceur.enrich.query import (
    Near,
    Node,
    Not,
    Operand,
    Or,
    Phrase,
    Prefix,
    Term,
    parse,
    prefix_columns,
)
from traceur.errors import QueryError, StoreError
from traceur.store.base import HIGHLIGHT_END, HIGHLIGHT_START, SearchQuery
from traceur.textnorm import fold

# The store's own fields, never handed back to readers of documents.
HIDDEN_FIELDS = [
    "title_folded",
    "text_folded",
    "fingerprint",
    "stored_at",
    "seq",
    "sort_at",
    "snippets",
]
_TITLE_FIELDS = ("title.folded", "title_folded")
_TEXT_FIELDS = ("text.folded", "text_folded")
_FRAGMENT_CHARS = 180
# What is not a letter or a digit (after folding) separates words.
_NOT_WORD = re.compile(r"[\W_]")
_ELLIPSIS = "…"


# -- text folding -------------------------------------------------------------------------


def _fold_for_index(text: str) -> tuple[str, Sequence[int]]:
    """Lower-case, accent-free text with every character that is not a letter or a digit
    turned into a space, and the map back to ``text``.

    The standard tokenizer keeps "l'élection", "3,5" or "www.example.org" as one token
    where SQLite's unicode61 (and the query language, ``traceur.enrich.query.words_of``)
    cuts at every such character; with spaces instead, both stores cut alike. One character
    for one keeps the offsets of ``fold``'s map.
    """
    folded, origin = fold(text)
    return _NOT_WORD.sub(" ", folded), origin


def folded_copy(text: str) -> str:
    """The accent-folded copy indexed as ``title_folded``/``text_folded`` on clusters without
    French analysis (we fold in Python there because the standard analyzer cannot)."""
    return _fold_for_index(text)[0]


# -- the query language -------------------------------------------------------------------


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
    return {
        "span_near": {"clauses": clauses, "slop": node.distance, "in_order": False, "boost": boost}
    }


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
        return (
            queries[0]
            if len(queries) == 1
            else {"bool": {"should": queries, "minimum_should_match": 1}}
        )
    if isinstance(node, Not):
        # A bool query with only must_not matches every other document.
        return {"bool": {"must_not": [to_elasticsearch(node.child, fields)]}}
    if isinstance(node, Or):
        return {
            "bool": {
                "should": [to_elasticsearch(c, fields) for c in node.children],
                "minimum_should_match": 1,
            }
        }
    query: dict[str, Any] = {}
    must = [to_elasticsearch(c, fields) for c in node.children if not isinstance(c, Not)]
    must_not = [to_elasticsearch(c.child, fields) for c in node.children if isinstance(c, Not)]
    if must:
        query["must"] = must
    if must_not:
        query["must_not"] = must_not
    return {"bool": query}


def text_query(text: str) -> dict[str, Any] | None:
    """The Elasticsearch query for ``traceur search`` text (see ``traceur.enrich.query``), or
    None when it is blank. A malformed query is a ``StoreError`` naming the column and the fix."""
    if not text.strip():
        return None
    try:
        node = parse(text)
    except QueryError as exc:
        raise StoreError(
            f"cannot run the search {exc.quoted()}: {exc}; check quotes and parentheses"
        ) from exc
    return to_elasticsearch(node, [f"{name}^5" for name in _TITLE_FIELDS] + list(_TEXT_FIELDS))


# How Elasticsearch names a query past its clause limit (indices.query.bool.max_clause_count):
# a prefix inside NEAR or a "phrase"* expands into one clause per indexed word it matches.
_CLAUSE_LIMIT_MARKS = ("too_many_clauses", "too_many_nested_clauses", "maxClauseCount")


def clause_limit_error(text: str, error: BaseException) -> StoreError | None:
    """``error`` (a refused search, its cause Elasticsearch's answer) as a message with the
    column and the fix when it is the clause limit; None otherwise."""
    answer = f"{error} {getattr(error.__cause__, 'body', '')} {error.__cause__}"
    if not any(mark in answer for mark in _CLAUSE_LIMIT_MARKS):
        return None
    try:
        prefixes = prefix_columns(text)
        shown = QueryError(text, 1, "", "").quoted()
    except QueryError:
        return None
    limit = "more words than Elasticsearch takes in one query (its maxClauseCount)"
    if prefixes:
        column, written = min(prefixes, key=lambda found: len(found[1]))
        return StoreError(
            f"cannot run the search {shown}: column {column}: the prefix {written} matches"
            f" {limit}; lengthen the prefix, or write whole words"
        )
    return StoreError(
        f"cannot run the search {shown}: it asks for {limit}; use fewer words, or split it"
        " into several searches"
    )


def filter_clauses(query: SearchQuery) -> list[dict[str, Any]]:
    """The filters of ``query`` on the documents' own fields (triage lives in another
    index: see ``traceur.store.es_triage``)."""
    clauses: list[dict[str, Any]] = []
    for field_name, value in (
        ("candidates", query.candidate),
        ("topics", query.topic),
        ("kind", query.kind),
        ("source_id", query.source_id),
        ("domain", query.domain),
        ("lang", query.lang),
    ):
        if value:
            clauses.append({"term": {field_name: value}})
    bounds: dict[str, str] = {}
    if query.since:
        bounds["gte"] = str(format_utc(query.since))
    if query.until:
        bounds["lt"] = str(format_utc(query.until))
    if bounds:
        clauses.append({"range": {"sort_at": bounds}})
    if query.stored_since:
        # stored_at: when this version was written (es_bulk stamps it at each attempt), to
        # the millisecond; a bound rounded to the second would take in earlier writes.
        millis = int(query.stored_since.timestamp() * 1000)
        clauses.append({"range": {"stored_at": {"gte": millis, "format": "epoch_millis"}}})
    if query.ids is not None:
        clauses.append({"ids": {"values": list(query.ids)}})
    if query.authors is not None:
        clauses.append({"terms": {"author.keyword": list(query.authors)}})
    return clauses


def build_query(
    query: SearchQuery,
    extra_filters: Sequence[dict[str, Any]] = (),
    must_not: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    must = [clause for clause in [text_query(query.text)] if clause is not None]
    filters = [*filter_clauses(query), *extra_filters]
    if not must and not filters and not must_not:
        return {"match_all": {}}
    body: dict[str, Any] = {"must": must, "filter": filters}
    if must_not:
        body["must_not"] = list(must_not)
    return {"bool": body}


# -- highlight fragments ------------------------------------------------------------------


def _unmark(fragment: str) -> tuple[str, list[tuple[int, int]]]:
    """The fragment without marks, and the (start, end) of each marked span in it.

    Elasticsearch trims fragments with Java's ``String.trim()``, which also strips control
    characters: a fragment that starts (or ends) with a match loses its first (or last)
    mark. A lone end mark therefore opens at 0 and a lone start mark closes at the end.
    """
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    start: int | None = None
    length = 0
    for ch in fragment:
        if ch == HIGHLIGHT_START:
            start = length
        elif ch == HIGHLIGHT_END:
            spans.append((start if start is not None else 0, length))
            start = None
        else:
            plain.append(ch)
            length += 1
    if start is not None:
        spans.append((start, length))
    return "".join(plain), spans


def _mark(text: str, spans: list[tuple[int, int]]) -> str:
    pieces: list[str] = []
    cursor = 0
    for start, end in spans:
        pieces += [text[cursor:start], HIGHLIGHT_START, text[start:end], HIGHLIGHT_END]
        cursor = end
    return "".join(pieces + [text[cursor:]])


def _place(original: str, fragment: str, folded: bool, whole: bool) -> str:
    """Put the marks of ``fragment`` (cut from ``original``, or from its folded copy when
    ``folded``) on the original text, with ellipses where the fragment is cut."""
    plain, spans = _unmark(fragment)
    haystack, origin = _fold_for_index(original) if folded else (original, range(len(original)))
    at = haystack.find(plain) if plain else -1
    if at < 0:
        # Not found (should not happen): the fragment as Elasticsearch cut it, marks mended.
        return _mark(plain, spans)
    first, stop = at, at + len(plain)
    if whole:
        # The whole field was highlighted (a title): all of it, whatever the trim took.
        first, stop = 0, len(haystack)
    elif folded:
        # The folded copy has spaces for punctuation, and Elasticsearch trims fragments:
        # "mars." comes back as "mars". Take back the punctuation at both ends (not the
        # text's own spaces).
        while (
            first > 0 and haystack[first - 1] == " " and not original[origin[first - 1]].isspace()
        ):
            first -= 1
        while (
            stop < len(haystack) and haystack[stop] == " " and not original[origin[stop]].isspace()
        ):
            stop += 1
    begin, finish = origin[first], origin[stop - 1] + 1
    shifted = [(start + at, end + at) for start, end in spans]
    # Marks in original coordinates, then the cut: the text between begin and finish.
    pieces: list[str] = []
    cursor = begin
    for start, end in shifted:
        if end <= start:
            continue
        left, right = origin[start], origin[end - 1] + 1
        pieces += [original[cursor:left], HIGHLIGHT_START, original[left:right], HIGHLIGHT_END]
        cursor = right
    pieces.append(original[cursor:finish])
    text = "".join(pieces)
    if whole:
        return text
    return (
        (_ELLIPSIS if begin > 0 else "")
        + text.strip()
        + (_ELLIPSIS if finish < len(original) else "")
    )


def highlight_fragments(hit: dict[str, Any], document: Document) -> tuple[str, ...]:
    """The ``SearchHit.fragments`` of a search hit asked with ``HIGHLIGHT``: the marks put
    back on the document's own title and text."""
    found = hit.get("highlight") or {}
    fragments: list[str] = []
    for names, original, whole in (
        (_TITLE_FIELDS, document.title, True),
        (_TEXT_FIELDS, document.text, False),
    ):
        for name in names:
            marked = [f for f in found.get(name, []) if HIGHLIGHT_START in f or HIGHLIGHT_END in f]
            if marked:
                fragments.append(
                    _place(original, marked[0], folded=name.endswith("_folded"), whole=whole)
                )
                break
    return tuple(fragments)


HIGHLIGHT = {
    # Control characters as marks, HTML-unescaped: each front end escapes the text itself.
    "pre_tags": [HIGHLIGHT_START],
    "post_tags": [HIGHLIGHT_END],
    "encoder": "default",
    "fields": {
        **{name: {"number_of_fragments": 0} for name in _TITLE_FIELDS},
        **{
            name: {"fragment_size": _FRAGMENT_CHARS, "number_of_fragments": 1, "no_match_size": 0}
            for name in _TEXT_FIELDS
        },
    },
}
