"""The web app's accounts, API tokens and saved searches, in ``data_dir/web.db`` (SQLite,
whatever the document store): accounts belong to this installation, not to the documents.

Passwords are hashed with argon2; API tokens are random and only their SHA-256 is kept
(they are shown once, when made). Every function takes the open connection, so the web
app, the CLI and the tests share one code path.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from traceur.errors import AccountError
from traceur.sqlitefile import open_state_file

ROLES = ("benevole", "coordination", "admin")
# What each role may do is "its own and every role before it" in ROLES.
ROLE_LABELS = {"benevole": "bénévole", "coordination": "coordination", "admin": "administration"}
TOKEN_PREFIX = "trc_"
MIN_PASSWORD_CHARS = 10

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    -- Bumped when the password is reset or the account disabled: older sessions end.
    session_epoch INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_tokens (
    user_id INTEGER PRIMARY KEY REFERENCES users(id),
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT
);
CREATE TABLE IF NOT EXISTS saved_searches (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    query TEXT NOT NULL,
    shared INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    UNIQUE (user_id, name)
);
"""

# argon2-cffi's defaults (RFC 9106 low-memory profile): slow enough for a guesser, fast
# enough for a login on a small machine.
_HASHER = PasswordHasher()
# Verified against when the name is unknown, so a login takes as long either way and its
# timing does not tell which names exist.
_DUMMY_HASH = _HASHER.hash("traceur-no-such-account")


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    disabled: bool
    session_epoch: int
    created_at: datetime

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    def has_role(self, role: str) -> bool:
        """True when this user's role includes ``role`` (admin ⊃ coordination ⊃ bénévole)."""
        return ROLES.index(self.role) >= ROLES.index(role)


@dataclass(frozen=True)
class SavedSearch:
    id: int
    user_name: str
    name: str
    # The search page's query string (``q=tramway&candidate=claire-martin``), so the saved
    # link is the same URL the volunteer had.
    query: str
    shared: bool
    created_at: datetime


def open_accounts(data_dir: Path) -> sqlite3.Connection:
    """Open (creating it) ``data_dir/web.db``."""
    return open_state_file(data_dir / "web.db", _SCHEMA, "the web accounts", AccountError)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _user(row: sqlite3.Row | tuple[object, ...]) -> User:
    ident, name, role, disabled, epoch, created = row
    return User(
        int(str(ident)),
        str(name),
        str(role),
        bool(disabled),
        int(str(epoch)),
        datetime.fromisoformat(str(created)),
    )


_USER_COLUMNS = "id, name, role, disabled, session_epoch, created_at"


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"role {role!r} is not a role; use one of {', '.join(ROLES)}")
    return role


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(
            f"the password is too short; use at least {MIN_PASSWORD_CHARS} characters"
            " (a few words are easier to remember than symbols)"
        )


def add_user(db: sqlite3.Connection, name: str, role: str, password: str) -> User:
    name = name.strip()
    if not name or len(name) > 64 or any(ch.isspace() or not ch.isprintable() for ch in name):
        raise AccountError(
            f"user name {name!r} is not valid; use 1 to 64 characters without spaces"
        )
    check_role(role)
    check_password(password)
    try:
        db.execute(
            "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
            (name, role, _HASHER.hash(password), _now()),
        )
    except sqlite3.IntegrityError:
        raise AccountError(
            f"user {name!r} already exists; pick another name or use `traceur users reset-password`"
        ) from None
    return get_user(db, name)


def find_user(db: sqlite3.Connection, name: str) -> User | None:
    row = db.execute(f"SELECT {_USER_COLUMNS} FROM users WHERE name = ?", (name,)).fetchone()
    return _user(row) if row else None


def get_user(db: sqlite3.Connection, name: str) -> User:
    user = find_user(db, name)
    if user is None:
        raise AccountError(f"no user {name!r}; see `traceur users list`")
    return user


def user_by_id(db: sqlite3.Connection, user_id: int) -> User | None:
    row = db.execute(f"SELECT {_USER_COLUMNS} FROM users WHERE id = ?", (user_id,)).fetchone()
    return _user(row) if row else None


def list_users(db: sqlite3.Connection, *, active_only: bool = False) -> list[User]:
    """Users by name (case-insensitive); ``active_only`` leaves out disabled accounts (the
    people a document can be assigned to)."""
    where = " WHERE disabled = 0" if active_only else ""
    rows = db.execute(f"SELECT {_USER_COLUMNS} FROM users{where} ORDER BY name").fetchall()
    return [_user(row) for row in rows]


def authenticate(db: sqlite3.Connection, name: str, password: str) -> User | None:
    """The active user with this name and password, or None (unknown, wrong or disabled)."""
    row = db.execute(
        f"SELECT {_USER_COLUMNS}, password_hash FROM users WHERE name = ?", (name.strip(),)
    ).fetchone()
    stored = str(row[-1]) if row else _DUMMY_HASH
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    user = _user(row[:-1])
    if user.disabled:
        return None
    if _HASHER.check_needs_rehash(stored):
        db.execute(
            "UPDATE users SET password_hash = ? WHERE id = ?", (_HASHER.hash(password), user.id)
        )
    return user


