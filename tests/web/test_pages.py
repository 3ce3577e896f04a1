"""The volunteers' pages in a real browser: search with filters, a document, triage of a
whole story cluster, assignment and comments, exports read back, saved searches, two
volunteers editing at once, and a hostile crawled page that must stay plain text.

The scenarios run on SQLite and on Elasticsearch (``BOTH_STORES``): the pages call the
same store API, which must give the same results on both."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.web.conftest import BOTH_STORES, PHONE, WebServer, login, screenshot
from tests.web.corpus import HOSTILE_ID, HOSTILE_TITLE, WIRE_TITLE
from traceur.alerts.outbox import AlertState
from traceur.orchestra.runs import RunLog
from traceur.web.export import COLUMNS

WIRE_CLUSTER = "cl-tramway-aubiers"


def _wire_ids(web: WebServer) -> list[str]:
    return [d.id for d in web.docs if d.cluster_id == WIRE_CLUSTER]


@BOTH_STORES
def test_search_filters_by_clicking_a_facet_and_highlights_the_words_searched(
    web: WebServer, page: Page
) -> None:
    login(page, web, "lea")
    page.get_by_label("Mots cherchés").fill("loyers OR tramway")
    page.get_by_role("button", name="Chercher").click()
    results = page.locator(".resultat")
    # Seven documents, but the three reprints of the wire story are one line.
    expect(page.locator("#titre-resultats")).to_have_text("5 résultats")
    expect(page.locator(".grappe summary")).to_have_text("Même dépêche sur 3 sites")
    page.locator(".grappe summary").click()
    expect(page.locator(".grappe li")).to_have_count(2)
    expect(results.locator(".extraits mark").first).to_be_visible()
    marked = {t.lower() for t in results.locator(".extraits mark").all_inner_texts()}
    assert marked <= {"loyers", "tramway"} and marked
    facets = page.locator("#filtres")
    facets.get_by_role("link", name="Message de forum").click()
    expect(page).to_have_url(f"{web.url}/recherche?q=loyers+OR+tramway&type=forum_post")
    expect(page.locator("#titre-resultats")).to_have_text("2 résultats")
    expect(page.locator(".filtres-actifs")).to_contain_text("Type : Message de forum")
    # The other kinds stay offered, counted as if this one were not chosen: one click
    # switches from forum posts to videos.
    facets.get_by_role("link", name="Vidéo").click()
    expect(page).to_have_url(f"{web.url}/recherche?q=loyers+OR+tramway&type=video")
    expect(page.locator("#titre-resultats")).to_have_text("1 résultat")
    # Dates are in Paris time, with the zone written out.
    expect(results.first.locator("time")).to_contain_text("heure de Paris, UTC+")
    page.locator(".filtres-actifs a").click()
    expect(page.locator("#titre-resultats")).to_have_text("5 résultats")


def test_a_malformed_query_says_in_french_where_it_is_wrong(web: WebServer, page: Page) -> None:
    login(page, web, "lea")
    page.guard.allow("400")  # type: ignore[attr-defined]
    page.goto(web.url + '/recherche?q=tramway+AND+"ligne+12')
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Requête incorrecte à la colonne 13")
    expect(alert).to_contain_text("Guillemet jamais fermé")
    expect(alert.locator(".position-erreur")).to_have_text('"')
    expect(page.get_by_label("Mots cherchés")).to_have_attribute("aria-invalid", "true")


@BOTH_STORES
def test_a_document_page_shows_its_text_with_mentions_its_thread_and_the_original_link(
    web: WebServer, page: Page
) -> None:
    reply = next(d for d in web.docs if d.post_id == "318-2")
    login(page, web, "lea")
    page.goto(f"{web.url}/document/{reply.id}")
    expect(page.locator("h1")).to_contain_text("Logements sociaux")
    text = page.locator(".texte-complet")
    expect(text.locator("mark").first).to_be_visible()
    assert "Élodie Arnaud" in text.locator("mark").all_inner_texts()
    original = page.get_by_role("link", name="Ouvrir la page d’origine")
    expect(original).to_have_attribute("href", reply.url)
    expect(original).to_have_attribute("rel", "noopener noreferrer")
    thread = page.locator(".fil li")
    expect(thread).to_have_count(3)
    expect(thread.nth(1)).to_contain_text("ce message")
    expect(page.get_by_text("En réponse à :")).to_be_visible()
    page.get_by_role("link", name="Mireille_des_Tanneurs, ", exact=False).first.click()
    expect(page.locator(".fil li.ici")).to_contain_text("message n° 1")


@BOTH_STORES
def test_marking_a_cluster_traite_marks_every_reprint_and_records_who(
    web: WebServer, page: Page
) -> None:
    login(page, web, "sami")
    page.goto(web.url + "/recherche?q=Aubiers")
    row = page.locator(".resultat").filter(has_text="Même dépêche sur 3 sites")
    row.get_by_label("Marquer les 3 documents comme").select_option("traite")
    row.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("status")).to_contain_text("3 documents marqués « traité »")
    expect(page).to_have_url(web.url + "/recherche?q=Aubiers")
    triage = web.store.triage(_wire_ids(web))
    assert {t.state for t in triage.values()} == {"traite"}
    assert {t.updated_by for t in triage.values()} == {"sami"}
    expect(row.locator(".etat")).to_have_text("traité")


@BOTH_STORES
def test_an_assignment_shows_under_assigne_a_moi_and_the_comment_in_the_history(
    web: WebServer, new_page: Callable[..., Page]
) -> None:
    wire = _wire_ids(web)[0]
    coordinator = new_page()
    login(coordinator, web, "sami")
    coordinator.goto(f"{web.url}/document/{wire}")
    coordinator.get_by_label("État").select_option("a_traiter")
    coordinator.get_by_label("Assigné à").select_option("lea")
    coordinator.get_by_label("Commentaire (facultatif)").fill(
        "Répondre sur le forum des Aubiers avant jeudi, lien dans le canal"
    )
    coordinator.get_by_role("button", name="Enregistrer").click()
    expect(coordinator.get_by_role("status")).to_have_text("Triage enregistré.")
    history = coordinator.locator(".historique li")
    expect(history).to_have_count(3)
    expect(history.first).to_contain_text("Répondre sur le forum des Aubiers")
    expect(coordinator.locator(".historique")).to_contain_text("assigné à lea")
    expect(coordinator.locator(".historique")).to_contain_text("heure de Paris")

    volunteer = new_page()
    login(volunteer, web, "lea")
    volunteer.get_by_role("link", name="assigné à moi").click()
    expect(volunteer.locator("#titre-resultats")).to_have_text("1 résultat")
    expect(volunteer.locator(".resultat-titre")).to_have_text(WIRE_TITLE)
    # A bénévole reads the assignee but cannot change it.
    volunteer.locator(".resultat-titre a").click()
    expect(volunteer.get_by_label("Assigné à")).to_have_count(0)
    expect(volunteer.locator("#triage")).to_contain_text("Assigné à : lea")


@BOTH_STORES
def test_two_volunteers_editing_at_once_the_second_sees_the_conflict_and_loses_nothing(
    web: WebServer, new_page: Callable[..., Page]
) -> None:
    doc = next(d for d in web.docs if d.kind == "blog_post")
    first, second = new_page(), new_page()
    login(first, web, "lea")
    login(second, web, "hugo")
    first.goto(f"{web.url}/document/{doc.id}")
    second.goto(f"{web.url}/document/{doc.id}")
    first.get_by_label("État").select_option("a_traiter")
    first.get_by_role("button", name="Enregistrer").click()
    expect(first.get_by_role("status")).to_have_text("Triage enregistré.")

    second.guard.allow("409")  # type: ignore[attr-defined]
    second.get_by_label("État").select_option("ignore")
    comment = "Déjà traité par la permanence de quartier, rien à répondre"
    second.get_by_label("Commentaire (facultatif)").fill(comment)
    second.get_by_role("button", name="Enregistrer").click()
    expect(second.get_by_role("alert")).to_contain_text("Un·e autre bénévole a modifié ce document")
    expect(second.get_by_label("Commentaire (facultatif)")).to_have_value(comment)
    expect(second.locator("#triage")).to_contain_text("État actuel : à traiter")
    assert web.store.triage([doc.id])[doc.id].state == "a_traiter"
    # Sent again, knowingly, on the current revision: it goes through.
    second.get_by_label("État").select_option("ignore")
    second.get_by_role("button", name="Enregistrer").click()
    expect(second.get_by_role("status")).to_have_text("Triage enregistré.")
    events = web.store.triage_history(doc.id)
    assert [(e.by, e.action, e.value) for e in events] == [
        ("lea", "state", "a_traiter"),
        ("hugo", "state", "ignore"),
        ("hugo", "comment", comment),
    ]


@BOTH_STORES
def test_coordination_exports_the_result_list_as_csv_and_xlsx(
    web: WebServer, page: Page, tmp_path: Path
) -> None:
    login(page, web, "sami")
    page.goto(web.url + "/recherche?type=article")
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="CSV").click()
    csv_path = tmp_path / "export.csv"
    csv_download.value.save_as(csv_path)
    data = csv_path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == list(COLUMNS)
    assert len(rows) == 4  # the three reprints, one line each in an export
    by_column = [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]
    titles = {d.title for d in web.docs if d.cluster_id == WIRE_CLUSTER}
    assert {r["titre"] for r in by_column} == titles
    assert all("Claire Martin" in r["candidats"] for r in by_column)
    assert {r["cluster"] for r in by_column} == {WIRE_CLUSTER}

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Excel (XLSX)").click()
    xlsx_path = tmp_path / "export.xlsx"
    xlsx_download.value.save_as(xlsx_path)
    sheet = load_workbook(xlsx_path).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    assert sheet.max_row == 4
    assert {sheet.cell(row=r, column=2).value for r in range(2, 5)} == titles


def test_a_benevole_sees_no_export_and_is_refused_one(web: WebServer, page: Page) -> None:
    login(page, web, "lea")
    page.goto(web.url + "/recherche?type=article")
    expect(page.get_by_role("link", name="CSV")).to_have_count(0)
    page.guard.allow("403")  # type: ignore[attr-defined]
    response = page.goto(web.url + "/recherche/export.csv?type=article")
    assert response is not None and response.status == 403


@BOTH_STORES
def test_a_saved_search_keeps_its_filters_behind_a_permanent_link(
    web: WebServer, page: Page
) -> None:
    login(page, web, "lea")
    page.goto(web.url + "/recherche?q=tramway&candidat=claire-martin&page=1")
    page.get_by_text("Enregistrer cette recherche").click()
    page.get_by_label("Nom de la recherche").fill("Tramway — Claire Martin")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page).to_have_url(web.url + "/recherches")
    expect(page.get_by_role("status")).to_contain_text("« Tramway — Claire Martin » enregistrée")
    saved = page.get_by_role("link", name="Tramway — Claire Martin")
    href = saved.get_attribute("href")
    assert href is not None and href.startswith("/recherches/")
    expect(page.locator(".recherches")).to_contain_text("Candidat·e : Claire Martin")
    saved.click()
    expect(page).to_have_url(web.url + "/recherche?q=tramway&candidat=claire-martin")
    expect(page.locator(".filtres-actifs")).to_contain_text("Claire Martin")
    # The link works again later, typed or bookmarked.
    page.goto(web.url + href)
    expect(page).to_have_url(web.url + "/recherche?q=tramway&candidat=claire-martin")


@BOTH_STORES
def test_a_hostile_page_is_shown_as_text_on_the_search_and_document_pages(
    web: WebServer, page: Page
) -> None:
    login(page, web, "sami")
    page.goto(web.url + "/recherche?q=detracteurs")
    title = page.locator(".resultat-titre")
    expect(title).to_have_text(HOSTILE_TITLE)
    page.goto(f"{web.url}/document/{HOSTILE_ID}")
    expect(page.locator("h1")).to_have_text(HOSTILE_TITLE)
    expect(page.locator(".texte-complet")).to_contain_text("<iframe src=")
    for where in ("/recherche?q=detracteurs", f"/document/{HOSTILE_ID}"):
        page.goto(web.url + where)
        # No element came from the page: only our own scripts (none) and markup.
        assert page.locator("main script, main iframe, main img, main b").count() == 0
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        assert hrefs and not [h for h in hrefs if not h.startswith(("http://", "https://"))]
    expect(page.get_by_text("adresse d’origine non affichable")).to_be_visible()
    # The PageGuard fails this test if any dialog opened or the console logged an error.


def test_search_and_dashboard_screenshots_on_a_laptop_and_a_phone(
    web: WebServer, new_page: Callable[..., Page]
) -> None:
    for viewport, label in ((None, "bureau"), (PHONE, "telephone")):
        page = new_page(viewport=viewport)
        login(page, web, "sami")
        page.goto(web.url + "/recherche?q=tramway+OR+loyers")
        expect(page.locator(".resultat").first).to_be_visible()
        screenshot(page, f"recherche-{label}")
        page.goto(web.url + "/tableau-de-bord")
        # One drawing of the daily chart per screen size; its text stays readable.
        chart = page.locator("svg.chart:visible").first
        expect(chart).to_have_attribute(
            "aria-labelledby",
            "courbe-etroite-t courbe-etroite-d"
            if viewport
            else "courbe-candidats-t courbe-candidats-d",
        )
        expect(page.locator(".legend")).to_contain_text("Claire Martin")
        expect(page.locator("#titre-grappes + ol")).to_contain_text("3 sites")
        expect(page.locator("#titre-fils ~ ul")).to_contain_text("Logements sociaux")
        screenshot(page, f"tableau-de-bord-{label}")
        box = chart.bounding_box()
        assert box is not None and box["width"] <= page.viewport_size["width"]  # type: ignore[index]


def test_the_dashboard_shows_source_health_and_the_alert_rules_last_emails(
    web: WebServer, page: Page
) -> None:
    watchlist = web.settings.watchlist
    watchlist.write_text(
        watchlist.read_text(encoding="utf-8").replace(
            "alerts: []",
            "alerts:\n  - id: claire-direct\n    kind: immediate\n    name: Claire Martin en direct"
            "\n    to: [equipe-numerique@example.org]\n    candidates: [claire-martin]\n",
        ),
        encoding="utf-8",
    )
    now = datetime.now(UTC)
    with RunLog.in_data_dir(web.settings.data_dir) as runs:
        runs.record(
            "gazette", None, "run", now - timedelta(hours=2), now, "failed", "HTTP 503 partout"
        )
    message = EmailMessage()
    message["From"] = "traceur@example.org"
    message["Subject"] = "Claire Martin citée dans La Gazette des deux rives"
    with AlertState.in_data_dir(web.settings.data_dir) as state:
        with state.transaction(now) as tx:
            tx.enqueue("k1", "claire-direct", message, ["equipe-numerique@example.org"])
        state.mark_sent("k1", now)
    login(page, web, "lea")
    page.goto(web.url + "/tableau-de-bord?periode=30j")
    expect(page.locator(".periodes .choisi")).to_have_text("30 derniers jours")
    gazette = page.locator("#titre-sources ~ div tr").filter(has_text="gazette")
    expect(gazette).to_contain_text("échec")
    expect(gazette).to_contain_text("il y a 2 h")
    rules = page.locator(".regles")
    expect(rules).to_contain_text("Claire Martin en direct")
    expect(rules).to_contain_text("1 courriel envoyé")
    expect(rules).to_contain_text("Claire Martin citée dans La Gazette des deux rives (envoyé)")


def test_every_control_of_the_pages_has_a_label(web: WebServer, page: Page) -> None:
    login(page, web, "sami")
    wire = _wire_ids(web)[0]
    for where in ("/recherche?q=tramway", f"/document/{wire}", "/tableau-de-bord", "/recherches"):
        page.goto(web.url + where)
        unlabelled = page.eval_on_selector_all(
            "input:not([type=hidden]), select, textarea",
            "els => els.filter(e => !(e.labels && e.labels.length)"
            " && !e.getAttribute('aria-label')).map(e => e.outerHTML)",
        )
        assert unlabelled == [], where


@BOTH_STORES
def test_a_video_shows_its_channel_and_duration_and_an_edited_page_its_versions(
    web: WebServer, page: Page
) -> None:
    video = next(d for d in web.docs if d.kind == "video")
    blog = next(d for d in web.docs if d.kind == "blog_post")
    web.store.update_triage(blog.id, by="hugo", expected_revision=0, state="vu")
    # The blog post is edited and crawled again: its old text becomes a version, and the
    # triage stays.
    edited = replace(blog, text=blog.text + "\nMise à jour : l'auteure a ajouté un chiffre.")
    web.store.upsert([edited])
    refresh = getattr(web.store, "refresh", None)
    if refresh is not None:
        refresh()
    login(page, web, "lea")
    page.goto(f"{web.url}/document/{video.id}")
    facts = page.locator("#titre-video + dl")
    expect(facts).to_contain_text("Télé Val — politique")
    expect(facts).to_contain_text("52 min 05 s")
    expect(facts).to_contain_text("1\u202f840")
    page.goto(f"{web.url}/document/{blog.id}")
    expect(page.locator("#titre-versions")).to_have_text("Versions précédentes (1)")
    expect(page.locator(".texte-complet").first).to_contain_text("Mise à jour : l'auteure")
    expect(page.locator("#triage")).to_contain_text("État actuel : vu")
