"""Watchlist loading: valid files become typed objects; every mistake is reported with
the file, the line, what is wrong and how to fix it, by the loader and by `traceur check`.

The watchlists are written inline so the line numbers the tests expect can be counted
by eye (line 1 is the first line of each string)."""

from __future__ import annotations

import textwrap
import time
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from traceur.cli import main
from traceur.errors import WatchlistError
from traceur.watchlist.loader import load_watchlist
from traceur.watchlist.model import Candidate, Source, SourceLimits, Topic, Watchlist

VALID = """\
candidates:
  - id: claire-martin
    name: Claire Martin
    aliases: ["C. Martin", "Mme Martin"]
    exclude: ["Saint-Martin", "Martin Luther King"]
  - id: jean-baptiste-lefort
    name: Jean-Baptiste Lefort
    aliases: "JB Lefort"
topics:
  - id: transports
    name: Transports
    keywords: ["tramway", "transports en commun"]
  - id: logement
    keywords: ["loyers"]
sources:
  - id: courrier-politique
    name: Le Courrier — Politique
    kind: feed
    url: https://www.courrier-de-la-vallee.example/politique/rss.xml
    every: 10m
    limits: {max_entries: 40}
  - id: forum-val
    kind: forum
    url: https://forum.citoyens-du-val.example/forum/
    every: 2h
    match: "/forum/t/\\\\d+"
    follow: "/forum/"
    limits:
      max_pages: 120
      max_depth: 3
  - id: carnet
    kind: blog
    url: https://blog.carnet.example/
    every: 1d
    enabled: false
    lang: fr
  - id: plan-du-site
    kind: sitemap
    url: https://www.gazette.example/
    sitemap: https://www.gazette.example/sitemap.xml
    every: 90s
alerts: []
"""


