"""The tagging and clustering evaluation: precision and recall on a hand-labelled corpus,
checked against pinned floors (``make eval``; ``tests/test_evaluation.py`` runs it too).

An evaluation directory holds:

- ``watchlist.yaml``: the candidates, loaded like any watchlist;
- ``floors.yaml``: the figures the evaluation must reach, and the corpus's minimum size;
- ``corpus/*.txt``: documents as text, each starting with a header line
  ``@@ id=… kind=… site=… [story=…]``, then an optional ``# title`` line, then the text;
  lines starting with ``%%`` are the labeller's notes and are skipped;
- ``pages/*.html``: whole pages (navigation, image alt text…) that go through extraction
  first, with the same header in an HTML comment ``<!-- @@ id=… -->``.

Labels are inline: ``[[candidate-id|the words]]`` is a mention of that candidate,
``{{kind|the words}}`` a trap (words that look like a candidate and are not: a homonym,
the country, a street…). Both are stripped before tagging, keeping their offsets. Documents
sharing a ``story`` are copies of one story (republished, pasted into a forum); the others
stand alone. Documents are "seen" in file-name order, then in order within a file.

A found mention is right when it overlaps a labelled mention of the same candidate in the
same field. Cluster quality is measured on pairs of documents: precision is the share of
pairs put in one cluster that are copies of one story, recall the share of such pairs
put in one cluster.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path
from typing import Any

import yaml

from traceur.document import Document
from traceur.enrich.clusters import cluster_documents
from traceur.enrich.language import document_language
from traceur.enrich.tagging import Match, Tagger
from traceur.parse.articles import extract_page
from traceur.watchlist.loader import load_watchlist

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "tests" / "eval"
_MENTION = re.compile(r"\[\[([a-z0-9][a-z0-9_-]*)\|([^\]|]+)\]\]")
_TRAP = re.compile(r"\{\{([a-z-]+)\|([^}|]+)\}\}")
_HEADER = re.compile(r"^@@\s+(.*)$")
_HTML_HEADER = re.compile(r"<!--\s*@@\s+(.*?)\s*-->")
_ATTRIBUTE = re.compile(r'(\s[\w:-]+=")([^"]*)"')
_KINDS = ("article", "forum_post", "blog_post", "comment", "video")
_FIRST_SEEN = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


class CorpusError(Exception):
    """The evaluation corpus is malformed (the message names the file and line)."""


@dataclass(frozen=True)
class Label:
    field: str
    start: int
    end: int
    owner: str  # candidate id, or the trap's kind


@dataclass
class EvalDocument:
    id: str
    kind: str
    site: str
    story: str | None
    title: str
    text: str
    mentions: list[Label]
    traps: list[Label]
    origin: str  # file:line, for reports
    # A page's traps, wherever they stand (menus, alt text, main text), by kind; those
    # that did not reach ``traps`` were kept out of the text by extraction.
    page_traps: list[str] = field(default_factory=list)


def strip_labels(text: str, field_name: str) -> tuple[str, list[Label], list[Label]]:
    """Remove the inline labels from ``text``: (clean text, mentions, traps), with offsets in the
    clean text."""
    mentions: list[Label] = []
    traps: list[Label] = []
    out: list[str] = []
    position = 0
    length = 0
    pattern = re.compile(f"{_MENTION.pattern}|{_TRAP.pattern}")
    for found in pattern.finditer(text):
        out.append(text[position : found.start()])
        length += found.start() - position
        if found.group(1) is not None:
            owner, words, bucket = found.group(1), found.group(2), mentions
        else:
            owner, words, bucket = found.group(3), found.group(4), traps
        bucket.append(Label(field_name, length, length + len(words), owner))
        out.append(words)
        length += len(words)
        position = found.end()
    out.append(text[position:])
    return "".join(out), mentions, traps


def _header(line: str, where: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for part in line.split():
        if "=" not in part:
            raise CorpusError(f"{where}: header item {part!r} is not key=value")
        key, value = part.split("=", 1)
        values[key] = value
    for key in ("id", "kind", "site"):
        if key not in values:
            raise CorpusError(f"{where}: the header lacks {key}=")
    if values["kind"] not in _KINDS:
        raise CorpusError(f"{where}: kind={values['kind']} is not one of {', '.join(_KINDS)}")
    return values


def _make(values: dict[str, str], title: str, text: str, origin: str) -> EvalDocument:
    clean_title, title_mentions, title_traps = strip_labels(title.strip(), "title")
    clean_text, text_mentions, text_traps = strip_labels(text.strip(), "text")
    for leftover in ("[[", "]]", "{{", "}}"):
        if leftover in clean_title or leftover in clean_text:
            raise CorpusError(
                f"{origin}: a label is not closed or malformed ({leftover!r} left in the text)"
            )
    return EvalDocument(
        id=values["id"],
        kind=values["kind"],
        site=values["site"],
        story=values.get("story"),
        title=clean_title,
        text=clean_text,
        mentions=title_mentions + text_mentions,
        traps=title_traps + text_traps,
        origin=origin,
    )


def read_text_corpus(path: Path) -> list[EvalDocument]:
    documents: list[EvalDocument] = []
    current: tuple[dict[str, str], int] | None = None
    title = ""
    body: list[str] = []

    def close() -> None:
        if current is not None:
            documents.append(_make(current[0], title, "\n".join(body), f"{path}:{current[1]}"))

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("%%"):
            continue
        header = _HEADER.match(line)
        if header:
            close()
            current, title, body = (_header(header.group(1), f"{path}:{number}"), number), "", []
            continue
        if current is None:
            if line.strip():
                raise CorpusError(f"{path}:{number}: text before the first @@ header")
            continue
        if line.startswith("# ") and not title and not any(b.strip() for b in body):
            title = line[2:]
            continue
        body.append(line)
    close()
    return documents


def read_page(path: Path) -> EvalDocument:
    html = path.read_text(encoding="utf-8")
    header = _HTML_HEADER.search(html)
    if header is None:
        raise CorpusError(f"{path}:1: no <!-- @@ id=… kind=… site=… --> header")
    values = _header(header.group(1), f"{path}:1")
    page_traps = [kind for kind, _ in _TRAP.findall(html)]
    # Labels inside attributes (alt="…", title="…") are unmarked: attributes never reach
    # the text. Those in the page's text stay marked, so whatever extraction lets through
    # (a menu, a caption) is still known as a mention or a trap.
    unmarked = _ATTRIBUTE.sub(
        lambda m: m.group(1) + _TRAP.sub(lambda t: t.group(2), m.group(2)) + '"', html
    )
    extracted = extract_page(unmarked, f"https://{values['site']}/{values['id']}")
    if extracted is None:
        raise CorpusError(f"{path}: extraction found no main text")
    document = _make(values, extracted.title, extracted.text, str(path))
    document.page_traps = page_traps
    return document


def read_corpus(directory: Path) -> list[EvalDocument]:
    documents: list[EvalDocument] = []
    for path in sorted((directory / "corpus").glob("*.txt")):
        documents.extend(read_text_corpus(path))
    for path in sorted((directory / "pages").glob("*.html")):
        documents.append(read_page(path))
    seen: dict[str, str] = {}
    for document in documents:
        if document.id in seen:
            raise CorpusError(
                f"{document.origin}: duplicate id {document.id} (first at {seen[document.id]})"
            )
        seen[document.id] = document.origin
    return documents


# -- scoring --------------------------------------------------------------------------


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Error:
    kind: str  # "false mention" or "missed"
    owner: str
    document: EvalDocument
    label: Label
    how: str = ""

    def describe(self) -> str:
        source = self.document.title if self.label.field == "title" else self.document.text
        left = source.rfind("\n", 0, self.label.start) + 1
        left = max(left, self.label.start - 60)
        right = source.find("\n", self.label.end)
        right = min(right if right != -1 else len(source), self.label.end + 60)
        context = (
            source[left : self.label.start]
            + "«"
            + source[self.label.start : self.label.end]
            + "»"
            + source[self.label.end : right]
        )
        how = f" ({self.how})" if self.how else ""
        return (
            f"{self.kind}: {self.owner}{how} in {self.document.id} [{self.document.origin}]:"
            f" …{' '.join(context.split())}…"
        )


@dataclass
class Report:
    by_candidate: dict[str, Score] = field(default_factory=dict)
    by_kind: dict[str, Score] = field(default_factory=dict)
    overall: Score = field(default_factory=Score)
    errors: list[Error] = field(default_factory=list)
    traps: dict[str, int] = field(default_factory=dict)
    traps_tagged: int = 0
    traps_outside_text: int = 0
    documents: int = 0
    pairs: Score = field(default_factory=Score)
    stories: int = 0
    clusters: int = 0
    cluster_errors: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def mentions(self) -> int:
        return self.overall.tp + self.overall.fn


def _overlaps(a: Label, field_name: str, start: int, end: int) -> bool:
    return a.field == field_name and a.start < end and start < a.end


def score_document(document: EvalDocument, matches: Sequence[Match], report: Report) -> None:
    candidates = [m for m in matches if m.kind == "candidate"]
    used: set[int] = set()
    kind_score = report.by_kind.setdefault(document.kind, Score())
    for match in candidates:
        score = report.by_candidate.setdefault(match.owner, Score())
        hit = next(
            (
                n
                for n, label in enumerate(document.mentions)
                if n not in used
                and label.owner == match.owner
                and _overlaps(label, match.field, match.start, match.end)
            ),
            None,
        )
        if hit is None:
            for item in (score, kind_score, report.overall):
                item.fp += 1
            if any(_overlaps(trap, match.field, match.start, match.end) for trap in document.traps):
                report.traps_tagged += 1
            report.errors.append(
                Error(
                    "false mention",
                    match.owner,
                    document,
                    Label(match.field, match.start, match.end, match.owner),
                    match.how,
                )
            )
            continue
        used.add(hit)
        for item in (score, kind_score, report.overall):
            item.tp += 1
    for n, label in enumerate(document.mentions):
        if n in used:
            continue
        for item in (
            report.by_candidate.setdefault(label.owner, Score()),
            kind_score,
            report.overall,
        ):
            item.fn += 1
        report.errors.append(Error("missed", label.owner, document, label))


def _as_document(document: EvalDocument, order: int) -> Document:
    url = f"https://{document.site}/{document.id}"
    moment = _FIRST_SEEN + timedelta(minutes=order)
    result = Document(
        id=document.id,
        url=url,
        canonical_url=url,
        domain=document.site,
        kind=document.kind,
        source_id=document.site,
        title=document.title,
        text=document.text,
        published_at=moment,
        fetched_at=moment,
    )
    result.lang = document_language(result.title, result.text, None)
    return result


def score_clusters(
    documents: Sequence[EvalDocument], assigned: dict[str, str], report: Report
) -> None:
    gold = {d.id: d.story or f"alone:{d.id}" for d in documents}
    for a, b in combinations(documents, 2):
        same_gold = gold[a.id] == gold[b.id]
        same_found = assigned[a.id] == assigned[b.id]
        if same_gold and same_found:
            report.pairs.tp += 1
        elif same_found:
            report.pairs.fp += 1
            report.cluster_errors.append(
                f"grouped but not one story: {a.id} ({a.story or 'alone'}) + {b.id}"
                f" ({b.story or 'alone'})"
            )
        elif same_gold:
            report.pairs.fn += 1
            report.cluster_errors.append(f"one story, not grouped: {a.id} + {b.id} ({a.story})")
    report.stories = len(set(gold.values()))
    report.clusters = len(set(assigned.values()))


def evaluate(directory: Path) -> Report:
    """Tag and cluster the corpus in ``directory``; score against its labels and floors."""
    watchlist = load_watchlist(directory / "watchlist.yaml")
    tagger = Tagger(watchlist)
    corpus = read_corpus(directory)
    report = Report(documents=len(corpus))
    known = {c.id for c in watchlist.candidates}
    documents = [_as_document(d, n) for n, d in enumerate(corpus)]
    for source, document in zip(corpus, documents, strict=True):
        for label in source.mentions:
            if label.owner not in known:
                raise CorpusError(
                    f"{source.origin}: [[{label.owner}|…]] names no candidate of the watchlist"
                )
        for kind in source.page_traps or [trap.owner for trap in source.traps]:
            report.traps[kind] = report.traps.get(kind, 0) + 1
        if source.page_traps:
            report.traps_outside_text += len(source.page_traps) - len(source.traps)
        score_document(
            source, tagger.tag(document.title, document.text, document.lang).matches, report
        )
    for candidate in watchlist.candidates:
        report.by_candidate.setdefault(candidate.id, Score())
    score_clusters(corpus, cluster_documents(documents), report)
    report.failures = check_floors(report, _floors(directory))
    return report


def _floors(directory: Path) -> dict[str, Any]:
    data = yaml.safe_load((directory / "floors.yaml").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise CorpusError(f"{directory / 'floors.yaml'}: expected a mapping")
    return data


def check_floors(report: Report, floors: dict[str, Any]) -> list[str]:
    """Every figure below its floor, as a sentence (empty: the evaluation passes)."""
    failures: list[str] = []
    mentions = floors.get("mentions", {})
    clusters = floors.get("clusters", {})
    corpus = floors.get("corpus", {})

    def below(name: str, value: float, floor: Any) -> None:
        if floor is not None and value < float(floor):
            failures.append(f"{name} {value:.3f} is below its floor {float(floor):.3f}")

    below("mention precision", report.overall.precision, mentions.get("precision"))
    below("mention recall", report.overall.recall, mentions.get("recall"))
    for ident, score in sorted(report.by_candidate.items()):
        below(f"{ident} precision", score.precision, mentions.get("per_candidate_precision"))
        below(f"{ident} recall", score.recall, mentions.get("per_candidate_recall"))
    below("cluster pair precision", report.pairs.precision, clusters.get("precision"))
    below("cluster pair recall", report.pairs.recall, clusters.get("recall"))
    below("labelled mentions", report.mentions, corpus.get("mentions"))
    below("labelled traps", sum(report.traps.values()), corpus.get("traps"))
    return failures


# -- printing -------------------------------------------------------------------------


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  "
        + "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        )
        for row in rows
    )


def _row(name: str, score: Score) -> list[str]:
    return [
        name,
        str(score.tp + score.fn),
        str(score.tp + score.fp),
        str(score.tp),
        str(score.fp),
        str(score.fn),
        f"{score.precision:.3f}",
        f"{score.recall:.3f}",
        f"{score.f1:.3f}",
    ]


def render(report: Report, directory: Path, verbose: bool = False) -> str:
    head = ["", "labelled", "found", "right", "false", "missed", "precision", "recall", "F1"]
    lines = [
        f"Evaluation corpus {directory}: {report.documents} documents,"
        f" {report.mentions} labelled mentions, {sum(report.traps.values())} labelled traps"
        f" ({', '.join(f'{k} {v}' for k, v in sorted(report.traps.items()))})",
        "",
        "Mentions by candidate:",
        _table(
            [head]
            + [_row(ident, score) for ident, score in sorted(report.by_candidate.items())]
            + [_row("overall", report.overall)]
        ),
        "",
        "Mentions by kind of document:",
        _table([head] + [_row(kind, score) for kind, score in sorted(report.by_kind.items())]),
        "",
        f"Traps: {report.traps_tagged} of {sum(report.traps.values())} tagged as a mention"
        + (
            f"; {report.traps_outside_text} more in navigation or alt text,"
            " which extraction keeps out of the text"
            if report.traps_outside_text
            else ""
        ),
        "",
        f"Story clusters: {report.documents} documents, {report.stories} stories labelled,"
        f" {report.clusters} clusters found; pairs: {report.pairs.tp + report.pairs.fn} labelled,"
        f" {report.pairs.tp + report.pairs.fp} found, precision {report.pairs.precision:.3f},"
        f" recall {report.pairs.recall:.3f}, F1 {report.pairs.f1:.3f}",
    ]
    if verbose or report.failures:
        shown = report.errors if verbose else report.errors[:40]
        if shown:
            lines += ["", "Errors:"] + [f"  {error.describe()}" for error in shown]
        cluster_shown = report.cluster_errors if verbose else report.cluster_errors[:20]
        if cluster_shown:
            lines += ["", "Cluster errors:"] + [f"  {line}" for line in cluster_shown]
    lines.append("")
    if report.failures:
        lines += [f"FAIL: {failure}" for failure in report.failures]
    else:
        lines.append("PASS: every figure reaches its floor (floors.yaml)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Tagging and clustering evaluation against pinned floors."
    )
    parser.add_argument(
        "directory",
        nargs="?",
        type=Path,
        default=DEFAULT_DIR,
        help="evaluation directory (default: tests/eval)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="list every error")
    args = parser.parse_args(argv)
    try:
        report = evaluate(args.directory)
    except CorpusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(render(report, args.directory, args.verbose))
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
