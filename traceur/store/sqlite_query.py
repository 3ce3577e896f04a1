"""Reading the SQLite store the way the web app does: filters, pages of hits (sorted,
offset, collapsed by story cluster), facets, counts per local day, clusters and threads.
Every function takes the store's connection; callers hold the store's lock."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from traceur.document import Document, format_utc
from traceur.enrich.query import parse
from traceur.errors import QueryError, StoreError
from traceur.store.base import (
    DAILY_FIELDS,
    FACET_FIELDS,
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    SORTS,
    TRIAGE_STATES,
    SearchHit,
    SearchPage,
    SearchQuery,
)
from traceur.store.fts5_query import Fts5Plan, to_fts5_plan
from traceur.store.sqlite_hits import FTS, HitSets, Matches, only_dates, without_match
from traceur.store.triage import format_ms

# Columns of ``documents`` a facet or a daily count reads directly.
_COLUMNS = {
    "kind": "d.kind",
    "source_id": "d.source_id",
    "domain": "d.domain",
    "lang": "d.lang",
    "cluster_id": "d.cluster_id",
}
_TAG_KINDS = {"candidates": "candidate", "topics": "topic"}


def text_plan(text: str) -> Fts5Plan | None:
    """How the FTS5 index answers ``traceur search`` text (see ``traceur.query``), or None
    when it is blank. A malformed query is a ``StoreError`` naming the column and the fix."""
    if not text.strip():
        return None
    try:
        node = parse(text)
    except QueryError as exc:
        raise StoreError(
            f"cannot run the search {exc.quoted()}: {exc}; check quotes and parentheses"
        ) from exc
    return to_fts5_plan(node, FTS, "d.rowid")


def ranked(plan: Fts5Plan | None) -> bool:
    """Whether FTS5 matches a positive part (so there is a score and highlights)."""
    return plan is not None and plan.match is not None


def source(joined: bool) -> str:
    """The FROM clause: documents, joined to the full-text index when ranking by it."""
    return f"{FTS} JOIN documents d ON d.rowid = {FTS}.rowid" if joined else "documents d"


def where_clause(
    query: SearchQuery, plan: Fts5Plan | None, joined: bool = False
) -> tuple[list[str], list[Any]]:
    """The conditions (joined by AND) and their parameters for ``query``'s text and filters.
    ``joined``: the full-text index is joined (``source(True)``) to rank and highlight;
    otherwise the match is a set of row ids, so that counts, facets and listings by date
    walk the documents in date order and stop early instead of sorting every match."""
    clauses: list[str] = []
    params: list[Any] = []
    if plan is not None:
        if plan.match is not None:
            clauses.append(
                f"{FTS} MATCH ?"
                if joined
                else f"+d.rowid IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH ?)"
            )
            params.append(plan.match)
        if plan.condition is not None:
            # What FTS5 cannot say in one MATCH (a NOT with no term beside it): SQL over
            # the row ids of separate MATCHes.
            clauses.append(plan.condition)
            params.extend(plan.params)
    for tag_kind, tag in (("candidate", query.candidate), ("topic", query.topic)):
        if tag:
            # A set of row ids from the tags' primary key (tag_kind, tag, doc_rowid), probed
            # while walking the documents in date order ("+" keeps SQLite from fetching each
            # tagged document by row id and sorting them all for one page).
            clauses.append(
                "+d.rowid IN (SELECT doc_rowid FROM document_tags WHERE tag_kind = ? AND tag = ?)"
            )
            params += [tag_kind, tag]
    for column, value in (
        ("kind", query.kind),
        ("source_id", query.source_id),
        ("domain", query.domain),
        ("lang", query.lang),
    ):
        if value:
            clauses.append(f"d.{column} = ?")
            params.append(value)
    if query.authors is not None:
        # The author lives in the document's JSON only; an index on that expression
        # (sqlite_schema) answers it.
        marks = ", ".join("?" for _ in query.authors) or "NULL"
        clauses.append(
            "+d.rowid IN (SELECT rowid FROM document_data"
            f" WHERE json_extract(data, '$.author') IN ({marks}))"
        )
        params.extend(query.authors)
    if query.since:
        clauses.append("d.sort_at >= ?")
        params.append(format_utc(query.since))
    if query.until:
        clauses.append("d.sort_at < ?")
        params.append(format_utc(query.until))
    if query.stored_since:
        # updated_at is written in format_ms's format: text order is time order.
        clauses.append("d.updated_at >= ?")
        params.append(format_ms(query.stored_since))
    if query.triage_state:
        if query.triage_state not in TRIAGE_STATES:
            raise StoreError(
                f"unknown triage state {query.triage_state!r};"
                f" use one of {', '.join(TRIAGE_STATES)}"
            )
        if query.triage_state == "nouveau":
            # Never triaged, or set back to nouveau.
            clauses.append("d.id NOT IN (SELECT doc_id FROM triage WHERE state <> 'nouveau')")
        else:
            clauses.append("d.id IN (SELECT doc_id FROM triage WHERE state = ?)")
            params.append(query.triage_state)
    if query.assignee:
        clauses.append("d.id IN (SELECT doc_id FROM triage WHERE assignee = ?)")
        params.append(query.assignee)
    if query.ids is not None:
        clauses.append("d.id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(list(query.ids)))
    return clauses, params


def _where(clauses: Sequence[str]) -> str:
    return (" WHERE " + " AND ".join(clauses)) if clauses else ""


def _run(db: sqlite3.Connection, sql: str, params: Sequence[Any], text: str) -> list[Any]:
    try:
        return db.execute(sql, list(params)).fetchall()
    except sqlite3.OperationalError as exc:
        shown = repr(text) if len(text) <= 80 else f"{text[:80]!r}... ({len(text)} characters)"
        raise StoreError(
            f"cannot run the search {shown}: {exc}; check quotes and parentheses"
        ) from exc


def matches(
    db: sqlite3.Connection, hits: HitSets, query: SearchQuery, plan: Fts5Plan | None
) -> Matches:
    """Where ``query``'s documents are read from: the documents themselves when only dates
    filter them (the indexes on dates answer, and a listing stops after one page), the
    table of matches of ``hits`` otherwise (written once for the calls of a page view)."""
    if only_dates(query, plan):
        clauses, params = where_clause(query, plan)
        return Matches(source(False), clauses, params, "0.0")
    try:
        return hits.table(db, plan, where_clause(query, without_match(plan)))
    except sqlite3.OperationalError as exc:
        raise StoreError(
            f"cannot run the search {query.text!r}: {exc}; check quotes and parentheses"
        ) from exc


def count(db: sqlite3.Connection, hits: HitSets, query: SearchQuery) -> int:
    found = matches(db, hits, query, text_plan(query.text))
    sql = f"SELECT COUNT(*) FROM {found.source}{_where(found.clauses)}"
    return int(_run(db, sql, found.params, query.text)[0][0])


def search_page(db: sqlite3.Connection, hits: HitSets, query: SearchQuery) -> SearchPage:
    if query.sort not in SORTS:
        raise StoreError(f"unknown sort {query.sort!r}; use one of {', '.join(SORTS)}")
    if query.offset < 0 or query.limit < 0:
        raise StoreError("a search page needs an offset and a limit of 0 or more")
    plan = text_plan(query.text)
    by_relevance = ranked(plan) and query.sort == "relevance"
    found = matches(db, hits, query, plan)
    clauses, params = found.clauses, found.params
    score = found.score if by_relevance else "0.0"
    # Ties (and every listing without a score) go newest first, the latest written first,
    # as the Elasticsearch store sorts; a document without a date comes last.
    by_date = "sort_at DESC, seq DESC"
    order = f"score, {by_date}" if by_relevance else by_date
    matching = (
        f"SELECT d.rowid AS rid, {score} AS score, d.sort_at AS sort_at, d.seq AS seq,"
        f" d.cluster_id IS NULL AS alone, COALESCE(d.cluster_id, d.id) AS grp"
        f" FROM {found.source}{_where(clauses)}"
    )
    if query.collapse_clusters:
        rows = _collapsed(db, query, matching, order, found)
        total_sql = (
            "SELECT COUNT(DISTINCT d.cluster_id) + COUNT(*) - COUNT(d.cluster_id)"
            f" FROM {found.source}{_where(clauses)}"
        )
    else:
        sql = f"SELECT rid, score, 1 FROM ({matching}) ORDER BY {order} LIMIT ? OFFSET ?"
        rows = _run(db, sql, [*params, query.limit, query.offset], query.text)
        total_sql = f"SELECT COUNT(*) FROM {found.source}{_where(clauses)}"
    total = int(_run(db, total_sql, params, query.text)[0][0])
    rowids = [row[0] for row in rows]
    data = dict(
        db.execute(
            "SELECT rowid, data FROM document_data WHERE rowid IN (SELECT value FROM json_each(?))",
            (json.dumps(rowids),),
        ).fetchall()
    )
    marked: dict[int, tuple[str, ...]] = {}
    if ranked(plan) and rowids:
        assert plan is not None and plan.match is not None
        # Highlights of the page's hits only: FTS5 builds them per row, and a query may match
        # tens of thousands.
        for rowid, title_marked, snippet in db.execute(
            f"SELECT rowid, highlight({FTS}, 0, '{HIGHLIGHT_START}', '{HIGHLIGHT_END}'),"
            f" snippet({FTS}, 1, '{HIGHLIGHT_START}', '{HIGHLIGHT_END}', '…', 24)"
            f" FROM {FTS} WHERE {FTS} MATCH ? AND rowid IN (SELECT value FROM json_each(?))",
            (plan.match, json.dumps(rowids)),
        ):
            marked[rowid] = tuple(
                fragment
                for fragment in (title_marked, snippet)
                if fragment and HIGHLIGHT_START in fragment
            )
    shown = [
        # bm25() is lower-is-better and negative; report higher-is-better.
        SearchHit(
            Document.from_dict(json.loads(data[rowid])),
            -float(rank),
            marked.get(rowid, ()),
            int(size),
        )
        for rowid, rank, size in rows
    ]
    return SearchPage(shown, total)


def _tag_clauses(query: SearchQuery, field: str) -> tuple[list[str], list[Any]]:
    """Conditions on ``document_tags`` alone, for a query that filters only on dates: the
    tags carry their document's date, and (tag_kind, sort_at, tag) answers from the index."""
    clauses = ["t.tag_kind = ?", "t.sort_at IS NOT NULL"]
    params: list[Any] = [_TAG_KINDS[field]]
    if query.since:
        clauses.append("t.sort_at >= ?")
        params.append(format_utc(query.since))
    if query.until:
        clauses.append("t.sort_at < ?")
        params.append(format_utc(query.until))
    return clauses, params


