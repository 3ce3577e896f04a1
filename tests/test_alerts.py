"""Alert rules: how they are written, which documents they pick, what they queue, and
that each (rule, document or cluster) is queued at most once.

Documents are tagged by the real tagger and stored in a real SQLite store; messages are
read back from the outbox as the mail server would receive them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest

from traceur.alerts.evaluate import Evaluator
from traceur.alerts.outbox import AlertState, Transaction
from traceur.config import Settings
from traceur.document import Document, content_hash, document_id
from traceur.enrich.query import evaluate as query_matches
from traceur.enrich.query import parse as parse_query
from traceur.enrich.tagging import Tagger
from traceur.errors import WatchlistError
from traceur.orchestra.launch import SourceSummary
from traceur.orchestra.runs import RunLog
from traceur.store.sqlite import SqliteStore
from traceur.watchlist.loader import load_watchlist
from traceur.watchlist.rules import DigestRule, ImmediateRule, SourceHealthRule, SpikeRule

WATCHLIST = """\
candidates:
  - id: claire-martin
    name: Claire Martin
    aliases: ["Mme Martin"]
    exclude: ["Saint-Martin"]
  - id: elodie-arnaud
    name: Élodie Arnaud
  - id: jean-baptiste-lefort
    name: Jean-Baptiste Lefort
topics:
  - id: transports
    keywords: ["tramway", "ligne de bus"]
  - id: logement
    keywords: ["logements sociaux"]
sources:
  - id: actu
    name: "Actu du Val"
    kind: feed
    url: "http://www.actu-val.example/feeds/politique.xml"
    every: 10m
  - id: forum
    name: "Forum des citoyens du Val"
    kind: forum
    url: "http://forum.val.example/"
    every: 1h
  - id: gazette
    name: "La Gazette des deux rives"
    kind: site
    url: "http://gazette.example/"
    every: 1h
"""
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def write_watchlist(tmp_path: Path, alerts: str, head: str = WATCHLIST) -> Path:
    path = tmp_path / "veille.yaml"
    path.write_text(head + "alerts:\n" + alerts, encoding="utf-8")
    return path


class Bench:
    """A watchlist, a tagger, a store and the alert state, all in ``tmp_path``."""

    def __init__(self, tmp_path: Path, settings: Settings, alerts: str) -> None:
        self.tmp_path = tmp_path
        self.settings = settings
        self.watchlist = load_watchlist(write_watchlist(tmp_path, alerts))
        self.tagger = Tagger(self.watchlist)
        self.store = SqliteStore(tmp_path / "docs.db")
        self.state = AlertState(tmp_path / "alerts.db")
        self.runs = RunLog(tmp_path / "runs.db")
        self.evaluator = Evaluator(settings, self.watchlist, self.store, self.state, self.runs)
        self._count = 0

    def rule(self, rule_id: str) -> Any:
        return next(rule for rule in self.watchlist.alerts if rule.id == rule_id)

    def document(
        self,
        title: str,
        text: str,
        source: str = "actu",
        kind: str = "article",
        slug: str | None = None,
        published: datetime | None = None,
        cluster: str | None = None,
        lang: str = "fr",
        url: str | None = None,
    ) -> Document:
        self._count += 1
        host = {
            "actu": "www.actu-val.example",
            "forum": "forum.val.example",
            "gazette": "gazette.example",
        }.get(source, "autre.example")
        url = url or f"http://{host}/{slug or f'page-{self._count}'}.html"
        document = Document(
            id=document_id(url),
            url=url,
            canonical_url=url,
            domain=host,
            kind=kind,
            source_id=source,
            title=title,
            text=text,
            published_at=published or NOW,
            fetched_at=NOW,
            lang=lang,
            content_hash=content_hash(title, text),
            cluster_id=cluster,
        )
        return self.tagger.apply(document)

    def store_docs(self, *documents: Document) -> None:
        self.store.upsert(documents)

    def evaluate(self, rule_id: str, now: datetime = NOW) -> Any:
        outcome = self.evaluator.evaluate(self.rule(rule_id), now)
        assert not outcome.error, outcome.error
        return outcome

    def queued(self, rule_id: str | None = None) -> list[EmailMessage]:
        rows = self.state._db.execute(
            "SELECT message FROM outbox WHERE ? IS NULL OR rule_id = ? ORDER BY rowid",
            (rule_id, rule_id),
        ).fetchall()
        return [message_from_bytes(row[0], policy=default) for row in rows]  # type: ignore[misc]

    def close(self) -> None:
        self.store.close()
        self.state.close()
        self.runs.close()


def part(message: EmailMessage, subtype: str) -> str:
    for item in message.walk():
        if item.get_content_type() == f"text/{subtype}":
            return str(item.get_content()).replace("\r\n", "\n")  # type: ignore[attr-defined]
    raise KeyError(subtype)


@pytest.fixture
def bench_for(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> Iterator[Callable[[str], Bench]]:
    made: list[Bench] = []

    def build(alerts: str) -> Bench:
        # What rules find and queue, without pacing (batches, cooldowns, hourly limit):
        # tests/test_alert_pacing.py pins those.
        unpaced = make_settings(
            alert_batch_seconds=0, alert_cluster_cooldown_seconds=0, alert_max_per_hour=0
        )
        bench = Bench(tmp_path, unpaced, alerts)
        made.append(bench)
        return bench

    yield build
    for bench in made:
        bench.close()


IMMEDIATE = """\
  - id: claire-immediat
    kind: immediate
    name: Claire Martin en direct
    to: [equipe-numerique@example.org, veille@example.org]
    candidates: [claire-martin]