def write(tmp_path: Path, text: str, name: str = "watchlist.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def check(path: Path) -> Result:
    return CliRunner().invoke(main, ["check", str(path)])


def problems_of(path: Path) -> list[str]:
    with pytest.raises(WatchlistError) as caught:
        load_watchlist(path)
    assert caught.value.problems, "a WatchlistError must list at least one problem"
    return caught.value.problems


def assert_reported(path: Path, line: int, *fragments: str) -> str:
    """The loader and `traceur check` both report a problem on ``path:line`` that contains
    every fragment (what is wrong and how to fix it). Returns the loader's message."""
    # Guard the test itself: the line we expect must exist in the file.
    assert 1 <= line <= len(path.read_bytes().splitlines()), f"line {line} is not in {path.name}"
    prefix = f"{path}:{line}: "
    problems = problems_of(path)
    found = [p for p in problems if p.startswith(prefix)]
    assert found, f"no problem reported on {prefix!r}; got {problems}"
    message = next((p for p in found if all(f in p for f in fragments)), None)
    assert message is not None, f"no problem on line {line} says all of {fragments}; got {found}"

    result = check(path)
    assert result.exit_code == 2, result.output
    assert f"error: {message}" in result.stderr.splitlines()
    assert result.stdout == ""
    return message


# -- valid files ----------------------------------------------------------------------


def test_valid_watchlist_loads_into_typed_objects(tmp_path: Path) -> None:
    watchlist = load_watchlist(write(tmp_path, VALID))

    assert isinstance(watchlist, Watchlist)
    assert watchlist.path == tmp_path / "watchlist.yaml"
    assert watchlist.candidates == (
        Candidate(
            "claire-martin",
            "Claire Martin",
            ("C. Martin", "Mme Martin"),
            ("Saint-Martin", "Martin Luther King"),
        ),
        Candidate("jean-baptiste-lefort", "Jean-Baptiste Lefort", ("JB Lefort",), ()),
    )
    assert watchlist.topics == (
        Topic("transports", "Transports", ("tramway", "transports en commun")),
        Topic("logement", "logement", ("loyers",)),
    )
    assert [s.id for s in watchlist.sources] == [
        "courrier-politique",
        "forum-val",
        "carnet",
        "plan-du-site",
    ]
    assert all(isinstance(s, Source) for s in watchlist.sources)
    assert watchlist.alerts == ()


def test_intervals_become_seconds(tmp_path: Path) -> None:
    watchlist = load_watchlist(write(tmp_path, VALID))

    assert {s.id: s.every for s in watchlist.sources} == {
        "courrier-politique": 600,
        "forum-val": 7200,
        "carnet": 86400,
        "plan-du-site": 90,
    }


def test_source_kinds_limits_and_options_are_typed(tmp_path: Path) -> None:
    watchlist = load_watchlist(write(tmp_path, VALID))
    feed = watchlist.source("courrier-politique")
    forum = watchlist.source("forum-val")
    blog = watchlist.source("carnet")
    sitemap = watchlist.source("plan-du-site")

    assert (feed.kind, feed.document_kind) == ("feed", "article")
    assert (forum.kind, forum.document_kind) == ("forum", "forum_post")
    assert (blog.kind, blog.document_kind) == ("blog", "blog_post")
    assert feed.name == "Le Courrier — Politique"
    assert feed.limits == SourceLimits(max_pages=None, max_depth=None, max_entries=40)
    assert forum.limits == SourceLimits(max_pages=120, max_depth=3, max_entries=None)
    assert blog.limits == SourceLimits()
    assert forum.match == r"/forum/t/\d+"
    assert forum.follow == "/forum/"
    assert feed.enabled is True and blog.enabled is False
    assert blog.lang == "fr" and feed.lang is None
    assert sitemap.sitemap == "https://www.gazette.example/sitemap.xml"


def test_unknown_source_id_lists_the_known_ones(tmp_path: Path) -> None:
    watchlist = load_watchlist(write(tmp_path, VALID))

    with pytest.raises(WatchlistError, match="courrier-politique, forum-val, carnet, plan-du-site"):
        watchlist.source("courrier")


def test_shipped_example_watchlist_is_valid() -> None:
    example = Path(__file__).resolve().parent.parent / "watchlists" / "example.yaml"
    watchlist = load_watchlist(example)

    assert watchlist.candidates and watchlist.sources


def test_check_command_accepts_a_valid_watchlist(tmp_path: Path) -> None:
    path = write(tmp_path, VALID)

    result = check(path)

    assert result.exit_code == 0, result.output
    assert f"{path}: valid — 2 candidates, 2 topics, 4 sources (3 enabled)" in result.stdout
    assert "error" not in result.output


# -- YAML syntax ----------------------------------------------------------------------


def test_bad_indentation_is_reported_on_the_misaligned_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        candidates:
          - id: claire-martin
           name: Claire Martin
        sources: []
        """,
    )

    assert_reported(path, 3, "invalid YAML", "check the indentation")


def test_unclosed_quote_is_reported_on_the_line_where_the_quote_opens(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        candidates:
          - id: claire-martin
            name: "Claire Martin
        sources: []
        """,
    )

    assert_reported(path, 3, "invalid YAML", "quoting")


def test_duplicate_mapping_key_is_reported_on_its_second_occurrence(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        candidates:
          - id: claire-martin
            name: Claire Martin
            aliases: ["C. Martin"]
            name: Claire Martin-Roux
        sources: []
        """,
    )

    assert_reported(path, 5, "'name' appears twice", "keep one of them")


def test_file_that_is_not_utf8_is_reported_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("candidates:\n  - id: elodie\n    name: Élodie Arnaud\n".encode("iso-8859-1"))

    assert_reported(path, 1, "not UTF-8", "save it as UTF-8")


# -- empty and missing files ----------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["", "\n\n", "# rien pour l'instant\n"], ids=["empty", "blank-lines", "only-a-comment"]
)
def test_empty_watchlist_is_refused_with_what_to_add(tmp_path: Path, text: str) -> None:
    path = tmp_path / "watchlist.yaml"
    path.write_text(text, encoding="utf-8")

    problems = problems_of(path)

    assert problems == [
        (
            f"{path}:1: the watchlist is empty; add at least "
            "`candidates:` and `sources:` (see watchlists/example.yaml)"
        )
    ]
    result = check(path)
    assert result.exit_code == 2
    assert "the watchlist is empty" in result.stderr


def test_watchlist_that_is_a_list_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        - id: claire-martin
          name: Claire Martin
        """,
    )

    assert_reported(path, 1, "a watchlist is a mapping", "candidates, topics, sources, alerts")


