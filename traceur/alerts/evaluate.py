"""Evaluating alert rules: from new documents and run history to queued messages.

Rules read new documents from the store through their own persistent watermark
(``Store.changed_since``), so they work with either store and any number of collectors,
and survive restarts. Each evaluation runs in one transaction of the alert state (see
``outbox``): messages queued, (rule, document, match) recorded, watermark moved, together.

A rule that starts (new in the watchlist, or a fresh data directory) begins at the
current end of the store: it alerts on what is stored from then on, not on the backlog.

What counts as "a match" of a document for a rule: the rule's candidates and topics it
names (all of the document's when the rule names none), plus ``query`` when the rule has a
query, or ``document`` when nothing else applies. A document is alerted once per match:
an edited article alerts again only if the edit adds a match the rule had not alerted.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial

from traceur.alerts import health, holds, pacing, render
from traceur.alerts import quiet as quiet_hours
from traceur.alerts.outbox import AlertState, Transaction
from traceur.config import Settings
from traceur.document import Document
from traceur.enrich.query import Node, evaluate, parse, words_of
from traceur.errors import AlertError, TraceurError
from traceur.orchestra.runs import RunLog, consecutive_failures, empty_streak, silence
from traceur.store import SearchQuery, Store
from traceur.watchlist.model import Watchlist
from traceur.watchlist.rules import (
    AlertRule,
    DigestRule,
    DocumentFilter,
    ImmediateRule,
    SourceHealthRule,
    SpikeRule,
)

log = logging.getLogger(__name__)

BATCH = 500
MAX_DOCS_PER_DIGEST = 300
SPIKE_SAMPLE = 300

# Frequent French (and a few English) words that say nothing about a burst.
_STOPWORDS = frozenset(
    words_of("""
    alors aussi autre autres avant avec avoir bien celle celles celui cela cette ceux chez comme
    comment dans depuis des deux donc dont elle elles encore entre est etait etre eux fait faire
    faut leur leurs lors mais meme memes mes moins notre nous par parce pas peu peut plus pour
    pourquoi quand que quel quelle quelles quels qui quoi sans selon ses sera seront son sont sous
    sur tous tout toute toutes tres une vers votre vous ont ete avait avaient apres ainsi deja
    chaque cet aux les sur pres contre jour jours annee ans hier demain aujourd hui selon lundi
    mardi mercredi jeudi vendredi samedi dimanche heures heure
    the and for with that this from have will are was were been