"""

# -- writing rules ----------------------------------------------------------------------


def test_alert_rules_load_as_typed_objects_with_their_defaults(tmp_path: Path) -> None:
    path = write_watchlist(
        tmp_path,
        """\
  - id: claire-immediat
    kind: immediate
    to: equipe@example.org
    candidates: [claire-martin]
    source_kinds: [feed, forum]
    query: '"réunion publique" OR meeting'
  - id: synthese-matin
    kind: digest
    to: [equipe@example.org]
    at: ["08:00", 18:30]
    timezone: Europe/Paris
  - id: pic
    kind: spike
    to: [equipe@example.org]
    topics: [transports]
    factor: 4
  - id: sante
    kind: source_health
    to: [ops@example.org]
    failures: 2
""",
    )
    watchlist = load_watchlist(path)
    immediate, digest, spike, health = watchlist.alerts
    assert isinstance(immediate, ImmediateRule)
    assert immediate.to == ("equipe@example.org",)
    assert immediate.filter.candidates == ("claire-martin",)
    assert immediate.filter.source_kinds == ("feed", "forum")
    assert immediate.every == 60
    assert isinstance(digest, DigestRule)
    # YAML reads an unquoted 18:30 as the base-60 number 1110; it still means half past six.
    assert digest.at == ("08:00", "18:30")
    assert digest.every is None
    assert isinstance(spike, SpikeRule)
    assert (spike.topics, spike.factor, spike.window, spike.baseline, spike.min_mentions) == (
        ("transports",),
        4.0,
        3600,
        7 * 86400,
        5,
    )
    assert isinstance(health, SourceHealthRule)
    assert (health.failures, health.empty_runs) == (2, 2)


def test_invalid_alert_rules_are_all_reported_with_file_line_and_fix(tmp_path: Path) -> None:
    path = write_watchlist(
        tmp_path,
        """\
  - id: claire-immediat
    kind: immediat
    to: [equipe@example.org]
  - id: pic
    kind: spike
    to: [equipe@example.org]
    candidates: [claire-martn]
    windw: 1h
  - id: synthese
    kind: digest
    to: [pas-une-adresse]
    at: ["25:00"]
  - id: requete
    kind: immediate
    to: [equipe@example.org]
    query: '(tramway OR bus'
  - id: vide
    kind: digest
    to: [equipe@example.org]