def test_missing_watchlist_file_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"

    problems = problems_of(path)

    assert problems[0].startswith(f"{path}: no such watchlist file")
    result = check(path)
    assert result.exit_code == 2
    assert str(path) in result.stderr


# -- keys and ids ---------------------------------------------------------------------


def test_unknown_key_suggests_the_key_it_resembles(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        candidates:
          - id: claire-martin
            name: Claire Martin
            aliasses: ["C. Martin"]
        sources: []
        """,
    )

    message = assert_reported(path, 4, "unknown key 'aliasses'", "did you mean 'aliases'?")
    assert "candidates[0]" in message
    assert "allowed keys: id, name, aliases, exclude" in message


def test_unknown_top_level_key_is_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        candidates: []
        source:
          - id: gazette
        """,
    )

    assert_reported(path, 2, "unknown key 'source'", "did you mean 'sources'?")


def test_duplicate_id_names_both_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        candidates:
          - id: claire-martin
            name: Claire Martin
          - id: elodie-arnaud
            name: Élodie Arnaud
          - id: claire-martin
            name: Claire Martin (homonyme)
        sources: []
        """,
    )

    message = assert_reported(path, 6, "duplicate id 'claire-martin'", "give each entry its own id")
    assert "first used on line 2" in message


def test_id_with_capitals_and_spaces_is_refused_with_an_example(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        candidates:
          - id: Claire Martin
            name: Claire Martin
        sources: []
        """,
    )

    assert_reported(
        path, 2, "'Claire Martin' is not a valid id", "lower-case letters, digits and '-'"
    )


def test_candidate_without_name_is_reported_on_its_entry(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        candidates:
          - id: claire-martin
            aliases: ["C. Martin"]
        sources: []
        """,
    )

    assert_reported(path, 2, "missing 'name'", "add `name: ...`")


# -- sources --------------------------------------------------------------------------


def source_file(tmp_path: Path, **overrides: str) -> Path:
    """A one-source watchlist; the source's keys are on lines 4 (kind) to 7 (every)."""
    values = {"kind": "feed", "url": "https://www.gazette.example/rss.xml", "every": "10m"}
    values.update(overrides)
    return write(
        tmp_path,
        f"""\
        candidates: []
        sources:
          - id: gazette
            kind: {values["kind"]}
            url: {values["url"]}
            every: {values["every"]}
            match: {values.get("match", '"/politique/"')}
        """,
    )


@pytest.mark.parametrize(
    "url", ["ftp://ftp.gazette.example/archives/", "not a url", "www.gazette.example/rss.xml"]
)
def test_url_that_is_not_a_web_address_is_refused(tmp_path: Path, url: str) -> None:
    path = source_file(tmp_path, url=url)

    assert_reported(
        path, 5, f"{url!r} is not a web address", "write a full http:// or https:// URL"
    )


@pytest.mark.parametrize("every", ["10 minutes", "0m", "dix minutes", "1.5h"])
def test_interval_that_is_not_a_duration_is_refused_with_examples(
    tmp_path: Path, every: str
) -> None:
    path = source_file(tmp_path, every=every)

    assert_reported(
        path, 6, "sources[0].every", f"{every!r} is not a duration", "for example 90s, 10m, 2h, 7d"
    )


def test_interval_shorter_than_ten_seconds_is_refused_as_too_often(tmp_path: Path) -> None:
    path = source_file(tmp_path, every="5s")

    assert_reported(path, 6, "'5s' is too often", "10s")


def test_interval_of_exactly_ten_seconds_is_accepted(tmp_path: Path) -> None:
    watchlist = load_watchlist(source_file(tmp_path, every="10s"))

    assert watchlist.sources[0].every == 10


def test_unknown_kind_suggests_the_closest_kind(tmp_path: Path) -> None:
    path = source_file(tmp_path, kind="fed")

    message = assert_reported(path, 4, "unknown kind 'fed'", "did you mean 'feed'?")
    assert "feed, site, sitemap, forum, blog, video" in message


def test_invalid_regex_in_match_is_reported_with_the_regex_error(tmp_path: Path) -> None:
    path = source_file(tmp_path, match='"/politique/([0-9]+"')

    assert_reported(path, 7, "sources[0].match", "is not a valid regular expression", "missing )")


def test_zero_page_limit_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        candidates: []
        sources:
          - id: gazette
            kind: site
            url: https://www.gazette.example/
            every: 1h
            limits:
              max_pages: 0
        """,
    )

    assert_reported(path, 8, "sources[0].limits.max_pages", "must be a positive whole number")


def test_enabled_must_be_a_boolean(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        candidates: []
        sources:
          - id: gazette
            kind: feed
            url: https://www.gazette.example/rss.xml
            every: 1h
            enabled: "oui"
        """,
    )

    assert_reported(path, 7, "sources[0].enabled", "must be true or false")


