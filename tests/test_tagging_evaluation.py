"""The labelled evaluation of tagging and story clusters (tests/eval, `make eval`): it must
reach its pinned floors, so a change that makes tagging worse fails `make test` too."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from traceur.enrich.evaluate import (
    DEFAULT_DIR,
    CorpusError,
    evaluate,
    main,
    read_text_corpus,
    render,
    strip_labels,
)


def test_evaluation_corpus_reaches_every_pinned_floor() -> None:
    report = evaluate(DEFAULT_DIR)

    assert report.failures == [], render(report, DEFAULT_DIR)


def test_corpus_is_big_and_varied_enough_to_mean_something() -> None:
    report = evaluate(DEFAULT_DIR)

    assert report.mentions >= 300
    assert sum(report.traps.values()) >= 60
    assert {"article", "forum_post", "comment", "video", "blog_post"} <= set(report.by_kind)
    assert {"homonym", "country", "place", "brand", "alt", "nav", "quote"} <= set(report.traps)
    assert report.pairs.tp + report.pairs.fn >= 40  # pairs of copies of one story
    assert all(score.tp + score.fn >= 50 for score in report.by_candidate.values())


def test_evaluation_exits_non_zero_when_a_figure_falls_below_its_floor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "eval"
    shutil.copytree(DEFAULT_DIR, directory)
    floors = directory / "floors.yaml"
    floors.write_text(
        floors.read_text(encoding="utf-8").replace("recall: 0.90", "recall: 1.0"), encoding="utf-8"
    )

    code = main([str(directory)])

    output = capsys.readouterr().out
    assert code == 1
    assert "FAIL: cluster pair recall" in output and "below its floor 1.000" in output


def test_evaluation_passes_with_exit_zero_on_the_shipped_corpus(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([str(DEFAULT_DIR)]) == 0
    assert "PASS" in capsys.readouterr().out


def test_labels_are_stripped_and_keep_their_offsets() -> None:
    text, mentions, traps = strip_labels(
        "Selon [[bruno-france|M. France]], la {{country|France}} va bien.", "text"
    )

    assert text == "Selon M. France, la France va bien."
    assert [(m.owner, text[m.start : m.end]) for m in mentions] == [("bruno-france", "M. France")]
    assert [(t.owner, text[t.start : t.end]) for t in traps] == [("country", "France")]


def test_malformed_label_is_reported_with_its_file_and_line(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(
        "@@ id=a kind=article site=x.example\n# Titre\nSelon [[bruno-france|France, rien.\n",
        encoding="utf-8",
    )

    with pytest.raises(CorpusError, match=f"{corpus}:1: a label is not closed"):
        read_text_corpus(corpus)
