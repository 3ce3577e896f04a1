"""Accounts, tokens, saved searches, the session key and login limits, without a browser;
and the `traceur users` commands."""

from __future__ import annotations

import sqlite3
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import isolated_settings
from traceur.cli import main
from traceur.errors import AccountError
from traceur.web.accounts import (
    add_user,
    authenticate,
    delete_saved_search,
    get_saved_search,
    list_users,
    new_token,
    open_accounts,
    save_search,
    saved_searches,
    set_disabled,
    set_password,
    token_user,
)
from traceur.web.security import LoginLimiter, session_secret

PASSWORD = "cafe-du-marche-samedi"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = open_accounts(tmp_path)
    yield connection
    connection.close()


def test_passwords_are_stored_as_argon2_hashes_and_checked(
    db: sqlite3.Connection, tmp_path: Path
) -> None:
    add_user(db, "Amandine", "benevole", PASSWORD)
    stored = db.execute("SELECT password_hash FROM users").fetchone()[0]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert PASSWORD.encode() not in (tmp_path / "web.db").read_bytes()
    assert authenticate(db, "amandine", PASSWORD) is not None  # names ignore case
    assert authenticate(db, "Amandine", PASSWORD + "!") is None
    assert authenticate(db, "Inconnue", PASSWORD) is None


def test_names_roles_and_passwords_are_checked_with_the_fix_in_the_message(
    db: sqlite3.Connection,
) -> None:
    with pytest.raises(AccountError, match="use one of benevole, coordination, admin"):
        add_user(db, "bruno", "chef", PASSWORD)
    with pytest.raises(AccountError, match="at least 10 characters"):
        add_user(db, "bruno", "benevole", "court")
    with pytest.raises(AccountError, match="without spaces"):
        add_user(db, "Bruno Dupont", "benevole", PASSWORD)
    add_user(db, "bruno", "benevole", PASSWORD)
    with pytest.raises(AccountError, match="already exists"):
        add_user(db, "BRUNO", "admin", PASSWORD)


def test_a_disabled_account_cannot_log_in_and_a_reset_ends_its_sessions(
    db: sqlite3.Connection,
) -> None:
    user = add_user(db, "chloe", "coordination", PASSWORD)
    set_disabled(db, "chloe")
    assert authenticate(db, "chloe", PASSWORD) is None
    assert [u.name for u in list_users(db, active_only=True)] == []
    enabled = set_disabled(db, "chloe", False)
    assert authenticate(db, "chloe", PASSWORD) is not None
    changed = set_password(db, "chloe", "nouveau-mot-de-passe")
    assert changed.session_epoch > enabled.session_epoch > user.session_epoch
    assert authenticate(db, "chloe", PASSWORD) is None
    assert authenticate(db, "chloe", "nouveau-mot-de-passe") is not None


def test_api_tokens_are_kept_hashed_and_one_per_user(
    db: sqlite3.Connection, tmp_path: Path
) -> None:
    add_user(db, "driss", "benevole", PASSWORD)
    first = new_token(db, "driss")
    assert first.startswith("trc_") and len(first) > 40
    assert first.encode() not in (tmp_path / "web.db").read_bytes()
    assert token_user(db, first).name == "driss"  # type: ignore[union-attr]
    second = new_token(db, "driss")
    assert token_user(db, first) is None
    assert token_user(db, second) is not None
    set_disabled(db, "driss")
    assert token_user(db, second) is None


