"""What the erasure tests share (tests/test_forget.py, tests/es/test_es_forget.py): the
fixture web of one forum and one blog where « Gaëlle_Kerbrat » writes, the team's data a
campaign would have added about her posts, and a search of every file for her traces."""

from __future__ import annotations

import email
import sqlite3
import zlib
from contextlib import suppress
from dataclasses import replace
from email.message import EmailMessage
from email.policy import compat32
from pathlib import Path

from click.testing import CliRunner, Result

from traceur.alerts.outbox import AlertState
from traceur.cli.app import main
from traceur.config import Settings
from traceur.document import Document
from traceur.privacy.pseudonyms import stored_author_forms
from traceur.store import Store, open_store

AUTHOR = "Gaëlle_Kerbrat"
# Words of her posts and comment, and of what the team wrote about them, that no one
# else wrote (lower case: FTS5 keeps tokens folded; ASCII, so any encoding shows them).
TRACES = (
    "kerbrat",
    "quarante-deux",
    "coup de peinture",
    "colliers de serrage",
    "rue des mariniers",
    "relancer par mail",
)
# A bbPress forum in a WordPress theme: an engine with no rules, read by the fallback.
FORUM = "http://forum.quais-du-cher.example/forums/forum/vie-du-quartier/"
THREAD = (
    "http://forum.quais-du-cher.example/forums/topic/la-passerelle-des-tanneurs-fermee-tout-lhiver/"
)
BLOG_POST = "http://blog.carnets-du-cher.example/2026/11/ecluse-bourdaloue-le-chantier-oublie/"
SOURCES = (
    f"  - {{id: quais, kind: forum, url: '{FORUM}', every: 1h,"
    " limits: {max_pages: 20, max_depth: 2}}\n"
    "  - {id: carnets, kind: blog, url: 'http://blog.carnets-du-cher.example/', every: 1h,"
    " follow: '/2026/', limits: {max_depth: 2}}\n"
)
# What an older Traceur left in the crawl log at DEBUG (issue 13), and a line to keep.
LEAKED_LOG_LINE = (
    "2026-11-25 06:12:40 [pipelines.store] DEBUG: stored comment by Gaëlle_Kerbrat:"
    " « Je passe tous les soirs devant l'écluse… colliers de serrage orange »\n"
)
KEPT_LOG_LINE = "2026-11-25 06:12:41 [crawler.progress] INFO: carnets: 3 pages, 0 errors\n"


def forget_cli(directory: Path, settings: Settings, *args: str) -> Result:
    """``traceur --config … forget ARGS`` on ``settings``' store and data directory."""
    config = directory / "forget-config.yaml"
    config.write_text(
        f"store: '{settings.store}'\ndata_dir: '{settings.data_dir}'\n"
        f"es_index_prefix: '{settings.es_index_prefix}'\n",
        encoding="utf-8",
    )
    return CliRunner().invoke(main, ["--config", str(config), "forget", *args])


def documents(settings: Settings) -> dict[str, Document]:
    store = open_store(settings)
    try:
        return {doc.id: doc for doc in store.iter_documents()}
    finally:
        store.close()


def by_author(settings: Settings, author: str) -> list[Document]:
    """The documents of ``author`` as the store holds them (pseudonymised or not)."""
    forms = stored_author_forms(author, settings)
    return [doc for doc in documents(settings).values() if doc.author in forms]


def add_team_data(store: Store, settings: Settings) -> tuple[Document, Document]:
    """What a campaign adds about her posts: an edited version, a triage with a comment
    naming her, an alert that quoted her (sent), and the same on someone else's post (kept)."""
    docs = list(store.iter_documents())
    hers_as = stored_author_forms(AUTHOR, settings)
    other_as = stored_author_forms("Bastien.Roux", settings)
    hers = next(d for d in docs if d.author in hers_as and d.kind == "forum_post")
    other = next(d for d in docs if d.author in other_as)
    store.upsert([replace(hers, text=hers.text + " (message modifié par son autrice)")])
    store.update_triage(
        hers.id,
        by="camille",
        expected_revision=0,
        state="a_traiter",
        comment="Gaëlle_Kerbrat est une habituée : la relancer par mail après le conseil.",
    )
    store.update_triage(other.id, by="camille", expected_revision=0, comment="Vu, rien à faire.")
    state = AlertState.in_data_dir(settings.data_dir)
    try:
        for doc, key in ((hers, "alerte-hers"), (other, "alerte-other")):
            message = EmailMessage()
            message["From"] = "veille@campagne.example"
            message["To"] = "equipe@campagne.example"
            message["Subject"] = f"[Traceur] {doc.title}"
            message.set_content(f"{doc.author} a écrit :\n{doc.text}\n{doc.url}\n")
            with state.transaction() as tx:
                tx.enqueue(key, "forum-quartier", message, ["equipe@campagne.example"])
                tx.mark_alerted("forum-quartier", doc.id, ["claire-martin"], key)
            state.mark_sent(key)
    finally:
        state.close()
    with (Path(settings.data_dir) / "crawl.log").open("a", encoding="utf-8") as log:
        log.write(LEAKED_LOG_LINE + KEPT_LOG_LINE)
    return hers, other


def _readable(path: Path) -> list[bytes]:
    """The file's bytes, and what they hide: a cache entry decompressed, the messages of
    an outbox decoded (bodies may be quoted-printable or base64)."""
    raw = path.read_bytes()
    out = [raw]
    with suppress(zlib.error):
        out.append(zlib.decompress(raw))
    if path.name == "alerts.db":
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            for (blob,) in db.execute("SELECT message FROM outbox"):
                message = email.message_from_bytes(bytes(blob), policy=compat32)
                for part in message.walk():
                    payload = part.get_payload(decode=True)
                    if isinstance(payload, bytes):
                        out.append(payload)
                out.append(str(message["Subject"]).encode())
        finally:
            db.close()
    return out


def traces_in_files(directory: Path, words: tuple[str, ...] = TRACES) -> list[str]:
    """``file: word`` for every file under ``directory`` (binary ones too) holding a word,
    case aside, in UTF-8 or as HTML character references."""
    found = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        contents = [blob.lower() for blob in _readable(path)]
        for word in words:
            forms = {word.encode(), word.encode("ascii", "xmlcharrefreplace")}
            if any(form in blob for form in forms for blob in contents):
                found.append(f"{path.relative_to(directory)}: {word}")
    return found


def traces_in_sqlite_store(path: Path, words: tuple[str, ...] = TRACES) -> list[str]:
    """Words still in the SQLite store's tables or in its full-text index's vocabulary
    (FTS5 keeps terms prefix-compressed: a byte search alone could miss them)."""
    db = sqlite3.connect(str(path))
    try:
        db.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, documents_fts, row)")
        terms = {row[0] for row in db.execute("SELECT term FROM temp.vocab")}
        found = [f"fts term {w}" for w in words if " " not in w and w in terms]
        for table in ("document_data", "document_versions", "triage_events", "documents_fts"):
            rows = db.execute(f"SELECT * FROM {table}").fetchall()
            text = " ".join(str(value) for row in rows for value in row).lower()
            found += [f"{table}: {w}" for w in words if w in text]
        return found
    finally:
        db.close()