""",
    )
    with pytest.raises(WatchlistError) as caught:
        load_watchlist(path)
    problems = "\n".join(caught.value.problems)
    base = len(WATCHLIST.splitlines()) + 1  # the line of `alerts:`
    assert (
        f"{path}:{base + 2}: alerts[0].kind: unknown kind 'immediat'; did you mean 'immediate'?"
        in problems
    )
    assert (
        f"{path}:{base + 7}: alerts[1].candidates[0]: unknown candidate "
        "'claire-martn'; did you mean 'claire-martin'?"
    ) in problems
    assert (
        f"{path}:{base + 8}: alerts[1].windw: unknown key "
        "'windw' for a spike rule; did you mean 'window'?"
    ) in problems
    assert (
        f"{path}:{base + 11}: alerts[2].to[0]: 'pas-une-adresse' is not an email address"
        in problems
    )
    assert f"{path}:{base + 12}: alerts[2].at[0]: '25:00' is not a time of day" in problems
    assert (
        f"{path}:{base + 16}: alerts[3].query: column 16: "
        'expected ")" to close the "(" of column 1, found end of query'
    ) in problems
    assert f"{path}:{base + 17}: alerts[4]: a digest needs its times or its period" in problems


def test_rule_query_matches_like_the_search_syntax() -> None:
    query = parse_query('"réunion publique" OR tram* NOT annulée')
    assert query_matches(query, "Compte rendu", "La Réunion  publique de jeudi soir")
    assert query_matches(query, "Les tramways arrivent", "")
    assert not query_matches(
        query, "Le tramway : réunion annulée", ""
    )  # NOT binds to the term before it
    assert not query_matches(query, "", "une réunion très publique")
    both = parse_query('"Jean-Baptiste Lefort" logement')
    assert query_matches(both, "Jean Baptiste LEFORT", "parle de logement")
    assert not query_matches(both, "Jean Baptiste LEFORT", "parle de loyers")


# -- immediate rules --------------------------------------------------------------------


def test_new_immediate_rule_starts_at_the_end_of_the_store_and_alerts_only_later_documents(
    bench_for: Callable[[str], Bench],
) -> None:
    bench = bench_for(IMMEDIATE)
    bench.store_docs(
        bench.document(
            "Claire Martin inaugure la médiathèque", "Claire Martin a coupé le ruban samedi."
        )
    )
    started = bench.evaluate("claire-immediat")
    assert started.queued == [] and "started" in started.note

    bench.store_docs(
        bench.document(
            "Conseil municipal", "Mme Martin a défendu le budget du tramway face à l'opposition."
        ),
        bench.document("Marché de Noël", "Les chalets s'installent à Saint-Martin-sur-Loire."),
    )
    outcome = bench.evaluate("claire-immediat")
    assert len(outcome.queued) == 1
    [message] = bench.queued()
    assert "Conseil municipal" in message["Subject"]
    assert "médiathèque" not in part(message, "plain")


def test_immediate_email_names_candidate_and_source_and_carries_snippet_and_link(
    bench_for: Callable[[str], Bench],
) -> None:
    bench = bench_for(IMMEDIATE)
    bench.evaluate("claire-immediat")
    doc = bench.document(
        "Le budget des transports adopté",
        "Après quatre heures de débat, Claire Martin a obtenu le vote du budget des transports.",
        slug="articles/budget-transports",
    )
    bench.store_docs(doc)
    bench.evaluate("claire-immediat")
    [message] = bench.queued()
    assert (
        message["Subject"]
        == "[Traceur] Claire Martin — Actu du Val : Le budget des transports adopté"
    )
    assert message["To"] == "equipe-numerique@example.org, veille@example.org"
    assert message["Message-ID"].startswith("<traceur.") and message["Message-ID"].endswith(
        "@example.org>"
    )
    assert message.get_content_type() == "multipart/alternative"
    plain, html = part(message, "plain"), part(message, "html")
    assert "Après quatre heures de débat, «Claire Martin» a obtenu" in plain
    assert "http://www.actu-val.example/articles/budget-transports.html" in plain
    assert "de débat, <mark>Claire Martin</mark> a obtenu" in html
    assert '<a href="http://www.actu-val.example/articles/budget-transports.html"' in html


def test_second_evaluation_queues_nothing_and_several_documents_share_one_email(
    bench_for: Callable[[str], Bench],
) -> None:
    bench = bench_for(IMMEDIATE)
    bench.evaluate("claire-immediat")
    bench.store_docs(
        bench.document(
            "Claire Martin au marché", "Claire Martin a rencontré les commerçants.", source="actu"
        ),
        bench.document(
            "Re: la candidate au marché",
            "J'ai croisé Mme Martin ce matin, elle écoutait.",
            source="forum",
            kind="forum_post",
        ),
    )
    first = bench.evaluate("claire-immediat")
    second = bench.evaluate("claire-immediat")
    assert len(first.queued) == 1 and second.queued == []
    [message] = bench.queued()
    assert (
        message["Subject"]
        == "[Traceur] 2 nouvelles mentions — Claire Martin — Actu du Val, Forum des citoyens du Val"
    )


def test_edited_document_alerts_again_only_when_the_edit_adds_a_match(
    bench_for: Callable[[str], Bench],
) -> None:
    bench = bench_for("""\
  - id: toutes-mentions
    kind: immediate
    to: [equipe@example.org]
    candidates: [claire-martin, elodie-arnaud]
