"""Story clusters: copies of one story get the cluster id of the first one seen, other
stories do not, and the index keeps that across passes and processes. The texts are
written for these tests."""

from __future__ import annotations

import hashlib
import random
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest

from traceur.config import Settings
from traceur.demo.localweb import LocalWeb
from traceur.document import Document
from traceur.enrich.clusters import (
    MIN_WORDS,
    SKETCH,
    ClusterIndex,
    ClusterSize,
    Signature,
    cluster_documents,
    cluster_sizes,
    first_seen_order,
    group_by_cluster,
    same_story,
    signature,
    similarity,
)
from traceur.errors import StoreError
from traceur.orchestra.passes import run_pass
from traceur.store import open_store
from traceur.textnorm import fold_plain

STORY = (
    "Le conseil communautaire de la Haute-Brenne a voté jeudi soir le financement de la "
    "nouvelle ligne de bus express entre Brennac et Saint-Aubin-des-Vignes. Le projet, "
    "estimé à huit millions d'euros, prévoit quatorze arrêts, des voies réservées sur six "
    "kilomètres et un passage toutes les dix minutes aux heures de pointe. "
    "Les premiers travaux commenceront au printemps, pour une mise en service à la rentrée "
    "2028. Le président de la communauté de communes a salué « un vote historique pour les "
    "habitants des villages », qui mettent aujourd'hui près d'une heure pour rejoindre la "
    "gare. L'opposition a voté pour, tout en regrettant que la ligne ne desserve pas la "
    "zone d'activités des Grands-Prés, où travaillent pourtant plus de deux mille salariés."
)
REPUBLISHED = (
    STORY.replace("a voté jeudi soir", "a adopté jeudi")
    .replace("Les premiers travaux commenceront au printemps", "Le chantier débutera au printemps")
    .replace("« un vote historique", "« un vote attendu")
)
FORUM_POST = (
    "Je vous colle l'article de la Gazette, c'est enfin officiel :\n\n"
    + STORY
    + "\n\nFranchement il était temps, ma fille met cinquante minutes pour aller au lycée. "
    "Dommage pour les Grands-Prés."
)
SAME_SUBJECT = (
    "Les usagers de la ligne de bus entre Brennac et Saint-Aubin-des-Vignes ont manifesté "
    "samedi devant la gare routière. Ils dénoncent des retards quotidiens, "
    "des cars bondés aux heures de pointe et la suppression de la desserte du dimanche depuis "
    "la rentrée. Le collectif, créé en septembre, revendique quatre cents membres et a remis "
    "une pétition au président de la communauté de communes. Celui-ci a promis une réponse "
    "avant la fin du mois et rappelé que la future ligne express devrait régler la plupart des "
    "problèmes, mais pas avant 2028. D'ici là, le collectif demande des cars supplémentaires le "
    "matin et le rétablissement du service dominical, au moins pendant les vacances scolaires."
)


def doc(ident: str, text: str, domain: str = "www.gazette.example", title: str = "") -> Document:
    url = f"https://{domain}/{ident}"
    return Document(
        id=ident,
        url=url,
        canonical_url=url,
        domain=domain,
        kind="article",
        source_id=domain,
        title=title,
        text=text,
    )


# -- signatures and similarity ----------------------------------------------------------


def test_short_texts_get_no_signature() -> None:
    short = " ".join(re.findall(r"\w+", STORY)[: MIN_WORDS - 1])

    assert signature(short) is None
    assert signature(STORY) is not None


def test_copies_are_the_same_story_and_other_stories_are_not() -> None:
    original, copy, post, other = (
        signature(t) for t in (STORY, REPUBLISHED, FORUM_POST, SAME_SUBJECT)
    )
    assert original and copy and post and other

    assert same_story(original, copy)
    assert same_story(original, post)
    assert not same_story(original, other)
    assert similarity(original, original)[0] == 1.0


def test_signatures_are_the_same_in_another_process() -> None:
    # A signature stored by one crawl must match what the next one computes (no hash()).
    code = (
        "from traceur.enrich.clusters import signature; "
        "import sys; print(signature(sys.stdin.read()).values[:8])"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], input=STORY, capture_output=True, text=True, check=True
    )

    sig = signature(STORY)
    assert sig is not None
    assert other.stdout.strip() == str(sig.values[:8])


def test_signature_is_the_smallest_blake2b_hashes_of_the_folded_five_word_runs() -> None:
    # The sketches stored by earlier passes were computed this way, word run by word run: a
    # faster computation must give the very same values or old copies would be missed.
    text = (
        "Œuvre collective : le cœur du bourg de Sainte-Colombe-sur-l'Œil bat de nouveau "
        "depuis que la bibliothèque a rouvert ses portes, après dix-huit mois de travaux. " + STORY
    )
    words = re.findall(r"\w+", fold_plain(text))
    hashes = {
        int.from_bytes(
            hashlib.blake2b(" ".join(words[i : i + 5]).encode(), digest_size=8).digest(),
            "little",
        )
        >> 1
        for i in range(len(words) - 4)
    }

    sig = signature(text)

    assert "oeuvre" in words and "coeur" in words
    assert sig is not None
    assert sig.values == tuple(sorted(hashes)[:128])
    assert sig.shingles == len(hashes)