def set_password(db: sqlite3.Connection, name: str, password: str) -> User:
    """New password; the user's open sessions end (they log in again)."""
    user = get_user(db, name)
    check_password(password)
    db.execute(
        "UPDATE users SET password_hash = ?, session_epoch = session_epoch + 1 WHERE id = ?",
        (_HASHER.hash(password), user.id),
    )
    return get_user(db, name)


def set_disabled(db: sqlite3.Connection, name: str, disabled: bool = True) -> User:
    """Disable (or enable again) an account: its sessions and API token stop working at once;
    its triage history and saved searches stay."""
    user = get_user(db, name)
    db.execute(
        "UPDATE users SET disabled = ?, session_epoch = session_epoch + 1 WHERE id = ?",
        (int(disabled), user.id),
    )
    return get_user(db, name)


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(db: sqlite3.Connection, name: str) -> str:
    """A new API token for ``name``, replacing the previous one; returned once, never stored."""
    user = get_user(db, name)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.execute(
        "INSERT INTO api_tokens (user_id, token_sha256, created_at) VALUES (?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET token_sha256 = excluded.token_sha256,"
        " created_at = excluded.created_at, last_used_at = NULL",
        (user.id, _token_digest(token), _now()),
    )
    return token


def token_user(db: sqlite3.Connection, token: str) -> User | None:
    """The active user owning ``token``, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    digest = _token_digest(token)
    row = db.execute("SELECT user_id FROM api_tokens WHERE token_sha256 = ?", (digest,)).fetchone()
    if row is None:
        return None
    user = user_by_id(db, int(row[0]))
    if user is None or user.disabled:
        return None
    db.execute("UPDATE api_tokens SET last_used_at = ? WHERE user_id = ?", (_now(), user.id))
    return user


def has_token(db: sqlite3.Connection, user: User) -> bool:
    return (
        db.execute("SELECT 1 FROM api_tokens WHERE user_id = ?", (user.id,)).fetchone() is not None
    )


# -- saved searches ----------------------------------------------------------------------

_SAVED_COLUMNS = "s.id, u.name, s.name, s.query, s.shared, s.created_at"


def _saved(row: tuple[object, ...]) -> SavedSearch:
    ident, user_name, name, query, shared, created = row
    return SavedSearch(
        int(str(ident)),
        str(user_name),
        str(name),
        str(query),
        bool(shared),
        datetime.fromisoformat(str(created)),
    )


def save_search(
    db: sqlite3.Connection, user: User, name: str, query: str, *, shared: bool = False
) -> SavedSearch:
    """Save (or overwrite, by name for this user) a search. Sharing with the team is for
    coordination and admin accounts."""
    name = " ".join(name.split())
    if not name or len(name) > 120:
        raise AccountError("a saved search needs a name of 1 to 120 characters")
    if shared and not user.has_role("coordination"):
        raise AccountError(f"{user.name} is a bénévole; only coordination shares searches")
    db.execute(
        "INSERT INTO saved_searches (user_id, name, query, shared, created_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, name)"
        " DO UPDATE SET query = excluded.query, shared = excluded.shared",
        (user.id, name, query, int(shared), _now()),
    )
    row = db.execute(
        f"SELECT {_SAVED_COLUMNS} FROM saved_searches s JOIN users u ON u.id = s.user_id"
        " WHERE s.user_id = ? AND s.name = ?",
        (user.id, name),
    ).fetchone()
    return _saved(row)


def saved_searches(db: sqlite3.Connection, user: User) -> list[SavedSearch]:
    """The user's own searches, then the team's shared ones, each by name."""
    rows = db.execute(
        f"SELECT {_SAVED_COLUMNS} FROM saved_searches s JOIN users u ON u.id = s.user_id"
        " WHERE s.user_id = ? OR s.shared = 1"
        " ORDER BY s.user_id != ?, s.name COLLATE NOCASE",
        (user.id, user.id),
    ).fetchall()
    return [_saved(row) for row in rows]


def get_saved_search(db: sqlite3.Connection, user: User, search_id: int) -> SavedSearch | None:
    """A search this user may open (their own or a shared one), or None."""
    row = db.execute(
        f"SELECT {_SAVED_COLUMNS} FROM saved_searches s JOIN users u ON u.id = s.user_id"
        " WHERE s.id = ? AND (s.user_id = ? OR s.shared = 1)",
        (search_id, user.id),
    ).fetchone()
    return _saved(row) if row else None


def delete_saved_search(db: sqlite3.Connection, user: User, search_id: int) -> bool:
    """Delete one of the user's searches (coordination may also delete shared ones);
    False when there was none they may delete."""
    if user.has_role("coordination"):
        done = db.execute(
            "DELETE FROM saved_searches WHERE id = ? AND (user_id = ? OR shared = 1)",
            (search_id, user.id),
        )
    else:
        done = db.execute(
            "DELETE FROM saved_searches WHERE id = ? AND user_id = ?", (search_id, user.id)
        )
    return done.rowcount > 0
