"""Erasure in the files of the data directory: alert outbox, story clusters, crawl state,
HTTP cache, Elasticsearch spool, the web app's saved searches and logs (compressed rotated
copies and the crash log included; see ``traceur.privacy.forget``).

Each file is opened directly (its module's own class has no deletion, and nothing but
erasure and retention should delete there), changed in one transaction, then compacted so
no freed page or write-ahead log keeps what was removed.
"""

from __future__ import annotations

import email
import gzip
import json
import os
import re
import sqlite3
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.policy import SMTP, compat32
from functools import cached_property
from pathlib import Path
from urllib.parse import parse_qsl

from traceur.privacy import logfiles
from traceur.privacy.sqlite_erase import erasing

# What a redacted alert says instead of its content (the team reads French).
REDACTED_SUBJECT = "[Traceur] Alerte retirée (demande d'effacement)"
REDACTED_BODY = (
    "Le contenu de cette alerte a été retiré à la suite d'une demande d'effacement de"
    " données personnelles. L'envoi de l'alerte reste enregistré ; son contenu ne l'est plus.\n"
)
# Log files of the data directory: crawl.log, schedule.log, crash.log, and rotated copies
# (x.log.1, x.log.2026-11-25). Traceur's own rotation never compresses, but an operator's
# logrotate may (x.log.1.gz, x.log-20261125.gz): those are read and written back compressed.
_LOG_NAME = re.compile(r"[.]log([.-][\w-]+)?([.]gz)?$")


@dataclass(frozen=True)
class FileNeedles:
    """What marks an entry as the request's: the ids of its documents, the pages that held
    them (their addresses without fragment) and words (names, addresses, ids) whose
    presence in a log line, a cached page or an alert ties it to the request."""

    doc_ids: frozenset[str]
    pages: frozenset[str]
    words: frozenset[str]

    @cached_property
    def _words(self) -> re.Pattern[str]:
        # Whole words only, case aside: a short name ("Lu") must not take every line or
        # page that holds those letters.
        alternatives = "|".join(re.escape(w) for w in sorted(self.words, key=len, reverse=True))
        return re.compile(rf"(?<!\w)(?:{alternatives or '(?!)'})(?!\w)", re.IGNORECASE)

    def in_text(self, text: str) -> bool:
        """Whether ``text`` names a word of the request. Page addresses are not enough: a
        line, a message or a spooled post about someone else on the same thread names it."""
        return self._words.search(text) is not None

    def byte_patterns(self) -> list[re.Pattern[bytes]]:
        """The words and pages as they may appear in a stored page: UTF-8, Latin-1 (when it
        can hold them) and HTML character references; whole words, case aside."""
        forms: set[bytes] = set()
        for text in self.words | self.pages:
            forms.add(text.encode("utf-8"))
            forms.add(text.encode("ascii", "xmlcharrefreplace"))
            with suppress(UnicodeEncodeError):
                forms.add(text.encode("cp1252"))
        return [
            re.compile(rb"(?<![\w])" + re.escape(form) + rb"(?![\w])", re.IGNORECASE)
            for form in sorted(forms)
        ]


def forget_in_files(data_dir: Path, needles: FileNeedles, *, dry_run: bool) -> dict[str, int]:
    """Remove (``dry_run``: count) the request's entries in every file of ``data_dir``."""
    return {
        "alerts": _alerts(data_dir / "alerts.db", needles, dry_run),
        "clusters": _clusters(data_dir / "clusters.db", needles, dry_run),
        "crawl_state": _crawl_state(data_dir / "state.db", needles, dry_run),
        "http_cache": _http_cache(data_dir / "httpcache", needles, dry_run),
        "es_spool": _spool(data_dir / "es-spool" / "spool.db", needles, dry_run),
        "saved_searches": _saved_searches(data_dir / "web.db", needles, dry_run),
        "log_lines": _logs(data_dir, needles, dry_run),
    }


@contextmanager
def _sqlite(path: Path, dry_run: bool) -> Iterator[sqlite3.Connection | None]:
    """A connection to ``path`` inside one write transaction (None when the file does not
    exist), compacted after the commit unless ``dry_run``."""
    if not path.is_file():
        yield None
        return
    with erasing(
        path,
        dry_run,
        cannot_open="stop the commands using it (traceur schedule) and run the request again",
        must_compact=True,
    ) as db:
        yield db