""")
    bench.evaluate("toutes-mentions")
    url = "http://www.actu-val.example/articles/debat.html"
    bench.store_docs(
        bench.document("Débat à la mairie", "Claire Martin a ouvert le débat.", url=url)
    )
    assert len(bench.evaluate("toutes-mentions").queued) == 1

    # A typo fixed, still only Claire Martin: stored as an update, but no new match.
    bench.store_docs(
        bench.document("Débat à la mairie", "Claire Martin a ouvert le débat public.", url=url)
    )
    assert bench.evaluate("toutes-mentions").queued == []

    # The article now quotes Élodie Arnaud too: that is new.
    bench.store_docs(
        bench.document(
            "Débat à la mairie",
            "Claire Martin a ouvert le débat public. Élodie Arnaud a répondu.",
            url=url,
        )
    )
    again = bench.evaluate("toutes-mentions")
    assert len(again.queued) == 1
    assert bench.queued()[-1]["Subject"].startswith("[Traceur] Élodie Arnaud — Actu du Val")


def test_filters_on_source_kind_language_and_query_pick_only_matching_documents(
    bench_for: Callable[[str], Bench],
) -> None:
    bench = bench_for("""\
  - id: forum-reunions
    kind: immediate
    to: [equipe@example.org]
    source_kinds: [forum]
    lang: [fr]
    query: '"réunion publique" OR meeting'
