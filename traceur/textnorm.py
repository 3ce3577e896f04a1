"""Text folding for matching: case, accents, apostrophes and dashes made uniform,
with a map back to the original offsets so snippets and highlights stay exact."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

_APOSTROPHES = "'’‘ʼ´`′"
_DASHES = "-‐‑‒–—―−"
_SPECIAL = {
    "œ": "oe",
    "æ": "ae",
    "ß": "ss",
    "ø": "o",
    "ł": "l",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "ı": "i",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in _APOSTROPHES:
        return "'"
    if ch in _DASHES:
        return "-"
    lower = ch.lower()
    if lower in _SPECIAL:
        return _SPECIAL[lower]
    if ch.isascii():
        return lower
    decomposed = unicodedata.normalize("NFKD", lower)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    if folded.isspace():
        return " "
    return folded


class _FoldTable(dict[int, str]):
    """``str.translate`` table filled on demand: each code point folded once per process."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        self[code] = folded
        return folded


_TABLE = _FoldTable()


def fold(text: str) -> tuple[str, Sequence[int]]:
    """Return the folded text and, for each of its characters, the index in ``text``."""
    folded = text.translate(_TABLE)
    if len(folded) == len(text):
        # Every character folded to exactly one (the usual case, even with accents):
        # offsets are unchanged, no map to build.
        return folded, range(len(text))
    out: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        folded = ch.lower() if ch.isascii() else _fold_char(ch)
        out.append(folded)
        origin.extend([index] * len(folded))
    return "".join(out), origin


def fold_plain(text: str) -> str:
    """The folded text alone (for keys and comparisons)."""
    return fold(text)[0]


def fold_words(text: str) -> str:
    """The folded text, for splitting into words only: one ``str.translate`` pass, without
    the offset map ``fold`` builds when a character folds to several (``œ`` → ``oe``, in
    many French texts). Its ``\\w+`` words are those of ``fold_plain``; only characters
    outside words (a backtick) may fold differently."""
    return text.translate(_TABLE)


def strip_control(text: str) -> str:
    """Remove control characters (they are reserved as highlight marks)."""
    return _CONTROL.sub("", text)
