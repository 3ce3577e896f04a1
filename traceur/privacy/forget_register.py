"""The register of erasure requests, and what a crawl reads of it to skip what was forgotten.

One SQLite file, ``DATA_DIR/forget.db``. Each request is one row: its kind (author, URL,
document), the source it was restricted to, when, by whom, whether it was a dry run, and
the counts of what was removed. The target itself (a person's name, an address) is never
kept in clear: the register holds its HMAC-SHA256 under the privacy key, so the register
answers "was this forgotten?" for a name or URL met again at collection, and tells nobody
who reads the file whose data it was.

The key comes from ``TRACEUR_PRIVACY_KEY`` (environment only, like every secret); unset, a
random key is made once and kept in ``DATA_DIR/privacy-key`` (mode 0600). The file is the
simplest thing that works on one machine; a team whose crawlers run on several machines
sets the variable on all of them, since a register hashed under one key means nothing
under another. Changing the key makes earlier requests unrecognisable to the crawl (the
data already removed stays removed): keep it as long as the register.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from traceur.errors import TraceurError
from traceur.privacy.pseudonyms import normalise_name
from traceur.secretfile import MIN_KEY_CHARS, kept_key
from traceur.sqlitefile import open_state_file
from traceur.urls import canonical_url

REGISTER_FILE = "forget.db"
KEY_FILE = "privacy-key"
# What a request names: a person (as a forum or comment author), an address, a document.
KINDS = ("author", "url", "document")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    rowid INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    source_id TEXT,
    requested_at TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    dry_run INTEGER NOT NULL,
    removed TEXT NOT NULL,
    -- Keyed hashes of the other forms the store holds the same author as (its pseudonym):
    -- the crawl compares what it collects, already pseudonymised, with these too.
    aliases TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS requests_target ON requests (kind, target);
"""


class PrivacyError(TraceurError):
    """An erasure request cannot be made or recorded."""


def privacy_key(data_dir: Path, configured: str | None) -> bytes:
    """The key of the register's hashes: ``configured`` (TRACEUR_PRIVACY_KEY) when set,
    else the one kept in ``data_dir/privacy-key``, made on first use (mode 0600)."""
    if configured:
        if len(configured) < MIN_KEY_CHARS:
            raise PrivacyError(
                f"privacy_key: TRACEUR_PRIVACY_KEY is {len(configured)} characters; use at"
                f" least {MIN_KEY_CHARS} random ones (python -c 'import secrets;"
                " print(secrets.token_urlsafe(48))')"
            )
        return configured.encode("utf-8")
    key = kept_key(
        Path(data_dir) / KEY_FILE,
        PrivacyError,
        unusable="restore it from a backup, or set TRACEUR_PRIVACY_KEY (requests recorded"
        " under the lost key are then no longer recognised by the crawl: make them again)",
        unwritable="make data_dir writable, or set TRACEUR_PRIVACY_KEY",
    )
    return key.encode("ascii")


def author_key(name: str) -> str:
    """How an author's name is compared: as pseudonyms hash it (case-folded, spaces
    collapsed: forums treat "Gaëlle_Kerbrat" and "gaëlle_kerbrat" as one member)."""
    return normalise_name(name)


def url_key(url: str) -> str:
    """How an address is compared: its canonical form (no fragment, no tracking
    parameters), so a post's ``page#p12`` and the page itself are one address."""
    try:
        return canonical_url(url)
    except ValueError:  # a port out of range: compared as written
        return url.strip()


