"""The documents a search matches, kept for the few calls of one page view.

A search page asks the store for one page of hits, the total, the sizes of the story
clusters shown and seven facets: each call used to run the full-text match and the filters
again (eight times for one view, up to 30 ms each on 100,000 documents). Here the matching
documents are written once to a temporary table, with the columns those calls read, and the
calls that follow read that table instead. A table is reused only while the store file is
unchanged (``PRAGMA data_version`` for other connections' commits, ``total_changes`` for
this one's), so a document written between two calls is never missed."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from traceur.store.base import SearchQuery
from traceur.store.fts5_query import Fts5Plan

FTS = "documents_fts"
SCORE = f"bm25({FTS}, 5.0, 1.0)"
# The columns of ``documents`` the page, the totals and the facets read, under their own
# names, so that the same SQL reads either table through the alias ``d``.
_COLUMNS = "rowid, id, kind, source_id, domain, lang, sort_at, seq, cluster_id"
# A page view makes its calls one after another: a few tables cover a view and the facets of
# a chosen filter (counted without that filter, so over another set of documents).
_KEPT = 4


@dataclass(frozen=True)
class Matches:
    """Where a search's documents are read from: ``FROM {source}`` (alias ``d``) with
    ``clauses`` (joined by AND) and their ``params``; ``score`` is the relevance expression
    (lower is better, as bm25 gives it), or 0.0 when there is none; ``table``: the source is
    a table of matches (no conditions left), which can be read whole."""

    source: str
    clauses: list[str]
    params: list[Any]
    score: str
    table: bool = False


def only_dates(query: SearchQuery, plan: Fts5Plan | None) -> bool:
    """Whether ``query`` filters on nothing but dates (a dashboard's period, the newest
    documents): the indexes on dates answer those directly, without a table of matches."""
    others = (query.candidate, query.topic, query.kind, query.source_id, query.domain)
    return (
        plan is None
        and not any(others)
        and not (query.lang or query.triage_state or query.assignee)
        and query.ids is None
        and query.stored_since is None
        and query.authors is None
    )


class HitSets:
    """Temporary tables of matching documents, one per distinct set of conditions, the
    most recently used kept. Callers hold the store's lock (tables live on its connection)."""

    def __init__(self) -> None:
        self._tables: OrderedDict[tuple[str, tuple[Any, ...]], str] = OrderedDict()
        self._state: tuple[int, int] | None = None
        self._made = 0

    def table(
        self,
        db: sqlite3.Connection,
        plan: Fts5Plan | None,
        where: tuple[list[str], list[Any]],
    ) -> Matches:
        """The table of the documents matching ``plan`` (the text) and ``where`` (the other
        conditions, from ``where_clause`` without the text's match), written now unless an
        identical search already wrote it since the store last changed."""
        clauses, params = where
        scored = plan is not None and plan.match is not None
        if scored:
            assert plan is not None
            source = (
                f"(SELECT rowid AS rid, {SCORE} AS score FROM {FTS} WHERE {FTS} MATCH ?) s"
                " CROSS JOIN documents d ON d.rowid = s.rid"
            )
            params = [plan.match, *params]
        else:
            source = "documents d"
        where_sql = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        select = (
            f"SELECT {', '.join('d.' + c for c in _COLUMNS.split(', '))},"
            f" {'s.score' if scored else '0.0'} FROM {source}{where_sql}"
        )
        key = (select, tuple(params))
        self._forget_if_changed(db)
        name = self._tables.get(key)
        if name is None:
            name = self._write(db, select, params)
            self._tables[key] = name
        self._tables.move_to_end(key)
        while len(self._tables) > _KEPT:
            _, old = self._tables.popitem(last=False)
            db.execute(f"DROP TABLE IF EXISTS temp.{old}")
        return Matches(f"temp.{name} d", [], [], "d.score" if scored else "0.0", table=True)

    def _forget_if_changed(self, db: sqlite3.Connection) -> None:
        state = (int(db.execute("PRAGMA data_version").fetchone()[0]), db.total_changes)
        if state != self._state:
            for name in self._tables.values():
                db.execute(f"DROP TABLE IF EXISTS temp.{name}")
            self._tables.clear()
            # Dropping temporary tables counts as changes of this connection.
            self._state = (state[0], db.total_changes)

    def _write(self, db: sqlite3.Connection, select: str, params: list[Any]) -> str:
        if self._made == 0:
            # The tables hold a search's matches for a moment: memory, never a file.
            db.execute("PRAGMA temp_store = MEMORY")
        self._made += 1
        name = f"search_hits_{self._made}"
        db.execute(
            f"CREATE TEMP TABLE {name} (rowid INTEGER PRIMARY KEY, id TEXT, kind TEXT,"
            " source_id TEXT, domain TEXT, lang TEXT, sort_at TEXT, seq INTEGER,"
            " cluster_id TEXT, score REAL)"
        )
        try:
            db.execute(f"INSERT INTO temp.{name} {select}", params)
        except sqlite3.Error:
            # A malformed query: no half-written table stays behind.
            db.execute(f"DROP TABLE temp.{name}")
            raise
        # Writing the table is a change of this connection: the tables stay valid after it.
        self._state = (self._state[0] if self._state else 0, db.total_changes)
        return name


def without_match(plan: Fts5Plan | None) -> Fts5Plan | None:
    """``plan`` less its FTS5 match (the table of matches joins the match itself)."""
    return None if plan is None else dataclasses.replace(plan, match=None)
