"""Sending the outbox's chat and webhook entries through Apprise, with retries and backoff.

Each entry is one message for one channel (see ``outbox``). It is claimed before it is sent,
one at a time (a slow chat server must not outlive the claim of messages waiting behind it),
and marked sent as soon as the service accepted it; a refusal, an unreachable service or an
``env:NAME`` variable unset at send time leaves it queued, retried after
``alert_retry_seconds`` doubled at each failure up to an hour, like email.

An ambiguous failure (the request left, the answer never came) is retried, as email is:
only a service that got the message without saying so can see it twice. Webhooks
(``json://``, ``xml://``, ``form://``) receive an ``X-Traceur-Message-Id`` header derived from
the message key, the same on every attempt, so a receiver can drop a repeat, as mail
clients do with the Message-ID.

Secrets never reach the alert state or the logs: the entry keeps ``env:NAME`` as written,
the URL is read from the environment at send time, and logs show it masked.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from traceur.alerts.outbox import APPRISE, AlertState
from traceur.alerts.smtp import Delivery, deliver_due, record_failure
from traceur.config import Settings
from traceur.errors import AlertError
from traceur.watchlist.recipients import env_name, instantiate, masked, url_problem

log = logging.getLogger(__name__)

# Claimed one at a time: this covers one send, Apprise's connect and read timeouts included.
CLAIM_HOLD = timedelta(minutes=5)
MESSAGE_ID_HEADER = "X-Traceur-Message-Id"


@dataclass(frozen=True)
class ChatMessage:
    """What a channel receives: a one-line title and a short plain-text body."""

    title: str
    body: str


def label(target: str) -> str:
    """How logs and errors name a channel: ``env:NAME`` as written, a URL masked."""
    return target if env_name(target) is not None else masked(target)


def resolve(target: str) -> str:
    """The URL of ``target``: read from the environment for ``env:NAME``."""
    name = env_name(target)
    if name is None:
        return target
    url = os.environ.get(name, "").strip()
    if not url:
        raise AlertError(
            f"the environment variable {name} is not set; export it with the channel's URL"
            f" (e.g. {name}=slack://…) where the scheduler runs; the message waits in the outbox"
        )
    return url


def message_header_id(key: str) -> str:
    """The id a webhook receives for message ``key``: the same on every attempt."""
    return "traceur-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def send(target: str, message: ChatMessage, key: str) -> None:
    """Deliver ``message`` to one channel; ``AlertError`` with the reason when it was not."""
    from apprise import LogCapture, NotifyFormat  # noqa: PLC0415 - slow import, chat only

    url = resolve(target)
    problem = url_problem(url, in_watchlist=False)
    if problem:
        raise AlertError(f"{label(target)}: {problem}")
    service = instantiate(url)
    headers = getattr(service, "headers", None)
    if isinstance(headers, dict):
        headers[MESSAGE_ID_HEADER] = message_header_id(key)
    # Apprise says why in its log, not in notify()'s answer: caught to keep the reason.
    capture = LogCapture(level=logging.WARNING, fmt="%(message)s")  # type: ignore[no-untyped-call]
    with capture as captured:
        accepted = service.notify(
            body=message.body or message.title, title=message.title, body_format=NotifyFormat.TEXT
        )
    if not accepted:
        said = _scrub(" ".join(captured.getvalue().split()), url)[:300] or "no reason given"
        raise AlertError(f"{label(target)} did not take the message: {said}")


def _scrub(text: str, url: str) -> str:
    """``text`` without the secret parts of ``url``: what Apprise hides in its private view
    of the URL never reaches the outbox's last error or the logs."""
    shown = masked(url)
    for piece in sorted(set(re.split(r"[/:@?#&=]+", url)), key=len, reverse=True):
        if len(piece) >= 6 and piece not in shown:
            text = text.replace(piece, "…")
    return text


def deliver_channels(
    settings: Settings, state: AlertState, now: datetime | None = None, limit: int = 50
) -> Delivery:
    """Send the chat and webhook messages whose attempt is due; reschedule failures."""
    now = now or datetime.now(UTC)
    delivery = Delivery()
    down: dict[str, str] = {}  # target -> why it failed in this pass
    for _ in range(limit):
        due = state.claim_due(now, 1, CLAIM_HOLD, channel=APPRISE)
        if not due:
            break
        queued = due[0]
        target = queued.recipients[0] if queued.recipients else ""
        if target in down:
            # Down a moment ago: wait with the others rather than time out once more.
            record_failure(settings, state, queued, f"not tried: {down[target]}", now, delivery)
            continue
        try:
            send(target, ChatMessage(queued.subject, queued.message.decode("utf-8")), queued.key)
        except AlertError as exc:
            down[target] = str(exc)
            record_failure(settings, state, queued, str(exc), now, delivery)
            continue
        state.mark_sent(queued.key, now)
        delivery.sent.append(queued.key)
        log.info("alert sent: %s to %s", queued.subject, label(target))
    delivery.remaining = state.queued_count()
    return delivery


def deliver_outbox(
    settings: Settings, state: AlertState, now: datetime | None = None, limit: int = 50
) -> Delivery:
    """Send what is due in the outbox: emails by SMTP, then chat and webhook messages."""
    email = deliver_due(settings, state, now, limit)
    chat = deliver_channels(settings, state, now, limit)
    return Delivery(
        sent=email.sent + chat.sent,
        failed={**email.failed, **chat.failed},
        remaining=state.queued_count(),
        note=email.note,
    )


def send_chat_now(target: str, message: ChatMessage) -> None:
    """Send one message at once, outside the outbox (``traceur alerts test``)."""
    send(target, message, f"test:{datetime.now(UTC).isoformat()}")
