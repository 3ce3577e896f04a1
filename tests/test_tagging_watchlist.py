"""The watchlist keys tagging reads: alias options (ambiguous, case), cues, gender,
variants, topic and source languages. Plain string aliases keep working; every mistake
is reported with the file and the line, like the rest of the watchlist."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from traceur.enrich.tagging import Tagger
from traceur.errors import WatchlistError
from traceur.watchlist.loader import load_watchlist
from traceur.watchlist.model import Alias, Candidate


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "watchlist.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(WatchlistError) as caught:
        load_watchlist(path)
    return caught.value.problems


def test_alias_options_cues_gender_and_languages_load_into_typed_objects(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        candidates:
          - id: helene-martin
            name: Hélène Martin
            gender: F
            aliases: ["Mme Martin", {alias: Martin, ambiguous: true}]
            cues: ["Alliance verte"]
          - id: jean-baptiste-roy
            name: Jean-Baptiste Roy
            aliases: [{alias: JBR, case: any}]
            variants: false
        topics:
          - id: budget
            keywords: [budget]
            lang: [fr, EN]
        sources:
          - id: gazette
            kind: feed
            url: "https://www.gazette.example/rss.xml"
            every: 10m
            lang: "fr, de"
          - {id: echo, kind: feed, url: "https://www.echo.example/rss.xml", every: 10m}
        """,
    )

    watchlist = load_watchlist(path)
    martin, roy = watchlist.candidates

    assert martin == Candidate(
        "helene-martin",
        "Hélène Martin",
        ("Mme Martin", "Martin"),
        (),
        (Alias("Martin", ambiguous=True),),
        ("Alliance verte",),
        "f",
        True,
    )
    assert martin.alias("Martin").ambiguous and not martin.alias("Mme Martin").ambiguous
    assert roy.aliases == ("JBR",) and roy.alias("JBR").case == "any" and roy.variants is False
    assert watchlist.topics[0].lang == ("fr", "en")
    assert watchlist.source("gazette").languages == ("fr", "de")
    assert watchlist.source("gazette").lang == "fr,de"
    assert watchlist.source("echo").languages == ()


def test_plain_string_aliases_are_unchanged(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        candidates:
          - id: claire-martin
            name: Claire Martin
            aliases: ["C. Martin", "Mme Martin"]
        sources: []
        """,
    )

    [claire] = load_watchlist(path).candidates

    assert claire == Candidate("claire-martin", "Claire Martin", ("C. Martin", "Mme Martin"))


def test_ambiguous_alias_from_the_yaml_needs_context_in_the_tagger(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        candidates:
          - id: agathe-royal
            name: Agathe Royal
            aliases: [{alias: Royal, ambiguous: true}]
        sources: []
        """,
    )
    tagger = Tagger(load_watchlist(path))

    assert tagger.tag("", "Royal a parlé.").candidates == []
    assert (
        tagger.tag("Agathe Royal en meeting", "Royal a parlé.").mentions["agathe-royal"].count == 2
    )


@pytest.mark.parametrize(
    "entry, line, fragments",
    [
        (
            "aliases: [{alias: Martin, ambigous: true}]",
            4,
            ("unknown key 'ambigous'", "did you mean 'ambiguous'?"),
        ),
        (
            'aliases: [{alias: Martin, ambiguous: "oui"}]',
            4,
            ("aliases[0].ambiguous", "true or false"),
        ),
        (
            "aliases: [{alias: JBR, case: upper}]",
            4,
            ("unknown case 'upper'", "auto, any, capitalised, exact"),
        ),
        ("aliases: [{ambiguous: true}]", 4, ("aliases[0]", "missing 'alias'")),
        ('aliases: ["", "Martin"]', 4, ("aliases[0]", "non-empty text")),
        ("gender: femme", 4, ("gender", "write f or m")),
        ('variants: "non"', 4, ("variants", "true or false")),
        ("cues: [{party: AV}]", 4, ("cues[0]", "non-empty text")),
    ],
)
def test_mistakes_in_candidate_options_are_reported_with_their_line(
    tmp_path: Path, entry: str, line: int, fragments: tuple[str, ...]
) -> None:
    path = write(
        tmp_path,
        f"""\
        candidates:
          - id: helene-martin
            name: Hélène Martin
            {entry}
        sources: []
        """,
    )

    found = [p for p in problems(path) if p.startswith(f"{path}:{line}: ")]

    assert any(all(fragment in p for fragment in fragments) for p in found), found


def test_unknown_language_of_a_source_or_topic_is_reported_with_the_known_ones(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        """\
        candidates: []
        topics:
          - id: budget
            keywords: [budget]
            lang: [fr, xx]
        sources:
          - id: gazette
            kind: feed
            url: "https://www.gazette.example/rss.xml"
            every: 10m
            lang: french
        """,
    )

    reported = problems(path)

    assert any(
        p.startswith(f"{path}:5: topics[0].lang: 'xx' is not a language") for p in reported
    ), reported
    assert any(
        p.startswith(f"{path}:11: sources[0].lang: 'french'") and "fr (French)" in p
        for p in reported
    ), reported


def test_example_watchlist_shows_the_new_keys_and_loads(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parent.parent / "watchlists" / "example.yaml"

    watchlist = load_watchlist(example)

    text = example.read_text(encoding="utf-8")
    assert "ambiguous: true" in text and "cues:" in text and "lang:" in text
    assert any(option.ambiguous for c in watchlist.candidates for option in c.alias_options)