""")
)
_WORD_ORIGINAL = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass
class Outcome:
    """What one evaluation of one rule did."""

    rule_id: str
    queued: list[str] = field(default_factory=list)  # message keys
    note: str = ""
    error: str = ""

    @property
    def summary(self) -> str:
        if self.error:
            return f"error: {self.error}"
        queued = f"{len(self.queued)} message{'s' if len(self.queued) != 1 else ''} queued"
        return f"{queued}; {self.note}" if self.note else queued


@dataclass(frozen=True)
class SourceProblem:
    """One source-health problem, as the email shows it."""

    source_id: str
    source: str
    kind: str
    url: str
    href: str | None
    problem: str  # failing, empty or silent
    episode: str  # what identifies this occurrence: a new one alerts again
    label: str
    explanation: str
    details: tuple[str, ...] = ()

    @property
    def subject(self) -> str:
        return f"{self.source_id}:{self.problem}"


@dataclass
class Evaluator:
    """Everything rules need. The caller owns (and closes) the store, state and run log."""

    settings: Settings
    watchlist: Watchlist
    store: Store
    state: AlertState
    runs: RunLog | None = None

    def __post_init__(self) -> None:
        self.names = render.Names(self.watchlist)
        self._queries: dict[str, Node] = {}
        # Held matches and messages of rules gone from the watchlist, dropped by this
        # evaluator's first evaluation: {rule id: (matches, messages)}.
        self.dropped: dict[str, tuple[int, int]] | None = None

    # -- entry points ----------------------------------------------------------------

    def evaluate(self, rule: AlertRule, now: datetime | None = None) -> Outcome:
        """Evaluate one rule; errors are caught and reported in the outcome, so one
        broken rule (or a store outage) never stops the others."""
        now = now or datetime.now(UTC)
        try:
            with self.state.transaction(now) as txn:
                dropped = self.dropped
                if dropped is None:
                    dropped = holds.drop_orphans(txn, [r.id for r in self.watchlist.alerts])
                outcome = self._dispatch(rule, txn, now)
                txn.record_evaluation(rule.id, outcome.summary)
            self.dropped = dropped  # committed: the next evaluations need not look again
            return outcome
        except TraceurError as exc:
            log.error("alert rule %s: %s", rule.id, exc)
            outcome = Outcome(rule.id, error=str(exc))
        except Exception as exc:  # noqa: BLE001 - a rule's bug must not stop the scheduler
            log.exception("alert rule %s failed", rule.id)
            outcome = Outcome(rule.id, error=f"{type(exc).__name__}: {exc}")
        try:
            with self.state.transaction(now) as txn:
                txn.record_evaluation(rule.id, outcome.summary)
        except TraceurError:
            pass
        return outcome

    def evaluate_all(
        self, kinds: Sequence[str] | None = None, now: datetime | None = None
    ) -> list[Outcome]:
        return [
            self.evaluate(rule, now)
            for rule in self.watchlist.alerts
            if rule.enabled and (kinds is None or rule.kind in kinds)
        ]

    def _dispatch(self, rule: AlertRule, txn: Transaction, now: datetime) -> Outcome:
        for key, email in quiet_hours.due(txn, rule.id):  # held through the rule's quiet hours
            self._enqueue(txn, rule, key, email)
        if isinstance(rule, ImmediateRule):
            return self._immediate(rule, txn, now)
        if isinstance(rule, DigestRule):
            return self._digest(rule, txn, now)
        if isinstance(rule, SpikeRule):
            return self._spike(rule, txn, now)
        return self._health(rule, txn, now)

    # -- matching documents ----------------------------------------------------------

    def tokens(self, flt: DocumentFilter, document: Document) -> set[str]:
        """The matches of ``document`` for a rule's filter; empty when it does not pass."""
        if flt.sources and document.source_id not in flt.sources:
            return set()
        if flt.source_kinds:
            source = next((s for s in self.watchlist.sources if s.id == document.source_id), None)
            if source is None or source.kind not in flt.source_kinds:
                return set()
        if flt.kinds and document.kind not in flt.kinds:
            return set()
        if flt.lang and (document.lang or "").lower().split("-")[0] not in flt.lang:
            return set()
        candidates = (
            set(document.candidates) & set(flt.candidates)
            if flt.candidates
            else set(document.candidates)
        )
        topics = set(document.topics) & set(flt.topics) if flt.topics else set(document.topics)
        if (flt.candidates and not candidates) or (flt.topics and not topics):
            return set()
        if flt.candidates and not flt.topics:
            topics = set()  # a rule about people: topics are no new match
        if flt.topics and not flt.candidates:
            candidates = set()
        tokens = {f"candidate:{c}" for c in candidates} | {f"topic:{t}" for t in topics}
        if flt.query and flt.query.strip():
            if flt.query not in self._queries:
                self._queries[flt.query] = parse(flt.query)
            if not evaluate(self._queries[flt.query], document.title, document.text):
                return set()
            tokens.add("query")
        return tokens or {"document"}

    def _new_matches(
        self, rule: ImmediateRule | DigestRule, txn: Transaction
    ) -> tuple[list[tuple[Document, set[str]]], str | None, bool, datetime | None]:
        """Documents changed since the rule's watermark with matches not alerted yet,
        the watermark after them, whether the rule had started, and when it last moved."""
        started, watermark, moved_at = txn.watermark(rule.id)
        if not started:
            return [], end_of_store(self.store), False, None
        found: dict[str, tuple[Document, set[str]]] = {}
        while True:
            documents, following = self.store.changed_since(watermark, limit=BATCH)
            for document in documents:
                tokens = self.tokens(rule.filter, document)
                fresh = tokens - txn.alerted_tokens(rule.id, document.id)
                if fresh:
                    # A document changed twice since the last look: one entry, matches merged.
                    previous = found.pop(document.id, (document, set()))[1]
                    found[document.id] = (document, previous | fresh)
            watermark = following
            if len(documents) < BATCH:
                break
        return list(found.values()), watermark, True, moved_at

    def _queue(
        self,
        txn: Transaction,
        rule: AlertRule,
        key: str,
        email: render.Email,
        covered: Iterable[tuple[str, Iterable[str]]] = (),
    ) -> bool:
        until = quiet_hours.quiet_until(rule, self.settings.timezone, txn.now)
        if until is not None:
            queued = quiet_hours.hold(txn, rule.id, key, email, until)
        else:
            queued = self._enqueue(txn, rule, key, email)
        for doc_id, tokens in covered:
            txn.mark_alerted(rule.id, doc_id, tokens, key)
        return queued

    def _enqueue(self, txn: Transaction, rule: AlertRule, key: str, email: render.Email) -> bool:
        message = render.build_message(
            email, key, self.settings.smtp_from, rule.to, rule.id, txn.now
        )
        return txn.enqueue(key, rule.id, message, rule.to, email.chat)

    # -- immediate -------------------------------------------------------------------

    def _immediate(self, rule: ImmediateRule, txn: Transaction, now: datetime) -> Outcome:
        matches, watermark, started, _ = self._new_matches(rule, txn)
        txn.set_watermark(rule.id, watermark)
        if not started:
            return Outcome(rule.id, note="started; documents stored from now on are alerted")
        # Held first (see pacing): marked alerted now, so an edit before the message goes
        # is not held twice.
        for doc, tokens in matches:
            txn.mark_alerted(rule.id, doc.id, tokens, f"held:{rule.id}")
        pacing.hold(txn, rule.id, matches)
        plan = pacing.plan(txn, rule, self.settings, now)
        outcome = Outcome(
            rule.id,
            note=f"{len(matches)} new matching document{'s' if len(matches) != 1 else ''}"
            + (f"; {plan.note}" if plan.note else ""),
        )
        if not plan.send:
            return outcome
        key = None
        stories, everything = pacing.documents(plan, self.store)
        if stories:
            key = f"immediate:{rule.id}:" + _digest(
                f"{h.doc_id}={','.join(sorted(h.tokens))}" for h in plan.held
            )
            if plan.digest:
                everything.sort(key=lambda m: m[0].published_at or m[0].fetched_at or now)
                shown = everything[::-1][:MAX_DOCS_PER_DIGEST]  # the latest first
                email = self.render_digest(rule, shown, plan.since, now, total=len(everything))
            else:
                reprises = {e.first.doc_id: e.reprises for e in plan.entries}
                email = self.render_immediate(rule, stories, reprises)
            if self._queue(txn, rule, key, email):
                outcome.queued.append(key)
        pacing.settle(txn, rule.id, plan, key)
        return outcome

    def render_immediate(
        self,
        rule: ImmediateRule,
        matches: Sequence[tuple[Document, set[str]]],
        reprises: Mapping[str, int] | None = None,
    ) -> render.Email:
        tz = self.settings.timezone
        docs = [
            replace(
                render.doc_view(doc, tokens, self.names, tz, self.settings.web_base_url),
                reprises=(reprises or {}).get(doc.id, 0),
            )
            for doc, tokens in matches
        ]
        return render.render("immediate", render.immediate_subject(docs), rule=rule, docs=docs)

    # -- digest ----------------------------------------------------------------------

    def _digest(self, rule: DigestRule, txn: Transaction, now: datetime) -> Outcome:
        start_mark = txn.watermark(rule.id)[1]
        matches, watermark, started, since = self._new_matches(rule, txn)
        txn.set_watermark(rule.id, watermark)
        if not started:
            return Outcome(
                rule.id, note="started; the first digest covers what is stored from now on"
            )
        if not matches and not rule.send_empty:
            return Outcome(rule.id, note="nothing new; no digest sent")
        matches.sort(key=lambda m: m[0].published_at or m[0].fetched_at or now, reverse=True)
        shown = matches[:MAX_DOCS_PER_DIGEST]
        email = self.render_digest(rule, shown, since or now, now, total=len(matches))
        if matches:
            key = f"digest:{rule.id}:{start_mark}-{watermark}"
        else:
            key = f"digest:{rule.id}:empty:{now.isoformat()}"
        outcome = Outcome(
            rule.id, note=f"{len(matches)} document{'s' if len(matches) != 1 else ''} in the digest"
        )
        if self._queue(txn, rule, key, email, [(doc.id, tokens) for doc, tokens in matches]):
            outcome.queued.append(key)
        return outcome

    def render_digest(
        self,
        rule: DigestRule | ImmediateRule,
        matches: Sequence[tuple[Document, set[str]]],
        since: datetime,
        until: datetime,
        total: int | None = None,
    ) -> render.Email:
        tz = rule.timezone or self.settings.timezone
        items = []
        for doc, tokens in matches:
            view = render.doc_view(doc, tokens, self.names, tz, self.settings.web_base_url)
            labels = [self.names.token(t) for t in sorted(tokens) if t.startswith("candidate:")]
            if not labels:
                labels = [self.names.token(t) for t in sorted(tokens) if t.startswith("topic:")]
            items.append((view, tuple(label for label in labels if label)))
        groups = render.group_for_digest(items)
        total = len(matches) if total is None else total
        counts = ", ".join(
            f"{g.label} {g.count}" for g in groups[:3] if g.label != "Autres documents"
        )
        # "Synthèse Synthèse du matin" stutters: a title that says it already is kept as is.
        heading = rule.title if rule.title.startswith("Synthèse") else f"Synthèse {rule.title}"
        subject = (
            f"{render.SUBJECT_PREFIX} {heading}"
            f" — {total} nouveau{'x' if total != 1 else ''} document{'s' if total != 1 else ''}"
        )
        if counts:
            subject += f" ({counts})"
        return render.render(
            "digest",
            subject,
            rule=rule,
            groups=groups,
            total=total,
            since=render.local_time(since, tz),
            until=render.local_time(until, tz),
        )

    # -- spike -----------------------------------------------------------------------

    def _targets(self, rule: SpikeRule) -> list[tuple[str, str]]:
        targets = [("candidate", c) for c in rule.candidates] + [("topic", t) for t in rule.topics]
        return targets or [("candidate", c.id) for c in self.watchlist.candidates]

    def _spike_query(
        self, kind: str, ident: str, since: datetime, until: datetime, limit: int = 20
    ) -> SearchQuery:
        return SearchQuery(
            candidate=ident if kind == "candidate" else None,
            topic=ident if kind == "topic" else None,
            since=since,
            until=until,
            limit=limit,
        )

    def spike_figures(
        self, rule: SpikeRule, kind: str, ident: str, now: datetime
    ) -> tuple[int, float]:
        """(documents in the window ending now, mean documents per window over the baseline
        before it)."""
        window = timedelta(seconds=rule.window)
        start = now - window
        current = self.store.count(self._spike_query(kind, ident, start, now))
        before = self.store.count(
            self._spike_query(kind, ident, start - timedelta(seconds=rule.baseline), start)
        )
        return current, before * rule.window / rule.baseline

    def _spike(self, rule: SpikeRule, txn: Transaction, now: datetime) -> Outcome:
        outcome = Outcome(rule.id)
        notes = []
        cooldown = timedelta(seconds=rule.cooldown)
        for kind, ident in self._targets(rule):
            current, expected = self.spike_figures(rule, kind, ident, now)
            subject = f"{kind}:{ident}"
            opened = txn.episode(rule.id, subject)
            firing = current >= rule.min_mentions and current >= rule.factor * expected
            notes.append(f"{ident} {current} vs {expected:.1f}")
            if opened is not None and now - opened < cooldown:
                continue  # this burst was already reported
            if not firing:
                if opened is not None:
                    txn.close_episode(rule.id, subject)
                continue
            bucket = int(now.timestamp()) // rule.window
            key = f"spike:{rule.id}:{subject}:{bucket}"
            email = self.render_spike(rule, kind, ident, current, expected, now)
            if self._queue(txn, rule, key, email):
                outcome.queued.append(key)
            txn.open_episode(rule.id, subject, key)
        outcome.note = "; ".join(notes)
        return outcome

    def render_spike(
        self, rule: SpikeRule, kind: str, ident: str, current: int, expected: float, now: datetime
    ) -> render.Email:
        tz = self.settings.timezone
        window = timedelta(seconds=rule.window)
        start = now - window
        docs = [
            hit.document
            for hit in self.store.search(self._spike_query(kind, ident, start, now, SPIKE_SAMPLE))
        ]
        before = [
            hit.document
            for hit in self.store.search(
                self._spike_query(
                    kind, ident, start - timedelta(seconds=rule.baseline), start, SPIKE_SAMPLE
                )
            )
        ]
        name = self.names.token(f"{kind}:{ident}") or ident
        sources = Counter(self.names.source(doc) for doc in docs)
        clusters: dict[str, list[Document]] = {}
        for doc in docs:
            clusters.setdefault(doc.cluster_id or doc.id, []).append(doc)
        top_clusters = sorted(clusters.values(), key=lambda c: -len(c))[:5]
        excluded = set(words_of(name))
        if kind == "candidate":
            for candidate in self.watchlist.candidates:
                if candidate.id == ident:
                    excluded.update(w for alias in candidate.names for w in words_of(alias))
        ratio_text = (
            f"{current / expected:.1f} fois la normale".replace(".", ",")
            if expected > 0
            else "habituellement aucun"
        )
        figures = {
            "target": name,
            "current": current,
            "window": render.human_duration(rule.window),
            "baseline": render.human_duration(rule.baseline),
            "since": render.local_time(start, tz),
            "until": render.local_time(now, tz),
            "expected_text": f"{expected:.1f}".replace(".", ","),
            "ratio_text": ratio_text,
            "sources": sources.most_common(5),
            "clusters": [
                {
                    "title": render.one_line(c[0].title, 160) or c[0].url,
                    "count": len(c),
                    "url": render.one_line(c[0].url),
                    "href": render.safe_href(c[0].url),
                }
                for c in top_clusters
            ],
            "words": distinctive_words(docs, before, excluded),
        }
        views = [
            render.doc_view(doc, {f"{kind}:{ident}"}, self.names, tz, self.settings.web_base_url)
            for doc in docs[:5]
        ]
        ratio = (
            f" (×{current / expected:.0f})" if expected > 0 and current / expected >= 1.5 else ""
        )
        top = ", ".join(name for name, _ in sources.most_common(2))
        subject = (
            f"{render.SUBJECT_PREFIX} Pic de mentions : {name}"
            f" — {current} en {figures['window']}{ratio}" + (f" — {top}" if top else "")
        )
        return render.render("spike", subject, rule=rule, spike=figures, docs=views)

    # -- source health ---------------------------------------------------------------

    def source_problems(self, rule: SourceHealthRule, now: datetime) -> list[SourceProblem]:
        """The health problems of the rule's sources now, each with a stable episode id."""
        if self.runs is None:
            raise AlertError(
                "source health rules need the run history;"
                " run them from the scheduler or `traceur alerts run`"
            )
        tz = self.settings.timezone
        problems: list[SourceProblem] = []
        for source in self.watchlist.sources:
            if not (source.id in rule.sources if rule.sources else source.enabled):
                continue
            found = partial(
                SourceProblem,
                source.id,
                self.names.sources[source.id],
                source.kind,
                source.url,
                render.safe_href(source.url),
            )
            records = self.runs.recent(source.id, 100)
            failures = consecutive_failures(records)
            if len(failures) >= rule.failures:
                errors: Counter[str] = Counter()
                for record in failures:
                    errors.update(record.errors or {"crash": 1})
                details = tuple(
                    f"{render.local_time(r.started_at, tz)} : {r.result}"
                    + (f" ({_counts(r.errors)})" if r.errors else "")
                    + (f" — {render.one_line(r.message, 160)}" if r.message else "")
                    for r in failures[:5]
                )
                problems.append(
                    found(
                        "failing",
                        str(failures[-1].id),
                        f"{len(failures)} échecs de suite",
                        "Les dernières collectes n'ont rien rapporté et ont échoué :"
                        f" {_counts(dict(errors.most_common(4)))}.",
                        details,
                    )
                )
            streak, extracted_before = empty_streak(records)
            if extracted_before and len(streak) >= rule.empty_runs:
                pages = sum(r.not_documents for r in streak)
                problems.append(
                    found(
                        "empty",
                        str(streak[-1].id),
                        "pages vides à l'extraction",
                        f"{_plural(pages, 'page récupérée', 'pages récupérées')} sans texte"
                        f" exploitable sur {_plural(len(streak), 'collecte', 'collectes')},"
                        " alors que la source en donnait avant : "
                        "la mise en page du site a probablement changé.",
                    )
                )
            quiet = silence(
                self.runs.with_new_documents(source.id),
                records[0] if records else None,
                now,
                rule.silent_factor,
                timedelta(seconds=rule.min_silence),
            )
            if quiet is not None:
                silent_for = render.human_duration(int(quiet.silent_for.total_seconds()) // 60 * 60)
                usual = render.human_duration(
                    max(60, int(quiet.usual_gap.total_seconds()) // 60 * 60)
                )
                problems.append(
                    found(
                        "silent",
                        quiet.last_new_at.isoformat(),
                        "silencieuse",
                        f"Aucun nouveau document depuis {silent_for}"
                        f" (le {render.local_time(quiet.last_new_at, tz)}), "
                        f"alors qu'il en arrive d'habitude toutes les {usual}.",
                    )
                )
        return problems

    def _health(self, rule: SourceHealthRule, txn: Transaction, now: datetime) -> Outcome:
        problems = self.source_problems(rule, now)
        current = {problem.subject: problem for problem in problems}
        opened = txn.episodes(rule.id)
        closed = {subject: at for subject, at in opened.items() if subject not in current}
        for subject in closed:
            txn.close_episode(rule.id, subject)  # recovered: a new failure will alert again
        fresh = [problem for subject, problem in current.items() if subject not in opened]
        outcome = Outcome(
            rule.id, note=f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        )
        recovered = health.recoveries(self.watchlist, rule, closed, now, self.settings.timezone)
        if recovered:
            key = f"health-ok:{rule.id}:" + _digest(
                f"{s}@{t.isoformat()}" for s, t in closed.items()
            )
            if self._queue(txn, rule, key, health.render_recovered(rule, recovered)):
                outcome.queued.append(key)
        if not fresh:
            return outcome
        key = "health:" + rule.id + ":" + _digest(f"{p.subject}:{p.episode}" for p in fresh)
        email = self.render_health(rule, fresh)
        if self._queue(txn, rule, key, email):
            outcome.queued.append(key)
        for problem in fresh:
            txn.open_episode(rule.id, problem.subject, key)
        return outcome

    def render_health(
        self, rule: SourceHealthRule, problems: Sequence[SourceProblem]
    ) -> render.Email:
        if len(problems) == 1:
            subject = f"{render.SUBJECT_PREFIX} Source {problems[0].source} : {problems[0].label}"
        else:
            subject = (
                f"{render.SUBJECT_PREFIX} {len(problems)} problèmes de sources : "
                + ", ".join(problem.source for problem in problems[:4])
            )
        return render.render("health", subject, rule=rule, problems=problems)


def end_of_store(store: Store) -> str | None:
    """The watermark after everything stored now."""
    watermark: str | None = None
    while True:
        documents, watermark_after = store.changed_since(watermark, limit=BATCH)
        if not documents:
            return watermark
        watermark = watermark_after


def distinctive_words(
    burst: Sequence[Document], before: Sequence[Document], excluded: set[str], top: int = 8
) -> list[tuple[str, int]]:
    """Words found in many documents of the burst and rarely before it, with the number of
    burst documents holding each, in their most common written form."""

    def doc_words(doc: Document) -> set[str]:
        return {
            w
            for w in words_of(f"{doc.title} {doc.text}")
            if len(w) >= 4 and w not in _STOPWORDS and w not in excluded
        }

    burst_df: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for doc in burst:
        burst_df.update(doc_words(doc))
        for original in _WORD_ORIGINAL.findall(f"{doc.title} {doc.text}".lower()):
            folded = "".join(words_of(original))
            forms.setdefault(folded, Counter())[original] += 1
    before_df: Counter[str] = Counter()
    for doc in before:
        before_df.update(doc_words(doc))
    n_burst, n_before = max(len(burst), 1), max(len(before), 1)
    scored = [
        (burst_df[w] / n_burst - before_df[w] / n_before, burst_df[w], w)
        for w in burst_df
        if burst_df[w] >= max(2, n_burst // 4)
    ]
    scored.sort(key=lambda item: (-item[0], -item[1], item[2]))
    return [
        ((forms.get(w) or Counter({w: 1})).most_common(1)[0][0], count)
        for score, count, w in scored[:top]
        if score > 0
    ]


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} ×{count}" for name, count in counts.items())


def _digest(parts: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(parts)).encode("utf-8")).hexdigest()[:24]
