"""Alerts for callers: open what rules need, evaluate, send, close.

Used by ``traceur alerts run|test``, the scheduler, and ``traceur run`` (after a pass).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from traceur.alerts import render
from traceur.alerts.channels import ChatMessage, deliver_outbox, label, send_chat_now
from traceur.alerts.evaluate import Evaluator, Outcome, SourceProblem
from traceur.alerts.outbox import AlertState
from traceur.alerts.smtp import Delivery, send_now
from traceur.config import Settings
from traceur.document import Document
from traceur.errors import AlertError
from traceur.orchestra.runs import RunLog
from traceur.store import SearchQuery, open_store
from traceur.watchlist.model import Watchlist
from traceur.watchlist.recipients import channel_targets, email_addresses
from traceur.watchlist.rules import (
    AlertRule,
    DigestRule,
    ImmediateRule,
    SourceHealthRule,
    SpikeRule,
)


@contextmanager
def evaluator(
    settings: Settings, watchlist: Watchlist, *, read_only: bool = False
) -> Iterator[Evaluator]:
    """An evaluator over the configured store, the alert state and the run history;
    ``read_only`` for previews (nothing is created or written)."""
    store = open_store(settings, read_only=read_only)
    try:
        with (
            AlertState.in_data_dir(settings.data_dir, read_only=read_only) as state,
            RunLog.in_data_dir(settings.data_dir, read_only=read_only) as runs,
        ):
            yield Evaluator(settings, watchlist, store, state, runs)
    finally:
        store.close()


def run_once(
    settings: Settings,
    watchlist: Watchlist,
    kinds: Sequence[str] | None = None,
    now: datetime | None = None,
) -> tuple[list[Outcome], Delivery]:
    """Evaluate every enabled rule (or those of ``kinds``) once, then send what is due.

    With a work queue, only beside the scheduler leader, sharing its alert state as it
    does (``traceur.orchestra.queue.alertstate``); elsewhere nothing is evaluated or sent
    (the delivery's note says why): a second alert state would alert everything again."""
    with ExitStack() as stack:
        publish = None
        if settings.queue:
            from traceur.orchestra.queue.alertstate import local_leader

            snapshots = stack.enter_context(local_leader(settings))
            if snapshots is None:
                return [], Delivery(
                    note="with a work queue, alerts are the scheduler leader's: run this on"
                    " its machine (see the log for which one leads)"
                )
            publish = snapshots.publish
        ev = stack.enter_context(evaluator(settings, watchlist))
        if publish is not None:
            ev.state.share(publish)
        outcomes = ev.evaluate_all(kinds, now)
        delivery = deliver_outbox(settings, ev.state, now)
    return outcomes, delivery


@dataclass
class Preview:
    """A rule's email rendered from stored documents, without touching any state."""

    subject: str
    text: str
    html: str
    message: bytes
    documents: int
    chat: tuple[str, str] = ("", "")  # (title, body) for chat and webhook recipients


def preview(
    settings: Settings,
    watchlist: Watchlist,
    rule: AlertRule,
    limit: int = 5,
    now: datetime | None = None,
) -> Preview:
    """Render ``rule``'s email from what is stored now: the latest matching documents for
    immediate and digest rules, the current figures for a spike rule, the current
    problems for a source health rule (or a sample when there is none)."""
    now = now or datetime.now(UTC)
    with evaluator(settings, watchlist, read_only=True) as ev:
        email, count = _render_preview(ev, rule, limit, now)
    email.subject = render.one_line(f"[TEST] {email.subject}", 200)
    message = render.build_message(
        email, f"test:{rule.id}:{now.isoformat()}", settings.smtp_from, rule.to, rule.id, now
    )
    title, body = email.chat or (email.subject, "")
    return Preview(
        email.subject,
        email.text,
        email.html,
        render.message_bytes(message),
        count,
        (render.one_line(f"[TEST] {title}", 200), body),
    )


def _latest_matching(
    ev: Evaluator, rule: ImmediateRule | DigestRule, limit: int
) -> list[tuple[Document, set[str]]]:
    found: list[tuple[Document, set[str]]] = []
    flt = rule.filter
    query = SearchQuery(
        candidate=flt.candidates[0] if len(flt.candidates) == 1 else None,
        topic=flt.topics[0] if len(flt.topics) == 1 else None,
        limit=500,
    )
    for hit in ev.store.search(query):
        tokens = ev.tokens(flt, hit.document)
        if tokens:
            found.append((hit.document, tokens))
        if len(found) >= limit:
            break
    return found


def _render_preview(
    ev: Evaluator, rule: AlertRule, limit: int, now: datetime
) -> tuple[render.Email, int]:
    if isinstance(rule, ImmediateRule):
        matches = _latest_matching(ev, rule, limit)
        if not matches:
            raise AlertError(
                f"no stored document matches rule {rule.id!r} ({rule.filter.describe()});"
                " nothing to render"
            )
        return ev.render_immediate(rule, matches), len(matches)
    if isinstance(rule, DigestRule):
        matches = _latest_matching(ev, rule, max(limit, 20))
        since = min(
            (d.published_at or d.fetched_at or now for d, _ in matches),
            default=now - timedelta(days=1),
        )
        return ev.render_digest(rule, matches, since, now), len(matches)
    if isinstance(rule, SpikeRule):
        targets = ev._targets(rule)
        if not targets:
            raise AlertError(f"rule {rule.id!r} watches no candidate or topic")
        figures = [
            (ev.spike_figures(rule, kind, ident, now), kind, ident) for kind, ident in targets
        ]
        (current, expected), kind, ident = max(figures, key=lambda f: f[0][0])
        return ev.render_spike(rule, kind, ident, current, expected, now), current
    assert isinstance(rule, SourceHealthRule)
    problems = ev.source_problems(rule, now)
    if not problems:
        source = next(
            (s for s in ev.watchlist.sources if not rule.sources or s.id in rule.sources), None
        )
        if source is None:
            raise AlertError(f"rule {rule.id!r} watches no source")
        problems = [
            SourceProblem(
                source.id,
                ev.names.sources[source.id],
                source.kind,
                source.url,
                render.safe_href(source.url),
                "sample",
                "0",
                "exemple (aucun problème actuellement)",
                "Toutes les sources de la règle vont bien ; ceci montre la forme d'une alerte.",
            )
        ]
    return ev.render_health(rule, problems), len(problems)


def send_preview(settings: Settings, rule: AlertRule, preview_: Preview) -> None:
    """Send the preview to every recipient of ``rule``: the email by SMTP, the chat
    version to each channel; the first failure stops with an ``AlertError``."""
    emails = email_addresses(rule.to)
    if emails:
        send_now(settings, settings.smtp_from, emails, preview_.message)
    for target in channel_targets(rule.to):
        try:
            send_chat_now(target, ChatMessage(*preview_.chat))
        except AlertError as exc:
            raise AlertError(f"{exc} (channel {label(target)})") from exc