def _collapsed(
    db: sqlite3.Connection,
    query: SearchQuery,
    matching: str,
    order: str,
    found: Matches,
) -> list[tuple[int, float, int]]:
    """(rowid, score, cluster size) of the page's hits, one per story cluster: the first
    matching documents in sort order are read until the page has its groups (SQLite keeps
    the best few hundred of tens of thousands of matches without sorting them all), then
    the matching members of the page's clusters are counted."""
    wanted = query.offset + query.limit
    # Most groups are one document or a small cluster: four rows per group are nearly
    # always enough, and a page of big clusters reads again with more.
    limit = max(4 * wanted, 200)
    while True:
        rows = _run(
            db,
            f"SELECT rid, score, alone, grp FROM ({matching}) ORDER BY {order} LIMIT ?",
            [*found.params, limit],
            query.text,
        )
        picked: list[tuple[int, float, bool, str]] = []
        seen: set[tuple[bool, str]] = set()
        for rid, score, alone, grp in rows:
            if len(picked) >= wanted:
                break
            if (bool(alone), grp) not in seen:
                seen.add((bool(alone), grp))
                picked.append((rid, score, bool(alone), grp))
        if len(picked) >= wanted or len(rows) < limit:
            break
        limit *= 4
    page = picked[query.offset :]
    clusters = [grp for _, _, alone, grp in page if not alone]
    sizes: dict[str, int] = {}
    if clusters:
        condition = "d.cluster_id IN (SELECT value FROM json_each(?))"
        sql = (
            f"SELECT d.cluster_id, COUNT(*) FROM {found.source}"
            f"{_where([*found.clauses, condition])} GROUP BY 1"
        )
        sizes = {
            str(cluster): int(n)
            for cluster, n in _run(db, sql, [*found.params, json.dumps(clusters)], query.text)
        }
    return [(rid, score, 1 if alone else sizes.get(grp, 1)) for rid, score, alone, grp in page]


