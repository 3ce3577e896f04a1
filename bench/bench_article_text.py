"""Article text quality on news pages with and without reader comments: Traceur's text
next to ``trafilatura.extract`` with its defaults, on the same pages, and how well the
comments themselves are found.

The corpus is ``corpus_news``: 200 pages from five newspaper layouts, a third of them
with comments, each with its true article text and true comments. Per page, Traceur's
text is what an article document gets (``traceur.parse.articles.extract_page``); the
peer's is ``trafilatura.extract(html, url=url)``, which keeps comments it recognises
(its default). Both are scored against the true article text by token-level F1 (see
``text_scores``), averaged over pages. Comments are Traceur's
``traceur.parse.comments.parse_article_comments``: precision and recall of (author,
words), then among the right ones the share with the right date (to the minute) and the
right parent.

Quality figures, not speed: printed, never asserted (tests/test_article_comments.py
pins a fixed subset).
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import datetime

import measure
import trafilatura
from corpus_news import NewsPage, TrueComment, generate_news
from text_scores import CommentCounts, mean_f1

from traceur.parse.articles import extract_page
from traceur.parse.comment_lists import Comment
from traceur.parse.comments import parse_article_comments

QUICK_PAGES = 60


def _ours(page: NewsPage) -> str:
    extracted = extract_page(page.html, page.url)
    return extracted.text if extracted else ""


def _theirs(page: NewsPage) -> str:
    return trafilatura.extract(page.html, url=page.url) or ""


def _details_right(found: tuple[Comment, ...], truth: list[TrueComment]) -> tuple[int, int, int]:
    """Of the comments found right: how many, how many with the true date, with the true
    parent (the comment it answers, or none)."""
    wanted = {(t.author, " ".join(t.text.split())): index for index, t in enumerate(truth)}
    index_of: dict[str, int] = {}
    right = dated = parented = 0
    for comment in found:
        index = wanted.get((comment.author or "", " ".join(comment.text.split())))
        if index is None:
            continue
        index_of[comment.comment_id] = index
        true = truth[index]
        right += 1
        stamp = comment.published_at.replace(second=0) if comment.published_at else None
        dated += stamp == datetime.fromisoformat(true.published_at)
        parent = index_of.get(comment.parent_comment_id or "")
        parented += parent == true.parent
    return right, dated, parented


def main() -> int:
    options = measure.options(__doc__.split("\n\n", 1)[0])
    count = QUICK_PAGES if options.quick else 200
    start = time.perf_counter()
    pages = generate_news(count)
    print(f"corpus: {len(pages)} news pages, {sum(1 for p in pages if p.comments)} with comments,")
    print(
        f"  {sum(len(p.comments) for p in pages)} comments, five layouts "
        f"(generated in {time.perf_counter() - start:.1f} s)"
    )
    texts: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    counts = CommentCounts()
    right = dated = parented = 0
    for page in pages:
        row = (_ours(page), _theirs(page), page.text)
        texts["all pages"].append(row)
        texts["with comments" if page.comments else "without comments"].append(row)
        texts[f"  layout {page.layout}"].append(row)
        found = parse_article_comments(page.html, page.url).comments
        counts.add(((c.author, c.text) for c in found), ((t.author, t.text) for t in page.comments))
        got = _details_right(found, page.comments)
        right, dated, parented = right + got[0], dated + got[1], parented + got[2]

    print()
    print("article text, mean token-level F1 against the true text (words, lower-cased):")
    rows: list[list[object]] = [["pages", "n", "Traceur", "trafilatura defaults", "difference"]]
    order = ["all pages", "with comments", "without comments"] + sorted(
        key for key in texts if key.startswith("  layout")
    )
    for key in order:
        ours = mean_f1((o, truth) for o, _, truth in texts[key])
        theirs = mean_f1((t, truth) for _, t, truth in texts[key])
        rows.append([key, len(texts[key]), f"{ours:.3f}", f"{theirs:.3f}", f"{ours - theirs:+.3f}"])
    print(measure.table(rows))
    print()
    print("reader comments (Traceur), a comment is right when its author and words are:")
    print(
        measure.table(
            [
                ["found", "true", "right", "precision", "recall"],
                [
                    counts.found,
                    counts.true,
                    counts.right,
                    f"{counts.precision:.3f}",
                    f"{counts.recall:.3f}",
                ],
            ]
        )
    )
    if right:
        print(
            f"  of the right ones: date to the minute {dated / right:.3f}, "
            f"parent {parented / right:.3f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