def test_saved_searches_are_private_unless_coordination_shares_them(db: sqlite3.Connection) -> None:
    emma = add_user(db, "emma", "benevole", PASSWORD)
    farid = add_user(db, "farid", "benevole", PASSWORD)
    coord = add_user(db, "gaelle", "coordination", PASSWORD)
    own = save_search(db, emma, "Tramway  aux Aubiers", "q=tramway&candidate=claire-martin")
    assert own.name == "Tramway aux Aubiers"
    team = save_search(db, coord, "Revue de presse", "kind=article&periode=7j", shared=True)
    with pytest.raises(AccountError, match="only coordination shares"):
        save_search(db, emma, "Partagée", "q=loyers", shared=True)
    assert [s.name for s in saved_searches(db, emma)] == ["Tramway aux Aubiers", "Revue de presse"]
    assert [s.name for s in saved_searches(db, farid)] == ["Revue de presse"]
    assert get_saved_search(db, farid, own.id) is None
    assert get_saved_search(db, farid, team.id) == team
    # Saving under the same name updates the query; nobody else may delete it.
    again = save_search(db, emma, "Tramway aux Aubiers", "q=tramway")
    assert again.id == own.id and again.query == "q=tramway"
    assert not delete_saved_search(db, farid, own.id)
    assert not delete_saved_search(db, farid, team.id)
    assert delete_saved_search(db, coord, team.id)
    assert delete_saved_search(db, emma, own.id)
    assert saved_searches(db, emma) == []


def test_the_session_key_is_made_once_private_and_the_environment_wins(tmp_path: Path) -> None:
    settings = isolated_settings(tmp_path)
    key = session_secret(settings)
    path = settings.data_dir / "web-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) >= 48 and session_secret(settings) == key
    assert session_secret(settings.replace(web_secret="une-cle-venue-de-l-environnement")) == (
        "une-cle-venue-de-l-environnement"
    )
    path.write_text("court\n")
    with pytest.raises(AccountError, match="delete it"):
        session_secret(settings)


def test_login_limits_count_per_name_and_per_address_within_the_window() -> None:
    limiter = LoginLimiter(per_name=2, per_address=3, window_seconds=1)
    limiter.failed("ines", "192.0.2.7")
    assert limiter.wait_seconds("ines", "192.0.2.7") == 0
    limiter.failed("INES", "192.0.2.8")
    # Two failures on the name, from any address: the name waits, everywhere.
    assert limiter.wait_seconds("ines", "192.0.2.9") == 1
    # One address trying many names is stopped too.
    limiter.failed("jules", "192.0.2.7")
    limiter.failed("karim", "192.0.2.7")
    assert limiter.wait_seconds("louise", "192.0.2.7") == 1
    assert limiter.wait_seconds("louise", "192.0.2.10") == 0
    time.sleep(1.05)
    assert limiter.wait_seconds("ines", "192.0.2.7") == 0


def test_users_commands_add_list_token_disable_and_reset(tmp_path: Path) -> None:
    config = tmp_path / "traceur.yaml"
    config.write_text(f"data_dir: {tmp_path / 'data'}\n", encoding="utf-8")
    runner = CliRunner()

    def run(*args: str, password: str | None = None) -> tuple[int, str]:
        env = {"TRACEUR_NEW_PASSWORD": password} if password else {}
        done = runner.invoke(main, ["--config", str(config), "users", *args], env=env)
        return done.exit_code, done.output

    assert run("add", "margaux", "--role", "coordination", password=PASSWORD) == (
        0,
        "added margaux (coordination)\n",
    )
    code, output = run("add", "nina", "--role", "benevole")
    assert code == 2 and "TRACEUR_NEW_PASSWORD" in output
    code, token = run("token", "margaux")
    assert code == 0 and token.startswith("trc_")
    code, listing = run("list")
    assert "margaux" in listing and "coordination" in listing and "API token" in listing
    assert run("disable", "margaux")[1] == "margaux: disabled\n"
    assert "disabled" in run("list")[1]
    code, output = run("reset-password", "personne", password=PASSWORD)
    assert code == 2 and "no user 'personne'" in output
    code, output = run("reset-password", "margaux", password="un-autre-mot-de-passe")
    assert code == 0 and "sessions were closed" in output
    db = open_accounts(tmp_path / "data")
    assert token_user(db, token.strip()) is None
    db.close()
