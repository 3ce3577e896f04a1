"""Forum engines one version at a time: phpBB 2 and 3, vBulletin 3, 4 and 5, SMF 2, MyBB,
FluxBB and PunBB 1.4, IP.Board 3 and Invision 4, XenForo 1 and 2. Each is recognised by
its own markup, none for another, and its default theme's thread and board pages give
every post (author, UTC date, id, position, thread title, URL) with quotes apart, every
thread link, the next page and the sub-forums.

Fixtures are original French pages in tests/fixtures/forums/<engine-version>/, written as
each engine's default theme renders them ("now" for their relative dates is NOW). A
whole vBulletin 5 site, tests/sites/www.castelroux-forum.example/, is also crawled end to
end by the forum spider."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from traceur.config import Settings
from traceur.demo.localweb import LocalWeb, Response
from traceur.document import Document
from traceur.orchestra.passes import run_pass
from traceur.parse.dates import parse_french_date
from traceur.parse.forums import (
    ENGINES,
    BoardPage,
    ThreadPage,
    detect_engine,
    parse_board,
    parse_thread_page,
)
from traceur.parse.forums.pagination import first_page_url
from traceur.parse.html import clean_url

from .test_collectors import all_documents
from .test_crawl import write_watchlist

TESTS = Path(__file__).resolve().parent
FORUMS = TESTS / "fixtures" / "forums"
SITES = TESTS / "sites"
PARIS = ZoneInfo("Europe/Paris")
# A Saturday: the fixtures' "Aujourd'hui" is 13 March 2027, "Hier" the 12th.
NOW = datetime(2027, 3, 13, 10, 30, tzinfo=PARIS)

VB5_HOST = "www.castelroux-forum.example"
VB5 = f"http://{VB5_HOST}"
VB5_BOARD = f"{VB5}/forum/vie-municipale"
VB5_POSTE = f"{VB5_BOARD}/1482-la-poste-de-castelroux-va-t-elle-fermer"
VB5_PLU = f"{VB5_BOARD}/1475-reunion-publique-sur-le-plu-jeudi"
VB5_SUB = f"{VB5_BOARD}/conseil-municipal"
VB5_CR = f"{VB5_SUB}/1460-compte-rendu-du-conseil-du-4-mars"


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


@dataclass(frozen=True)
class Fixture:
    """One engine version: where its pages are, and the URLs they were served at."""

    version: str
    engine: str
    thread_url: str
    board_url: str
    encoding: str = "utf-8"
    thread_file: Path | None = None
    board_file: Path | None = None

    def thread_html(self) -> str:
        path = self.thread_file or FORUMS / self.version / "thread.html"
        return path.read_text(encoding=self.encoding)

    def board_html(self) -> str:
        path = self.board_file or FORUMS / self.version / "board.html"
        return path.read_text(encoding=self.encoding)

    def thread(self, now: datetime = NOW) -> ThreadPage:
        return parse_thread_page(self.thread_html(), self.thread_url, now=now)

    def board(self) -> BoardPage:
        return parse_board(self.board_html(), self.board_url, now=NOW)


def _site_file(url: str) -> Path:
    return SITES / VB5_HOST / url.removeprefix(VB5).lstrip("/") / "index.html"


FIXTURES = {
    fixture.version: fixture
    for fixture in (
        Fixture(
            "phpbb2",
            "phpbb",
            "http://forum.brassac-riviere.example/viewtopic.php?t=412",
            "http://forum.brassac-riviere.example/viewforum.php?f=3",
            encoding="iso-8859-1",
        ),
        Fixture(
            "phpbb3",
            "phpbb",
            "https://forum.sainte-odile-des-pres.example/viewtopic.php?f=5&t=733",
            "https://forum.sainte-odile-des-pres.example/viewforum.php?f=5",
        ),
        Fixture(
            "vbulletin3",
            "vbulletin",
            "http://www.forum-montferrand.example/showthread.php?t=2291",
            "http://www.forum-montferrand.example/forumdisplay.php?f=4",
            encoding="iso-8859-1",
        ),
        Fixture(
            "vbulletin4",
            "vbulletin",
            "https://www.lanvezec-forum.example/showthread.php?3120-Eoliennes-sur-le-plateau-referendum-local",
            "https://www.lanvezec-forum.example/forumdisplay.php?12-Energie-et-environnement",
        ),
        Fixture(
            "vbulletin5",
            "vbulletin",
            "https://forum.pradelles-vieilles.example/forum/ecoles-et-jeunesse/907-cantine-le-repas-a-1-euro-vraiment",
            "https://forum.pradelles-vieilles.example/forum/ecoles-et-jeunesse",
        ),
        Fixture(
            "smf2",
            "smf",
            "https://www.pont-aubert-forum.example/index.php?topic=873.0",
            "https://www.pont-aubert-forum.example/index.php?board=2.0",
        ),
        Fixture(
            "mybb18",
            "mybb",
            "https://forum.villemarais.example/showthread.php?tid=1543",
            "https://forum.villemarais.example/forumdisplay.php?fid=6",
        ),
        Fixture(
            "fluxbb15",
            "fluxbb",
            "https://forum.saint-gildas-des-monts.example/viewtopic.php?id=2088",
            "https://forum.saint-gildas-des-monts.example/viewforum.php?id=3",
        ),
        Fixture(
            "punbb14",
            "fluxbb",
            "http://forum.ormes-sur-vire.example/viewtopic.php?id=318",
            "http://forum.ormes-sur-vire.example/viewforum.php?id=4",
        ),
        Fixture(
            "invision3",
            "invision",
            "https://forum.roquevive.example/topic/5521-zone-commerciale-des-fourches-le-projet-revient/",
            "https://forum.roquevive.example/forum/7-politique-locale/",
        ),
        Fixture(
            "invision4",
            "invision",
            "https://www.belmont-vigier-forum.example/topic/2207-transports-scolaires-une-nouvelle-ligne-vers-le-college/",
            "https://www.belmont-vigier-forum.example/forum/4-vie-locale/",
        ),
        Fixture(
            "xenforo1",
            "xenforo",
            "https://forum.orgeval-les-vignes.example/threads/marche-nocturne-la-mairie-recule.4410/",
            "https://forum.orgeval-les-vignes.example/forums/vie-du-village.6/",
        ),
        Fixture(
            "xenforo2",
            "xenforo",
            "https://forum.vallon-sainte-reine.example/threads/ligne-de-bus-12-supprimee-petition.9031/",
            "https://forum.vallon-sainte-reine.example/forums/transports-et-voirie.14/",
        ),
    )
}
VERSIONS = sorted(FIXTURES)


# -- every post, exactly ---------------------------------------------------------------

# (post id, author, UTC date, position, anchor of the post URL) in page order. The
# comment after a date says how the page shows it when it is not a machine timestamp.
POSTS: dict[str, list[tuple[str, str, datetime, int, str]]] = {
    "phpbb2": [
        (
            "5120",
            "Jeannot_du_moulin",
            utc(2027, 3, 11, 19, 41),
            1,
            "#5120",
        ),  # Jeu 11 Mar 2027 20:41
        ("5123", "Maryse G.", utc(2027, 3, 11, 20, 7), 2, "#5123"),
        ("5131", "Le Garde-Champêtre", utc(2027, 3, 12, 6, 58), 3, "#5131"),
        ("5140", "Jeannot_du_moulin", utc(2027, 3, 12, 11, 30), 4, "#5140"),
    ],
    "phpbb3": [
        (
            "20871",
            "Odile_et_Marcel",
            utc(2027, 3, 10, 18, 12),
            1,
            "#p20871",
        ),  # mer. 10 mars 2027 19:12
        ("20874", "Hélène R.", utc(2027, 3, 12, 21, 47), 2, "#p20874"),  # Hier, 22:47
        ("20880", "cheminot_retraité", utc(2027, 3, 13, 7, 3), 3, "#p20880"),  # Aujourd’hui, 08:03
        ("20883", "Odile_et_Marcel", utc(2027, 3, 13, 9, 5), 4, "#p20883"),  # il y a 25 minutes
    ],
    "vbulletin3": [
        ("48830", "Pierrot11", utc(2027, 3, 8, 17, 20), 1, "#post48830"),  # 08/03/2027, 18h20
        ("48836", "Sylvie_Aude", utc(2027, 3, 10, 6, 55), 2, "#post48836"),
        ("48841", "Modo_Aude", utc(2027, 3, 12, 20, 37), 3, "#post48841"),  # Hier, 21h37
        ("48845", "Pierrot11", utc(2027, 3, 13, 8, 48), 4, "#post48845"),  # Aujourd'hui, 09h48
    ],
    "vbulletin4": [
        ("77102", "Yann Le Goff", utc(2027, 3, 9, 19, 31), 1, "#post77102"),  # 09/03/2027, 20h31
        ("77110", "Soazig", utc(2027, 3, 11, 11, 3), 2, "#post77110"),
        ("77118", "Gwen_du_bourg", utc(2027, 3, 12, 8, 12), 3, "#post77118"),  # Hier, 09h12
        ("77125", "Yann Le Goff", utc(2027, 3, 13, 7, 40), 4, "#post77125"),  # Aujourd'hui, 08h40
    ],
    "vbulletin5": [
        ("907", "Josiane_P", utc(2027, 3, 9, 11, 30), 1, "#post907"),
        ("912", "Lucien_Mazel", utc(2027, 3, 12, 17, 45), 2, "#post912"),  # Hier, 18:45
        ("915", "Josiane_P", utc(2027, 3, 13, 8, 55), 3, "#post915"),  # Aujourd'hui, 09:55
    ],
    "smf2": [
        ("11502", "Martine Cazals", utc(2027, 3, 9, 20, 14, 52), 1, "#msg11502"),
        ("11507", "Loulou_PA", utc(2027, 3, 11, 6, 41, 3), 2, "#msg11507"),  # Réponse #1
        ("11519", "Un_voisin", utc(2027, 3, 12, 17, 26, 40), 3, "#msg11519"),  # Hier à 18:26:40
        ("11524", "Martine Cazals", utc(2027, 3, 13, 7, 5, 11), 4, "#msg11524"),
    ],
    "mybb18": [
        ("40211", "Bastien_V", utc(2027, 3, 8, 18, 2), 1, "#pid40211"),  # 08/03/2027, 19:02
        ("40219", "Pharmacie_du_Marais", utc(2027, 3, 10, 11, 47), 2, "#pid40219"),
        ("40226", "Nadia.B", utc(2027, 3, 12, 20, 30), 3, "#pid40226"),  # Hier (12/03/2027), 21:30
        ("40230", "Bastien_V", utc(2027, 3, 13, 8, 47), 4, "#pid40230"),  # Il y a 43 minutes
    ],
    "fluxbb15": [
        ("31905", "Fanfan_du_col", utc(2027, 3, 7, 17, 44, 9), 1, "#p31905"),  # 2027-03-07 18:44:09
        ("31911", "Jeanine M.", utc(2027, 3, 9, 7, 2, 51), 2, "#p31911"),
        ("31920", "le_passant", utc(2027, 3, 12, 21, 16, 30), 3, "#p31920"),  # Hier 22:16:30
        ("31923", "Fanfan_du_col", utc(2027, 3, 13, 8, 58, 2), 4, "#p31923"),
    ],
    "punbb14": [
        (
            "2410",
            "Yvette_Lemarchand",
            utc(2027, 3, 6, 16, 2, 44),
            1,
            "#p2410",
        ),  # 06-03-2027 17:02:44
        ("2417", "Marc.Hébert", utc(2027, 3, 12, 19, 11, 9), 2, "#p2417"),  # Hier 20:11:09
        ("2421", "Yvette_Lemarchand", utc(2027, 3, 13, 8, 37, 51), 3, "#p2421"),
    ],
    "invision3": [
        ("119804", "Pascale D.", utc(2027, 3, 6, 17, 25), 1, "#entry119804"),
        ("119822", "Tonton Gérald", utc(2027, 3, 12, 19, 40), 2, "#entry119822"),
        ("119830", "commerçant_RV", utc(2027, 3, 13, 8, 15), 3, "#entry119830"),
    ],
    "invision4": [
        ("40677", "Karim_BV", utc(2027, 3, 5, 7, 48), 1, "#elComment_40677"),
        ("40691", "Odette des Essarts", utc(2027, 3, 11, 17, 45), 2, "#elComment_40691"),
        ("40702", "Karim_BV", utc(2027, 3, 13, 8, 30), 3, "#elComment_40702"),
    ],
    "xenforo1": [
        (
            "61203",
            "Sandrine V.",
            utc(2027, 3, 2, 18, 20),
            1,
            "#post-61203",
        ),  # title="2 Mars 2027 à 19:20"
        ("61219", "Pierre-Alain", utc(2027, 3, 8, 19, 45), 2, "#post-61219"),
        ("61240", "Nono de la Halle", utc(2027, 3, 13, 8, 40), 3, "#post-61240"),
    ],
    "xenforo2": [
        ("120455", "Rémi des Hauts", utc(2027, 3, 4, 16, 12), 1, "#post-120455"),
        ("120478", "Lise_V", utc(2027, 3, 10, 6, 30), 2, "#post-120478"),
        ("120502", "Momo78", utc(2027, 3, 12, 20, 3), 3, "#post-120502"),
    ],
}

# (title, thread URL, next page, page count) of the thread page.
FRAMES: dict[str, tuple[str, str, str | None, int]] = {
    "phpbb2": (
        "Fusion des écoles : le conseil a voté",
        "http://forum.brassac-riviere.example/viewtopic.php?t=412",
        "http://forum.brassac-riviere.example/viewtopic.php?t=412&postdays=0&postorder=asc&start=4",
        2,
    ),
    "phpbb3": (
        "Parking de la gare : payant dès avril ?",
        "https://forum.sainte-odile-des-pres.example/viewtopic.php?t=733",
        "https://forum.sainte-odile-des-pres.example/viewtopic.php?f=5&t=733&start=4",
        2,
    ),
    "vbulletin3": (
        "Budget 2027 : la taxe foncière augmente de 4 %",
        "http://www.forum-montferrand.example/showthread.php?t=2291",
        "http://www.forum-montferrand.example/showthread.php?t=2291&page=2",
        2,
    ),
    "vbulletin4": (
        "Éoliennes sur le plateau : référendum local ?",
        "https://www.lanvezec-forum.example/showthread.php?3120-Eoliennes-sur-le-plateau-referendum-local",
        "https://www.lanvezec-forum.example/showthread.php?3120-Eoliennes-sur-le-plateau-referendum-local/page2",
        2,
    ),
    "vbulletin5": (
        "Cantine : le repas à 1 euro, vraiment ?",
        "https://forum.pradelles-vieilles.example/forum/ecoles-et-jeunesse/907-cantine-le-repas-a-1-euro-vraiment",
        None,
        1,
    ),
    "smf2": (
        "Cantine bio : qui paiera ?",
        "https://www.pont-aubert-forum.example/index.php?topic=873.0",
        "https://www.pont-aubert-forum.example/index.php?topic=873.4",
        2,
    ),
    "mybb18": (
        "Piste cyclable de l'avenue Jaurès",
        "https://forum.villemarais.example/showthread.php?tid=1543",
        "https://forum.villemarais.example/showthread.php?tid=1543&page=2",
        2,
    ),
    "fluxbb15": (
        "Le maire démissionne ?",
        "https://forum.saint-gildas-des-monts.example/viewtopic.php?id=2088",
        "https://forum.saint-gildas-des-monts.example/viewtopic.php?id=2088&p=2",
        2,
    ),
    "punbb14": (
        "Conseil municipal des jeunes : élections en avril",
        "http://forum.ormes-sur-vire.example/viewtopic.php?id=318",
        "http://forum.ormes-sur-vire.example/viewtopic.php?id=318&p=2",
        2,
    ),
    "invision3": (
        "Zone commerciale des Fourches : le projet revient",
        "https://forum.roquevive.example/topic/5521-zone-commerciale-des-fourches-le-projet-revient/",
        "https://forum.roquevive.example/topic/5521-zone-commerciale-des-fourches-le-projet-revient/page-2",
        2,
    ),
    "invision4": (
        "Transports scolaires : une nouvelle ligne vers le collège",
        "https://www.belmont-vigier-forum.example/topic/2207-transports-scolaires-une-nouvelle-ligne-vers-le-college/",
        "https://www.belmont-vigier-forum.example/topic/2207-transports-scolaires-une-nouvelle-ligne-vers-le-college/page/2/",
        2,
    ),
    "xenforo1": (
        "Marché nocturne : la mairie recule",
        "https://forum.orgeval-les-vignes.example/threads/marche-nocturne-la-mairie-recule.4410/",
        "https://forum.orgeval-les-vignes.example/threads/marche-nocturne-la-mairie-recule.4410/page-2",
        2,
    ),
    "xenforo2": (
        "Ligne de bus 12 supprimée : pétition",
        "https://forum.vallon-sainte-reine.example/threads/ligne-de-bus-12-supprimee-petition.9031/",
        "https://forum.vallon-sainte-reine.example/threads/ligne-de-bus-12-supprimee-petition.9031/page-2",
        2,
    ),
}


@pytest.mark.parametrize("version", VERSIONS)
def test_thread_page_gives_every_post_with_author_utc_date_id_position_and_url(
    version: str,
) -> None:
    fixture = FIXTURES[version]
    page = fixture.thread()
    # Each first page is its thread's URL (phpBB 3's by its canonical link, without "f=").
    page_url = FRAMES[version][1]

    assert page.engine == fixture.engine
    assert [(p.post_id, p.author, p.published_at, p.position, p.url) for p in page.posts] == [
        (ident, author, date, position, page_url + anchor)
        for ident, author, date, position, anchor in POSTS[version]
    ]


@pytest.mark.parametrize("version", VERSIONS)
def test_thread_page_knows_its_title_thread_url_and_next_page(version: str) -> None:
    page = FIXTURES[version].thread()
    title, thread_url, next_page, count = FRAMES[version]

    assert (page.title, page.thread_url, page.next_page_url, page.page_count) == (
        title,
        thread_url,
        next_page,
        count,
    )
    assert page.page_number == 1
    assert page.page_urls == ((thread_url, next_page) if next_page else (thread_url,))


# -- quotes and boilerplate ---------------------------------------------------------------

# (the quoting post, the quoted words, its own first words) per version.
QUOTES: dict[str, tuple[str, str, str]] = {
    "phpbb2": (
        "5123",
        "le maire Gilbert Sauvagnac a parlé d'une « décision de raison »",
        "De raison budgétaire surtout.",
    ),
    "phpbb3": ("20874", "ça fait 30 € par mois", "Et encore, c’est sans compter"),
    "vbulletin3": (
        "48836",
        "La majorité parle de la rénovation du gymnase Jean-Moulin",
        "Le gymnase, on nous le promet",
    ),
    "vbulletin4": (
        "77110",
        "Une consultation, pas un référendum. Ça n'engage à rien.",
        "Juridiquement une commune",
    ),
    "vbulletin5": ("912", "Combien ça coûte au budget ?", "D'après le rapport, 11 000 euros"),
    "smf2": ("11507", "Qui paie la différence ? Les familles ou la commune ?", "Le maire a dit"),
    "mybb18": (
        "40219",
        "on perd 38 places de stationnement entre la poste et le rond-point du Marais.",
        "Trente-huit places",
    ),
    "fluxbb15": (
        "31911",
        "ce serait une élection partielle, ou c'est le premier adjoint qui reprend ?",
        "Ni l'un ni l'autre",
    ),
    "punbb14": (
        "2417",
        "quelqu'un sait ce qu'ils ont fait la dernière fois ?",
        "Le skatepark derrière le gymnase",
    ),
    "invision3": ("119822", "Qui soutient ce projet au conseil ?", "Le maire, pour les 80 emplois"),
    "invision4": ("40691", "Départ 7 h 22, retour 17 h 10.", "17 h 10 c’est bien"),
    "xenforo1": (
        "61219",
        "Motif : « nuisances sonores » après trois plaintes de riverains.",
        "Trois plaintes, dont deux",
    ),
    "xenforo2": (
        "120478",
        "remplacé le reste du temps par du transport à la demande.",
        "Le transport à la demande, il faut",
    ),
}
# What each quote's attribution says: never part of the quote nor of the reply.
ATTRIBUTIONS = (
    "a écrit",
    "Posté par",
    "Envoyé par",
    "Citation",
    "a dit :",
    "a dit:",
    "Cliquez pour agrandir",
)


@pytest.mark.parametrize("version", VERSIONS)
def test_quoted_words_are_kept_apart_from_the_quoting_authors_own(version: str) -> None:
    post_id, quoted, own_start = QUOTES[version]
    post = next(p for p in FIXTURES[version].thread().posts if p.post_id == post_id)

    assert post.quotes == (quoted,)
    assert post.text.startswith(own_start)
    assert quoted not in post.text
    assert not any(words in post.text or words in post.quotes[0] for words in ATTRIBUTIONS)


# Signatures, edit notes, reactions and buttons each fixture shows around its messages.
BOILERPLATE: dict[str, tuple[str, ...]] = {
    "phpbb2": ("comité des fêtes", "modération du forum", "Dernière édition", "Revenir en haut"),
    "phpbb3": ("ses trains en retard", "Dernière modification", "Citer", "Haut"),
    "vbulletin3": ("Montferrand d'abord", "charte avant de poster", "Répondre avec citation"),
    "vbulletin4": ("plateau de Kerhouant", "Ar vro", "Répondre avec citation", "Signaler"),
    "vbulletin5": ("école des Bories", "J'aime", "Citer", "Signaler", "Date d'inscription"),
    "smf2": ("parent d'élèves", "Modifié", "Signaler au modérateur", "Journalisée", "Citer"),
    "mybb18": ("vélotaffeur", "Ce message a été modifié", "Répondre", "Signaler", "Trouver"),
    "fluxbb15": ("au col depuis toujours", "Dernière modification", "Signaler", "Citer"),
    "punbb14": ("rue du Lavoir", "Dernière modification", "Signaler", "Citer", "Hors ligne"),
    "invision3": ("Centre Vivant", "Modifié par", "J'aime", "MultiCitation", "Citer"),
    "invision4": ("FCPE Belmont-Vigier", "Modifié", "J’aime", "Citer"),
    "xenforo1": ("coteau des Brûlés", "aiment ceci", "J'aime", "Répondre", "Permalien"),
    "xenforo2": ("Comité de quartier", "Dernière édition", "J'aime", "Répondre", "Réactions"),
}


@pytest.mark.parametrize("version", VERSIONS)
def test_signatures_edit_notes_likes_and_buttons_stay_out_of_the_post_text(
    version: str,
) -> None:
    page = FIXTURES[version].thread()
    html = FIXTURES[version].thread_html()

    for words in BOILERPLATE[version]:
        assert words in html, f"the fixture shows {words!r}"
        leaks = [p.post_id for p in page.posts if words in p.text]
        assert not leaks, (words, leaks)
    assert all(p.text for p in page.posts)


# -- dates -------------------------------------------------------------------------------


# Machine timestamps these pages carry besides the printed date (unix times, ISO values).
_MACHINE_DATES = re.compile(
    r"""\s(?:datetime|data-time|data-timestamp)=["'][^"']*["']"""
    r"""|\stitle=["']\d{4}-\d{2}-\d{2}T[^"']*["']"""
)


@pytest.mark.parametrize(
    "version", ["invision3", "invision4", "vbulletin5", "xenforo1", "xenforo2"]
)
def test_printed_french_dates_agree_with_the_machine_timestamps(version: str) -> None:
    # Without its machine timestamps each page still dates every post to the minute from
    # its French words ("Hier, 20:40", "Il y a 1 heure", "4 Mars 2027 à 17:12").
    fixture = FIXTURES[version]
    printed_only = _MACHINE_DATES.sub("", fixture.thread_html())
    assert printed_only != fixture.thread_html()

    page = parse_thread_page(printed_only, fixture.thread_url, now=NOW)

    assert [p.published_at for p in page.posts] == [date for _, _, date, _, _ in POSTS[version]]


def test_a_dated_title_beats_the_relative_words_it_explains() -> None:
    # MyBB: <span title="13/03/2027, 09:47">Il y a 43 minutes</span>. Read a day late, the
    # words alone would say the 14th; the title still says the 13th.
    later = FIXTURES["mybb18"].thread(now=NOW + timedelta(days=1))

    assert [p.published_at for p in later.posts] == [date for _, _, date, _, _ in POSTS["mybb18"]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Aujourd'hui à 14:05", utc(2027, 3, 13, 13, 5)),
        ("Hier, 09h12", utc(2027, 3, 12, 8, 12)),
        ("12 mars 2027, 14:05", utc(2027, 3, 12, 13, 5)),
        ("Ven 12 Mar 2027 14:05", utc(2027, 3, 12, 13, 5)),  # phpBB 2
        ("12/03/2027, 14h05", utc(2027, 3, 12, 13, 5)),  # vBulletin 3 and 4
        ("12 mars 2027 - 14:05", utc(2027, 3, 12, 13, 5)),  # IP.Board 3
        ("le : 12 mars 2027 à 14:05:33", utc(2027, 3, 12, 13, 5, 33)),  # SMF
        ("2027-03-12 14:05:33", utc(2027, 3, 12, 13, 5, 33)),  # FluxBB
        ("24 Févr. 2027 à 08:31", utc(2027, 2, 24, 7, 31)),  # XenForo 1
        ("Mercredi à 07:30", utc(2027, 3, 10, 6, 30)),  # XenForo 2, within the week
        ("il y a 25 minutes", utc(2027, 3, 13, 9, 5)),
        ("12 mars 2027 à 14 h 05 min", utc(2027, 3, 12, 13, 5)),  # bbPress, French WordPress
        ("il y a 1 semaine et 3 jours", utc(2027, 3, 3, 9, 30)),  # bbPress's rounded ages
        ("il y a 2 heures et 5 minutes", utc(2027, 3, 13, 7, 25)),
        ("il y a 1 an et 2 mois", utc(2026, 1, 12, 9, 30)),
        ("il y a 1 semaine 4 jours", utc(2027, 3, 2, 9, 30)),  # Kunena, no "et"
    ],
)
def test_each_engines_french_date_form_is_read_in_paris_time(text: str, expected: datetime) -> None:
    assert parse_french_date(text, now=NOW) == expected


# -- boards ------------------------------------------------------------------------------

# (thread URL, title, replies, last post, last page) per row; then next page, sub-forums.
BOARDS: dict[str, tuple[list[tuple[str, str, int, datetime, str | None]], str, tuple[str, ...]]] = {
    "phpbb2": (
        [
            (
                "http://forum.brassac-riviere.example/viewtopic.php?t=17",
                "Charte du forum : à lire avant de poster",
                0,
                utc(2015, 2, 14, 9, 12),
                None,
            ),
            (
                "http://forum.brassac-riviere.example/viewtopic.php?t=412",
                "Fusion des écoles : le conseil a voté",
                6,
                utc(2027, 3, 13, 8, 2),
                "http://forum.brassac-riviere.example/viewtopic.php?t=412&start=4",
            ),
            (
                "http://forum.brassac-riviere.example/viewtopic.php?t=409",
                "Éclairage public coupé à minuit : premier bilan",
                2,
                utc(2027, 3, 9, 17, 47),
                None,
            ),
        ],
        "http://forum.brassac-riviere.example/viewforum.php?f=3&topicdays=0&start=3",
        (),
    ),
    "phpbb3": (
        [
            (
                "https://forum.sainte-odile-des-pres.example/viewtopic.php?f=5&t=733",
                "Parking de la gare : payant dès avril ?",
                6,
                utc(2027, 3, 13, 9, 12),
                "https://forum.sainte-odile-des-pres.example/viewtopic.php?f=5&t=733&start=4",
            ),
            (
                "https://forum.sainte-odile-des-pres.example/viewtopic.php?f=5&t=728",
                "Zone 30 rue des Tilleuls : les panneaux sont posés",
                3,
                utc(2027, 3, 4, 20, 5),
                None,
            ),
        ],
        "https://forum.sainte-odile-des-pres.example/viewforum.php?f=5&start=25",
        ("https://forum.sainte-odile-des-pres.example/viewforum.php?f=11",),
    ),
    "vbulletin3": (
        [
            (
                "http://www.forum-montferrand.example/showthread.php?t=2291",
                "Budget 2027 : la taxe foncière augmente de 4 %",
                5,
                utc(2027, 3, 13, 9, 14),
                "http://www.forum-montferrand.example/showthread.php?t=2291&page=2",
            ),
            (
                "http://www.forum-montferrand.example/showthread.php?t=2283",
                "Passerelle de l'Aude fermée : expertise en cours",
                3,
                utc(2027, 3, 5, 15, 40),
                None,
            ),
        ],
        "http://www.forum-montferrand.example/forumdisplay.php?f=4&order=desc&page=2",
        ("http://www.forum-montferrand.example/forumdisplay.php?f=9",),
    ),
    "vbulletin4": (
        [
            (
                "https://www.lanvezec-forum.example/showthread.php?3120-Eoliennes-sur-le-plateau-referendum-local",
                "Éoliennes sur le plateau : référendum local ?",
                6,
                utc(2027, 3, 13, 9, 2),
                "https://www.lanvezec-forum.example/showthread.php?3120-Eoliennes-sur-le-plateau-referendum-local/page2",
            ),
            (
                "https://www.lanvezec-forum.example/showthread.php?3114-Panneaux-solaires-de-la-salle-polyvalente",
                "Panneaux solaires de la salle polyvalente",
                2,
                utc(2027, 3, 3, 17, 47),
                None,
            ),
        ],
        "https://www.lanvezec-forum.example/forumdisplay.php?12-Energie-et-environnement/page2",
        ("https://www.lanvezec-forum.example/forumdisplay.php?13-Dechets-et-recyclage",),
    ),
    "vbulletin5": (
        [
            (
                "https://forum.pradelles-vieilles.example/forum/ecoles-et-jeunesse/907-cantine-le-repas-a-1-euro-vraiment",
                "Cantine : le repas à 1 euro, vraiment ?",
                2,
                utc(2027, 3, 13, 8, 55),
                None,
            ),
            (
                "https://forum.pradelles-vieilles.example/forum/ecoles-et-jeunesse/901-ramassage-scolaire-du-hameau-des-bories",
                "Ramassage scolaire du hameau des Bories",
                4,
                utc(2027, 3, 12, 16, 20),
                "https://forum.pradelles-vieilles.example/forum/ecoles-et-jeunesse/901-ramassage-scolaire-du-hameau-des-bories/page2",
            ),
        ],
        "",
        ("https://forum.pradelles-vieilles.example/forum/ecoles-et-jeunesse/centre-de-loisirs",),
    ),
    "smf2": (
        [
            (
                "https://www.pont-aubert-forum.example/index.php?topic=873.0",
                "Cantine bio : qui paiera ?",
                6,
                utc(2027, 3, 13, 9, 21, 37),
                "https://www.pont-aubert-forum.example/index.php?topic=873.4",
            ),
            (
                "https://www.pont-aubert-forum.example/index.php?topic=861.0",
                "Rythmes scolaires : retour à 4 jours ?",
                2,
                utc(2027, 2, 24, 18, 2, 44),
                None,
            ),
        ],
        "https://www.pont-aubert-forum.example/index.php?board=2.20",
        ("https://www.pont-aubert-forum.example/index.php?board=7.0",),
    ),
    "mybb18": (
        [
            (
                "https://forum.villemarais.example/showthread.php?tid=1543",
                "Piste cyclable de l'avenue Jaurès",
                6,
                utc(2027, 3, 13, 9, 8),
                "https://forum.villemarais.example/showthread.php?tid=1543&page=2",
            ),
            (
                "https://forum.villemarais.example/showthread.php?tid=1538",
                "Ligne de bus 4 : horaires du dimanche",
                1,
                utc(2027, 2, 27, 15, 44),
                None,
            ),
        ],
        "https://forum.villemarais.example/forumdisplay.php?fid=6&page=2",
        ("https://forum.villemarais.example/forumdisplay.php?fid=9",),
    ),
    "fluxbb15": (
        [
            (
                "https://forum.saint-gildas-des-monts.example/viewtopic.php?id=2088",
                "Le maire démissionne ?",
                6,
                utc(2027, 3, 13, 9, 11, 45),
                "https://forum.saint-gildas-des-monts.example/viewtopic.php?id=2088&p=2",
            ),
            (
                "https://forum.saint-gildas-des-monts.example/viewtopic.php?id=2071",
                "Déneigement de la route du col : qui paie ?",
                3,
                utc(2027, 2, 26, 16, 3, 21),
                None,
            ),
        ],
        "https://forum.saint-gildas-des-monts.example/viewforum.php?id=3&p=2",
        (),
    ),
    "punbb14": (
        [
            (
                "http://forum.ormes-sur-vire.example/viewtopic.php?id=318",
                "Conseil municipal des jeunes : élections en avril",
                4,
                utc(2027, 3, 13, 9, 19, 2),
                "http://forum.ormes-sur-vire.example/viewtopic.php?id=318&p=2",
            ),
            (
                "http://forum.ormes-sur-vire.example/viewtopic.php?id=311",
                "Terrain de foot synthétique : le vote du budget",
                2,
                utc(2027, 2, 27, 17, 40, 11),
                None,
            ),
        ],
        "http://forum.ormes-sur-vire.example/viewforum.php?id=4&p=2",
        (),
    ),
    "invision3": (
        [
            (
                "https://forum.roquevive.example/topic/5521-zone-commerciale-des-fourches-le-projet-revient/",
                "Zone commerciale des Fourches : le projet revient",
                5,
                utc(2027, 3, 13, 9, 2),
                "https://forum.roquevive.example/topic/5521-zone-commerciale-des-fourches-le-projet-revient/page-2",
            ),
            (
                "https://forum.roquevive.example/topic/5507-marche-du-samedi-deplace-place-du-foirail/",
                "Marché du samedi déplacé place du Foirail",
                2,
                utc(2027, 3, 1, 13, 27),
                None,
            ),
        ],
        "https://forum.roquevive.example/forum/7-politique-locale/page-2",
        ("https://forum.roquevive.example/forum/12-intercommunalite/",),
    ),
    "invision4": (
        [
            (
                "https://www.belmont-vigier-forum.example/topic/2207-transports-scolaires-une-nouvelle-ligne-vers-le-college/",
                "Transports scolaires : une nouvelle ligne vers le collège",
                4,
                utc(2027, 3, 13, 9, 12),
                "https://www.belmont-vigier-forum.example/topic/2207-transports-scolaires-une-nouvelle-ligne-vers-le-college/page/2/",
            ),
            (
                "https://www.belmont-vigier-forum.example/topic/2199-fibre-optique-ou-en-est-le-hameau-des-essarts/",
                "Fibre optique : où en est le hameau des Essarts ?",
                1,
                utc(2027, 2, 22, 18, 40),
                None,
            ),
        ],
        "https://www.belmont-vigier-forum.example/forum/4-vie-locale/page/2/",
        ("https://www.belmont-vigier-forum.example/forum/9-conseil-municipal/",),
    ),
    "xenforo1": (
        [
            (
                "https://forum.orgeval-les-vignes.example/threads/marche-nocturne-la-mairie-recule.4410/",
                "Marché nocturne : la mairie recule",
                4,
                utc(2027, 3, 13, 9, 5),
                "https://forum.orgeval-les-vignes.example/threads/marche-nocturne-la-mairie-recule.4410/page-2",
            ),
            (
                "https://forum.orgeval-les-vignes.example/threads/fete-des-vendanges-qui-organise.4398/",
                "Fête des vendanges : qui organise ?",
                2,
                utc(2027, 2, 24, 7, 31),
                None,
            ),
        ],
        "https://forum.orgeval-les-vignes.example/forums/vie-du-village.6/page-2",
        ("https://forum.orgeval-les-vignes.example/forums/associations.11/",),
    ),
    "xenforo2": (
        [
            (
                "https://forum.vallon-sainte-reine.example/threads/ligne-de-bus-12-supprimee-petition.9031/",
                "Ligne de bus 12 supprimée : pétition",
                5,
                utc(2027, 3, 13, 9, 21),
                "https://forum.vallon-sainte-reine.example/threads/ligne-de-bus-12-supprimee-petition.9031/page-2",
            ),
            (
                "https://forum.vallon-sainte-reine.example/threads/pont-de-la-reine-ferme-trois-semaines.9017/",
                "Pont de la Reine fermé trois semaines",
                2,
                utc(2027, 2, 26, 12, 0),
                None,
            ),
        ],
        "https://forum.vallon-sainte-reine.example/forums/transports-et-voirie.14/page-2",
        ("https://forum.vallon-sainte-reine.example/forums/pistes-cyclables.15/",),
    ),
}


@pytest.mark.parametrize("version", VERSIONS)
def test_board_lists_threads_with_replies_last_post_and_last_page(version: str) -> None:
    board = FIXTURES[version].board()
    rows, next_page, subforums = BOARDS[version]

    assert board.engine == FIXTURES[version].engine
    assert [
        (t.url, t.title, t.replies, t.last_post_at, t.last_page_url) for t in board.threads
    ] == rows
    assert (board.next_page_url or "", board.subforum_urls) == (next_page, subforums)


# -- detection: each page its own engine, none another's ----------------------------------

_EXISTING = [
    ("forum.phpbb-val.example", "viewtopic-1905.html", "phpbb"),
    ("forum.phpbb-val.example", "viewforum-12.html", "phpbb"),
    ("forum.phpbb-val.example", "index.html", "phpbb"),
    (
        "www.forum-vbulletin-centre.example",
        "threads/5512-Subventions-aux-associations-ce-que-propose-Lefort",
        "vbulletin",
    ),
    ("www.forum-vbulletin-centre.example", "forums/8-Politique-locale", "vbulletin"),
    (
        "forum.xenforo-loire.example",
        "threads/tramway-on-vote-pour-quoi-exactement.1204/",
        "xenforo",
    ),
    ("forum.xenforo-loire.example", "forums/municipales-2026.7/", "xenforo"),
    (
        "forum.invision-val.example",
        "topic/318-reunion-de-quartier-nord-avec-claire-martin/",
        "invision",
    ),
    ("forum.invision-val.example", "forum/4-vie-municipale/", "invision"),
    ("discourse.citoyens-loire.example", "t/tramway-ou-bus/42", "discourse"),
    ("discourse.citoyens-loire.example", "", "discourse"),
    (
        "www.parlons-en-val.example",
        "discussion/77-la-piscine-municipale-va-t-elle-fermer.html",
        "generic",
    ),
    ("www.parlons-en-val.example", "index.html", "generic"),
]


def _every_page() -> list[tuple[str, str, str, str]]:
    """(name, URL, HTML, expected engine) of every forum page the tests know."""
    pages = []
    for version, fixture in FIXTURES.items():
        pages.append(
            (f"{version}/thread", fixture.thread_url, fixture.thread_html(), fixture.engine)
        )
        pages.append((f"{version}/board", fixture.board_url, fixture.board_html(), fixture.engine))
    smf_page2 = (FORUMS / "smf2" / "thread-page2.html").read_text(encoding="utf-8")
    pages.append(("smf2/thread-page2", FRAMES["smf2"][2] or "", smf_page2, "smf"))
    for url in (VB5_BOARD, VB5_POSTE, f"{VB5_POSTE}/page2", VB5_PLU, VB5_SUB, VB5_CR):
        pages.append((url, url, _site_file(url).read_text(encoding="utf-8"), "vbulletin"))
    for host, path, engine in _EXISTING:
        target = SITES / host / path
        if path == "" or target.is_dir():
            target = target / "index.html"
        pages.append(
            (f"{host}/{path}", f"http://{host}/{path}", target.read_text(encoding="utf-8"), engine)
        )
    return pages


def test_every_forum_page_is_detected_as_its_own_engine_and_never_as_another() -> None:
    confusion: dict[tuple[str, str], list[str]] = {}
    for name, url, html, expected in _every_page():
        confusion.setdefault((expected, detect_engine(html, url)), []).append(name)

    wrong = {pair: names for pair, names in confusion.items() if pair[0] != pair[1]}
    assert not wrong, wrong
    engines = {"phpbb", "vbulletin", "smf", "mybb", "fluxbb", "invision", "xenforo", "discourse"}
    assert engines | {"generic"} == {expected for expected, _ in confusion}
    assert engines <= set(ENGINES)


# -- pagination -----------------------------------------------------------------------


def test_vbulletin5_second_page_continues_the_thread_of_the_first() -> None:
    first = parse_thread_page(_site_file(VB5_POSTE).read_text(encoding="utf-8"), VB5_POSTE, now=NOW)
    second = parse_thread_page(
        _site_file(f"{VB5_POSTE}/page2").read_text(encoding="utf-8"), f"{VB5_POSTE}/page2", now=NOW
    )

    assert (second.thread_url, second.page_number, second.next_page_url) == (VB5_POSTE, 2, None)
    assert second.page_urls == first.page_urls
    assert [(p.post_id, p.position, p.url) for p in second.posts] == [
        ("1503", 5, f"{VB5_POSTE}/page2#post1503"),
        ("1510", 6, f"{VB5_POSTE}/page2#post1510"),
    ]


def test_smf_later_page_places_its_posts_by_the_reply_numbers_it_shows() -> None:
    # Page 2 alone, as a later pass reads it: "Réponse #4" is the fifth post. Counting
    # from the page number would put its three posts at 4, 5 and 6.
    url = "https://www.pont-aubert-forum.example/index.php?topic=873.4"
    html = (FORUMS / "smf2" / "thread-page2.html").read_text(encoding="utf-8")
    page = parse_thread_page(html, url, now=NOW)

    assert (page.thread_url, page.page_number, page.next_page_url) == (
        FRAMES["smf2"][1],
        2,
        None,
    )
    assert [(p.post_id, p.author, p.position, p.url) for p in page.posts] == [
        ("11527", "Loulou_PA", 5, f"{url}#msg11527"),
        ("11529", "Gaby_des_Combes", 6, f"{url}#msg11529"),
        ("11531", "Loulou_PA", 7, f"{url}#msg11531"),
    ]
    assert page.posts[2].quotes == ("des lots par produit",)
    assert "ferme des Combes, vente directe" not in page.posts[1].text


@pytest.mark.parametrize(
    ("page_url", "thread_url"),
    [
        # phpBB 2 carries its display options in every page link.
        (
            "http://f.example/viewtopic.php?t=412&postdays=0&postorder=asc&start=4",
            "http://f.example/viewtopic.php?t=412",
        ),
        # phpBB 3 links topics with their forum id; its canonical link drops it.
        (
            "https://f.example/viewtopic.php?f=5&t=733&start=4",
            "https://f.example/viewtopic.php?t=733",
        ),
        # SMF: "topic=873.4" is the topic from its fifth post on.
        ("https://f.example/index.php?topic=873.4", "https://f.example/index.php?topic=873.0"),
        (
            "https://f.example/showthread.php?tid=1543&page=2",
            "https://f.example/showthread.php?tid=1543",
        ),
    ],
)
def test_a_later_page_url_leads_back_to_the_thread_url(page_url: str, thread_url: str) -> None:
    assert first_page_url(page_url) == thread_url


def test_vbulletin4_query_paths_survive_url_cleaning() -> None:
    # "showthread.php?3120-titre/page2" has a query made of one bare key: it is the path.
    url = "https://f.example/showthread.php?3120-Eoliennes-sur-le-plateau/page2"

    assert clean_url(url) == url
    assert clean_url(url + "&s=0123456789abcdef0123456789abcdef") == url


# -- the forum spider on a vBulletin 5 site, end to end --------------------------------

VB5_DOCUMENTS = {
    VB5_POSTE: [
        ("1482", 1, "Mado_Castel", "2027-03-08T17:10:00+00:00", f"{VB5_POSTE}#post1482"),
        ("1488", 2, "Thierry R.", "2027-03-09T06:42:00+00:00", f"{VB5_POSTE}#post1488"),
        ("1490", 3, "Mado_Castel", "2027-03-10T11:15:00+00:00", f"{VB5_POSTE}#post1490"),
        ("1497", 4, "Bernard_Lacaze", "2027-03-11T20:30:00+00:00", f"{VB5_POSTE}#post1497"),
        ("1503", 5, "Thierry R.", "2027-03-12T18:05:00+00:00", f"{VB5_POSTE}/page2#post1503"),
        ("1510", 6, "Mado_Castel", "2027-03-13T09:02:00+00:00", f"{VB5_POSTE}/page2#post1510"),
    ],
    VB5_PLU: [
        ("1475", 1, "Bernard_Lacaze", "2027-03-05T19:00:00+00:00", f"{VB5_PLU}#post1475"),
        ("1479", 2, "Nadège_V", "2027-03-06T08:15:00+00:00", f"{VB5_PLU}#post1479"),
        ("1481", 3, "Bernard_Lacaze", "2027-03-07T10:48:00+00:00", f"{VB5_PLU}#post1481"),
    ],
    VB5_CR: [
        ("1460", 1, "Thierry R.", "2027-03-04T22:10:00+00:00", f"{VB5_CR}#post1460"),
        ("1466", 2, "Nadège_V", "2027-03-05T07:20:00+00:00", f"{VB5_CR}#post1466"),
    ],
}


@pytest.mark.integration
def test_forum_spider_collects_every_post_of_a_vbulletin5_board_its_subforum_and_pages(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    # Members' names as the pages give them (tests/test_pseudonyms.py pins their hashing).
    settings = make_settings(sites_web, pseudonymize_authors=False)
    source = (
        f"  - {{id: castelroux, kind: forum, url: '{VB5_BOARD}', "
        "every: 1h, limits: {max_pages: 30, max_depth: 2}}\n"
    )
    summary = run_pass(settings, write_watchlist(tmp_path, source), quiet=True)
    docs = [d for d in all_documents(settings) if d.source_id == "castelroux"]

    assert summary.sources["castelroux"].new == 11
    assert all(d.kind == "forum_post" for d in docs)
    by_thread: dict[str, list[Document]] = {}
    for doc in docs:
        by_thread.setdefault(doc.thread_url or "", []).append(doc)
    assert {
        url: sorted(
            (
                d.post_id or "",
                d.position or 0,
                d.author or "",
                d.published_at.isoformat() if d.published_at else "",
                d.url,
            )
            for d in thread
        )
        for url, thread in by_thread.items()
    } == {url: sorted(posts) for url, posts in VB5_DOCUMENTS.items()}
    assert {d.title for d in by_thread[VB5_POSTE]} == {"La Poste de Castelroux va-t-elle fermer ?"}
    # Quoted words stay with their author: Mado's reply quotes Bernard, who names the mayor.
    reply = next(d for d in docs if d.post_id == "1510")
    assert "distributeur" not in reply.text and reply.text.startswith("On l'a déjà entendue")
    # Claire Martin is named by Bernard himself, not in a quote: his post mentions her.
    assert "claire-martin" in next(d for d in docs if d.post_id == "1481").candidates
    assert "jean-baptiste-lefort" in next(d for d in docs if d.post_id == "1497").candidates
    requested = {r.path for r in sites_web.requested(VB5_HOST)}
    assert "/forum/vie-municipale/1482-la-poste-de-castelroux-va-t-elle-fermer/page2" in requested
    assert all(r.status == 200 for r in sites_web.requested(VB5_HOST))


def _html_response(html: str) -> Response:
    return Response(200, html.encode(), {"Content-Type": "text/html; charset=utf-8"})


def _with_new_reply(page: str) -> str:
    """The Poste thread's second page with a seventh post, written like the sixth."""
    start = page.rindex('<li class="b-post', 0, page.index('data-node-id="1510"'))
    end = page.index("\n</li>", start) + len("\n</li>")  # the post's own, at line start
    block = page[start:end]
    text_start = block.index('itemprop="text">') + len('itemprop="text">')
    text_end = block.index('<div class="b-post__signature')
    reply = (
        block[:text_start]
        + "\nLa réunion du 25 est confirmée, Claire Martin y sera.\n</div>\n"
        + block[text_end:]
    )
    for old, new in (
        ("1510", "1518"),
        ("#6<", "#7<"),
        ("Mado_Castel", "Nadège_V"),
        ("88-mado_castel", "530-nadege_v"),
        ("Mado — quartier de la Bastide", "Nadège, parent d'élève"),
        ("2027-03-13T10:02:00+01:00", "2027-03-13T11:40:00+01:00"),
        ("Aujourd'hui, 10:02", "Aujourd'hui, 11:40"),
    ):
        reply = reply.replace(old, new)
    return page[:end] + "\n" + reply + page[end:]


