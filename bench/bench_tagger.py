"""Tagger throughput, in MB/s of text, with watchlists of 1,000 and 5,000 aliases.

The text is the main text (title and body, posts, comments) of the generated corpus, as
the generator wrote it: what extraction hands the tagger. The tagger runs ``Tagger.tag``
(what ``Tagger.apply`` calls: matching, exclusions, snippets) over it pass after pass
until at least 20 MB (5 MB with --quick) went through.

Peer, in the same run: the obvious way to do it, one compiled ``re`` alternation of
every folded alias and keyword, run over the folded text. It gets one pass over the
first pages of the corpus, about 1 MB of text: its cost grows with the number of
aliases, and more text would add minutes, not information. Both count what they find
in those pages, next to what the generator planted, to show that they agree roughly;
the regex ignores exclusions and cannot report two overlapping names, so small
differences are expected.

Also printed: how long loading the watchlist (YAML and validation) and building the
tagger take, the memory the tagger's trie holds, and the share of the tagger's time
spent folding text (case, accents, apostrophes), which does not depend on the aliases.
"""

from __future__ import annotations

import gc
import re
import sys
import tempfile
import time
from collections.abc import Sequence

import corpus
import corpus_people
import measure

from traceur.enrich.tagging import Tagger
from traceur.textnorm import fold, fold_plain
from traceur.watchlist.model import Watchlist

ALIAS_COUNTS = (1000, 5000)
MIN_MB = 20.0
QUICK_MIN_MB = 5.0
QUICK_PAGES = 120
# Folding is timed apart during the first passes only (it costs as much again).
FOLD_PASSES = 2
# The regex peer is slow with thousands of aliases: it gets a sample of this much text.
REGEX_MB = 1.0
_WORD = re.compile(r"\w+")
# The tagger's separator between the words of one name (spaces, a dash, an initial's dot).
_SEPARATOR = r"[\s.\-]{1,4}"


def _tokens(phrase: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold_plain(phrase)))


def naive_pattern(watchlist: Watchlist) -> tuple[re.Pattern[str], dict[tuple[str, ...], str]]:
    """One alternation of every folded name, alias and keyword, longest first, on word boundaries.

    Also returns which kind ("candidate" or "topic") each name's words belong to.
    """
    kinds: dict[tuple[str, ...], str] = {}
    for candidate in watchlist.candidates:
        for name in candidate.names:
            kinds.setdefault(_tokens(name), "candidate")
    for topic in watchlist.topics:
        for keyword in topic.keywords:
            kinds.setdefault(_tokens(keyword), "topic")
    alternatives = sorted(
        (_SEPARATOR.join(re.escape(t) for t in tokens) for tokens in kinds if tokens),
        key=len,
        reverse=True,
    )
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)"), kinds


class _Pass:
    """One tagger pass: matches by kind over the texts ``counted`` covers, time tagging, time
    folding."""

    def __init__(self) -> None:
        self.found = {"candidate": 0, "topic": 0}
        self.tag_seconds = 0.0
        self.fold_seconds = 0.0


def _tagger_pass(
    tagger: Tagger, texts: Sequence[tuple[str, str]], counted: int, with_fold: bool
) -> _Pass:
    """Tag every text; count matches in the first ``counted`` texts.

    With ``with_fold``, each text is also folded on its own just before it is tagged and
    that is timed apart: the share of folding comes from the same moments as the tagging.
    """
    result = _Pass()
    clock = time.perf_counter
    for index, (title, text) in enumerate(texts):
        if with_fold:
            start = clock()
            fold(title)
            fold(text)
            result.fold_seconds += clock() - start
        start = clock()
        tagged = tagger.tag(title, text)
        result.tag_seconds += clock() - start
        if index < counted:
            for match in tagged.matches:
                result.found[match.kind] += 1
    return result


def _naive_pass(
    pattern: re.Pattern[str], kinds: dict[tuple[str, ...], str], texts: Sequence[tuple[str, str]]
) -> dict[str, int]:
    found = {"candidate": 0, "topic": 0}
    for title, text in texts:
        for field in (title, text):
            for match in pattern.finditer(fold_plain(field)):
                found[kinds[tuple(_WORD.findall(match.group()))]] += 1
    return found


