"""Tagging: which candidates and topics a French text mentions, how often, and where.

The candidates are fictional; the sentences are written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from traceur.document import Document
from traceur.enrich.tagging import Tagger
from traceur.watchlist.model import Candidate, Topic, Watchlist

CLAIRE = Candidate(
    "claire-martin",
    "Claire Martin",
    ("C. Martin", "Mme Martin"),
    ("Saint-Martin", "Martin Luther King"),
)
JB = Candidate("jean-baptiste-lefort", "Jean-Baptiste Lefort", ("J.-B. Lefort", "JB Lefort"))
ELODIE = Candidate("elodie-arnaud", "Élodie Arnaud", ("Mme Arnaud",))
TRANSPORTS = Topic("transports", "Transports", ("tramway", "transports en commun", "ligne de bus"))
LOGEMENT = Topic("logement", "Logement", ("logements sociaux", "loyers"))

WATCHLIST = Watchlist(Path("test.yaml"), (CLAIRE, JB, ELODIE), (TRANSPORTS, LOGEMENT), ())


@pytest.fixture
def tagger() -> Tagger:
    return Tagger(WATCHLIST, snippet_chars=60, max_snippets=3)


def found(tagger: Tagger, text: str) -> list[tuple[str, str]]:
    """(owner, the matched text exactly as written) for each counted match."""
    return [(m.owner, text[m.start : m.end]) for m in tagger.find(text)]


def owners(tagger: Tagger, text: str) -> list[str]:
    return [m.owner for m in tagger.find(text)]


# -- spelling variants ----------------------------------------------------------------


def test_name_in_capitals_is_a_mention(tagger: Tagger) -> None:
    text = "TRIBUNE — CLAIRE MARTIN RÉPOND À SES DÉTRACTEURS SUR LE BUDGET"

    assert found(tagger, text) == [("claire-martin", "CLAIRE MARTIN")]


def test_name_written_without_its_accent_is_a_mention(tagger: Tagger) -> None:
    text = "Interrogée sur le marché couvert, Elodie Arnaud a promis une réponse avant Noël."

    assert found(tagger, text) == [("elodie-arnaud", "Elodie Arnaud")]


def test_accented_text_matches_an_alias_written_without_accents() -> None:
    watchlist = Watchlist(Path("t.yaml"), (Candidate("helene-leveque", "Helene Leveque"),), (), ())
    text = "La conseillère régionale Hélène Lévêque soutient la liste d'union."

    assert found(Tagger(watchlist), text) == [("helene-leveque", "Hélène Lévêque")]


@pytest.mark.parametrize("apostrophe", ["'", "’"], ids=["straight", "curly"])
@pytest.mark.parametrize("elision", ["d", "l", "qu"])
def test_elided_article_before_a_name_does_not_hide_it(
    tagger: Tagger, elision: str, apostrophe: str
) -> None:
    text = (
        f"Tout le monde attendait {elision}{apostrophe}Élodie Arnaud sur la question des cantines."
    )

    assert found(tagger, text) == [("elodie-arnaud", "Élodie Arnaud")]


def test_capitalised_elision_at_sentence_start(tagger: Tagger) -> None:
    text = "D’Élodie Arnaud, on retiendra surtout la défense des commerces du centre-ville."

    assert owners(tagger, text) == ["elodie-arnaud"]


@pytest.mark.parametrize("apostrophe_in_text", ["'", "’"], ids=["text-straight", "text-curly"])
@pytest.mark.parametrize("apostrophe_in_name", ["'", "’"], ids=["name-straight", "name-curly"])
def test_name_containing_an_apostrophe_matches_either_apostrophe_style(
    apostrophe_in_name: str, apostrophe_in_text: str
) -> None:
    candidate = Candidate("anne-d-estrelles", f"Anne d{apostrophe_in_name}Estrelles")
    tagger = Tagger(Watchlist(Path("t.yaml"), (candidate,), (), ()))
    text = (
        f"Au marché de Noël, Anne d{apostrophe_in_text}Estrelles "
        "a serré des mains toute la matinée."
    )

    assert found(tagger, text) == [("anne-d-estrelles", f"Anne d{apostrophe_in_text}Estrelles")]


@pytest.mark.parametrize(
    "spelling",
    [
        "Jean Baptiste Lefort",
        "Jean-Baptiste Lefort",
        "jean–baptiste lefort",
        "JEAN-BAPTISTE LEFORT",
    ],
)
def test_hyphen_space_or_dash_in_a_compound_first_name_all_match(
    tagger: Tagger, spelling: str
) -> None:
    text = f"Selon {spelling}, la piscine municipale doit rouvrir au printemps."

    assert found(tagger, text) == [("jean-baptiste-lefort", spelling)]


def test_hyphen_in_text_matches_an_alias_written_with_a_space(tagger: Tagger) -> None:
    text = "Le tract signé JB-Lefort circule depuis lundi dans les boîtes aux lettres."

    assert found(tagger, text) == [("jean-baptiste-lefort", "JB-Lefort")]


@pytest.mark.parametrize(
    "spelling", ["J.-B. Lefort", "J.-B.  Lefort", "J-B Lefort", "J.B. Lefort", "JB Lefort"]
)
def test_initials_with_or_without_dots_match(tagger: Tagger, spelling: str) -> None:
    text = f"Hier soir, {spelling} a quitté la séance avant le vote."

    assert found(tagger, text) == [("jean-baptiste-lefort", spelling)]


def test_compound_first_name_alone_is_not_a_mention(tagger: Tagger) -> None:
    text = "Jean-Baptiste, mon voisin, tient la buvette du stade depuis vingt ans."

    assert found(tagger, text) == []


# -- word boundaries ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Le restaurant de Claire Martinez a rouvert place du Marché.",
        "La résidence de la Martinière sera rénovée en 2027.",
        "Un certain JB Leforte s'est présenté au guichet de la mairie.",
        "Les CLAIREMARTIN du coin n'ont rien à voir avec la campagne.",
    ],
)
def test_name_inside_a_longer_word_is_not_a_mention(tagger: Tagger, text: str) -> None:
    assert found(tagger, text) == []


def test_bare_surname_is_not_a_mention(tagger: Tagger) -> None:
    text = "Paul Martin, le boulanger de la rue Haute, offre les croissants du dimanche."

    assert found(tagger, text) == []


def test_keyword_inside_a_longer_word_is_not_a_topic(tagger: Tagger) -> None:
    text = "Les tramways de Lisbonne attirent des touristes du monde entier."

    assert owners(tagger, text) == []


# -- exclusions -----------------------------------------------------------------------


EXCLUSION_TEXTS = [
    "La fête foraine de Saint-Martin s'installe ce week-end.",
    "Le pont de saint martin est fermé à la circulation jusqu'à vendredi.",
    "Une exposition sur Martin Luther King ouvre à la médiathèque.",
    "La SAINT-MARTIN est célébrée le 11 novembre.",
    "Le square Saint–Martin (avec un tiret long) sera fermé.",
]


@pytest.fixture
def surname_tagger() -> Tagger:
    """Claire Martin also known by her surname alone, as on a forum where everyone knows
    whom "Martin" means: the exclusions are then all that keeps the town and the pastor out."""
    candidate = Candidate("claire-martin", "Claire Martin", ("Martin",), CLAIRE.exclude)
    return Tagger(Watchlist(Path("forum.yaml"), (candidate,), (), ()))


@pytest.mark.parametrize("text", EXCLUSION_TEXTS)
def test_exclusion_phrase_is_not_a_mention(tagger: Tagger, text: str) -> None:
    assert found(tagger, text) == []


@pytest.mark.parametrize("text", EXCLUSION_TEXTS)
def test_match_inside_an_exclusion_phrase_is_not_counted(surname_tagger: Tagger, text: str) -> None:
    assert found(surname_tagger, text) == []


def test_surname_alias_outside_an_exclusion_phrase_counts(surname_tagger: Tagger) -> None:
    text = "Martin a encore raison sur le budget, n'en déplaise à ses adversaires."

    assert found(surname_tagger, text) == [("claire-martin", "Martin")]


@pytest.mark.parametrize("name", ["tagger", "surname_tagger"])
def test_real_mention_next_to_an_exclusion_phrase_counts_once(
    name: str, request: pytest.FixtureRequest
) -> None:
    tagger: Tagger = request.getfixturevalue(name)
    text = "Claire Martin à Saint-Martin : la candidate a visité le marché dimanche."

    result = tagger.tag("", text)

    assert result.candidates == ["claire-martin"]
    assert result.mentions["claire-martin"].count == 1
    assert found(tagger, text) == [("claire-martin", "Claire Martin")]


def test_exclusion_of_one_candidate_does_not_hide_another() -> None:
    martin = Candidate("claire-martin", "Claire Martin", ("Martin",), ("Saint-Martin",))
    saint = Candidate("bernard-saint", "Bernard Saint", ("Saint",))
    tagger = Tagger(Watchlist(Path("t.yaml"), (martin, saint), (), ()))

    assert owners(tagger, "Rendez-vous à Saint-Martin.") == ["bernard-saint"]


def test_topic_exclusion_phrase_is_honoured() -> None:
    topic = Topic("transports", "Transports", ("tramway",), ("tramway nommé désir",))
    tagger = Tagger(Watchlist(Path("t.yaml"), (), (topic,), ()))

    assert owners(tagger, "Le théâtre joue « Un tramway nommé Désir » ce soir.") == []
    assert owners(tagger, "Le tramway arrivera en 2028.") == ["transports"]


# -- aliases, topics, counts and snippets --------------------------------------------


def test_aliases_count_as_mentions_of_their_candidate(tagger: Tagger) -> None:
    text = "Mme Martin a répondu à Mme Arnaud ; C. Martin a ensuite quitté la salle."

    assert found(tagger, text) == [
        ("claire-martin", "Mme Martin"),
        ("elodie-arnaud", "Mme Arnaud"),
        ("claire-martin", "C. Martin"),
    ]


def test_topic_phrase_matches_across_a_line_break_and_a_double_space(tagger: Tagger) -> None:
    text = (
        "Le débat a porté sur les transports en\n"
        "commun, puis sur les transports  en commun de nuit."
    )

    assert found(tagger, text) == [
        ("transports", "transports en\ncommun"),
        ("transports", "transports  en commun"),
    ]


def test_tag_lists_candidates_and_topics_in_watchlist_order(tagger: Tagger) -> None:
    text = "Sur les loyers, Élodie Arnaud et Claire Martin s'opposent ; le tramway divise aussi."

    result = tagger.tag("", text)

    assert result.candidates == ["claire-martin", "elodie-arnaud"]
    assert result.topics == ["transports", "logement"]


def test_counts_every_mention_of_each_candidate(tagger: Tagger) -> None:
    text = (
        "Claire Martin a ouvert la réunion. Jean-Baptiste Lefort lui a répondu sèchement. "
        "Mme Martin a maintenu sa position, et C. Martin a conclu sous les applaudissements. "
        "Plus tard, JB Lefort a quitté la salle."
    )

    result = tagger.tag("", text)

    assert result.mentions["claire-martin"].count == 3
    assert result.mentions["jean-baptiste-lefort"].count == 2
    assert "elodie-arnaud" not in result.mentions


def test_snippet_locates_the_match_in_its_original_spelling(tagger: Tagger) -> None:
    text = (
        "Au conseil municipal de mardi, la séance a duré plus de quatre heures et les échanges "
        "ont été vifs. ÉLODIE ARNAUD a dénoncé le retard pris sur la rénovation de l'école "
        "Jules-Ferry, puis elle a quitté la salle avant le vote du budget annexe."
    )

    [snippet] = tagger.tag("", text).mentions["elodie-arnaud"].snippets

    assert snippet.text[snippet.start : snippet.end] == "ÉLODIE ARNAUD"
    assert snippet.field == "text"
    assert snippet.text.startswith("…") and snippet.text.endswith("…")
    # The snippet is cut on word boundaries: it holds whole words of the text.
    words = set(text.split())
    assert all(word in words for word in snippet.text.strip("…").split())


def test_snippet_of_a_match_spread_over_lines_keeps_it_on_one_line(tagger: Tagger) -> None:
    text = "Dans sa lettre, Claire\n   Martin promet un budget participatif dès 2027."

    [snippet] = tagger.tag("", text).mentions["claire-martin"].snippets

    assert snippet.text[snippet.start : snippet.end] == "Claire Martin"
    assert "\n" not in snippet.text


def test_snippets_are_limited_to_max_snippets_but_all_mentions_are_counted() -> None:
    tagger = Tagger(WATCHLIST, snippet_chars=30, max_snippets=2)
    text = " ".join(f"Réunion numéro {n} : Claire Martin y était." for n in range(1, 6))

    mention = tagger.tag("", text).mentions["claire-martin"]

    assert mention.count == 5
    assert len(mention.snippets) == 2
    assert all(s.text[s.start : s.end] == "Claire Martin" for s in mention.snippets)
    assert "numéro 1" in mention.snippets[0].text and "numéro 2" in mention.snippets[1].text


def test_title_match_has_the_title_field_and_comes_first(tagger: Tagger) -> None:
    title = "Municipales : Claire Martin dévoile son programme"
    text = "Entourée de ses colistiers, Mme Martin a présenté quarante propositions samedi."

    mention = tagger.tag(title, text).mentions["claire-martin"]

    assert mention.count == 2
    assert [s.field for s in mention.snippets] == ["title", "text"]
    assert mention.snippets[0].text == title
    assert (
        mention.snippets[0].text[mention.snippets[0].start : mention.snippets[0].end]
        == "Claire Martin"
    )
    assert (
        mention.snippets[1].text[mention.snippets[1].start : mention.snippets[1].end]
        == "Mme Martin"
    )


def test_text_without_any_watched_name_is_untagged(tagger: Tagger) -> None:
    result = tagger.tag(
        "La fête des vendanges", "Les vendanges se sont achevées sous un soleil radieux."
    )

    assert (result.candidates, result.topics, result.mentions) == ([], [], {})


# -- documents and big watchlists -----------------------------------------------------


def test_apply_sets_candidates_topics_and_mentions_on_a_document(tagger: Tagger) -> None:
    document = Document(
        id="d1",
        url="https://www.courrier.example/a",
        canonical_url="https://www.courrier.example/a",
        domain="courrier.example",
        kind="article",
        source_id="courrier",
        title="Logements sociaux : Élodie Arnaud interpelle la préfecture",
        text="La candidate réclame 300 logements sociaux supplémentaires d'ici 2030.",
    )

    returned = tagger.apply(document)

    assert returned is document
    assert document.candidates == ["elodie-arnaud"]
    assert document.topics == ["logement"]
    assert document.mentions["elodie-arnaud"].count == 1
    assert document.mentions["logement"].count == 2
    assert document.mentions["elodie-arnaud"].snippets[0].field == "title"


def test_apply_clears_tags_that_no_longer_match(tagger: Tagger) -> None:
    document = Document(
        id="d2",
        url="https://x.example/b",
        canonical_url="https://x.example/b",
        domain="x.example",
        kind="article",
        source_id="x",
        title="Météo",
        text="Du soleil toute la semaine sur la vallée.",
        candidates=["claire-martin"],
        topics=["transports"],
    )

    tagger.apply(document)

    assert (document.candidates, document.topics, document.mentions) == ([], [], {})


def test_watchlist_with_a_thousand_aliases_still_finds_the_right_candidate() -> None:
    candidates = [
        Candidate(
            f"candidat-{n:03d}",
            f"Prénom{n:03d} Nom{n:03d}",
            tuple(f"Alias{n:03d}-{k} Nom{n:03d}" for k in range(9)),
        )
        for n in range(100)
    ]
    candidates.append(CLAIRE)
    tagger = Tagger(Watchlist(Path("big.yaml"), tuple(candidates), (), ()))
    assert tagger.alias_count == 1000 + len(CLAIRE.names)
    text = (
        "Au second tour, alias057-4 nom057 affrontera Mme Martin ; "
        "Prénom100 Nom100 n'existe pas et Nom057 seul ne compte pas."
    )

    assert found(tagger, text) == [
        ("candidat-057", "alias057-4 nom057"),
        ("claire-martin", "Mme Martin"),
    ]
