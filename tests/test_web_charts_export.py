"""Dashboard SVG charts and the press-review exports (CSV for French Excel, XLSX)."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from traceur.document import Document, Mention, Snippet
from traceur.store.base import HIGHLIGHT_END, HIGHLIGHT_START
from traceur.web.charts import PALETTE, bars, daily_lines
from traceur.web.export import COLUMNS, ExportRow, Labels, to_csv, to_xlsx

SVG = "{http://www.w3.org/2000/svg}"
NAMES = {"c-marchand": "Élodie Marchand", "c-benali": "Karim Benali"}


def _svg(markup: str) -> ET.Element:
    return ET.fromstring(markup[: markup.index("</svg>") + len("</svg>")])


def test_daily_chart_draws_one_coloured_line_per_candidate_with_a_legend() -> None:
    counts = [
        (date(2026, 12, 1), "c-marchand", 3),
        (date(2026, 12, 3), "c-marchand", 5),
        (date(2026, 12, 2), "c-benali", 2),
    ]
    markup = str(daily_lines(counts, NAMES, start=date(2026, 12, 1), end=date(2026, 12, 3)))
    svg = _svg(markup)
    lines = svg.findall(f".//{SVG}polyline")
    assert [line.get("stroke") for line in lines] == [PALETTE[0], PALETTE[1]]
    # Days without documents are drawn at 0: three points per line.
    assert all(len(line.get("points", "").split()) == 3 for line in lines)
    desc = svg.find(f"{SVG}desc")
    assert desc is not None and desc.text == (
        "du 1er déc. 2026 au 3 déc. 2026. Élodie Marchand : 8 mentions, Karim Benali : 2 mentions."
    )
    assert svg.get("role") == "img"
    assert '<ul class="legend">' in markup and "Élodie Marchand (8)</li>" in markup
    assert "style=" not in markup  # the app's CSP forbids inline styles


def test_a_hostile_candidate_or_site_name_is_escaped_in_charts() -> None:
    hostile = '<script>alert("x")</script>'
    markup = str(bars([(hostile, 4), ("gazette-du-val.fr", 2)], ident="sites", title="Sites"))
    assert "<script>" not in markup
    svg = _svg(markup)
    widths = [float(rect.get("width", "0")) for rect in svg.iter(f"{SVG}rect")]
    assert widths[0] == 2 * widths[1]
    lines = str(daily_lines([(date(2026, 12, 1), "x", 1)], {"x": hostile}, start=date(2026, 12, 1),
                            end=date(2026, 12, 1)))  # fmt: skip
    assert "<script>" not in lines and "&lt;script&gt;" in lines


def test_an_empty_period_says_so_instead_of_drawing_nothing() -> None:
    markup = str(bars([], ident="vide", title="Types"))
    assert "Aucune donnée sur la période." in markup
    empty = str(daily_lines([], NAMES, start=date(2026, 12, 1), end=date(2026, 12, 7)))
    assert "aucune mention" in empty and "<polyline" not in empty


def _rows() -> list[ExportRow]:
    article = Document(
        id="a1",
        url="https://www.gazette-du-val.fr/politique/tramway-gratuit",
        canonical_url="https://www.gazette-du-val.fr/politique/tramway-gratuit",
        domain="gazette-du-val.fr",
        kind="article",
        source_id="gazette",
        title="Tramway gratuit : Élodie Marchand relance le débat",
        text="…",
        author="Sophie Lefèvre",
        published_at=datetime(2026, 12, 3, 13, 5, tzinfo=UTC),
        candidates=["c-marchand"],
        topics=["t-transports"],
        mentions={"c-marchand": Mention(1, (Snippet("Élodie Marchand relance", 0, 15),))},
        cluster_id="k42",
    )
    hostile = Document(
        id="f1",
        url="javascript:alert(1)",
        canonical_url="javascript:alert(1)",
        domain="forum-du-quartier.fr",
        kind="forum_post",
        source_id="forum",
        title='=HYPERLINK("http://piege.example/","cliquez")',
        text="-2+3 répond au message précédent",
        author="@troll",
    )
    return [
        ExportRow(
            article,
            state="traite",
            assignee="camille",
            fragments=(f"{HIGHLIGHT_START}Élodie Marchand{HIGHLIGHT_END} relance le débat",),
        ),
        ExportRow(hostile),
    ]


LABELS = Labels(NAMES, {"t-transports": "Transports"}, {"gazette": "La Gazette du Val"})


def test_csv_opens_in_french_excel_with_bom_semicolons_and_no_formula() -> None:
    data = to_csv(_rows(), LABELS)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == list(COLUMNS)
    first = dict(zip(COLUMNS, rows[1], strict=True))
    assert first["date (heure de Paris)"] == "3 déc. 2026, 14:05"
    assert first["source"] == "La Gazette du Val"
    assert first["type"] == "Article"
    assert first["candidats"] == "Élodie Marchand"
    assert first["thèmes"] == "Transports"
    assert first["extrait"] == "Élodie Marchand relance le débat"
    assert (first["état"], first["assigné à"], first["cluster"]) == ("traité", "camille", "k42")
    second = dict(zip(COLUMNS, rows[2], strict=True))
    assert second["titre"].startswith("'=HYPERLINK")
    assert second["auteur"] == "'@troll"
    assert second["lien"] == ""  # a javascript: address is no link
    assert second["état"] == "nouveau"


def test_xlsx_reads_back_with_real_dates_links_and_text_never_formulas() -> None:
    book = load_workbook(io.BytesIO(to_xlsx(_rows(), LABELS)))
    sheet = book.active
    assert sheet is not None and sheet.title == "Résultats"
    header = [cell.value for cell in sheet[1]]
    assert header == list(COLUMNS)
    first = [cell.value for cell in sheet[2]]
    assert first[0] == datetime(2026, 12, 3, 14, 5)  # Paris wall-clock time
    assert first[1] == "Tramway gratuit : Élodie Marchand relance le débat"
    link_cell = sheet.cell(row=2, column=COLUMNS.index("lien") + 1)
    assert link_cell.hyperlink is not None
    assert link_cell.hyperlink.target == "https://www.gazette-du-val.fr/politique/tramway-gratuit"
    hostile_title = sheet.cell(row=3, column=2)
    assert hostile_title.data_type == "s"
    assert hostile_title.value == '=HYPERLINK("http://piege.example/","cliquez")'
    assert sheet.cell(row=3, column=COLUMNS.index("lien") + 1).value in (None, "")
