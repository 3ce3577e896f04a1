"""Decoding fetched pages when their declared charset may lie.

French pages are the worst case: a CMS that declares UTF-8 but serves windows-1252
(é → U+FFFD), or declares ISO-8859-1 over UTF-8 bytes (é → "Ã©"). Valid UTF-8 with
accented letters is almost never windows-1252 text by accident, so strict UTF-8 is
tried first; then the declared charset, strictly; then windows-1252, which maps
every byte.
"""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_BINARY_MAGIC = (
    b"%PDF-",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ",
    b"Rar!",
    b"7z\xbc\xaf",
    b"\x7fELF",
    b"MZ",
    b"OggS",
    b"ID3",
    b"fLaC",
    b"RIFF",
    b"\x00\x00\x01\x00",
)


def meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii").lower() if match else None


def _known(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(body: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return the text and the charset actually used."""
    if body.startswith(codecs.BOM_UTF8):
        return body[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8"
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for name in (_known(declared), _known(meta_charset(body))):
        if name and name not in ("utf-8", "ascii"):
            # latin-1 decodes anything; windows-1252 is what servers mean by it.
            if name == "latin-1":
                name = "cp1252"
            try:
                return body.decode(name), name
            except UnicodeDecodeError:
                continue
    return body.decode("cp1252", errors="replace"), "cp1252"


def looks_binary(body: bytes) -> bool:
    """True for bytes that are no text page whatever their Content-Type says."""
    head = body[:4096]
    if head.startswith(_BINARY_MAGIC):
        return True
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    return bool(head) and controls / len(head) > 0.05
