"""The labelled page-type set (tests/eval/pagetypes, `make eval`): the classifier must
reach the floors pinned in tests/eval/floors.yaml, so a change that makes it worse fails
`make test` too."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from traceur.enrich.pagetype_eval import DEFAULT_DIR, LabelsError, evaluate, main, render


def test_page_type_evaluation_reaches_every_pinned_floor() -> None:
    report = evaluate(DEFAULT_DIR)

    assert report.failures == [], render(report, verbose=True)


def test_page_set_is_big_varied_balanced_and_has_hold_out_styles() -> None:
    report = evaluate(DEFAULT_DIR)
    documents = report.overall.tp + report.overall.fn

    assert report.overall.size >= 150
    assert len(report.by_style) >= 8
    assert 0.35 <= documents / report.overall.size <= 0.65
    holdout = [style for styles in report.rounds.values() for style in styles]
    assert len(set(holdout)) >= 3 and set(holdout) <= set(report.by_style)
    # Each round has at least three styles written after the rules they were measured on.
    assert all(len(styles) >= 3 for styles in report.rounds.values())
    assert report.holdout.size >= 50
    assert all(counts.tp + counts.fn >= 5 for counts in report.by_style.values())


def test_output_gives_figures_per_style_and_for_the_hold_out_styles_alone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([str(DEFAULT_DIR)]) == 0

    output = capsys.readouterr().out
    assert "hold-out styles only" in output and "hold-out round 2" in output
    assert "(round 1)" in output and "spip" in output
    assert "PASS" in output


def copy_set(tmp_path: Path) -> Path:
    directory = tmp_path / "eval" / "pagetypes"
    shutil.copytree(DEFAULT_DIR, directory)
    shutil.copy(DEFAULT_DIR.parent / "floors.yaml", tmp_path / "eval" / "floors.yaml")
    return directory


def test_evaluation_exits_non_zero_when_a_figure_falls_below_its_floor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = copy_set(tmp_path)
    labels = yaml.safe_load((directory / "labels.yaml").read_text(encoding="utf-8"))
    # Three listings relabelled as documents: the classifier now "misses" three documents.
    flipped = [entry for entry in labels["pages"] if not entry["is_document"]][:3]
    for entry in flipped:
        entry["is_document"] = True
    (directory / "labels.yaml").write_text(yaml.safe_dump(labels), encoding="utf-8")

    code = main([str(directory), "-v"])

    output = capsys.readouterr().out
    assert code == 1
    assert "FAIL: page recall" in output
    for entry in flipped:
        assert f"{entry['file']}: document" in output
    assert output.count("because: ") == len(evaluate(DEFAULT_DIR).mistakes) + 3


def test_a_label_naming_a_missing_page_is_an_error(tmp_path: Path) -> None:
    directory = copy_set(tmp_path)
    (directory / "pages" / "spip" / "about.html").unlink()

    with pytest.raises(LabelsError, match="no page pages/spip/about.html"):
        evaluate(directory)