def _tables(db: sqlite3.Connection) -> set[str]:
    return {row[0] for row in db.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}


def _delete_in(db: sqlite3.Connection, table: str, column: str, values: frozenset[str]) -> int:
    if not values or table not in _tables(db):
        return 0
    cursor = db.execute(
        f"DELETE FROM {table} WHERE {column} IN (SELECT value FROM json_each(?))",
        (json.dumps(sorted(values)),),
    )
    return max(cursor.rowcount, 0)


# -- the alert outbox --------------------------------------------------------------------


def _message_text(blob: bytes) -> str:
    """The subject and every text part of a stored message, decoded (bodies are often
    quoted-printable or base64: the raw bytes would hide a name)."""
    message = email.message_from_bytes(blob, policy=compat32)
    parts = [str(make_header(decode_header(str(message.get("Subject", "")))))]
    for part in message.walk():
        if part.get_content_maintype() != "text":
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            parts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return "\n".join(parts)


def redacted_message(blob: bytes) -> bytes:
    """The message with its subject and content replaced by a notice; addressing, date
    and Message-ID kept (that it was sent, to whom and when stays on record)."""
    original: Message = email.message_from_bytes(blob, policy=compat32)
    message = EmailMessage()
    for header in ("From", "To", "Cc", "Date", "Message-ID"):
        if original.get(header):
            message[header] = str(original[header])
    message["Subject"] = REDACTED_SUBJECT
    message.set_content(REDACTED_BODY)
    return message.as_bytes(policy=SMTP)


def _alerts(path: Path, needles: FileNeedles, dry_run: bool) -> int:
    with _sqlite(path, dry_run) as db:
        if db is None or "outbox" not in _tables(db):
            return 0
        keys = {
            row[0]
            for row in db.execute(
                "SELECT message_key FROM alerted WHERE doc_id IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted(needles.doc_ids)),),
            )
        }
        redacted = 0
        for key, blob in db.execute("SELECT key, message FROM outbox").fetchall():
            if key not in keys and not needles.in_text(_message_text(bytes(blob))):
                continue
            redacted += 1
            db.execute(
                "UPDATE outbox SET message = ?, subject = ?, last_error = '' WHERE key = ?",
                (redacted_message(bytes(blob)), REDACTED_SUBJECT, key),
            )
        _delete_in(db, "alerted", "doc_id", needles.doc_ids)
        return redacted


# -- story clusters, crawl state, Elasticsearch spool --------------------------------------


def _clusters(path: Path, needles: FileNeedles, dry_run: bool) -> int:
    with _sqlite(path, dry_run) as db:
        if db is None or "docs" not in _tables(db):
            return 0
        db.execute(
            "DELETE FROM sketch_values WHERE doc IN (SELECT rowid FROM docs WHERE doc_id IN"
            " (SELECT value FROM json_each(?)))",
            (json.dumps(sorted(needles.doc_ids)),),
        )
        return _delete_in(db, "docs", "doc_id", needles.doc_ids)


def _crawl_state(path: Path, needles: FileNeedles, dry_run: bool) -> int:
    with _sqlite(path, dry_run) as db:
        if db is None:
            return 0
        return (
            _delete_in(db, "revisions", "doc_id", needles.doc_ids)
            # A page memo would replay the page on a 304 without reading it: it must be
            # read again, so the crawl meets (and skips) what was forgotten on it.
            + _delete_in(db, "page_memos", "url", needles.pages)
            + _delete_in(db, "threads", "thread_url", needles.pages)
            + _delete_in(db, "seen_entries", "entry_key", needles.pages | needles.words)
        )


def _spool(path: Path, needles: FileNeedles, dry_run: bool) -> int:
    with _sqlite(path, dry_run) as db:
        if db is None:
            return 0
        removed = 0
        for table in ("spool", "dead_letters"):
            if table not in _tables(db):
                continue
            ids = frozenset(
                ident
                for ident, data in db.execute(f"SELECT id, data FROM {table}")
                if ident in needles.doc_ids or needles.in_text(data)
            )
            removed += _delete_in(db, table, "id", ids)
        return removed


