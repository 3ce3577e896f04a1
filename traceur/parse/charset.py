"""Decoding fetched pages when their declared charset may lie.

French pages are the worst case: a CMS that declares UTF-8 but serves windows-1252
(é → U+FFFD), or declares ISO-8859-1 over UTF-8 bytes (é → "Ã©"). Valid UTF-8 with
accented letters is almost never windows-1252 text by accident, so strict UTF-8 is
tried first; then the declared charset, strictly; then windows-1252, which maps
every byte.

A page may also declare a "charset" that is no text encoding at all (``zlib``,
``rot13``, ``base64``, ``idna``…: Python codecs, but not for web pages); that is treated
as no declaration. A byte-order mark wins over any declaration, and a UTF-16 or UTF-32
page with one is text, not binary.
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


# Byte-order marks, longest first: UTF-32 LE starts with UTF-16 LE's mark.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Text codecs in Python's sense that no web page is written in: they decode host names,
# escape sequences or nothing at all, and raise on ordinary bytes.
_NOT_PAGE_CODECS = frozenset(
    ("idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape")
)


def bom_charset(body: bytes) -> tuple[str, int] | None:
    """The encoding a byte-order mark announces, and the mark's length; None without one."""
    for mark, name in _BOMS:
        if body.startswith(mark):
            return name, len(mark)
    return None


def meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii").lower() if match else None


def page_codec(name: str | None) -> str | None:
    """The Python codec of a declared charset, or None when it is unknown or no codec a web
    page can be written in."""
    if not name:
        return None
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    # bytes-to-bytes and str-to-str codecs (zlib, base64, rot13) say they are no text codec.
    if not info._is_text_encoding or info.name in _NOT_PAGE_CODECS:  # noqa: SLF001
        return None
    return info.name


def decode_html(body: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return the text and the charset actually used."""
    bom = bom_charset(body)
    if bom is not None:
        marked, length = bom
        return body[length:].decode(marked, errors="replace"), marked
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for codec in (page_codec(declared), page_codec(meta_charset(body))):
        if codec and codec not in ("utf-8", "ascii"):
            # latin-1 decodes anything; windows-1252 is what servers mean by it.
            name = "cp1252" if codec == "latin-1" else codec
            try:
                return body.decode(name), name
            except (UnicodeError, ValueError):
                continue
    return body.decode("cp1252", errors="replace"), "cp1252"


_CONTROL_BYTES = bytes(byte for byte in range(256) if byte < 9 or 13 < byte < 32)


def looks_binary(body: bytes) -> bool:
    """True for bytes that are no text page whatever their Content-Type says."""
    head = body[:4096]
    if bom_charset(head) is not None:
        return False  # UTF-16 and UTF-32 text is full of NUL bytes
    if head.startswith(_BINARY_MAGIC):
        return True
    if b"\x00" in head:
        return True
    # Counted in C (the bytes left once the controls are deleted): a loop over 4 KB in
    # Python cost more than decoding the page.
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return bool(head) and controls / len(head) > 0.05