def facets(
    db: sqlite3.Connection, hits: HitSets, query: SearchQuery, fields: Sequence[str], size: int
) -> dict[str, list[tuple[str, int]]]:
    plan = text_plan(query.text)
    found = matches(db, hits, query, plan)
    clauses, params = found.clauses, found.params
    for field in fields:
        if field not in FACET_FIELDS:
            raise StoreError(f"no facet on {field!r}; use one of {', '.join(FACET_FIELDS)}")
    result: dict[str, list[tuple[str, int]]] = {}
    if found.table:
        result = _counted_together(db, found, [f for f in fields if f in _TOGETHER], size)
    for field in fields:
        if field in result:
            continue
        if field in _TAG_KINDS and only_dates(query, plan):
            tag_clauses, tag_params = _tag_clauses(query, field)
            sql = (
                f"SELECT t.tag, COUNT(*) AS n FROM document_tags t{_where(tag_clauses)}"
                " GROUP BY 1 ORDER BY n DESC, 1 LIMIT ?"
            )
            rows = _run(db, sql, [*tag_params, size], query.text)
        elif field in ("triage_state", "assignee"):
            rows = _triage_facet(db, query, field, found, size)
        else:
            join, join_params, value, extra = _facet_parts(field)
            sql = (
                f"SELECT {value}, COUNT(*) AS n FROM {found.source}{join}"
                f"{_where([*clauses, *extra])} GROUP BY 1 ORDER BY n DESC, 1 LIMIT ?"
            )
            rows = _run(db, sql, [*join_params, *params, size], query.text)
        result[field] = [(str(name), int(n)) for name, n in rows]
    return result