# -- several problems -----------------------------------------------------------------


def test_every_problem_in_a_file_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        candidates:
          - id: claire-martin
            name: Claire Martin
            aliasses: ["C. Martin"]
          - id: claire-martin
            name: Claire Martin
        sources:
          - id: gazette
            kind: fed
            url: ftp://www.gazette.example/
            every: 10 minutes
          - id: forum
            kind: forum
            url: https://forum.example/
            every: 5s
            match: "([a-z"
        """,
    )

    problems = problems_of(path)

    expected = {
        4: "unknown key 'aliasses'",
        5: "duplicate id 'claire-martin'",
        9: "unknown kind 'fed'",
        10: "is not a web address",
        11: "'10 minutes' is not a duration",
        15: "'5s' is too often",
        16: "is not a valid regular expression",
    }
    assert len(problems) == len(expected), problems
    for line, fragment in expected.items():
        assert any(p.startswith(f"{path}:{line}: ") and fragment in p for p in problems), (
            line,
            fragment,
            problems,
        )

    result = check(path)
    assert result.exit_code == 2
    reported = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert reported == [f"error: {p}" for p in problems]


# -- limits: hostile or mistaken files --------------------------------------------------


def _alias_bomb(levels: int = 9) -> str:
    # Nine anchors, each a list of nine aliases of the previous one: a few hundred bytes
    # that stand for 9**9 (387 million) values once expanded.
    lines = ['  - &b0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        lines.append(f"  - &b{level} [" + ", ".join([f"*b{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _refused_within_bounds(path: Path) -> list[str]:
    """The loader's problems for ``path``, checking it took < 5 s and < 200 MB."""
    started = time.monotonic()
    problems = problems_of(path)
    elapsed = time.monotonic() - started
    assert elapsed < 5, f"refusing {path.name} took {elapsed:.1f}s"
    # Measured on a second load: tracing every allocation makes the parser several times
    # slower, which would blur the time above.
    tracemalloc.start()
    try:
        assert problems_of(path) == problems
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200 * 1024 * 1024, f"refusing {path.name} took {peak / 1e6:.0f} MB"
    return problems


@pytest.mark.parametrize(
    "use",
    [
        "candidates:\n  - {? *b8 : Claire Martin}\n",
        "candidates:\n  - id: *b8\n    name: Claire Martin\n",
        "candidates:\n  - id: claire-martin\n    name: Claire Martin\n    aliases: *b8\n",
    ],
    ids=["as-a-key", "as-an-id", "as-aliases"],
)
def test_an_alias_bomb_is_refused_fast_with_bounded_memory_on_its_line(
    tmp_path: Path, use: str
) -> None:
    path = tmp_path / "bombe.yaml"
    path.write_text("modeles:\n" + _alias_bomb() + use, encoding="utf-8")

    [problem] = _refused_within_bounds(path)

    assert problem.startswith(f"{path}:")
    assert "more than 50000 values (each alias counted as often as it is used)" in problem
    assert "remove the aliases that repeat large values" in problem


def test_an_alias_inside_the_value_it_names_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "candidates:\n  - &moi {id: claire-martin, cues: [*moi]}\n")

    assert_reported(path, 2, "the alias *moi is used inside the value it names")


