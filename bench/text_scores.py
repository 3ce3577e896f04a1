"""How close an extracted text is to the true one, and how many comments were found right:
the scores ``bench_article_text`` prints and tests/test_article_comments.py pins.

Text: token-level F1, as extraction benchmarks compute it (the ScrapingHub article
extraction benchmark, trafilatura's evaluation): both texts are cut into words (Unicode
word characters, lower-cased, punctuation dropped), and precision and recall are those
of the multiset of words, so order and line breaks do not count. Comments: a found
comment is right when its author and its words are a true comment's (spaces aside).

Not a benchmark itself (``run.py`` only runs ``bench_*.py``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_WORD = re.compile(r"\w+")


def tokens(text: str) -> Counter[str]:
    return Counter(_WORD.findall(text.lower()))


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def text_scores(found: str, truth: str) -> Scores:
    """Token precision and recall of ``found`` against ``truth``."""
    got, want = tokens(found), tokens(truth)
    common = sum((got & want).values())
    return Scores(
        precision=common / sum(got.values()) if got else 0.0,
        recall=common / sum(want.values()) if want else 0.0,
    )


def mean_f1(pairs: Iterable[tuple[str, str]]) -> float:
    """The mean of per-page F1 over (found, truth) pairs."""
    scores = [text_scores(found, truth).f1 for found, truth in pairs]
    return sum(scores) / len(scores) if scores else 0.0


def _key(author: str | None, text: str) -> tuple[str, str]:
    return (" ".join((author or "").split()), " ".join(text.split()))


@dataclass
class CommentCounts:
    found: int = 0
    true: int = 0
    right: int = 0

    def add(
        self, found: Iterable[tuple[str | None, str]], truth: Iterable[tuple[str | None, str]]
    ) -> None:
        """Count one page: its found and true comments as (author, text)."""
        got = Counter(_key(author, text) for author, text in found)
        want = Counter(_key(author, text) for author, text in truth)
        self.found += sum(got.values())
        self.true += sum(want.values())
        self.right += sum((got & want).values())

    @property
    def precision(self) -> float:
        return self.right / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.true if self.true else 1.0