def test_similarity_is_the_shared_share_of_the_smallest_values_of_the_union() -> None:
    # Its definition (Broder's bottom-k estimate): sort the two sketches' union, keep its
    # SKETCH smallest values, count those both hold. A faster reading must give the same
    # figures, or clusters would change. Sketches of every size, overlapping or not.
    rng = random.Random(2027)
    texts = [STORY, REPUBLISHED, FORUM_POST, SAME_SUBJECT]
    sketches = [s for s in map(signature, texts) if s is not None]
    for _ in range(3000):
        pool = rng.randint(1, 400)
        sizes = (min(pool, rng.randint(0, SKETCH)), min(pool, rng.randint(0, SKETCH)))
        a, b = (
            Signature(tuple(sorted(rng.sample(range(pool), n))), n + rng.randint(0, 300))
            for n in sizes
        )
        assert similarity(a, b) == _by_definition(a, b)
    for a in sketches:
        for b in sketches:
            assert similarity(a, b) == _by_definition(a, b)


def _by_definition(a: Signature, b: Signature) -> tuple[float, float]:
    union = sorted(set(a.values) | set(b.values))[:SKETCH]
    if not union:
        return 0.0, 0.0
    shared = set(a.values) & set(b.values)
    jaccard = sum(1 for value in union if value in shared) / len(union)
    inter = jaccard * (a.shingles + b.shingles) / (1 + jaccard)
    return jaccard, min(1.0, inter / max(1, min(a.shingles, b.shingles)))


# -- the index -----------------------------------------------------------------------------


def test_copies_join_the_cluster_of_the_first_document_seen(tmp_path: Path) -> None:
    index = ClusterIndex(tmp_path / "clusters.db")
    try:
        ids = [
            index.assign(d)
            for d in (
                doc("a", STORY),
                doc("b", REPUBLISHED, "www.echo.example"),
                doc("c", SAME_SUBJECT),
                doc("d", FORUM_POST, "forum.example"),
            )
        ]
    finally:
        index.close()

    assert ids == ["a", "a", "c", "a"]


def test_a_document_joins_the_most_similar_story_even_when_indexed_later() -> None:
    # A digest post quoting both articles is a copy of each; it shares more with the longer
    # one, indexed second.
    digest = doc("digest", STORY + "\n\n" + SAME_SUBJECT, "forum.example")
    both = signature(digest.text)
    story, subject = signature(STORY), signature(SAME_SUBJECT)
    assert both and story and subject
    assert same_story(both, subject) and same_story(both, story)
    assert similarity(both, story)[0] > similarity(both, subject)[0]

    assert cluster_documents([doc("manif", SAME_SUBJECT), doc("vote", STORY), digest]) == {
        "manif": "manif",
        "vote": "vote",
        "digest": "vote",
    }


def test_short_documents_head_their_own_cluster(tmp_path: Path) -> None:
    index = ClusterIndex(":memory:")
    try:
        assert index.assign(doc("a", "Merci pour cet article.")) == "a"
        assert index.assign(doc("b", "Merci pour cet article.")) == "b"
    finally:
        index.close()


def test_index_keeps_clusters_across_passes(tmp_path: Path) -> None:
    path = tmp_path / "clusters.db"
    first = ClusterIndex(path)
    first.assign(doc("a", STORY))
    first.close()

    second = ClusterIndex(path)
    try:
        assert second.assign(doc("b", REPUBLISHED, "www.echo.example")) == "a"
        assert second.cluster_of("a") == "a"
    finally:
        second.close()


def test_document_seen_again_keeps_its_cluster_even_when_edited(tmp_path: Path) -> None:
    index = ClusterIndex(":memory:")
    try:
        index.assign(doc("a", STORY))
        index.assign(doc("b", REPUBLISHED))
        assert index.assign(doc("b", SAME_SUBJECT)) == "a"
        # Its new text is what later copies are compared with.
        assert index.assign(doc("c", SAME_SUBJECT.replace("samedi", "dimanche"))) == "a"
    finally:
        index.close()


def test_cluster_sizes_count_documents_and_sites(tmp_path: Path) -> None:
    index = ClusterIndex.in_data_dir(tmp_path)
    for d in (
        doc("a", STORY),
        doc("b", REPUBLISHED, "www.echo.example"),
        doc("c", FORUM_POST, "www.echo.example"),
        doc("d", SAME_SUBJECT),
    ):
        index.assign(d)
    index.close()

    assert cluster_sizes(tmp_path, ["a", "d", "zzz"]) == {
        "a": ClusterSize(3, 2),
        "d": ClusterSize(1, 1),
    }
    assert cluster_sizes(tmp_path / "nowhere", ["a"]) == {}


