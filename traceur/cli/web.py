"""``traceur web`` (the volunteers' app) and ``traceur users`` (its accounts)."""

from __future__ import annotations

import os
import sys

import click

from traceur.cli.context import settings_of
from traceur.errors import AccountError
from traceur.web.accounts import (
    ROLES,
    add_user,
    has_token,
    list_users,
    new_token,
    open_accounts,
    set_disabled,
    set_password,
)

PASSWORD_ENV = "TRACEUR_NEW_PASSWORD"


def _password() -> str:
    """The new password: ``TRACEUR_NEW_PASSWORD``, else a hidden prompt typed twice."""
    given = os.environ.get(PASSWORD_ENV)
    if given:
        return given
    if not sys.stdin.isatty():
        raise AccountError(
            f"no password: type it at the prompt (run in a terminal) or set {PASSWORD_ENV}"
        )
    value: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


@click.group()
def users() -> None:
    """Accounts of the web app, kept in DATA_DIR/web.db.

    Roles: benevole (search, read, triage, comment), coordination (also assign, export,
    share saved searches), admin (also manage accounts in the web app).

    \b
    Examples:
      traceur users add claire --role coordination        # asks for the password
      TRACEUR_NEW_PASSWORD='…' traceur users add karim --role benevole
      traceur users list
      traceur users token claire                          # API token, shown once
    """


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the account may do.")
@click.pass_context
def users_add(ctx: click.Context, name: str, role: str) -> None:
    """Create account NAME (password from a hidden prompt or TRACEUR_NEW_PASSWORD)."""
    password = _password()
    db = open_accounts(settings_of(ctx).data_dir)
    try:
        user = add_user(db, name, role, password)
    finally:
        db.close()
    click.echo(f"added {user.name} ({user.role})")


@users.command("list")
@click.pass_context
def users_list(ctx: click.Context) -> None:
    """Every account: name, role, state, whether it has an API token."""
    db = open_accounts(settings_of(ctx).data_dir)
    try:
        accounts = [(user, has_token(db, user)) for user in list_users(db)]
    finally:
        db.close()
    if not accounts:
        click.echo("No account yet; create one with `traceur users add NAME --role admin`.")
        return
    for user, token in accounts:
        state = "disabled" if user.disabled else "active"
        extra = " · API token" if token else ""
        click.echo(f"{user.name:<24} {user.role:<13} {state}{extra}")


@users.command("disable")
@click.argument("name")
@click.option("--enable", is_flag=True, help="Enable the account again instead.")
@click.pass_context
def users_disable(ctx: click.Context, name: str, enable: bool) -> None:
    """Disable account NAME: its sessions and API token stop working at once."""
    db = open_accounts(settings_of(ctx).data_dir)
    try:
        user = set_disabled(db, name, not enable)
    finally:
        db.close()
    click.echo(f"{user.name}: {'disabled' if user.disabled else 'enabled'}")


@users.command("reset-password")
@click.argument("name")
@click.pass_context
def users_reset_password(ctx: click.Context, name: str) -> None:
    """Set a new password for NAME (prompt or TRACEUR_NEW_PASSWORD); their sessions end."""
    password = _password()
    db = open_accounts(settings_of(ctx).data_dir)
    try:
        user = set_password(db, name, password)
    finally:
        db.close()
    click.echo(f"{user.name}: password changed; open sessions were closed")


@users.command("token")
@click.argument("name")
@click.pass_context
def users_token(ctx: click.Context, name: str) -> None:
    """Make a new read-only API token for NAME (the previous one stops working).

    The token is printed once and only its hash is kept: copy it now.

    \b
    Example:
      curl -H "Authorization: Bearer $TOKEN" 'http://127.0.0.1:8080/api/search?q=tramway'
    """
    db = open_accounts(settings_of(ctx).data_dir)
    try:
        token = new_token(db, name)
    finally:
        db.close()
    click.echo(token)


@click.command()
@click.option("--host", help="Address to listen on (default: the web_host setting, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default: web_port, 8080).")
@click.pass_context
def web(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve the volunteers' web app over the configured store.

    Listens on 127.0.0.1 by default: to reach it from other machines, put a reverse proxy
    with TLS in front (see the README) rather than listening on every address.

    \b
    Examples:
      traceur users add claire --role admin
      traceur web                      # then open http://127.0.0.1:8080
      traceur web --port 8090
    """
    import uvicorn

    from traceur.web.app import create_app

    settings = settings_of(ctx)
    host = host or settings.web_host
    port = port or settings.web_port
    app = create_app(settings)
    click.echo(f"Traceur web: http://{host}:{port}/  (Ctrl+C to stop)", err=True)
    # Forwarded headers are trusted from the local reverse proxy only (uvicorn's default
    # forwarded_allow_ips is 127.0.0.1), so login rate limits see the real client address.
    uvicorn.run(app, host=host, port=port, log_level=settings.log_level.lower(), proxy_headers=True)
