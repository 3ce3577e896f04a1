"""A result list as a press-review file: CSV for any spreadsheet, XLSX for Excel.

CSV is written the way French Excel opens it with a double click: UTF-8 with a byte-order
mark (without it Excel reads "Élodie" as "Ã‰lodie") and ``;`` between fields (the comma is
the French decimal separator). Crawled text that starts like a formula (``=``, ``+``,
``-``, ``@``) is written so that no spreadsheet runs it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from traceur.document import Document
from traceur.privacy.pseudonyms import display_author
from traceur.web.fr import date_paris, kind_label, paris, triage_label
from traceur.web.highlight import http_url, plain

COLUMNS = (
    "date (heure de Paris)",
    "titre",
    "site",
    "source",
    "type",
    "auteur",
    "candidats",
    "thèmes",
    "extrait",
    "lien",
    "état",
    "assigné à",
    "cluster",
)
_WIDTHS = (20, 50, 22, 20, 16, 20, 28, 24, 70, 50, 12, 16, 14)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportRow:
    """One result: the document, its triage, and the snippets the search found."""

    document: Document
    state: str = "nouveau"
    assignee: str | None = None
    fragments: Sequence[str] = ()


@dataclass(frozen=True)
class Labels:
    """Names for the ids a document carries (from the watchlist)."""

    candidates: Mapping[str, str]
    topics: Mapping[str, str]
    sources: Mapping[str, str]


def _excerpt(row: ExportRow) -> str:
    if row.fragments:
        return " … ".join(" ".join(plain(f).split()) for f in row.fragments)
    snippets = [s.text for m in row.document.mentions.values() for s in m.snippets]
    if snippets:
        return " … ".join(" ".join(s.split()) for s in snippets[:3])
    text = " ".join(row.document.text.split())
    return text[:300] + ("…" if len(text) > 300 else "")


def _link(document: Document) -> str:
    # Only web addresses: anything else in a crawled URL field is not a link to follow.
    return http_url(document.url) or ""


def values(row: ExportRow, labels: Labels) -> list[str]:
    """The row's cells as text, in ``COLUMNS`` order."""
    doc = row.document
    when = doc.published_at or doc.fetched_at
    return [
        date_paris(when, zone=False) if when else "",
        doc.title,
        doc.domain,
        labels.sources.get(doc.source_id, doc.source_id),
        kind_label(doc.kind),
        display_author(doc.author) or "",
        ", ".join(labels.candidates.get(c, c) for c in doc.candidates),
        ", ".join(labels.topics.get(t, t) for t in doc.topics),
        _excerpt(row),
        _link(doc),
        triage_label(row.state),
        row.assignee or "",
        doc.cluster_id or "",
    ]


def _defused(cell: str) -> str:
    """A cell a spreadsheet shows as text, never evaluates (a leading quote, as Excel does)."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def to_csv(rows: Iterable[ExportRow], labels: Labels) -> bytes:
    """UTF-8 with BOM, ``;``-separated, one header line then one line per result."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_defused(cell) for cell in values(row, labels)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: Iterable[ExportRow], labels: Labels) -> bytes:
    """One sheet, a bold frozen header, real dates (Paris time), clickable links."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = "Résultats"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for number, row in enumerate(rows, start=2):
        cells = values(row, labels)
        for column, text in enumerate(cells, start=1):
            cell = sheet.cell(row=number, column=column)
            cell.value = text
            # openpyxl stores a string starting with "=" as a formula; crawled text never is.
            cell.data_type = "s"
        when = row.document.published_at or row.document.fetched_at
        if when is not None:
            date_cell = sheet.cell(row=number, column=1)
            # Excel has no time zones: the Paris wall-clock time, as the header says.
            date_cell.value = paris(when).replace(tzinfo=None)
            date_cell.number_format = "dd/mm/yyyy hh:mm"
        link = cells[COLUMNS.index("lien")]
        if link:
            link_cell = sheet.cell(row=number, column=COLUMNS.index("lien") + 1)
            link_cell.hyperlink = link
            link_cell.font = Font(color="0563C1", underline="single")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