# Facets counted in two reads of a table of matches, without the sort a GROUP BY per facet
# makes over every match: the columns grouped once by their combination (a few hundred
# rows: a source has one site, mostly one kind and one language), the tags in Python.
_TOGETHER = ("kind", "source_id", "domain", "lang", "cluster_id", *_TAG_KINDS)


def _counted_together(
    db: sqlite3.Connection, found: Matches, fields: Sequence[str], size: int
) -> dict[str, list[tuple[str, int]]]:
    counters: dict[str, Counter[str]] = {field: Counter() for field in fields}
    columns = [field for field in fields if field in _COLUMNS]
    if columns:
        listed = ", ".join(_COLUMNS[c] for c in columns)
        marks = ", ".join(str(n) for n in range(1, len(columns) + 1))
        for *values, n in db.execute(
            f"SELECT {listed}, COUNT(*) FROM {found.source} GROUP BY {marks}"
        ):
            for field, value in zip(columns, values, strict=True):
                if value is not None:
                    counters[field][value] += n
    tag_kinds = {_TAG_KINDS[field]: field for field in fields if field in _TAG_KINDS}
    if tag_kinds:
        marks = ", ".join("?" * len(tag_kinds))
        pairs: Counter[tuple[str, str]] = Counter(
            db.execute(
                f"SELECT t.tag_kind, t.tag FROM {found.source} CROSS JOIN document_tags t"
                f" ON t.doc_rowid = d.rowid AND t.tag_kind IN ({marks})",
                list(tag_kinds),
            )
        )
        for (kind, tag), n in pairs.items():
            counters[tag_kinds[kind]][tag] = n
    # As the SQL of the other facets orders them: most first, then by name.
    return {
        field: sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:size]
        for field, counter in counters.items()
    }


