"""Tagging names that are ordinary words: ambiguous aliases with context, acronyms in
capitals, generated variants, vetoes, mention offsets, and what never reaches the text.

The candidates are invented (the evaluation cast of tests/eval); the sentences are written
for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from traceur.document import Document, Mention, Snippet, Span
from traceur.enrich.names import name_variants
from traceur.enrich.tagging import Tagger
from traceur.parse.articles import extract_page
from traceur.watchlist.model import Alias, Candidate, Topic, Watchlist

MARTIN = Candidate(
    "helene-martin",
    "Hélène Martin",
    ("Mme Martin", "Martin"),
    (),
    alias_options=(Alias("Martin", ambiguous=True),),
    cues=("Alliance verte",),
    gender="f",
)
ROY = Candidate(
    "jean-baptiste-roy",
    "Jean-Baptiste Roy",
    ("JBR", "Roy"),
    alias_options=(Alias("Roy", ambiguous=True),),
    cues=("Union pour Brennac",),
    gender="m",
)
ROYAL = Candidate(
    "agathe-royal",
    "Agathe Royal",
    ("Royal",),
    alias_options=(Alias("Royal", ambiguous=True),),
    gender="f",
)
FRANCE = Candidate(
    "bruno-france",
    "Bruno France",
    ("France",),
    ("équipe de France",),
    alias_options=(Alias("France", ambiguous=True),),
    gender="m",
)
NKM = Candidate("nadia-kerbrat-morvan", "Nadia Kerbrat-Morvan", ("NKM",), gender="f")
CAST = Watchlist(Path("cast.yaml"), (MARTIN, ROY, ROYAL, FRANCE, NKM), (), ())


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger(CAST, snippet_chars=40)


def found(tagger: Tagger, text: str) -> list[tuple[str, str]]:
    return [(m.owner, text[m.start : m.end]) for m in tagger.find(text)]


# -- ambiguous aliases need context -----------------------------------------------------


def test_ambiguous_surname_alone_is_not_a_mention(tagger: Tagger) -> None:
    assert found(tagger, "Martin a encore raison sur le budget, selon ses voisins.") == []


def test_ambiguous_surname_counts_when_the_full_name_is_elsewhere_in_the_document(
    tagger: Tagger,
) -> None:
    text = "Hélène Martin était au marché samedi. Plus tard, Martin a défendu le tramway."

    assert found(tagger, text) == [("helene-martin", "Hélène Martin"), ("helene-martin", "Martin")]


def test_full_name_in_the_title_gives_context_to_the_text(tagger: Tagger) -> None:
    result = tagger.tag(
        "Portrait : Agathe Royal, l'avocate candidate", "Royal plaide depuis vingt ans à Brennac."
    )

    spans = result.mentions["agathe-royal"].spans
    assert [(s.field, s.start, s.end) for s in spans] == [("title", 11, 23), ("text", 0, 5)]


def test_ambiguous_surname_without_context_in_its_own_document_is_not_a_mention(
    tagger: Tagger,
) -> None:
    result = tagger.tag("Courrier des lecteurs", "Royal a tort sur la police municipale.")

    assert result.candidates == []


@pytest.mark.parametrize(
    "text",
    [
        "Mme Martin a défendu le tramway.",
        "La candidate Martin a défendu le tramway.",
        "La candidate écologiste Martin a défendu le tramway.",
        "Martin, la candidate d'Alliance verte, a défendu le tramway.",
        "Pour Alliance verte, Martin a défendu le tramway hier soir.",
    ],
)
def test_ambiguous_surname_with_a_cue_next_to_it_counts(tagger: Tagger, text: str) -> None:
    assert [owner for owner, _ in found(tagger, text)] == ["helene-martin"]


def test_civility_of_the_other_gender_is_someone_else_even_with_the_full_name_nearby(
    tagger: Tagger,
) -> None:
    text = "Hélène Martin a salué M. Martin, le boulanger, qui a gagné le concours."

    assert found(tagger, text) == [("helene-martin", "Hélène Martin")]


def test_gender_is_inferred_from_a_civility_alias_when_the_watchlist_gives_none() -> None:
    claire = Candidate(
        "claire-martin",
        "Claire Martin",
        ("Mme Martin", "Martin"),
        alias_options=(Alias("Martin", ambiguous=True),),
    )
    tagger = Tagger(Watchlist(Path("t.yaml"), (claire,), (), ()))

    assert found(tagger, "M. Martin a répondu.") == []
    assert found(tagger, "La candidate Martin a répondu.") == [("claire-martin", "Martin")]


@pytest.mark.parametrize(
    "text, trap",
    [
        ("Bruno France a visité l'usine. La France investit, dit-il.", "la France"),
        ("Bruno France a visité l'usine. Elle exporte en France et ailleurs.", "en France"),
        ("Bruno France était l'invité de Radio France ce matin.", "Radio France"),
        ("Bruno France regardait France 2 hier soir.", "France 2"),
        ("Bruno France a déjeuné avec France Dubois, sa colistière.", "France Dubois"),
        ("Bruno France a visité l'Île-de-France la semaine dernière.", "Île-de-France"),
        ("Bruno France a applaudi l'équipe de France de rugby.", "équipe de France (exclusion)"),
        ("Bruno France est né avenue de France, à Brennac.", "avenue de France"),
    ],
)
def test_country_and_institutions_are_not_the_candidate_named_france(
    tagger: Tagger, text: str, trap: str
) -> None:
    assert found(tagger, text) == [("bruno-france", "Bruno France")], trap


@pytest.mark.parametrize(
    "text",
    [
        "Hélène Martin habite à Saint-Martin-de-Brenne, près du pont.",
        "Hélène Martin est passée rue Martin, devant le lycée.",
        "Hélène Martin a croisé Paul Martin, le boulanger du village.",
        "Hélène Martin a cité Martin Luther King dans son discours.",
        "Hélène Martin observait un martin-pêcheur au bord de l'étang.",
        "Hélène Martin a écrit à P. Martin, son ancien professeur.",
        "HÉLÈNE MARTIN SALUE PAUL MARTIN.",
    ],
)
def test_homonyms_streets_and_compounds_are_not_the_candidate(tagger: Tagger, text: str) -> None:
    assert [owner for owner, _ in found(tagger, text)] == ["helene-martin"]


def test_company_named_after_someone_is_not_the_candidate_but_her_group_is(tagger: Tagger) -> None:
    text = "Agathe Royal a visité le groupe Royal, puis le groupe de Royal a voté contre."

    matches = tagger.find(text)

    assert [(m.owner, m.start) for m in matches] == [
        ("agathe-royal", 0),
        ("agathe-royal", text.rindex("Royal")),
    ]


def test_other_bearer_named_more_often_takes_the_bare_surname(tagger: Tagger) -> None:
    text = (
        "Lucien Roy quitte la présidence du club. Lucien Roy l'a annoncé samedi. "
        "Le maire, Jean-Baptiste Roy, a salué son homonyme. Roy laisse un club en bonne santé."
    )

    assert found(tagger, text) == [("jean-baptiste-roy", "Jean-Baptiste Roy")]


def test_duel_of_two_candidates_joined_by_a_hyphen_names_both(tagger: Tagger) -> None:
    text = "Hélène Martin et Jean-Baptiste Roy s'affrontent : le duel Roy-Martin tourne à l'aigre."

    assert found(tagger, text)[2:] == [("jean-baptiste-roy", "Roy"), ("helene-martin", "Martin")]


def test_lower_case_ambiguous_alias_counts_only_after_a_civility(tagger: Tagger) -> None:
    captions = (
        "bonjour je voulais demander à madame martin combien de temps durera le chantier royal"
    )
    context = "hélène martin vous commencez " + captions

    assert found(tagger, captions) == [("helene-martin", "martin")]
    assert found(tagger, context) == [
        ("helene-martin", "hélène martin"),
        ("helene-martin", "martin"),
    ]


def test_wire_dateline_is_a_place(tagger: Tagger) -> None:
    text = (
        "BRENNAC, France — Mayor Jean-Baptiste Roy faces Bruno France in March, in central France."
    )

    assert found(tagger, text) == [
        ("jean-baptiste-roy", "Jean-Baptiste Roy"),
        ("bruno-france", "Bruno France"),
    ]


def test_english_possessive_after_a_name_is_still_a_mention(tagger: Tagger) -> None:
    text = "Mayor Jean-Baptiste Roy is running again. Roy's rivals say the city is tired."

    assert found(tagger, text) == [
        ("jean-baptiste-roy", "Jean-Baptiste Roy"),
        ("jean-baptiste-roy", "Roy"),
    ]


# -- case rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written, counted",
    [("JBR", True), ("jbr", False), ("Jbr", False), ("NKM", True), ("nkm", False)],
)
def test_acronyms_count_only_in_capitals(tagger: Tagger, written: str, counted: bool) -> None:
    text = f"Au conseil, {written} a encore pris la parole."

    assert bool(found(tagger, text)) is counted


def test_short_alias_needs_a_capital_even_when_not_marked_ambiguous() -> None:
    candidate = Candidate("luc-ney", "Luc Ney", ("Ney",))
    tagger = Tagger(Watchlist(Path("t.yaml"), (candidate,), (), ()))

    assert found(tagger, "Ney a parlé.") == [("luc-ney", "Ney")]
    assert found(tagger, "le ney du vent") == []


def test_alias_case_can_be_set_to_any() -> None:
    candidate = Candidate(
        "jean-baptiste-roy",
        "Jean-Baptiste Roy",
        ("JBR",),
        alias_options=(Alias("JBR", case="any"),),
    )
    tagger = Tagger(Watchlist(Path("t.yaml"), (candidate,), (), ()))

    assert found(tagger, "vous avez vu jbr hier ?") == [("jean-baptiste-roy", "jbr")]


def test_full_names_match_in_any_case(tagger: Tagger) -> None:
    assert found(tagger, "hélène martin et AGATHE ROYAL") == [
        ("helene-martin", "hélène martin"),
        ("agathe-royal", "AGATHE ROYAL"),
    ]


# -- generated variants --------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "J.-B. Roy",
        "J-B Roy",
        "J.B. Roy",
        "JB Roy",
        "ROY Jean-Baptiste",
        "Roy Jean-Baptiste",
        "Jean Baptiste Roy",
        "Jean-Baptiste ROY",
    ],
)
def test_variants_of_a_compound_first_name_are_generated(tagger: Tagger, spelling: str) -> None:
    assert found(tagger, f"Hier, {spelling} a présidé la séance.") == [
        ("jean-baptiste-roy", spelling)
    ]


@pytest.mark.parametrize(
    "spelling, counted",
    [("H. Martin", True), ("A. Royal", True), ("H Martin", False), ("h. martin", False)],
)
def test_single_initial_variant_needs_a_capital_and_a_dot(
    tagger: Tagger, spelling: str, counted: bool
) -> None:
    assert bool(found(tagger, f"Selon {spelling}, le budget est insincère.")) is counted


def test_surname_first_variant_does_not_span_two_sentences(tagger: Tagger) -> None:
    assert found(tagger, "Le public a applaudi Roy. Jean-Baptiste Lefort a répondu.") == []


def test_no_initial_variant_for_a_first_name_starting_with_m() -> None:
    # "M. Dubreuil" is Monsieur Dubreuil, whoever he is.
    assert all(variant.words[:1] != ("m",) for variant in name_variants("Marc Dubreuil"))
    assert [v.words for v in name_variants("Jean-Baptiste Roy")][:2] == [
        ("j", "b", "roy"),
        ("jb", "roy"),
    ]


def test_variants_can_be_turned_off() -> None:
    candidate = Candidate("jean-baptiste-roy", "Jean-Baptiste Roy", variants=False)
    tagger = Tagger(Watchlist(Path("t.yaml"), (candidate,), (), ()))

    assert found(tagger, "J.-B. Roy a présidé la séance.") == []


@pytest.mark.parametrize(
    "text",
    [
        "Le programme d'Agathe Royal divise.",
        "Le programme d’AGATHE ROYAL divise.",
        "Qu'Agathe Royal le veuille ou non.",
    ],
)
def test_elided_forms_are_mentions(tagger: Tagger, text: str) -> None:
    assert [owner for owner, _ in found(tagger, text)] == ["agathe-royal"]


# -- offsets and snippets ------------------------------------------------------------------


def test_every_mention_keeps_its_offsets_beyond_the_snippet_limit() -> None:
    tagger = Tagger(CAST, max_snippets=2)
    text = " ".join(f"Réunion {n} : Hélène Martin y était." for n in range(1, 6))

    mention = tagger.tag("", text).mentions["helene-martin"]

    assert mention.count == 5 and len(mention.snippets) == 2
    assert [text[s.start : s.end] for s in mention.spans] == ["Hélène Martin"] * 5
    assert all(s.field == "text" for s in mention.spans)


def test_mention_spans_survive_a_round_trip_through_the_document_dict() -> None:
    document = Document(
        id="d",
        url="https://x.example/a",
        canonical_url="https://x.example/a",
        domain="x.example",
        kind="article",
        source_id="x",
        mentions={
            "a": Mention(
                2, (Snippet("… Royal …", 2, 7),), (Span("title", 0, 5), Span("text", 10, 15))
            )
        },
    )

    assert Document.from_dict(document.to_dict()) == document


def test_documents_stored_before_spans_existed_still_load() -> None:
    data = {
        "id": "d",
        "url": "u",
        "canonical_url": "u",
        "domain": "x",
        "kind": "article",
        "source_id": "s",
        "mentions": {
            "a": {
                "count": 1,
                "snippets": [{"text": "Royal", "start": 0, "end": 5, "field": "text"}],
            }
        },
    }

    assert Document.from_dict(data).mentions["a"].spans == ()


# -- what is not text ----------------------------------------------------------------------

PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>La piscine rouvre</title></head>
<body>
<nav><ul><li><a href="/c/martin">Hélène Martin</a></li><li><a href="/c/roy">Jean-Baptiste Roy</a></li>
<li><a href="/c/royal">Agathe Royal</a></li></ul></nav>
<main><article><h1>La piscine municipale rouvre ses portes</h1>
<img src="/p.jpg" alt="Agathe Royal et Hélène Martin devant le bassin">
<p>Après dix-huit mois de travaux, la piscine municipale de Brennac a rouvert samedi matin. Les nageurs
étaient au rendez-vous dès huit heures, et la file d'attente s'étirait jusqu'au parking.</p>
<p>Le maire, Jean-Baptiste Roy, a coupé le ruban en présence des enfants du club de natation. Le chantier
a coûté onze millions d'euros, dont quatre apportés par la région et le département.</p>
<p>Les horaires d'été seront appliqués jusqu'à la fin du mois, puis le bassin extérieur fermera pour l'hiver.</p>
</article></main>
<footer><a href="/c/france">Bruno France</a> · <a href="/c/nkm">NKM</a></footer>
</body></html>"""  # noqa: E501 - extraction fixture, kept verbatim


def test_navigation_and_image_alt_text_never_reach_the_document_text(tagger: Tagger) -> None:
    extracted = extract_page(PAGE, "https://www.echo-de-brennac.example/piscine")

    assert extracted is not None
    assert "Jean-Baptiste Roy" in extracted.text
    for absent in ("Hélène Martin", "Agathe Royal", "Bruno France", "NKM"):
        assert absent not in extracted.text and absent not in extracted.title
    assert tagger.tag(extracted.title, extracted.text).candidates == ["jean-baptiste-roy"]


# -- topics and languages ------------------------------------------------------------------


def test_topic_restricted_to_french_ignores_documents_in_other_languages() -> None:
    topic = Topic("budget", "Budget", ("budget",), lang=("fr",))
    tagger = Tagger(Watchlist(Path("t.yaml"), (), (topic,), ()))

    assert tagger.tag("", "Le budget est voté.", "fr").topics == ["budget"]
    assert tagger.tag("", "The budget was passed.", "en").topics == []
    assert tagger.tag("", "Le budget est voté.", None).topics == ["budget"]