def test_more_aliases_than_the_limit_are_refused_on_the_first_one_past_it(tmp_path: Path) -> None:
    lines = ["candidates:", "  - id: claire-martin", "    name: &nom Claire Martin", "    cues:"]
    lines += ["      - *nom"] * 1001
    path = write(tmp_path, "\n".join(lines) + "\n")

    assert_reported(path, 4 + 1001, "more than 1000 aliases (*name)", "write the values out")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("candidates: " + "[" * 1000 + "]" * 1000 + "\n", 1),
        ("candidates:\n" + "".join(" " * (2 * i + 2) + "k:\n" for i in range(1000)), 40),
    ],
    ids=["flow", "block"],
)
def test_nesting_past_the_limit_is_refused_on_its_line_without_recursion_error(
    tmp_path: Path, text: str, line: int
) -> None:
    path = write(tmp_path, text)

    _refused_within_bounds(path)
    assert_reported(path, line, "nested more than 40 levels deep", "remove the extra ones")


def test_a_list_used_as_a_key_is_refused_on_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "candidates:\n  - id: claire-martin\n    ? [name, nom]\n    : Claire\n")

    assert_reported(path, 3, "a key is a list or a mapping", "write a plain name before the ':'")


def test_a_file_past_the_size_limit_is_refused_without_being_parsed(tmp_path: Path) -> None:
    path = tmp_path / "enorme.yaml"
    entry = "  - id: candidat-{0}\n    name: Candidate numéro {0}, conseillère municipale\n"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("candidates:\n")
        for number in range(600_000):  # about 50 MB, as in the report
            handle.write(entry.format(number))
    started = time.monotonic()

    [problem] = problems_of(path)

    assert time.monotonic() - started < 1
    assert problem == (
        f"{path}:1: the file is larger than 1 MB; a watchlist or settings file is far"
        " smaller: split it, or check that this is the right file"
    )


def test_a_many_valued_file_under_the_size_limit_is_refused_at_the_value_limit(
    tmp_path: Path,
) -> None:
    # 100 kB of one-letter values: far under the size limit, past the value limit.
    path = write(tmp_path, "candidates:\n  - id: c\n    cues: [" + "v," * 50_000 + "v]\n")

    [problem] = problems_of(path)

    assert problem.startswith(f"{path}:3: more than 50000 values")


def test_shared_anchors_for_limits_still_load(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        candidates:
          - {id: claire-martin, name: Claire Martin}
        sources:
          - id: forum-val
            kind: forum
            url: https://forum.citoyens-du-val.example/forum/
            every: 2h
            limits: &prudent {max_pages: 50, max_depth: 2}
          - id: forum-quartiers
            kind: forum
            url: https://forum.quartiers.example/
            every: 2h
            limits: *prudent
        """,
    )

    watchlist = load_watchlist(path)

    assert [s.limits for s in watchlist.sources] == [SourceLimits(50, 2, None)] * 2


@pytest.mark.parametrize(
    ("every", "shown"),
    [("99999999999999999999d", "'999999999999...d'"), ("3651d", "'3651d'"), ("522w", "'522w'")],
)
def test_an_interval_past_ten_years_is_refused_with_the_allowed_range(
    tmp_path: Path, every: str, shown: str
) -> None:
    path = write(tmp_path, VALID.replace("every: 2h", f"every: {every}"))

    assert_reported(
        path, 25, f"sources[1].every: {shown} is too long; a duration goes from 1s to 3650d"
    )


def test_an_interval_of_ten_years_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("every: 2h", "every: 3650d"))

    assert load_watchlist(path).sources[1].every == 3650 * 86400


def test_an_invalid_watchlist_prints_at_most_fifty_problems_and_how_many_more(
    tmp_path: Path,
) -> None:
    entries = "".join(f"  - id: Candidat {n}\n    name: Candidat {n}\n" for n in range(80))
    path = write(tmp_path, "candidates:\n" + entries)

    result = check(path)

    lines = result.stderr.splitlines()
    assert result.exit_code == 2 and len(lines) == 51
    assert lines[-1] == "error: ... and 30 more problems; fix these first"
