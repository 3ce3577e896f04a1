"""The recipients of an alert rule (``to:``): email addresses, chat and webhook URLs
understood by Apprise (``slack://``, ``matrix://``, ``tgram://``, ``signal://``, ``ntfy://``,
``json://`` …), and ``env:NAME`` references to such a URL held in the environment.

A URL that carries a secret (a token, a password) must not be written in the watchlist,
which is shared and versioned: it comes from the environment, named by ``env:NAME``, and is
read only when a message is sent. This module says what each recipient is and what is wrong
with it; ``traceur.alerts.channels`` delivers.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

ENV_PREFIX = "env:"
# Deliberately simple: the mail server is the judge; this catches typos such as a missing @.
_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)
EXAMPLE_ENV = 'to: ["env:TRACEUR_SLACK_URL"]'


def is_email(recipient: str) -> bool:
    return bool(_ADDRESS.match(recipient))


def is_channel(recipient: str) -> bool:
    """True for a chat or webhook target (a URL or ``env:NAME``), False for an email address."""
    return recipient.startswith(ENV_PREFIX) or bool(_SCHEME.match(recipient))


def email_addresses(recipients: tuple[str, ...] | list[str]) -> list[str]:
    return [r for r in recipients if not is_channel(r)]


def channel_targets(recipients: tuple[str, ...] | list[str]) -> list[str]:
    return [r for r in recipients if is_channel(r)]


def env_name(recipient: str) -> str | None:
    """``NAME`` for ``env:NAME``, else None."""
    if not recipient.startswith(ENV_PREFIX):
        return None
    return recipient[len(ENV_PREFIX) :].strip()


@contextmanager
def _quiet_apprise() -> Iterator[None]:
    # Apprise logs its own warnings for a URL it cannot read; ours say the fix instead.
    logger = logging.getLogger("apprise")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def instantiate(url: str) -> Any:
    """The Apprise service object for ``url``, or None when Apprise cannot read it."""
    import apprise  # noqa: PLC0415 - 0.4 s to import: only watchlists with chat recipients pay it

    # Chat services show the sender's name: Traceur, not the library's.
    asset = apprise.AppriseAsset(app_id="Traceur", app_desc="Traceur, veille", app_url="")
    with _quiet_apprise():
        return apprise.Apprise.instantiate(url, asset=asset)


def known_scheme(url: str) -> bool:
    from apprise.plugins import N_MGR  # noqa: PLC0415 - see instantiate

    match = _SCHEME.match(url)
    return match is not None and match.group(1).lower() in N_MGR


def masked(url: str) -> str:
    """``url`` with its secrets hidden, for logs and messages (never the secret itself)."""
    match = _SCHEME.match(url)
    if not match:
        return "(not a URL)"
    service = instantiate(url) if known_scheme(url) else None
    if service is None:
        return f"{match.group(1)}://…"
    return str(service.url(privacy=True)).split("?", 1)[0]


def url_problem(url: str, *, in_watchlist: bool) -> str | None:
    """What is wrong with a chat or webhook URL, with the fix; None when it is fine.

    ``in_watchlist``: the URL is written in clear in the watchlist, where a secret (a
    token, a password) is refused; a URL read from the environment may carry one.
    """
    match = _SCHEME.match(url)
    if not match:
        return (
            "the value is not a URL; write name@example.org"
            " or an Apprise URL such as json://hooks.example.org/veille"
        )
    scheme = match.group(1).lower()
    if not known_scheme(url):
        return (
            f"unknown scheme {scheme}://; use an email address or an Apprise URL"
            " (slack://, matrix://, tgram://, signal://, ntfy://, json:// …)"
        )
    service = instantiate(url)
    if service is None:
        # Never echo the URL: it may hold a secret.
        return (
            f"this {scheme}:// URL is incomplete or malformed; check it against Apprise's"
            f" documentation for {scheme}://"
        )
    if in_watchlist and service.url(privacy=True) != service.url(privacy=False):
        variable = "TRACEUR_" + re.sub(r"[^A-Z0-9]", "_", scheme.upper()) + "_URL"
        return (
            f"this {scheme}:// URL carries a secret (token or password) written in clear;"
            " put the URL in an environment variable and write its name instead,"
            f' e.g. to: ["env:{variable}"]'
        )
    return None


def recipient_problem(recipient: str) -> str | None:
    """What is wrong with one ``to:`` entry as written in the watchlist, with the fix."""
    name = env_name(recipient)
    if name is not None:
        if not _ENV_NAME.match(name):
            return (
                f"{recipient!r} does not name an environment variable;"
                f" write env: and the variable's name, e.g. {EXAMPLE_ENV}"
            )
        return None
    if is_channel(recipient):
        return url_problem(recipient, in_watchlist=True)
    if not is_email(recipient):
        return (
            f"{recipient!r} is not an email address; write it as name@example.org"
            f" (or a chat URL such as ntfy://ntfy.example.org/veille, or {EXAMPLE_ENV})"
        )
    return None


def environment_warnings(recipients: tuple[str, ...] | list[str]) -> list[str]:
    """Problems of the ``env:`` recipients as the environment is now (unset, empty, or not
    a usable URL). Warnings, not errors: the scheduler may run with another environment."""
    warnings: list[str] = []
    for recipient in dict.fromkeys(recipients):
        name = env_name(recipient)
        if not name or not _ENV_NAME.match(name):
            continue
        value = os.environ.get(name, "").strip()
        if not value:
            warnings.append(
                f"{recipient}: the environment variable {name} is not set; messages to it"
                f" will wait in the outbox until it is (export {name}=slack://…)"
            )
            continue
        problem = url_problem(value, in_watchlist=False)
        if problem:
            warnings.append(f"{recipient}: {problem}")
    return warnings