""")
    bench.evaluate("forum-reunions")
    wanted = bench.document(
        "Qui va à la réunion publique ?",
        "Élodie Arnaud tiendra une réunion publique jeudi.",
        source="forum",
        kind="forum_post",
    )
    bench.store_docs(
        wanted,
        bench.document(
            "Réunion publique", "Élodie Arnaud tiendra une réunion publique jeudi.", source="actu"
        ),  # a feed, not a forum
        bench.document(
            "Public meeting",
            "Élodie Arnaud will hold a public meeting.",
            source="forum",
            kind="forum_post",
            lang="en",
        ),
        bench.document(
            "Marché couvert", "Rien à voir avec une réunion.", source="forum", kind="forum_post"
        ),
    )
    bench.evaluate("forum-reunions")
    [message] = bench.queued()
    assert message["Subject"].endswith("Forum des citoyens du Val : Qui va à la réunion publique ?")


def test_markup_and_crafted_links_from_a_page_arrive_escaped_in_both_parts(
    bench_for: Callable[[str], Bench],
) -> None:
    bench = bench_for(IMMEDIATE)
    bench.evaluate("claire-immediat")
    evil_title = 'Claire Martin <script>alert("piège")</script><img src=x onerror=alert(1)>'
    crafted = 'http://www.actu-val.example/a.html?x="><script>alert(2)</script>'
    bench.store_docs(
        bench.document(
            evil_title + "\r\nBcc: espion@example.net",
            "Selon <b>Claire Martin</b>, <a href='javascript:alert(3)'>cliquez</a>.",
            url=crafted,
        )
    )
    bench.evaluate("claire-immediat")
    bench.store_docs(
        bench.document("Lien piégé", "Claire Martin citée ici.", url="javascript:alert(4)")
    )
    bench.evaluate("claire-immediat")
    first, second = bench.queued()

    html = part(first, "html")
    assert (
        "<script" not in html
        and "<img" not in html
        and "<b>" not in html
        and "<a href='" not in html
    )
    assert (
        "&lt;script&gt;alert(&#34;piège&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
        in html
    )
    assert (
        'href="http://www.actu-val.example/a.html?x=&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"'
        in html
    )
    assert (
        "Selon &lt;b&gt;<mark>Claire Martin</mark>&lt;/b&gt;, "
        "&lt;a href=&#39;javascript:alert(3)&#39;&gt;cliquez&lt;/a&gt;."
    ) in html
    plain = part(first, "plain")
    # The plain part is text/plain: markup is shown as the characters it is, and runs nothing.
    assert first.get_body(("plain",)).get_content_type() == "text/plain"  # type: ignore[union-attr]
    assert evil_title in plain
    # A line break in a title cannot add a header.
    assert first["Bcc"] is None and "Bcc: espion@example.net" in first["Subject"]
    assert first["Subject"].startswith(
        "[Traceur] Claire Martin — Actu du Val : Claire Martin <script>"
    )

    second_html = part(second, "html")
    assert (
        'href="javascript:alert(4)"' not in second_html
        and "<strong>Lien piégé</strong>" in second_html
    )  # shown, never a link


def test_crash_inside_an_evaluation_neither_loses_nor_duplicates(
    bench_for: Callable[[str], Bench], monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = bench_for(IMMEDIATE)
    bench.evaluate("claire-immediat")
    bench.store_docs(
        bench.document("Claire Martin en visite", "Claire Martin visite le chantier du tramway.")
    )
    real = Transaction.set_watermark

    def crash(self: Any, rule_id: str, watermark: str | None) -> None:
        raise RuntimeError("le processus meurt ici")

    monkeypatch.setattr(Transaction, "set_watermark", crash)
    failed = bench.evaluator.evaluate(bench.rule("claire-immediat"), NOW)
    assert "le processus meurt ici" in failed.error
    assert bench.queued() == []  # the message queued before the crash was rolled back with it
    monkeypatch.setattr(Transaction, "set_watermark", real)
    assert len(bench.evaluate("claire-immediat").queued) == 1
    assert bench.evaluate("claire-immediat").queued == []
    assert len(bench.queued()) == 1


# -- digests ----------------------------------------------------------------------------


def test_digest_holds_exactly_the_documents_since_the_previous_digest_grouped_by_candidate_and_story(  # noqa: E501 - the name is the spec
    bench_for: Callable[[str], Bench],
) -> None:
    bench = bench_for("""\
  - id: synthese-matin
    kind: digest
    name: Synthèse du matin
    to: [equipe@example.org]
    at: ["08:00"]
""")
    bench.store_docs(bench.document("Avant la règle", "Claire Martin, archives."))
    bench.evaluate("synthese-matin", NOW - timedelta(days=2))

    first_day = [
        bench.document(
            "Claire Martin présente son programme",
            "Claire Martin veut plus de logements sociaux.",
            cluster="programme",
        ),
        bench.document(
            "Le programme de Claire Martin",
            "Claire Martin veut plus de logements sociaux, reprend l'agence.",
            source="gazette",
            cluster="programme",
        ),
        bench.document(
            "Élodie Arnaud répond",
            "Élodie Arnaud critique le programme de Claire Martin.",
            cluster="reponse",
        ),
    ]
    bench.store_docs(*first_day)
    first = bench.evaluate("synthese-matin", NOW - timedelta(days=1))
    second_day = [
        bench.document(
            "Tramway : Jean-Baptiste Lefort s'engage", "Jean-Baptiste Lefort promet le tramway."
        )
    ]
    bench.store_docs(*second_day)
    second = bench.evaluate("synthese-matin", NOW)
    third = bench.evaluate("synthese-matin", NOW + timedelta(days=1))

    assert len(first.queued) == 1 and len(second.queued) == 1 and third.queued == []
    day_one, day_two = bench.queued()
    assert day_one["Subject"] == (
        "[Traceur] Synthèse du matin — 3 nouveaux documents (Claire Martin 3, Élodie Arnaud 1)"
    )
    plain_one = part(day_one, "plain")
    assert "== Claire Martin — 3 documents, 2 sujets ==" in plain_one
    assert "* Claire Martin présente son programme (2 documents)" in plain_one
    assert "== Élodie Arnaud — 1 document, 1 sujet ==" in plain_one
    assert "Avant la règle" not in plain_one and "Lefort" not in plain_one
    plain_two = part(day_two, "plain")
    assert "Jean-Baptiste Lefort — 1 document" in plain_two
    assert "Claire Martin" not in plain_two.split("--")[0]


# -- spikes -----------------------------------------------------------------------------

SPIKE = """\
  - id: pic-claire
    kind: spike
    to: [equipe@example.org]
    candidates: [claire-martin]
    window: 1h
    baseline: 7d
    factor: 3
    min_mentions: 5
