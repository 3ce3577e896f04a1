"""Secret keys kept in the data directory when the environment gives none: the web app's
session key, the authors' pseudonym key and the erasure register's key. Each is made once,
readable by its owner only (0600), and read back on every later start."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from traceur.errors import TraceurError

# A key shorter than this is refused, from the environment or from its file.
MIN_KEY_CHARS = 32


def kept_key(path: Path, error: type[TraceurError], *, unusable: str, unwritable: str) -> str:
    """The key in ``path``, made there first if there is none. ``error`` is raised with
    ``unusable`` (the fix) for a file that holds no usable key or cannot be read, and with
    ``unwritable`` when the file cannot be made.

    The key is written aside and linked into place: two processes starting together never
    read a half-written key, and the one that loses the race reads the winner's."""
    if not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
            handle = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(handle, "w", encoding="ascii") as out:
                out.write(secrets.token_urlsafe(48) + "\n")
            try:
                os.link(aside, path)
            except FileExistsError:
                pass
            finally:
                with contextlib.suppress(OSError):
                    aside.unlink()
        except OSError as exc:
            raise error(f"{path}: cannot create the key ({exc}); {unwritable}") from None
    try:
        key = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read the key ({exc}); {unusable}") from None
    if len(key) < MIN_KEY_CHARS:
        raise error(f"{path} holds no usable key; {unusable}")
    return key
