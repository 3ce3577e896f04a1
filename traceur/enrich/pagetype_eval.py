"""The page-type evaluation: precision and recall of "is a document" on labelled pages,
overall, per site style and on the hold-out styles (written after the rules were frozen),
checked against the floors of ``floors.yaml`` (section ``pages``).

    python -m traceur.enrich.pagetype_eval tests/eval/pagetypes [-v]

The directory holds ``labels.yaml`` (``holdout``: style names; ``pages``: file, style,
url, is_document, note) and the pages it names; the floors are read from the
``floors.yaml`` of the directory or of its parent. Exit status 1 below a floor.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from traceur.enrich.evaluate import Score
from traceur.parse.pagetype import PageType, classify_page

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "tests" / "eval" / "pagetypes"


@dataclass
class Counts(Score):
    """Counts of "is a document" decisions; ``tn`` are listings left out, rightly."""

    tn: int = 0

    def add(self, truth: bool, found: bool) -> None:
        if truth and found:
            self.tp += 1
        elif found:
            self.fp += 1
        elif truth:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def size(self) -> int:
        return self.tp + self.fp + self.fn + self.tn


@dataclass(frozen=True)
class Mistake:
    file: str
    is_document: bool
    found: PageType
    note: str


@dataclass
class Report:
    overall: Counts = field(default_factory=Counts)
    holdout: Counts = field(default_factory=Counts)
    by_style: dict[str, Counts] = field(default_factory=dict)
    # Hold-out styles by round (written after the rules were frozen, then changed).
    rounds: dict[str, list[str]] = field(default_factory=dict)
    by_round: dict[str, Counts] = field(default_factory=dict)
    mistakes: list[Mistake] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


class LabelsError(ValueError):
    """labels.yaml is missing, malformed or names a page that is not there."""


def _labels(directory: Path) -> dict[str, Any]:
    path = directory / "labels.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LabelsError(f"{path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("pages"), list):
        raise LabelsError(f"{path}: expected a mapping with a 'pages' list")
    return data


def evaluate(directory: Path) -> Report:
    """Classify every labelled page of ``directory`` and score against the labels."""
    data = _labels(directory)
    report = Report(rounds=_rounds(data.get("holdout")))
    for entry in data["pages"]:
        path = directory / str(entry["file"])
        if not path.is_file():
            raise LabelsError(f"{directory / 'labels.yaml'}: no page {entry['file']}")
        found = classify_page(path.read_text(encoding="utf-8"), str(entry["url"]))
        truth = bool(entry["is_document"])
        style = str(entry["style"])
        for counts in (report.overall, report.by_style.setdefault(style, Counts())):
            counts.add(truth, found.is_document)
        for round_name, styles in report.rounds.items():
            if style in styles:
                report.holdout.add(truth, found.is_document)
                report.by_round.setdefault(round_name, Counts()).add(truth, found.is_document)
        if found.is_document != truth:
            report.mistakes.append(Mistake(str(entry["file"]), truth, found, str(entry["note"])))
    report.failures = check_floors(report, _floors(directory))
    return report


def _rounds(value: Any) -> dict[str, list[str]]:
    """``holdout``: a list of styles, or rounds of them ({"round 1": [...], ...})."""
    if isinstance(value, dict):
        return {str(name): [str(style) for style in styles] for name, styles in value.items()}
    return {"hold-out": [str(style) for style in value]} if value else {}


def _floors(directory: Path) -> dict[str, Any]:
    for candidate in (directory / "floors.yaml", directory.parent / "floors.yaml"):
        if candidate.is_file():
            data = yaml.safe_load(candidate.read_text(encoding="utf-8")) or {}
            pages = data.get("pages") if isinstance(data, dict) else None
            if isinstance(pages, dict):
                return pages
    raise LabelsError(f"no floors.yaml with a 'pages' section next to {directory}")


def check_floors(report: Report, floors: dict[str, Any]) -> list[str]:
    failures = []
    figures = {
        "precision": report.overall.precision,
        "recall": report.overall.recall,
        "size": report.overall.size,
        "styles": len(report.by_style),
    }
    for name, value in figures.items():
        floor = floors.get(name)
        if floor is not None and value < float(floor):
            failures.append(f"FAIL: page {name} {value:.3f} is below its floor {float(floor):.3f}")
    return failures


def _row(name: str, counts: Counts) -> str:
    documents = counts.tp + counts.fn
    return (
        f"{name:<34} {counts.size:>5} {documents:>5} {counts.precision:>9.3f} {counts.recall:>7.3f}"
    )


def render(report: Report, verbose: bool = False) -> str:
    lines = [f"{'pages':<34} {'pages':>5} {'docs':>5} {'precision':>9} {'recall':>7}"]
    lines.append(_row("all styles", report.overall))
    for style in sorted(report.by_style):
        rounds = [name for name, styles in report.rounds.items() if style in styles]
        mark = f" ({rounds[0]})" if rounds else ""
        lines.append(_row(f"  {style}{mark}"[:34], report.by_style[style]))
    if report.rounds:
        lines.append(_row("hold-out styles only", report.holdout))
        for name, counts in report.by_round.items():
            lines.append(_row(f"  hold-out {name}", counts))
    lines.append(f"{len(report.mistakes)} page(s) misclassified")
    if verbose:
        for mistake in report.mistakes:
            said = "document" if mistake.found.is_document else mistake.found.kind_hint
            truth = "document" if mistake.is_document else "not a document"
            lines.append(f"  {mistake.file}: {truth} ({mistake.note}), classified {said}")
            lines.append(f"      because: {mistake.found.reason}")
    lines.extend(report.failures)
    if not report.failures:
        lines.append("PASS: every page-type figure reaches its floor (floors.yaml)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Page-type (document or listing) evaluation against pinned floors."
    )
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every mistake")
    args = parser.parse_args(argv)
    report = evaluate(args.directory)
    print(render(report, args.verbose))
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