"""


def _steady_week(bench: Bench, per_hour: int) -> None:
    documents = []
    for hour in range(1, 7 * 24 + 1):
        for n in range(per_hour):
            published = NOW - timedelta(hours=hour) + timedelta(minutes=10 + 20 * n)
            documents.append(
                bench.document(
                    f"Chronique {hour}-{n}",
                    "Claire Martin au conseil communautaire, séance ordinaire.",
                    source="gazette" if n % 2 else "actu",
                    published=published,
                )
            )
    bench.store_docs(*documents)


def test_spike_fires_on_a_burst_but_not_on_the_steady_baseline_and_explains_itself(
    bench_for: Callable[[str], Bench],
) -> None:
    bench = bench_for(SPIKE)
    _steady_week(bench, per_hour=2)
    # The last hour looks like every other hour: 2 mentions against a mean of 2.
    steady = bench.evaluate("pic-claire")
    assert steady.queued == []

    burst = [
        bench.document(
            f"Polémique sur la piscine ({n})",
            "Claire Martin accusée d'avoir promis la fermeture de la piscine municipale.",
            source=["forum", "forum", "forum", "actu", "gazette"][n % 5],
            kind="forum_post" if n % 5 < 3 else "article",
            published=NOW - timedelta(minutes=5 + 3 * n),
            cluster="piscine" if n % 5 >= 3 else None,
        )
        for n in range(10)
    ]
    bench.store_docs(*burst)
    fired = bench.evaluate("pic-claire")
    assert len(fired.queued) == 1
    [message] = bench.queued()
    assert message["Subject"].startswith(
        "[Traceur] Pic de mentions : Claire Martin — 12 en 1 h (×6) — Forum des citoyens du Val"
    )
    plain = part(message, "plain")
    assert (
        "12 documents en 1 h" in plain
        and "pour 2,0 en moyenne sur 7 j : 6,0 fois la normale" in plain
    )
    assert "  - Forum des citoyens du Val : 6" in plain
    assert "Polémique sur la piscine" in plain
    assert "piscine (10)" in plain and "fermeture (10)" in plain  # the words behind the burst
    assert "claire" not in plain.split("Mots qui reviennent")[1].split("\n")[0].lower()

    # Still bursting ten minutes later: the same burst is not reported twice.
    assert bench.evaluate("pic-claire", NOW + timedelta(minutes=10)).queued == []


def test_spike_needs_its_minimum_of_mentions(bench_for: Callable[[str], Bench]) -> None:
    bench = bench_for(SPIKE)
    # No history at all, then 4 mentions: "infinitely" above the baseline, but under min_mentions.
    bench.store_docs(
        *[
            bench.document(
                f"Brève {n}", "Claire Martin en bref.", published=NOW - timedelta(minutes=n + 1)
            )
            for n in range(4)
        ]
    )
    assert bench.evaluate("pic-claire").queued == []
    bench.store_docs(
        bench.document("Brève 5", "Claire Martin encore.", published=NOW - timedelta(minutes=30))
    )
    assert len(bench.evaluate("pic-claire").queued) == 1


# -- source health (from run history) -------------------------------------------------------

HEALTH = """\
  - id: sante-sources
    kind: source_health
    to: [ops@example.org]
    failures: 3
    empty_runs: 2
    silent_factor: 4
    min_silence: 1h