def _triage_facet(
    db: sqlite3.Connection,
    query: SearchQuery,
    field: str,
    found: Matches,
    size: int,
) -> list[tuple[str, int]]:
    """Counts per triage state or assignee, starting from the triage table (thousands of
    rows where documents are hundreds of thousands); "nouveau" is whatever is left."""
    column = "tr.state" if field == "triage_state" else "tr.assignee"
    wanted = "tr.state <> 'nouveau'" if field == "triage_state" else "tr.assignee IS NOT NULL"
    sql = (
        f"SELECT {column}, COUNT(*) FROM triage tr CROSS JOIN {found.source} ON d.id = tr.doc_id"
        f"{_where([wanted, *found.clauses])} GROUP BY 1"
    )
    counts = {str(name): int(n) for name, n in _run(db, sql, found.params, query.text)}
    if field == "triage_state":
        total = _run(
            db,
            f"SELECT COUNT(*) FROM {found.source}{_where(found.clauses)}",
            found.params,
            query.text,
        )
        counts["nouveau"] = int(total[0][0]) - sum(counts.values())
    ranked = sorted(((k, n) for k, n in counts.items() if n > 0), key=lambda kv: (-kv[1], kv[0]))
    return ranked[:size]


def _facet_parts(field: str) -> tuple[str, list[Any], str, list[str]]:
    """(join, its parameters, value expression, extra conditions) of a facet on the
    documents' tags or columns."""
    if field in _TAG_KINDS:
        # CROSS JOIN keeps the documents first (SQLite's planner would start from every
        # tag of the kind and look each document up): the filters narrow the documents,
        # and (doc_rowid, tag_kind, tag) answers from the index alone.
        return (
            " CROSS JOIN document_tags t ON t.doc_rowid = d.rowid AND t.tag_kind = ?",
            [_TAG_KINDS[field]],
            "t.tag",
            [],
        )
    column = _COLUMNS[field]
    return "", [], column, [f"{column} IS NOT NULL"]


def daily_counts(
    db: sqlite3.Connection, query: SearchQuery, field: str, tz: str
) -> list[tuple[date, str, int]]:
    if field not in DAILY_FIELDS:
        raise StoreError(f"no daily counts by {field!r}; use one of {', '.join(DAILY_FIELDS)}")
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise StoreError(f"unknown time zone {tz!r}; use a name like Europe/Paris") from exc
    plan = text_plan(query.text)
    if field in _TAG_KINDS and only_dates(query, plan):
        # The tags carry their document's date: no document row is read.
        tag_clauses, tag_params = _tag_clauses(query, field)
        date_column, source_sql, value, where, all_params = (
            "t.sort_at",
            "document_tags t",
            "t.tag",
            _where(tag_clauses),
            tag_params,
        )
    else:
        clauses, params = where_clause(query, plan)
        join, join_params, value, extra = _facet_parts(field)
        date_column, source_sql, where, all_params = (
            "d.sort_at",
            f"{source(False)}{join}",
            _where([*clauses, *extra, "d.sort_at IS NOT NULL"]),
            [*join_params, *params],
        )
    # SQLite knows no time zones: count per UTC hour in SQL (a few thousand rows for months
    # of documents), then give each hour its local day here. A zone whose offset is not whole
    # hours (Asia/Kolkata) is counted per minute instead.
    for width in (13, 16):
        sql = (
            f"SELECT substr({date_column}, 1, {width}) AS slot, {value}, COUNT(*)"
            f" FROM {source_sql}{where} GROUP BY 1, 2"
        )
        rows = _run(db, sql, all_params, query.text)
        slots = {slot for slot, _, _ in rows}
        starts = {
            slot: datetime.fromisoformat(slot + (":00:00" if width == 13 else ":00"))
            .replace(tzinfo=UTC)
            .astimezone(zone)
            for slot in slots
        }
        if width == 16 or all(moment.minute == 0 for moment in starts.values()):
            break
    counts: Counter[tuple[date, str]] = Counter()
    for slot, name, n in rows:
        counts[(starts[slot].date(), str(name))] += int(n)
    return [(day, name, n) for (day, name), n in sorted(counts.items())]


def documents_where(
    db: sqlite3.Connection, condition: str, params: Sequence[Any], order: str, limit: int
) -> list[Document]:
    rows = db.execute(
        "SELECT x.data FROM documents d JOIN document_data x ON x.rowid = d.rowid"
        f" WHERE {condition} ORDER BY {order} LIMIT ?",
        [*params, limit],
    ).fetchall()
    return [Document.from_dict(json.loads(row[0])) for row in rows]
