"""The labelled publication-date evaluation (tests/eval/dates, ``make eval``).

Each page of the set goes through the extraction a crawl runs (``extract_page`` with
its fetch time, then the feed or sitemap entry's date in its place in the order of
trust) and its publication date is compared with the label, to the minute. Accuracy
is printed overall and per trap family; the run fails (exit status 1) below the floor
of ``floors.yaml``'s ``dates:`` section, or when the set is smaller than its pinned size.

    python -m traceur.parse.pubdate_eval tests/eval/dates [-v]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from traceur.document import format_utc, parse_utc
from traceur.parse.articles import extract_page
from traceur.parse.pubdate import DateChoice

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "tests" / "eval" / "dates"


@dataclass
class Outcome:
    page: str
    truth: datetime | None
    found: datetime | None
    source: str | None
    flag_expected: str | None
    flag: str | None
    traps: list[str]

    @property
    def right(self) -> bool:
        return _minute(self.truth) == _minute(self.found) and self.flag_expected == self.flag


@dataclass
class DateReport:
    outcomes: list[Outcome] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return _share(self.outcomes)

    def by_family(self) -> dict[str, list[Outcome]]:
        families: dict[str, list[Outcome]] = defaultdict(list)
        for outcome in self.outcomes:
            for trap in outcome.traps:
                families[trap].append(outcome)
        return dict(sorted(families.items()))


def _share(outcomes: Sequence[Outcome]) -> float:
    return sum(o.right for o in outcomes) / len(outcomes) if outcomes else 0.0


def _minute(moment: datetime | None) -> str | None:
    text = format_utc(moment)
    return text[:16] if text else None


def page_choice(html: str, url: str, fetched_at: datetime, entry: datetime | None) -> DateChoice:
    """The publication date a crawl would store for this page (and why)."""
    extracted = extract_page(html, url, fetched_at=fetched_at)
    if extracted is None:
        return DateChoice()
    return extracted.publication(entry, fetched_at)


def evaluate(directory: Path, floors_path: Path | None = None) -> DateReport:
    report = DateReport()
    manifest = yaml.safe_load((directory / "manifest.yaml").read_text(encoding="utf-8"))
    for item in manifest:
        report.outcomes.append(_outcome(directory, item))
    floors = _floors(floors_path or directory.parent / "floors.yaml")
    if report.accuracy < float(floors.get("accuracy", 1.0)):
        report.failures.append(
            f"date accuracy {report.accuracy:.3f} is below its floor {floors['accuracy']:.3f}"
        )
    if len(report.outcomes) < int(floors.get("size", 0)):
        report.failures.append(
            f"the set has {len(report.outcomes)} pages, fewer than its floor {floors['size']}"
        )
    return report


def _outcome(directory: Path, item: dict[str, Any]) -> Outcome:
    fetched_at = parse_utc(item["fetched_at"])
    assert fetched_at is not None, f"{item['page']}: no fetched_at"
    html = (directory / item["page"]).read_text(encoding="utf-8")
    choice = page_choice(html, item["url"], fetched_at, parse_utc(item.get("entry")))
    return Outcome(
        page=item["page"],
        truth=parse_utc(item.get("truth")),
        found=choice.published_at,
        source=choice.source,
        flag_expected=item.get("flag"),
        flag=choice.flag if choice.flag == "future" else None,
        traps=list(item.get("traps") or []),
    )


def _floors(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    section = data.get("dates")
    if not isinstance(section, dict):
        raise ValueError(f"{path}: no 'dates:' section with the accuracy floor")
    return section


def render(report: DateReport, verbose: bool = False) -> str:
    lines = [
        f"publication dates: {sum(o.right for o in report.outcomes)}/{len(report.outcomes)}"
        f" right to the minute, accuracy {report.accuracy:.3f}",
        "per trap family:",
    ]
    for family, outcomes in report.by_family().items():
        lines.append(f"  {family:<22} {_share(outcomes):.3f}  ({len(outcomes)} pages)")
    sources: dict[str, int] = defaultdict(int)
    for outcome in report.outcomes:
        sources[outcome.source or "none"] += 1
    lines.append("chosen from: " + ", ".join(f"{k} {v}" for k, v in sorted(sources.items())))
    if verbose:
        for outcome in report.outcomes:
            if not outcome.right:
                lines.append(
                    f"  WRONG {outcome.page}: expected {_minute(outcome.truth)} "
                    f"(flag {outcome.flag_expected}), got {_minute(outcome.found)} "
                    f"from {outcome.source} (flag {outcome.flag})"
                )
    lines += [f"FAIL: {failure}" for failure in report.failures]
    if not report.failures:
        lines.append("PASS: date accuracy reaches its floor (floors.yaml)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Publication-date accuracy on a labelled set.")
    parser.add_argument("directory", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--floors", type=Path, help="floors file (default: ../floors.yaml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every wrong page")
    args = parser.parse_args(argv)
    report = evaluate(args.directory, args.floors)
    print(render(report, args.verbose))
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
