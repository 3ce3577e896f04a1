"""Pseudonymised authors: who wrote a forum post or a comment is stored as a keyed hash.

Forum posts and readers' comments are private people's political opinions (GDPR art. 9).
The digital team needs to know that the same person wrote these three messages, and to
answer them on the forum; it does not need their name in the store, in exports or in
alert emails. So their author is stored as ``auteur·rice #<32 hex>``: an HMAC-SHA256 of
the name under a secret key, cut to 128 bits (no two authors of a campaign collide), and
shown as ``auteur·rice #3f9a`` (4 hex digits, enough to tell apart the people of one
thread). Without the key nobody can test a guessed name against the store.

Which documents: ``PSEUDONYMISED_KINDS``. A journalist's byline on an article, a blog's
own author and a video's channel stay as published: they sign a publication on purpose,
and the source (the blog's domain, the channel's page) names them anyway, so hashing them
would protect nobody and only hide from the team who published.

Search by author still works: the typed name is hashed the same way
(``stored_author_forms``), and the stores compare stored forms. The name is normalised
before hashing (Unicode NFKC, case folded, spaces collapsed), as forums do not let two
members differ by case alone.

The key: ``TRACEUR_AUTHOR_KEY`` (at least 32 characters) when set, so that several
machines writing one Elasticsearch store hash alike; otherwise a random key made once and
kept in ``data_dir/author-key`` (0600), so that a first ``traceur run`` works without the
operator inventing a secret. Losing the key does not reveal anyone; it only makes earlier
pseudonyms unreachable by name (search and ``traceur forget``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from traceur.config import Settings
from traceur.document import Document
from traceur.errors import ConfigError
from traceur.secretfile import MIN_KEY_CHARS, kept_key

PSEUDONYM_LABEL = "auteur·rice #"
PSEUDONYMISED_KINDS = frozenset({"forum_post", "comment"})
KEY_FILE = "author-key"
# Hex digits stored (128 bits: a collision is out of reach for any number of authors a
# campaign meets) and shown (enough to tell the people of one thread apart).
STORED_HEX = 32
SHOWN_HEX = 4
_STORED = re.compile(re.escape(PSEUDONYM_LABEL) + f"([0-9a-f]{{{STORED_HEX}}})")


def normalise_name(name: str) -> str:
    """The form that is hashed: the same member typed with other case or spacing hashes alike."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def is_pseudonym(author: str | None) -> bool:
    """Whether ``author`` is a stored pseudonym (not a name)."""
    return author is not None and _STORED.fullmatch(author) is not None


def display_author(author: str | None) -> str | None:
    """What users see: a pseudonym cut to ``auteur·rice #3f9a``, any other author as is."""
    if author is None:
        return None
    found = _STORED.fullmatch(author)
    if found is None:
        return author
    return PSEUDONYM_LABEL + found.group(1)[:SHOWN_HEX]


@dataclass(frozen=True)
class Pseudonyms:
    """Turns names into stored forms; ``key`` None means pseudonymisation is off."""

    key: bytes | None = dataclasses.field(default=None, repr=False)

    @property
    def enabled(self) -> bool:
        return self.key is not None

    def pseudonym(self, name: str) -> str:
        """The stored form of ``name`` (a name already hashed is returned as is)."""
        if self.key is None:
            raise ConfigError(
                "pseudonymize_authors is off: no key to hash authors with;"
                " set pseudonymize_authors: true"
            )
        if is_pseudonym(name):
            return name
        digest = hmac.new(self.key, normalise_name(name).encode("utf-8"), hashlib.sha256)
        return PSEUDONYM_LABEL + digest.hexdigest()[:STORED_HEX]

    def stored_author(self, kind: str, author: str | None) -> str | None:
        """How the author of a document of ``kind`` is stored."""
        if self.key is None or not author or not author.strip():
            return author
        if kind not in PSEUDONYMISED_KINDS:
            return author
        return self.pseudonym(author)

    def apply(self, document: Document) -> Document:
        """``document`` with its author stored as the settings ask (changed in place)."""
        document.author = self.stored_author(document.kind, document.author)
        return document

    def stored_forms(self, name: str) -> list[str]:
        """Every form under which ``name`` may be stored: as typed (bylines, and documents
        stored while pseudonymisation was off) and, when on, its pseudonym."""
        forms: list[str] = []
        clear = " ".join(name.split())
        if clear:
            forms.append(clear)
        if self.key is not None and clear and not is_pseudonym(clear):
            forms.append(self.pseudonym(clear))
        return forms


def pseudonym_key(settings: Settings) -> bytes:
    """The secret of the hashes: ``TRACEUR_AUTHOR_KEY``, else ``data_dir/author-key``
    (made on first use, mode 0600)."""
    if settings.author_key is not None:
        if len(settings.author_key) < MIN_KEY_CHARS:
            raise ConfigError(
                f"TRACEUR_AUTHOR_KEY: {len(settings.author_key)} characters is too short to"
                f" keep authors' names secret; give at least {MIN_KEY_CHARS} random characters"
                " (python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        return settings.author_key.encode("utf-8")
    key = kept_key(
        Path(settings.data_dir) / KEY_FILE,
        ConfigError,
        unusable="restore it from a backup (a new key would make earlier authors"
        " unsearchable), or set TRACEUR_AUTHOR_KEY",
        unwritable="make data_dir writable, or set TRACEUR_AUTHOR_KEY",
    )
    return key.encode("ascii")


def pseudonyms_for(settings: Settings) -> Pseudonyms:
    """The pseudonymiser these settings ask for (off when ``pseudonymize_authors`` is false)."""
    if not settings.pseudonymize_authors:
        return Pseudonyms(None)
    return Pseudonyms(pseudonym_key(settings))


def stored_author_forms(name: str, settings: Settings) -> list[str]:
    """Every stored form of the author ``name``: as typed, and its pseudonym whenever a key
    exists — also after ``pseudonymize_authors`` was turned off, since documents stored
    before still hold pseudonyms. What search and ``traceur forget`` compare with."""
    if settings.pseudonymize_authors:
        return pseudonyms_for(settings).stored_forms(name)
    if settings.author_key is None and not (Path(settings.data_dir) / KEY_FILE).is_file():
        return Pseudonyms(None).stored_forms(name)
    return Pseudonyms(pseudonym_key(settings)).stored_forms(name)