def main(argv: Sequence[str] | None = None) -> int:
    args = measure.options(
        "Tagger throughput (MB/s of text) with 1,000 and 5,000 aliases, against one big regex.",
        argv,
        pages=(
            int,
            None,
            f"pages in the corpus (default {corpus.DEFAULT_PAGES}, {QUICK_PAGES} with --quick)",
        ),
        min_mb=(
            float,
            None,
            "text the tagger processes per watchlist, looping "
            f"(default {MIN_MB:g}, {QUICK_MIN_MB:g} with --quick)",
        ),
    )
    count = args.pages or (QUICK_PAGES if args.quick else corpus.DEFAULT_PAGES)
    min_bytes = (args.min_mb or (QUICK_MIN_MB if args.quick else MIN_MB)) * 1e6

    pages = corpus.generate_corpus(count)
    texts = [(page.title, page.text) for page in pages]
    sizes = [len(title.encode("utf-8")) + len(text.encode("utf-8")) for title, text in texts]
    pass_bytes = sum(sizes)
    passes = max(1, -(-int(min_bytes) // pass_bytes))
    # The regex's sample: the first pages, up to REGEX_MB of text.
    sample = 0
    sample_bytes = 0
    while sample < len(texts) and sample_bytes < REGEX_MB * 1e6:
        sample_bytes += sizes[sample]
        sample += 1
    planted = sum(sum(page.mentions.values()) for page in pages[:sample])
    print(f"corpus: {corpus.describe(pages)}")
    print(
        f"text: title + main text of each page, {pass_bytes / 1e6:.2f} MB a pass; "
        f"the tagger makes {passes} passes "
        f"({passes * pass_bytes / 1e6:.1f} MB), "
        f"the regex one pass over the first {sample} pages ({sample_bytes / 1e6:.2f} MB)"
    )

    build_rows: list[list[object]] = [
        ["aliases", "candidates", "load YAML s", "build tagger ms", "trie MB", "compile regex ms"]
    ]
    speed_rows: list[list[object]] = [
        [
            "aliases",
            "tagger MB/s",
            "best pass",
            "(MB in s)",
            "folding share",
            "regex MB/s",
            "(MB in s)",
            "tagger / regex",
        ]
    ]
    found_rows: list[list[object]] = [
        [
            "aliases",
            "tagger: candidates",
            "topics",
            "regex: candidates",
            "topics",
            "planted candidates",
        ]
    ]
    for target in ALIAS_COUNTS:
        with tempfile.TemporaryDirectory(prefix="traceur-bench-") as tmp:
            start = time.perf_counter()
            watchlist = corpus_people.load_watchlist(target, tmp)
            load_seconds = time.perf_counter() - start
        gc.collect()
        start = time.perf_counter()
        tagger = Tagger(watchlist)
        build_seconds = time.perf_counter() - start
        with measure.traced() as trie:
            traced_tagger = Tagger(watchlist)
        del traced_tagger
        start = time.perf_counter()
        pattern, kinds = naive_pattern(watchlist)
        compile_seconds = time.perf_counter() - start
        build_rows.append(
            [
                tagger.alias_count,
                len(watchlist.candidates),
                f"{load_seconds:.2f}",
                f"{build_seconds * 1000:.0f}",
                f"{trie['current_mb']:.1f}",
                f"{compile_seconds * 1000:.0f}",
            ]
        )

        gc.collect()
        runs = [
            _tagger_pass(tagger, texts, sample if index == 0 else 0, with_fold=index < FOLD_PASSES)
            for index in range(passes)
        ]
        tagger_seconds = sum(run.tag_seconds for run in runs)
        best_seconds = min(run.tag_seconds for run in runs)
        folded = runs[:FOLD_PASSES]
        fold_share = sum(run.fold_seconds for run in folded) / sum(
            run.tag_seconds for run in folded
        )

        gc.collect()
        start = time.perf_counter()
        naive_found = _naive_pass(pattern, kinds, texts[:sample])
        naive_seconds = time.perf_counter() - start

        tagger_rate = passes * pass_bytes / 1e6 / tagger_seconds
        naive_rate = sample_bytes / 1e6 / naive_seconds
        speed_rows.append(
            [
                tagger.alias_count,
                f"{tagger_rate:.2f}",
                f"{pass_bytes / 1e6 / best_seconds:.2f}",
                f"({passes * pass_bytes / 1e6:.1f} in {tagger_seconds:.1f})",
                f"{fold_share * 100:.0f} %",
                f"{naive_rate:.2f}",
                f"({sample_bytes / 1e6:.1f} in {naive_seconds:.1f})",
                f"{tagger_rate / naive_rate:.1f}×",
            ]
        )
        found = runs[0].found
        found_rows.append(
            [
                tagger.alias_count,
                found["candidate"],
                found["topic"],
                naive_found["candidate"],
                naive_found["topic"],
                planted,
            ]
        )

    print()
    print("build:")
    print(measure.table(build_rows))
    print()
    print(
        "throughput, MB/s of UTF-8 text. "
        "Best pass: the fastest single pass, the least disturbed by other"
    )
    print("work on the machine. Folding share: the part of the tagger's time that folding the text")
    print(
        "(traceur.textnorm.fold) accounts for, over its first passes. "
        "The regex time includes folding too."
    )
    print(measure.table(speed_rows))
    print()
    print(
        f"mentions found in the first {sample} pages "
        "(the regex ignores exclusions and overlaps; planted: candidates only):"
    )
    print(measure.table(found_rows))
    print()
    print(
        f"memory: ru_maxrss {measure.peak_rss_mb():.0f} MB at the end "
        "(corpus, both watchlists, tagger and regex)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