def keyed_hash(key: bytes, kind: str, value: str) -> str:
    """HMAC-SHA256 of ``value`` (authors through ``author_key``), under ``key``; the kind
    is part of the message, so a name and an address never share a hash."""
    if kind == "author":
        text = author_key(value)
    elif kind == "url":
        text = url_key(value)
    else:
        text = value
    return hmac.new(key, f"{kind}\x00{text}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Request:
    """One recorded request, as the register keeps it (no name, no address)."""

    kind: str
    target: str  # keyed hash
    source_id: str | None
    requested_at: datetime
    requested_by: str
    dry_run: bool
    removed: dict[str, int]
    aliases: tuple[str, ...] = ()  # keyed hashes of the target's other stored forms


class ForgetRegister:
    """The register file of ``data_dir`` and the key its hashes are made with."""

    def __init__(self, data_dir: Path, key: bytes) -> None:
        self.path = Path(data_dir) / REGISTER_FILE
        self.key = key
        self._db: sqlite3.Connection | None = None

    def _open(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = open_state_file(self.path, _SCHEMA, "the erasure register", PrivacyError)
        return self._db

    def hash(self, kind: str, value: str) -> str:
        return keyed_hash(self.key, kind, value)

    def record(
        self,
        kind: str,
        value: str,
        *,
        source_id: str | None,
        by: str,
        dry_run: bool,
        removed: dict[str, int],
        aliases: Sequence[str] = (),
    ) -> Request:
        """Keep that ``value`` was asked to be forgotten (as its keyed hash), with the
        other forms the store holds it as (``aliases``, an author's pseudonym; hashed too)."""
        if kind not in KINDS:
            raise PrivacyError(f"unknown request kind {kind!r}; use one of {', '.join(KINDS)}")
        request = Request(
            kind,
            self.hash(kind, value),
            source_id,
            datetime.now(UTC).replace(microsecond=0),
            by,
            dry_run,
            dict(removed),
            tuple(sorted({self.hash(kind, alias) for alias in aliases} - {self.hash(kind, value)})),
        )
        self._open().execute(
            "INSERT INTO requests (kind, target, source_id, requested_at, requested_by,"
            " dry_run, removed, aliases) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                request.kind,
                request.target,
                request.source_id,
                request.requested_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                request.requested_by,
                int(request.dry_run),
                json.dumps(request.removed, sort_keys=True),
                json.dumps(list(request.aliases)),
            ),
        )
        return request

    def requests(self) -> list[Request]:
        if not self.path.exists():
            return []
        rows = (
            self._open()
            .execute(
                "SELECT kind, target, source_id, requested_at, requested_by, dry_run, removed,"
                " aliases FROM requests ORDER BY rowid"
            )
            .fetchall()
        )
        return [
            Request(
                kind,
                target,
                source_id,
                datetime.fromisoformat(at.replace("Z", "+00:00")),
                by,
                bool(dry_run),
                json.loads(removed),
                tuple(json.loads(aliases)),
            )
            for kind, target, source_id, at, by, dry_run, removed, aliases in rows
        ]

    def forgotten(self) -> Forgotten:
        """What the crawl must skip: every request that was carried out (not dry runs)."""
        authors: set[tuple[str, str | None]] = set()
        others: set[str] = set()
        for request in self.requests():
            if request.dry_run:
                continue
            if request.kind == "author":
                for target in (request.target, *request.aliases):
                    authors.add((target, request.source_id))
            else:
                others.add(request.target)
        return Forgotten(self.key, frozenset(authors), frozenset(others))

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


@dataclass(frozen=True)
class Forgotten:
    """The hashes of forgotten authors (with the source they were restricted to, None:
    every source), addresses and documents, checked against what a crawl collects."""

    key: bytes
    authors: frozenset[tuple[str, str | None]]
    targets: frozenset[str]

    def __bool__(self) -> bool:
        return bool(self.authors or self.targets)

    def author(self, name: str | None, source_id: str) -> bool:
        if not name or not self.authors:
            return False
        hashed = keyed_hash(self.key, "author", name)
        return (hashed, None) in self.authors or (hashed, source_id) in self.authors

    def url(self, *urls: str | None) -> bool:
        return any(u and keyed_hash(self.key, "url", u) in self.targets for u in urls)

    def document(self, doc_id: str) -> bool:
        return keyed_hash(self.key, "document", doc_id) in self.targets


def load_forgotten(data_dir: Path, configured_key: str | None) -> Forgotten:
    """The crawl's view of the register of ``data_dir`` (empty when there is none, without
    making a key: a data directory that never had a request needs none)."""
    path = Path(data_dir) / REGISTER_FILE
    if not path.exists():
        return Forgotten(b"", frozenset(), frozenset())
    register = ForgetRegister(data_dir, privacy_key(data_dir, configured_key))
    try:
        return register.forgotten()
    finally:
        register.close()
