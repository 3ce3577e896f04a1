"""The search page's query string: filters in, links out, SearchQuery fields, query errors."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from urllib.parse import parse_qsl, urlsplit

from traceur.web.filters import (
    Filters,
    Names,
    check_query,
    export_fields,
    parse_filters,
    search_fields,
)

NOW = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)  # 10:30 in Paris


def _params(link: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(link).query))


def test_a_query_string_becomes_filters_and_the_same_link_again() -> None:
    params = {
        "q": "tramway NOT métro",
        "candidat": "c-marchand",
        "type": "forum_post",
        "site": "forum-du-quartier.fr",
        "etat": "a_traiter",
        "moi": "1",
        "tri": "pertinence",
        "page": "3",
    }
    filters, notes = parse_filters(params)
    assert notes == []
    assert filters.kind == "forum_post" and filters.mine and filters.page == 3
    assert _params(filters.link(page=3)) == params


def test_adding_a_filter_keeps_the_others_and_goes_back_to_the_first_page() -> None:
    filters = Filters(text="logement", candidate="c-marchand", page=4)
    link = filters.link(kind="video")
    assert link.startswith("/recherche?")
    assert _params(link) == {"q": "logement", "candidat": "c-marchand", "type": "video"}
    assert _params(filters.link(candidate=None)) == {"q": "logement"}
    assert _params(filters.link(page=5))["page"] == "5"
    assert Filters().link() == "/recherche"


def test_active_filters_show_names_and_a_link_that_removes_each() -> None:
    filters = Filters(candidate="c-marchand", kind="blog_post", state="traite", mine=True)
    names = Names(candidates={"c-marchand": "Élodie Marchand"})
    active = filters.active(names)
    assert [(what, shown) for what, shown, _ in active] == [
        ("Candidat·e", "Élodie Marchand"),
        ("Type", "Billet de blog"),
        ("État", "traité"),
        ("Assigné", "à moi"),
    ]
    removes_kind = _params(active[1][2])
    assert "type" not in removes_kind and removes_kind["candidat"] == "c-marchand"
    assert "moi" not in _params(active[3][2])


def test_nonsense_values_are_dropped_with_a_french_note_and_the_search_still_runs() -> None:
    filters, notes = parse_filters(
        {"q": "tramway", "du": "31/02/2026", "type": "tweet", "page": "-2", "etat": "fini"}
    )
    assert filters == Filters(text="tramway")
    assert len(notes) == 4
    assert any("2026-12-03" in note for note in notes)
    assert any("Type « tweet » inconnu" in note for note in notes)


def test_periods_are_paris_calendar_days_converted_to_utc_bounds() -> None:
    today = search_fields(Filters(period="aujourdhui"), user=None, now=NOW)
    assert today["since"] == datetime(2026, 12, 2, 23, 0, tzinfo=UTC)
    assert today["until"] is None
    week = search_fields(Filters(period="7j"), user=None, now=NOW)
    assert week["since"] == datetime(2026, 11, 26, 23, 0, tzinfo=UTC)
    custom, _ = parse_filters({"periode": "dates", "du": "2026-07-01", "au": "2026-07-02"})
    bounds = search_fields(custom, user=None, now=NOW)
    # Summer time: midnight in Paris is 22:00 UTC; "au" includes its whole day.
    assert bounds["since"] == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)
    assert bounds["until"] == datetime(2026, 7, 2, 22, 0, tzinfo=UTC)


def test_reversed_custom_dates_are_swapped_rather_than_finding_nothing() -> None:
    filters, notes = parse_filters({"du": "2026-12-03", "au": "2026-12-01"})
    assert (filters.start, filters.end) == (date(2026, 12, 1), date(2026, 12, 3))
    assert notes and "inversées" in notes[0]


def test_search_fields_follow_the_store_contract() -> None:
    filters = Filters(
        text="gratuité",
        candidate="c-marchand",
        topic="t-transports",
        kind="article",
        source="gazette",
        site="gazette-du-val.fr",
        lang="fr",
        state="nouveau",
        mine=True,
        sort="pertinence",
        page=2,
    )
    fields = search_fields(filters, user="camille", now=NOW, page_size=20)
    assert fields == {
        "text": "gratuité",
        "candidate": "c-marchand",
        "topic": "t-transports",
        "kind": "article",
        "source_id": "gazette",
        "domain": "gazette-du-val.fr",
        "lang": "fr",
        "since": None,
        "until": None,
        "triage_state": "nouveau",
        "assignee": "camille",
        "sort": "relevance",
        "limit": 20,
        "offset": 20,
        "authors": None,
    }
    assert search_fields(Filters(), user="camille", now=NOW)["assignee"] is None
    by_author = replace(filters, author="Gégé45")
    forms = ("Gégé45", "auteur·rice #" + "0" * 32)
    assert search_fields(by_author, user="camille", now=NOW, authors=forms)["authors"] == forms
    whole = export_fields(filters, user="camille", now=NOW, limit=5000)
    assert (whole["offset"], whole["limit"]) == (0, 5000)


def test_a_malformed_query_says_where_it_is_wrong_in_french() -> None:
    problem = check_query('tramway AND "ligne 3')
    assert problem is not None
    assert problem.column == 13
    assert problem.message.startswith("Requête incorrecte à la colonne 13 : Guillemet")
    assert (problem.before, problem.at) == ("tramway AND ", '"')
    dangling = check_query("tramway OR")
    assert dangling is not None and "s'arrête trop tôt" in dangling.message
    stray = check_query("a ) b")
    assert stray is not None and stray.at == ")" and "Parenthèse fermante" in stray.message
    assert check_query("tramway NEAR/3 gratuit*") is None
    assert check_query("   ") is None