def test_forgotten_signatures_keep_cluster_ids_but_catch_no_new_copy() -> None:
    index = ClusterIndex(":memory:")
    try:
        index.assign(doc("a", STORY))
        assert index.forget_signatures(timedelta(0)) == 1
        assert index.cluster_of("a") == "a"
        assert index.assign(doc("b", REPUBLISHED)) == "b"
    finally:
        index.close()


def test_cluster_documents_and_grouping_follow_first_seen_order() -> None:
    documents = [doc("a", STORY), doc("b", SAME_SUBJECT), doc("c", REPUBLISHED)]

    assigned = cluster_documents(documents)
    for d in documents:
        d.cluster_id = assigned[d.id]

    assert assigned == {"a": "a", "b": "b", "c": "a"}
    assert [[d.id for d in group] for group in group_by_cluster(documents)] == [["a", "c"], ["b"]]


def test_first_seen_order_puts_the_oldest_publication_first() -> None:
    from datetime import datetime

    late, early, undated = doc("late", STORY), doc("early", STORY), doc("undated", STORY)
    late.published_at = datetime(2026, 11, 3, tzinfo=UTC)
    early.published_at = datetime(2026, 11, 1, tzinfo=UTC)

    assert [d.id for d in first_seen_order([undated, late, early])] == ["early", "late", "undated"]


# -- the pipeline and a crawl --------------------------------------------------------------


class _BrokenIndex:
    def apply(self, document: Document) -> Document:
        raise StoreError("disk full")


class _Stats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def inc_value(self, key: str) -> None:
        self.values[key] = self.values.get(key, 0) + 1


def test_pipeline_keeps_the_document_when_the_index_cannot_be_written(tmp_path: Path) -> None:
    from crawler.items import PageItem
    from pipelines.cluster import ClusterPipeline

    stats = _Stats()
    pipeline = ClusterPipeline(str(tmp_path), stats)
    pipeline.index = _BrokenIndex()  # type: ignore[assignment]
    item = PageItem(
        url="https://x.example/a", source_id="x", kind="article", html="", fetched_at=""
    )
    item.document = doc("a", STORY)

    returned = pipeline.process_item(item)

    assert returned is item and item.document.cluster_id is None
    assert stats.values == {"traceur/errors/clusters": 1}


def _article(title: str, text: str, day: int) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in text.split(". "))
    return (
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="article:published_time" content="2026-11-0{day}T08:00:00+01:00"></head>'
        f"<body><main><article><h1>{title}</h1>{paragraphs}</article></main></body></html>"
    )


@pytest.mark.integration
def test_crawl_gives_republished_copies_the_cluster_id_of_the_first_one(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    sites = {
        "www.gazette.example": [
            ("ligne-express", "Bus express : le financement voté", STORY),
            ("usagers", "Les usagers du bus manifestent", SAME_SUBJECT),
        ],
        "www.echo.example": [
            ("bus-express", "Haute-Brenne : feu vert pour le bus express", REPUBLISHED)
        ],
    }
    sources = []
    for host, pages in sites.items():
        root = tmp_path / "web" / host
        (root / "a").mkdir(parents=True)
        (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
        items = []
        for day, (slug, title, text) in enumerate(pages, 1):
            (root / "a" / f"{slug}.html").write_text(_article(title, text, day), encoding="utf-8")
            items.append(
                f"<item><title>{title}</title><link>http://{host}/a/{slug}.html</link><guid>{slug}</guid></item>"
            )
        (root / "rss.xml").write_text(
            '<?xml version="1.0"?><rss version="2.0"><channel>'
            f"<title>{host}</title>{''.join(items)}</channel></rss>",
            encoding="utf-8",
        )
        sources.append(
            f"  - {{id: {host.split('.')[1]}, kind: feed, "
            f"url: 'http://{host}/rss.xml', every: 10m}}\n"
        )
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text("candidates: []\nsources:\n" + "".join(sources), encoding="utf-8")

    with LocalWeb(tmp_path / "web") as web:
        settings = make_settings(web)
        # One source after the other, so which copy is seen first is known.
        run_pass(settings, watchlist, ["gazette"], quiet=True)
        run_pass(settings, watchlist, ["echo"], quiet=True)
    store = open_store(settings)
    try:
        clusters: dict[str, Any] = {
            d.url.rsplit("/", 1)[-1]: (d.id, d.cluster_id) for d in store.iter_documents()
        }
    finally:
        store.close()

    head_id = clusters["ligne-express.html"][0]
    assert clusters["ligne-express.html"][1] == head_id
    assert clusters["bus-express.html"][1] == head_id
    assert clusters["usagers.html"][1] == clusters["usagers.html"][0]
    assert (settings.data_dir / "clusters.db").is_file()