def _saved_searches(path: Path, needles: FileNeedles, dry_run: bool) -> int:
    """The web app's saved searches whose name or query names the request (a search by
    the author's name, or on the forgotten page's address): the whole search goes, as a
    search for someone is about them. Accounts stay: they are the team's, not the author's."""
    with _sqlite(path, dry_run) as db:
        if db is None or "saved_searches" not in _tables(db):
            return 0
        ids = frozenset(
            str(ident)
            for ident, name, query in db.execute("SELECT id, name, query FROM saved_searches")
            # The query is kept as the address's query string: decoded, "G%C3%A4elle" and
            # "Ga%C3%ABlle+Kerbrat" read as the names they are.
            if needles.in_text(" ".join([name, *(v for _k, v in parse_qsl(query))]))
        )
        return _delete_in(db, "saved_searches", "CAST(id AS TEXT)", ids)


# -- HTTP cache and logs ------------------------------------------------------------------


def _http_cache(folder: Path, needles: FileNeedles, dry_run: bool) -> int:
    """Cache entries (zlib-compressed answers) of the pages that held the documents, or
    naming the request's words; a whole page goes, since the cache keeps pages, not posts."""
    if not folder.is_dir():
        return 0
    patterns = needles.byte_patterns()
    removed = 0
    for entry in sorted(p for p in folder.rglob("*") if p.is_file()):
        raw = entry.read_bytes()
        # A torn or foreign file stays as it is, and is searched so.
        with suppress(zlib.error):
            raw = zlib.decompress(raw)
        if any(pattern.search(raw) for pattern in patterns):
            removed += 1
            if not dry_run:
                entry.unlink(missing_ok=True)
    return removed


def _logs(data_dir: Path, needles: FileNeedles, dry_run: bool) -> int:
    """Lines of the data directory's log files that name the request's words or pages.
    Rewritten in place (not replaced), so a process appending to the file keeps its handle."""
    if not data_dir.is_dir():
        return 0
    removed = 0
    paths = sorted(p for p in data_dir.rglob("*") if p.is_file() and _is_log(p.name))
    # The crash log falls back on the temporary folder when the data directory could not
    # be used (traceur.privacy.logfiles): a request reaches it there too.
    if logfiles.fallback_crash_log().is_file():
        paths.append(logfiles.fallback_crash_log())
    for path in paths:
        rewrite = _rewrite_gzip if path.name.endswith(".gz") else _rewrite
        removed += rewrite(path, lambda line: not needles.in_text(line), dry_run)
    return removed


def _is_log(name: str) -> bool:
    return _LOG_NAME.search(name) is not None


def _rewrite_gzip(path: Path, keep: Callable[[str], bool], dry_run: bool) -> int:
    """``_rewrite`` for a compressed rotated log. Nothing appends to it, so it is written
    beside and renamed over the old one (a reader never sees it half-written)."""
    try:
        text = gzip.decompress(path.read_bytes()).decode("utf-8", "surrogateescape")
    except (OSError, EOFError):
        return 0  # not gzip after all (a torn copy): it is not Traceur's to judge
    lines = text.splitlines(keepends=True)
    kept = [line for line in lines if keep(line)]
    dropped = len(lines) - len(kept)
    if dropped and not dry_run:
        fresh = path.with_name(path.name + ".tmp")
        fresh.write_bytes(gzip.compress("".join(kept).encode("utf-8", "surrogateescape")))
        os.replace(fresh, path)
    return dropped


def _rewrite(path: Path, keep: Callable[[str], bool], dry_run: bool) -> int:
    with path.open("r+b") as handle:
        lines = handle.read().decode("utf-8", "surrogateescape").splitlines(keepends=True)
        kept = [line for line in lines if keep(line)]
        dropped = len(lines) - len(kept)
        if dropped and not dry_run:
            handle.seek(0)
            handle.write("".join(kept).encode("utf-8", "surrogateescape"))
            handle.truncate()
    return dropped
