"""The search page's query string ↔ the store's ``SearchQuery``.

A volunteer clicks filters rather than typing them, so every filter lives in the URL (a
search can be bookmarked, shared, saved and exported as it is shown). Parameters are
French words, values are the stored ids (candidate ``c-dupont``, kind ``forum_post``);
pages show names through ``Names``. A value that makes no sense (a date like ``31/02``,
page ``-3``) is dropped with a French note rather than refused: the rest of the search
still runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from traceur.document import DOCUMENT_KINDS
from traceur.enrich.query import parse
from traceur.errors import QueryError
from traceur.privacy.pseudonyms import display_author
from traceur.web.fr import PARIS, TRIAGE_LABELS, date_short, kind_label, triage_label

PERIODS = {"aujourdhui": "aujourd'hui", "7j": "7 derniers jours", "30j": "30 derniers jours"}
SORTS = {"date": "date", "pertinence": "pertinence"}
# Results per page of the search page; exports take the whole list (see ``export_fields``).
PAGE_SIZE = 20

# (query-string key, Filters attribute), in the order links are written.
_KEYS = (
    ("q", "text"),
    ("candidat", "candidate"),
    ("theme", "topic"),
    ("type", "kind"),
    ("source", "source"),
    ("site", "site"),
    ("auteur", "author"),
    ("langue", "lang"),
    ("periode", "period"),
    ("du", "start"),
    ("au", "end"),
    ("etat", "state"),
    ("moi", "mine"),
    ("tri", "sort"),
    ("page", "page"),
)
KEY_OF = {attr: key for key, attr in _KEYS}


@dataclass(frozen=True)
class Names:
    """Display names of the ids a filter holds (from the watchlist and the config)."""

    candidates: Mapping[str, str] = field(default_factory=dict)
    topics: Mapping[str, str] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)

    def label(self, attr: str, value: str) -> str:
        if attr == "candidate":
            return self.candidates.get(value, value)
        if attr == "topic":
            return self.topics.get(value, value)
        if attr == "source":
            return self.sources.get(value, value)
        if attr == "kind":
            return kind_label(value)
        if attr == "state":
            return triage_label(value)
        if attr == "period":
            return PERIODS.get(value, value)
        if attr == "lang":
            return {"fr": "français", "en": "anglais"}.get(value, value)
        if attr == "author":
            return display_author(value) or value
        return value


@dataclass(frozen=True)
class Filters:
    """What the search page shows, as read from its query string."""

    text: str = ""
    candidate: str | None = None
    topic: str | None = None
    kind: str | None = None
    source: str | None = None
    site: str | None = None
    # As typed (a name) or as stored (a pseudonym, from a link on a result).
    author: str | None = None
    lang: str | None = None
    period: str | None = None
    start: date | None = None
    end: date | None = None
    state: str | None = None
    mine: bool = False
    sort: str = "date"
    page: int = 1

    def params(self) -> list[tuple[str, str]]:
        """The query-string pairs, defaults left out (short, stable links)."""
        pairs: list[tuple[str, str]] = []
        for key, attr in _KEYS:
            value = getattr(self, attr)
            if value in (None, "", False) or (attr == "sort" and value == "date"):
                continue
            if attr == "page" and value == 1:
                continue
            if isinstance(value, bool):
                value = "1"
            elif isinstance(value, date):
                value = value.isoformat()
            pairs.append((key, str(value)))
        return pairs

    def query_string(self) -> str:
        return urlencode(self.params())

    def link(self, path: str = "/recherche", **changes: Any) -> str:
        """A link to this search with ``changes`` (None removes a filter); any change but a
        page change goes back to page 1, where the new results start."""
        if "page" not in changes:
            changes["page"] = 1
        changes = {k: (False if k == "mine" and v is None else v) for k, v in changes.items()}
        if changes.get("period") is not None and changes.get("period") != "dates":
            changes.setdefault("start", None)
            changes.setdefault("end", None)
        query = replace(self, **changes).query_string()
        return f"{path}?{query}" if query else path

    def active(self, names: Names) -> list[tuple[str, str, str]]:
        """The filters in force as ``(what, value shown, link that removes it)``."""
        shown: list[tuple[str, str, str]] = []
        titles = {
            "candidate": "Candidat·e",
            "topic": "Thème",
            "kind": "Type",
            "source": "Source",
            "site": "Site",
            "author": "Auteur·rice",
            "lang": "Langue",
            "period": "Période",
            "state": "État",
        }
        for attr, what in titles.items():
            value = getattr(self, attr)
            if value:
                removed: dict[str, Any] = {attr: None}
                shown.append((what, names.label(attr, value), self.link(**removed)))
        if self.start or self.end:
            span = f"{date_short(self.start) if self.start else '…'} → "
            span += date_short(self.end) if self.end else "…"
            shown.append(("Dates", span, self.link(start=None, end=None)))
        if self.mine:
            shown.append(("Assigné", "à moi", self.link(mine=False)))
        return shown


def parse_filters(params: Mapping[str, str]) -> tuple[Filters, list[str]]:
    """``Filters`` from a query string, and French notes on the values that were dropped."""
    notes: list[str] = []
    values: dict[str, Any] = {}
    for key, attr in _KEYS:
        raw = (params.get(key) or "").strip()
        if not raw:
            continue
        if attr in ("start", "end"):
            try:
                values[attr] = date.fromisoformat(raw)
            except ValueError:
                notes.append(f"Date « {raw} » ignorée : écrivez-la comme 2026-12-03.")
        elif attr == "page":
            if raw.isdigit() and int(raw) >= 1:
                values[attr] = int(raw)
            else:
                notes.append(f"Page « {raw} » ignorée : retour à la première page.")
        elif attr == "mine":
            values[attr] = raw not in ("0", "non")
        elif attr == "kind" and raw not in DOCUMENT_KINDS:
            notes.append(f"Type « {raw} » inconnu, filtre ignoré.")
        elif attr == "state" and raw not in TRIAGE_LABELS:
            notes.append(f"État « {raw} » inconnu, filtre ignoré.")
        elif attr == "period" and raw not in PERIODS and raw != "dates":
            notes.append(f"Période « {raw} » inconnue, filtre ignoré.")
        elif attr == "sort" and raw not in SORTS:
            notes.append(f"Tri « {raw} » inconnu : tri par date.")
        else:
            values[attr] = raw
    filters = Filters(**values)
    if filters.start and filters.end and filters.start > filters.end:
        notes.append("La date de début suit la date de fin : elles ont été inversées.")
        filters = replace(filters, start=filters.end, end=filters.start)
    return filters, notes


def period_bounds(filters: Filters, now: datetime) -> tuple[datetime | None, datetime | None]:
    """UTC bounds (since inclusive, until exclusive) of the period, in Paris calendar days:
    "aujourd'hui" starts at midnight in Paris, "7 derniers jours" is today and the 6 days
    before, and a custom "au" date includes that whole day."""

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(0), PARIS)

    today = now.astimezone(PARIS).date()
    if filters.period == "aujourdhui":
        return midnight(today), None
    if filters.period in ("7j", "30j"):
        days = 7 if filters.period == "7j" else 30
        return midnight(today - timedelta(days=days - 1)), None
    since = midnight(filters.start) if filters.start else None
    until = midnight(filters.end + timedelta(days=1)) if filters.end else None
    return since, until


def search_fields(
    filters: Filters,
    *,
    user: str | None,
    now: datetime,
    page_size: int = PAGE_SIZE,
    authors: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """The ``SearchQuery`` keyword arguments of the store contract for ``filters``.

    A dictionary rather than the dataclass itself keeps this module testable on its own;
    the page builds ``SearchQuery(**search_fields(...))``. ``authors``: the stored forms
    of ``filters.author`` (the name and its pseudonym), which need the settings' key.
    """
    since, until = period_bounds(filters, now)
    return {
        "text": filters.text,
        "candidate": filters.candidate,
        "topic": filters.topic,
        "kind": filters.kind,
        "source_id": filters.source,
        "domain": filters.site,
        "lang": filters.lang,
        "since": since,
        "until": until,
        "triage_state": filters.state,
        "assignee": user if filters.mine else None,
        "sort": "relevance" if filters.sort == "pertinence" else "date",
        "limit": page_size,
        "offset": (filters.page - 1) * page_size,
        "authors": authors if filters.author else None,
    }


def export_fields(
    filters: Filters,
    *,
    user: str | None,
    now: datetime,
    limit: int,
    authors: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """Like ``search_fields`` for the whole result list (every page), up to ``limit``."""
    values = search_fields(filters, user=user, now=now, page_size=limit, authors=authors)
    values["offset"] = 0
    return values


# -- malformed queries ----------------------------------------------------------------


@dataclass(frozen=True)
class QueryProblem:
    """Where and why a query cannot be read, in French, for the search page."""

    column: int
    message: str
    before: str
    at: str
    after: str


# What the parser expected (English, for logs) → what a volunteer reads. First match wins.
_EXPLAINED = (
    ("a closing '\"'", "Guillemet jamais fermé : fermez l'expression ou retirez le guillemet."),
    ("words between the quotes", "Expression vide : écrivez des mots entre les guillemets."),
    ("a distance after NEAR", "Après NEAR, donnez une distance en mots, par exemple NEAR/5."),
    ("a distance from 0", "La distance de NEAR va de 0 à 1000 mots."),
    ('"*" only at the end', "L'astérisque * se met seulement à la fin d'un mot (préfixe)."),
    ('a word before "*"', "Mettez un mot avant l'astérisque *."),
    ('")" to close', "Parenthèse ouverte jamais fermée : ajoutez « ) »."),
    ('a word or a "phrase" before NEAR', "NEAR relie deux mots ou expressions, pas un groupe."),
    ('a word or a "phrase" after NEAR', "Après NEAR/n, mettez un mot ou une expression."),
    (
        'AND, OR, ")" or the end after',
        "Pas de chaîne a NEAR b NEAR c : écrivez (a NEAR/3 b) AND (b NEAR/3 c).",
    ),
)


def explain(error: QueryError) -> QueryProblem:
    """The French explanation of ``error`` with the query cut at its column."""
    message = ""
    if 'closes no "("' in error.found:
        message = "Parenthèse fermante sans parenthèse ouvrante : retirez « ) » ou ajoutez « ( »."
    for needle, french in _EXPLAINED:
        if not message and french and error.expected.startswith(needle):
            message = french
    if not message:
        if error.found == "end of query":
            message = "La requête s'arrête trop tôt : il manque un mot après le dernier opérateur."
        else:
            message = "Un mot ou une expression entre guillemets est attendu ici."
            message += (
                " Pour chercher AND, OR, NOT ou NEAR comme un mot, mettez-le entre guillemets."
            )
    index = max(error.column - 1, 0)
    return QueryProblem(
        column=error.column,
        message=f"Requête incorrecte à la colonne {error.column} : {message}",
        before=error.query[:index],
        at=error.query[index : index + 1],
        after=error.query[index + 1 :],
    )


def check_query(text: str) -> QueryProblem | None:
    """None when ``text`` parses (or is empty), else where and why it does not."""
    if not text.strip():
        return None
    try:
        parse(text)
    except QueryError as error:
        return explain(error)
    return None


def filter_attrs() -> tuple[str, ...]:
    """The attribute names of ``Filters`` (for templates building forms)."""
    return tuple(f.name for f in fields(Filters))
