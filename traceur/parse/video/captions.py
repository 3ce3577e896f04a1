"""Caption files turned into the words spoken, one line per caption line: WebVTT, SRT,
TTML, and YouTube's timedtext answers (the ``<transcript>`` and srv3 ``<timedtext>`` XML
forms, and json3). Repeated lines of rolling captions are kept once.

Pure parsing, no Scrapy import.
"""

from __future__ import annotations

import html as htmllib
import json
import re
from typing import Any

from lxml import etree

from traceur.parse.video.model import CAPTION_FORMATS

_TAG = re.compile(r"<[^>]*>")
_ASS_OVERRIDE = re.compile(r"\{\\[^}]*\}")
_INVISIBLE = re.compile("[\u200b\u200e\u200f\ufeff]")


def _decode(data: bytes) -> str:
    # Subtitle files come from everywhere: UTF-8 with or without BOM, UTF-16 from
    # Windows tools, and cp1252 from old French subtitle editors.
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _clean_line(line: str) -> str:
    line = _ASS_OVERRIDE.sub("", _TAG.sub("", line))
    return " ".join(_INVISIBLE.sub("", htmllib.unescape(line)).split())


def _cues_timed(text: str, webvtt: bool) -> list[list[str]]:
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n").strip())
    cues: list[list[str]] = []
    for index, block in enumerate(blocks):
        lines = block.split("\n")
        head = lines[0].strip()
        if webvtt and (
            index == 0 and head.startswith("WEBVTT") or head.startswith(("NOTE", "STYLE", "REGION"))
        ):
            continue
        timing = next((number for number, line in enumerate(lines) if "-->" in line), None)
        if timing is None:
            continue  # an identifier or index with no cue: nothing spoken
        cue = [_clean_line(line) for line in lines[timing + 1 :]]
        cue = [line for line in cue if line]
        if cue:
            cues.append(cue)
    return cues


def _xml_root(text: str) -> Any:
    # Untrusted XML: no entities, no network, tolerate broken files.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        return etree.fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", text).encode("utf-8"), parser)
    except etree.XMLSyntaxError:
        return None


def _lines(text: str) -> list[str]:
    return [line for line in (_clean_line(part) for part in text.split("\n")) if line]


def _cues_xml(text: str) -> list[list[str]]:
    root = _xml_root(text)
    if root is None or not isinstance(root.tag, str):
        return []
    name = etree.QName(root).localname
    if name == "transcript":
        # YouTube's default timedtext: <text start dur>, its HTML escaped once more
        # ("l&amp;#39;échange", "&amp;lt;i&amp;gt;"): unescaped here, its tags then dropped.
        cues = [_lines(htmllib.unescape(node.text or "")) for node in root.iter("text")]
    elif name == "timedtext":
        # srv3: <body><p t d>, the words of automatic captions in <s> segments; an empty
        # <p> only starts a new line of the rolling window.
        cues = [_lines("".join(node.itertext())) for node in root.iter("p")]
    else:
        return _cues_ttml(root)
    return [cue for cue in cues if cue]


def _cues_json3(text: str) -> list[list[str]]:
    # json3: events[].segs[].utf8; automatic captions give one segment per word and
    # separate events holding only "\n" where a line ends.
    try:
        payload = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested past the stack
        return []
    events = payload.get("events") if isinstance(payload, dict) else None
    cues: list[list[str]] = []
    for event in events if isinstance(events, list) else []:
        segments = event.get("segs") if isinstance(event, dict) else None
        if not isinstance(segments, list):
            continue
        words = "".join(
            str(segment.get("utf8") or "") for segment in segments if isinstance(segment, dict)
        )
        cue = _lines(words)
        if cue:
            cues.append(cue)
    return cues


def _cues_ttml(root: Any) -> list[list[str]]:
    cues: list[list[str]] = []
    for paragraph in root.iter("{*}p"):
        parts: list[str] = []

        def walk(node: Any, paragraph: Any = paragraph, parts: list[str] = parts) -> None:
            if isinstance(node.tag, str):
                local = etree.QName(node).localname
                if local == "br":
                    parts.append("\n")
                elif local != "metadata":
                    parts.append(node.text or "")
                    for child in node:
                        walk(child)
            # Comments, processing instructions and (unexpanded) entities say nothing.
            if node is not paragraph:
                parts.append(node.tail or "")

        walk(paragraph)
        cue = [" ".join(line.split()) for line in "".join(parts).split("\n")]
        cue = [line for line in cue if line]
        if cue:
            cues.append(cue)
    return cues


def _grows(before: str, after: str) -> bool:
    # "Bonsoir" → "Bonsoir à tous" grows; "Bon" → "Bonjour" is another word.
    return (
        len(after) > len(before) and after.startswith(before) and not after[len(before)].isalnum()
    )


def _merge(cues: list[list[str]]) -> list[str]:
    """Cues → lines, without the repeats of rolling captions.

    Roll-up captions show each line in two or three successive cues ("A/B", then
    "B/C"), and live captions grow a line word by word ("Bonsoir", "Bonsoir à tous");
    each line should be read once."""
    out: list[str] = []
    for cue in cues:
        overlap = 0
        for size in range(min(len(cue), len(out)), 0, -1):
            shown, again = out[-size:], cue[:size]
            # The cue repeats the last lines shown; its last repeated line may have grown.
            if shown[:-1] == again[:-1] and (
                shown[-1] == again[-1] or _grows(shown[-1], again[-1])
            ):
                overlap = size
                out[-1] = again[-1]
                break
        for line in cue[overlap:]:
            if out and _grows(out[-1], line):
                out[-1] = line
            elif not out or line != out[-1]:
                out.append(line)
    return out


_ALIASES = {"webvtt": "vtt", "dfxp": "ttml", "xml": "ttml", "subrip": "srt", "srv3": "timedtext"}


def _sniff(text: str) -> str:
    stripped = text.lstrip()
    if stripped.startswith("{"):
        return "json3"
    if stripped.startswith("WEBVTT"):
        return "vtt"
    return "ttml" if stripped.startswith("<") else "srt"


def caption_text(data: bytes, fmt: str) -> str:
    """The words of a caption file, one line per caption line: WebVTT (header, NOTE,
    STYLE and REGION blocks, cue ids, timings and settings, ``<v>``/``<c>``/``<i>``
    tags and inline timestamps removed), SRT (indices, timings, ``<i>``/``<font>``
    and ``{\\an8}`` removed), TTML (``<p>`` with ``<br/>`` and ``<span>``) or YouTube
    timedtext (XML or json3). Repeated lines of rolling captions are kept once."""
    text = _decode(data)
    kind = fmt.lower().lstrip(".")
    kind = _ALIASES.get(kind, kind)
    sniffed = _sniff(text)
    # A platform may answer in another format than asked (YouTube ignores an unknown fmt).
    if kind not in CAPTION_FORMATS or sniffed == "json3" or kind in ("timedtext", "json3"):
        kind = sniffed
    if kind == "json3":
        cues = _cues_json3(text)
    elif kind in ("ttml", "timedtext"):
        cues = _cues_xml(text)
    else:
        cues = _cues_timed(text, webvtt=kind == "vtt")
    return "\n".join(_merge(cues))