@pytest.mark.integration
def test_vbulletin5_next_pass_reads_only_the_last_page_of_the_thread_with_a_new_reply(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    # Members' names as the pages give them (tests/test_pseudonyms.py pins their hashing).
    settings = make_settings(sites_web, pseudonymize_authors=False)
    source = (
        f"  - {{id: castelroux, kind: forum, url: '{VB5_BOARD}', "
        "every: 1h, limits: {max_pages: 30, max_depth: 2}}\n"
    )
    watchlist = write_watchlist(tmp_path, source)
    assert run_pass(settings, watchlist, quiet=True).sources["castelroux"].new == 11

    page2 = "/forum/vie-municipale/1482-la-poste-de-castelroux-va-t-elle-fermer/page2"
    sites_web.set(
        VB5_HOST,
        page2,
        _html_response(_with_new_reply(_site_file(VB5 + page2).read_text(encoding="utf-8"))),
    )
    board = _site_file(VB5_BOARD).read_text(encoding="utf-8")
    sites_web.set(
        VB5_HOST,
        "/forum/vie-municipale",
        _html_response(
            board.replace('"posts-count">5 réponses', '"posts-count">6 réponses').replace(
                "Aujourd'hui, 10:02", "Aujourd'hui, 11:40"
            )
        ),
    )
    sites_web.clear_log()
    second = run_pass(settings, watchlist, quiet=True)

    assert second.sources["castelroux"].new == 1
    threads_read = {
        r.path
        for r in sites_web.requested(VB5_HOST)
        if re.search(r"/\d+-[^/]+(/page\d+)?$", r.path)
    }
    assert threads_read == {page2}
    new = next(d for d in all_documents(settings) if d.post_id == "1518")
    assert (new.thread_url, new.position, new.author, new.url) == (
        VB5_POSTE,
        7,
        "Nadège_V",
        f"{VB5_POSTE}/page2#post1518",
    )
    assert new.published_at == utc(2027, 3, 13, 10, 40)
    assert "claire-martin" in new.candidates


def test_engines_named_in_a_post_do_not_make_a_home_made_forum_theirs() -> None:
    host, path, _ = _EXISTING[-2]
    page = (SITES / host / path).read_text(encoding="utf-8")
    chatty = page.replace(
        "Bonne journée à tous :)",
        "On a connu SMF, MyBB, FluxBB, PunBB et IP.Board avant ce forum maison :)",
    )

    assert chatty != page
    assert detect_engine(chatty, f"http://{host}/{path}") == "generic"


def test_page_one_and_later_pages_name_the_same_thread_url() -> None:
    # A theme that prints no canonical link and links the current page number too: page 1
    # must name its thread as page 2 does, or one thread gets two first-page URLs.
    base = "https://forum.sainte-odile-des-pres.example/viewtopic.php"
    html = re.sub(r"<link rel=\"canonical\"[^>]*>", "", FIXTURES["phpbb3"].thread_html())
    html = html.replace(
        '<li class="active"><span>1</span></li>',
        '<li class="active"><a class="button" href="./viewtopic.php?f=5&amp;t=733">1</a></li>',
    )
    first = parse_thread_page(html, f"{base}?f=5&t=733", now=NOW)
    later = parse_thread_page(html, f"{base}?f=5&t=733&start=4", now=NOW)
    assert first.thread_url == later.thread_url == f"{base}?t=733"
