"""The web tests' corpus is what the pages rely on: spans that point at the names, one story
cluster, a thread, the hostile document, and a watchlist Traceur accepts."""

from __future__ import annotations

from pathlib import Path

from tests.web.corpus import (
    CANDIDATES,
    HOSTILE_ID,
    TOPICS,
    build_corpus,
    write_watchlist,
)
from traceur.watchlist.loader import load_watchlist


def test_every_mention_span_points_at_a_candidate_name_or_topic_keyword() -> None:
    forms = {ident: (name,) for ident, name in CANDIDATES.items()}
    forms.update({ident: keywords for ident, (_, keywords) in TOPICS.items()})
    docs = build_corpus()
    for doc in docs:
        assert set(doc.candidates) | set(doc.topics) == set(doc.mentions)
        for ident, mention in doc.mentions.items():
            assert mention.count == len(mention.spans) > 0
            for span in mention.spans:
                value = doc.title if span.field == "title" else doc.text
                assert value[span.start : span.end].lower() in [f.lower() for f in forms[ident]]
            for snippet in mention.snippets:
                found = snippet.text[snippet.start : snippet.end].lower()
                assert found in [f.lower() for f in forms[ident]]


def test_the_corpus_has_a_cluster_a_thread_every_kind_and_the_hostile_document() -> None:
    docs = build_corpus()
    assert len({doc.id for doc in docs}) == len(docs) == 10
    assert sum(doc.cluster_id == "cl-tramway-aubiers" for doc in docs) == 3
    thread = [doc for doc in docs if doc.position and doc.kind == "forum_post" and doc.parent_id]
    assert len(thread) == 2
    assert {doc.kind for doc in docs} == {"article", "forum_post", "blog_post", "comment", "video"}
    hostile = next(doc for doc in docs if doc.id == HOSTILE_ID)
    assert "<script>" in hostile.title and "onerror=" in hostile.title
    assert "<script>" in (hostile.author or "") and "javascript:" in hostile.text
    assert hostile.url.startswith("javascript:")


def test_the_corpus_watchlist_loads_with_the_candidates_names(tmp_path: Path) -> None:
    watchlist = load_watchlist(write_watchlist(tmp_path / "veille.yaml"))
    assert {c.id: c.name for c in watchlist.candidates} == CANDIDATES
    sources = {doc.source_id for doc in build_corpus()}
    assert sources <= {source.id for source in watchlist.sources}
