"""Sending the outbox by SMTP, with STARTTLS or TLS and a login, and retries with backoff.

A message leaves the queue only when the server has accepted it. When the server is
down, refuses a command or answers 4xx/5xx, the message stays queued and is tried again
after ``alert_retry_seconds``, doubled at each failure up to an hour: nothing is dropped.

With ``smtp_security: starttls`` a server that does not offer STARTTLS is refused before
anything else is said, so credentials never cross the network in clear (a man in the
middle can hide STARTTLS). ``none`` never logs in (the configuration refuses a username).
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from traceur.alerts.outbox import EMAIL, AlertState, Queued
from traceur.config import Settings
from traceur.errors import AlertError

log = logging.getLogger(__name__)

MAX_RETRY_SECONDS = 3600


@dataclass
class Delivery:
    """What one pass over the outbox did."""

    sent: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # key -> error
    remaining: int = 0
    note: str = ""


def retry_delay(settings: Settings, attempts: int) -> timedelta:
    """Wait before attempt number ``attempts + 1`` (``attempts`` failures so far, ≥ 1)."""
    seconds = settings.alert_retry_seconds * (2 ** max(0, min(attempts - 1, 20)))
    return timedelta(seconds=min(max(seconds, 1), MAX_RETRY_SECONDS))


class Mailer:
    """One SMTP session: ``with Mailer(settings) as mailer: mailer.send(...)``."""

    def __init__(self, settings: Settings) -> None:
        if not settings.smtp_host:
            raise AlertError(
                "no mail server is configured; set smtp_host (config file or TRACEUR_SMTP_HOST)"
            )
        self.settings = settings
        self.client: smtplib.SMTP | None = None

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.settings.smtp_ca_certs or None)

    def open(self) -> None:
        s = self.settings
        host = s.smtp_host or ""
        try:
            if s.smtp_security == "tls":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    host, s.smtp_port, timeout=s.smtp_timeout, context=self._context()
                )
            else:
                client = smtplib.SMTP(host, s.smtp_port, timeout=s.smtp_timeout)
            self.client = client
            client.ehlo()
            if s.smtp_security == "starttls":
                if not client.has_extn("starttls"):
                    raise AlertError(
                        f"the mail server {host}:{s.smtp_port} does not offer STARTTLS;"
                        " nothing was sent and no password was given."
                        " Use smtp_security: tls if it speaks TLS on connect, or fix the server"
                    )
                client.starttls(context=self._context())
                client.ehlo()
            if s.smtp_username:
                if not s.smtp_password:
                    raise AlertError(
                        "smtp_username is set but the password is not;"
                        " set TRACEUR_SMTP_PASSWORD in the environment"
                    )
                client.login(s.smtp_username, s.smtp_password)
        except AlertError:
            self.close()
            raise
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise AlertError(
                f"the mail server {host}:{s.smtp_port} refused the login of {s.smtp_username!r}:"
                f" {_describe(exc)}; check smtp_username and TRACEUR_SMTP_PASSWORD"
            ) from exc
        except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
            self.close()
            raise AlertError(
                f"cannot reach the mail server {host}:{s.smtp_port}: {_describe(exc)}"
            ) from exc

    def send(self, queued: Queued) -> dict[str, tuple[int, bytes]]:
        """Hand one message to the server; returns the recipients it refused (when it
        accepted the others). Raises ``smtplib``/``OSError`` errors as they come."""
        assert self.client is not None
        return self.client.sendmail(queued.sender, list(queued.recipients), queued.message)

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.quit()
            except (OSError, smtplib.SMTPException):
                with contextlib.suppress(OSError):
                    self.client.close()
            self.client = None

    def __enter__(self) -> Mailer:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return f"{exc.smtp_code} {text}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "every recipient refused: " + ", ".join(
            f"{address} ({code} {message.decode('utf-8', 'replace')})"
            for address, (code, message) in exc.recipients.items()
        )
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def deliver_due(
    settings: Settings, state: AlertState, now: datetime | None = None, limit: int = 50
) -> Delivery:
    """Send the messages whose attempt is due, in one SMTP session; reschedule failures."""
    now = now or datetime.now(UTC)
    delivery = Delivery()
    if not settings.smtp_host:
        delivery.remaining = state.queued_count()
        if state.queued_count(EMAIL):
            delivery.note = "no mail server configured (smtp_host); emails stay queued"
        return delivery
    due = state.claim_due(now, limit, hold=timedelta(seconds=max(60, settings.smtp_timeout * 4)))
    if not due:
        delivery.remaining = state.queued_count()
        return delivery
    mailer = Mailer(settings)
    try:
        mailer.open()
    except AlertError as exc:
        for queued in due:
            record_failure(settings, state, queued, str(exc), now, delivery)
        delivery.remaining = state.queued_count()
        return delivery
    try:
        for index, queued in enumerate(due):
            try:
                refused = mailer.send(queued)
            except smtplib.SMTPServerDisconnected as exc:
                # The session is gone: this and the rest wait for the next pass.
                for rest in due[index:]:
                    record_failure(
                        settings,
                        state,
                        rest,
                        f"the server closed the connection: {_describe(exc)}",
                        now,
                        delivery,
                    )
                break
            except (smtplib.SMTPException, OSError) as exc:
                record_failure(settings, state, queued, _describe(exc), now, delivery)
                try:
                    mailer.client.rset()  # type: ignore[union-attr]
                except (smtplib.SMTPException, OSError):
                    for rest in due[index + 1 :]:
                        record_failure(
                            settings, state, rest, "the server stopped answering", now, delivery
                        )
                    break
                continue
            note = ""
            if refused:
                note = "accepted, but refused for " + ", ".join(
                    f"{address} ({code})" for address, (code, _) in refused.items()
                )
                log.warning("alert %s: %s", queued.key, note)
            state.mark_sent(queued.key, now, note)
            delivery.sent.append(queued.key)
            # The key and a count, not the subject: it quotes a crawled title.
            log.info("alert sent: %s to %d recipient(s)", queued.key, len(queued.recipients))
    finally:
        mailer.close()
    delivery.remaining = state.queued_count()
    return delivery


def record_failure(
    settings: Settings,
    state: AlertState,
    queued: Queued,
    error: str,
    now: datetime,
    delivery: Delivery,
) -> None:
    """A message not sent (email or chat): kept with its error, retried with backoff."""
    retry_at = now + retry_delay(settings, queued.attempts + 1)
    state.mark_failed(queued.key, error, retry_at)
    delivery.failed[queued.key] = error
    log.warning(
        "alert %s not sent (attempt %d): %s; next try at %s",
        queued.key,
        queued.attempts + 1,
        error,
        retry_at.strftime("%H:%M:%S"),
    )


def send_now(settings: Settings, sender: str, recipients: list[str], message: bytes) -> None:
    """Send one message at once, outside the outbox (``traceur alerts test``)."""
    queued = Queued("test", "test", sender, tuple(recipients), "", message, 0, datetime.now(UTC))
    try:
        with Mailer(settings) as mailer:
            refused = mailer.send(queued)
    except (smtplib.SMTPException, OSError) as exc:
        raise AlertError(f"the mail server refused the message: {_describe(exc)}") from exc
    if refused:
        raise AlertError("the mail server refused some recipients: " + ", ".join(refused))