"""


def _run(bench: Bench, source: str, at: datetime, **counts: Any) -> None:
    errors = counts.pop("errors", {})
    result = counts.pop("result", None)
    bench.runs.record(
        source,
        SourceSummary(errors=errors, **counts) if result != "crashed" else None,
        "schedule",
        at,
        at + timedelta(seconds=5),
        result=result,
    )


def test_source_health_alerts_once_when_a_source_keeps_failing_and_again_after_it_recovered(
    bench_for: Callable[[str], Bench],
) -> None:
    bench = bench_for(HEALTH)
    start = NOW - timedelta(hours=3)
    _run(bench, "actu", start, pages=4, new=3)
    _run(bench, "actu", start + timedelta(minutes=10), pages=0, errors={"connection_refused": 1})
    _run(bench, "actu", start + timedelta(minutes=20), result="crashed")
    assert bench.evaluate("sante-sources").queued == []  # two failures: not yet
    _run(bench, "actu", start + timedelta(minutes=30), pages=1, errors={"http_503": 1})
    fired = bench.evaluate("sante-sources")
    assert len(fired.queued) == 1
    [message] = bench.queued()
    assert message["Subject"] == "[Traceur] Source Actu du Val : 3 échecs de suite"
    assert "connection_refused ×1" in part(message, "plain") and "http_503 ×1" in part(
        message, "plain"
    )
    _run(bench, "actu", start + timedelta(minutes=40), pages=0, errors={"connection_refused": 1})
    assert bench.evaluate("sante-sources").queued == []  # same episode

    _run(bench, "actu", start + timedelta(minutes=50), pages=1)  # back
    bench.evaluate("sante-sources")
    for minutes in (60, 70, 80):
        _run(bench, "actu", start + timedelta(minutes=minutes), pages=0, errors={"timeout": 1})
    assert len(bench.evaluate("sante-sources").queued) == 1


def test_source_health_alerts_when_pages_suddenly_extract_empty(
    bench_for: Callable[[str], Bench],
) -> None:
    bench = bench_for(HEALTH)
    start = NOW - timedelta(hours=2)
    _run(bench, "gazette", start, pages=12, new=10, unchanged=0)
    _run(bench, "gazette", start + timedelta(minutes=30), pages=12, unchanged=10)
    _run(bench, "gazette", start + timedelta(minutes=60), pages=12, not_documents=11)
    assert bench.evaluate("sante-sources").queued == []  # one empty run may be a fluke
    _run(bench, "gazette", start + timedelta(minutes=90), pages=12, not_documents=11)
    assert len(bench.evaluate("sante-sources").queued) == 1
    [message] = bench.queued()
    assert (
        message["Subject"]
        == "[Traceur] Source La Gazette des deux rives : pages vides à l'extraction"
    )
    assert "22 pages récupérées sans texte exploitable sur 2 collectes" in part(message, "plain")


def test_source_health_alerts_when_a_source_falls_silent_for_much_longer_than_usual(
    bench_for: Callable[[str], Bench],
) -> None:
    bench = bench_for(HEALTH)
    start = NOW - timedelta(hours=12)
    for n in range(6):  # a new article every 30 minutes
        _run(bench, "actu", start + timedelta(minutes=30 * n), pages=2, new=1)
    last_new = start + timedelta(minutes=150)
    _run(
        bench, "actu", last_new + timedelta(minutes=90), pages=1
    )  # 1h30 without news: under 4 × 30 min
    assert bench.evaluate("sante-sources", last_new + timedelta(minutes=91)).queued == []
    for minutes in range(100, 190, 10):
        _run(bench, "actu", last_new + timedelta(minutes=minutes), pages=1)
    fired = bench.evaluate("sante-sources", last_new + timedelta(minutes=181))
    assert len(fired.queued) == 1
    [message] = bench.queued()
    assert message["Subject"] == "[Traceur] Source Actu du Val : silencieuse"
    assert "d'habitude toutes les 30 min" in part(message, "plain")
