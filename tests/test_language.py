"""Language: each document's language read from its words, and a source's `lang`
restriction applied during a crawl. The texts are written for these tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from traceur.config import Settings
from traceur.demo.localweb import LocalWeb
from traceur.enrich.language import LANGUAGES, accepts, detect_language, document_language
from traceur.orchestra.passes import run_pass
from traceur.store import open_store

SAMPLES = {
    "fr": (
        "Le conseil municipal a voté hier soir le budget de la ville, "
        "malgré l'opposition qui dénonce une hausse des impôts locaux "
        "et demande un audit des comptes avant la fin de l'année."
    ),
    "en": (
        "The city council passed the budget last night, although the opposition says that "
        "local taxes are rising and wants an audit of the accounts before the end of the year."
    ),
    "de": (
        "Der Stadtrat hat gestern Abend den Haushalt der Stadt "
        "beschlossen, obwohl die Opposition eine Erhöhung der Steuern "
        "kritisiert und eine Prüfung der Konten vor dem Jahresende fordert."
    ),
    "es": (
        "El consejo municipal aprobó anoche el presupuesto de la ciudad, "
        "a pesar de que la oposición denuncia una subida de los impuestos "
        "y pide una auditoría de las cuentas antes del final del año."
    ),
    "it": (
        "Il consiglio comunale ha approvato ieri sera il bilancio della "
        "città, anche se l'opposizione denuncia un aumento delle tasse "
        "e chiede una verifica dei conti prima della fine dell'anno."
    ),
    "nl": (
        "De gemeenteraad heeft gisteravond de begroting van de stad aangenomen, "
        "hoewel de oppositie een verhoging van de belastingen bekritiseert en "
        "een controle van de rekeningen voor het einde van het jaar wil."
    ),
    "pt": (
        "A câmara municipal aprovou ontem à noite o orçamento da "
        "cidade, apesar de a oposição denunciar um aumento dos "
        "impostos e pedir uma auditoria das contas antes do fim do ano."
    ),
}


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_each_supported_language_is_recognised_from_one_sentence(code: str) -> None:
    assert detect_language(SAMPLES[code]) == code


def test_every_supported_language_has_a_sample() -> None:
    assert set(SAMPLES) == set(LANGUAGES)


def test_french_forum_post_without_accents_or_capitals_is_french() -> None:
    post = (
        "franchement je suis pas d'accord avec ce qui est dit dans "
        "l'article, le maire a fait ce qu'il a pu avec le budget qu'on lui "
        "laisse et les autres candidats promettent tout et son contraire"
    )

    assert detect_language(post) == "fr"


@pytest.mark.parametrize(
    "text",
    [
        "Merci pour l'article !",
        "Brennac, 14 novembre 2026",
        "",
        "12 34 56 78 90 12 34 56 78 90 12 34",
    ],
)
def test_text_too_short_or_without_words_is_left_undecided(text: str) -> None:
    assert detect_language(text) is None


def test_the_language_of_most_of_the_text_wins_over_a_quotation() -> None:
    assert detect_language(" ".join([SAMPLES["en"]] * 3 + [SAMPLES["fr"]])) == "en"
    assert detect_language(" ".join([SAMPLES["fr"]] * 3 + [SAMPLES["en"]])) == "fr"


def test_the_words_win_over_a_page_that_declares_another_language() -> None:
    assert document_language("Budget vote", SAMPLES["en"], declared="fr") == "en"


def test_the_declared_language_serves_when_the_text_is_too_short() -> None:
    assert document_language("Brève", "Merci !", declared="fr-FR") == "fr"
    assert document_language("Brève", "Merci !", declared=None) is None


@pytest.mark.parametrize(
    "languages, lang, kept",
    [
        ((), "en", True),
        (("fr",), "fr", True),
        (("fr",), "en", False),
        (("fr", "en"), "en", True),
        (("fr",), None, True),
    ],
)
def test_language_restriction_keeps_unknown_languages(
    languages: tuple[str, ...], lang: str | None, kept: bool
) -> None:
    assert accepts(languages, lang) is kept


# -- in a crawl -------------------------------------------------------------------------

HOST = "www.journal-bilingue.example"
ARTICLE = """<!DOCTYPE html><html lang="{declared}"><head><meta charset="utf-8"><title>{title}</title>
<meta property="article:published_time" content="2026-11-0{day}T09:00:00+01:00"></head>
<body><nav><a href="/">Accueil</a></nav><main><article><h1>{title}</h1>{body}</article></main></body></html>"""  # noqa: E501 - page fixture, kept verbatim
PAGES = {
    "budget-fr": ("fr", "Le budget de Brennac adopté", "fr"),
    "budget-en": (
        "fr",
        "Brennac passes its budget",
        "en",
    ),  # a French template around an English text
    "budget-de": ("de", "Brennac beschließt den Haushalt", "de"),
}


def _site(root: Path) -> None:
    site = root / HOST
    (site / "a").mkdir(parents=True)
    (site / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    items = []
    for day, (slug, (declared, title, code)) in enumerate(PAGES.items(), 1):
        body = "".join(f"<p>{SAMPLES[code]}</p>" for _ in range(3))
        page = ARTICLE.format(declared=declared, title=title, body=body, day=day)
        (site / "a" / f"{slug}.html").write_text(page, encoding="utf-8")
        items.append(
            f"<item><title>{title}</title><link>http://{HOST}/a/{slug}.html</link><guid>{slug}</guid>"
            f"<pubDate>0{day} Nov 2026 09:00:00 +0100</pubDate></item>"
        )
    (site / "rss.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Journal</title>'
        f"<link>http://{HOST}/</link>{''.join(items)}</channel></rss>",
        encoding="utf-8",
    )


@pytest.mark.integration
@pytest.mark.parametrize(
    "lang_line, expected",
    [
        ("lang: fr", {"budget-fr": "fr"}),
        ("lang: [fr, en]", {"budget-fr": "fr", "budget-en": "en"}),
        ("", {"budget-fr": "fr", "budget-en": "en", "budget-de": "de"}),
    ],
)
def test_source_restricted_to_languages_stores_only_documents_in_them(
    tmp_path: Path, make_settings: Callable[..., Settings], lang_line: str, expected: dict[str, str]
) -> None:
    _site(tmp_path / "web")
    watchlist = tmp_path / "watchlist.yaml"
    watchlist.write_text(
        "candidates: []\nsources:\n"
        f"  - id: journal\n    kind: feed\n    url: 'http://{HOST}/rss.xml'\n"
        f"    every: 10m\n    {lang_line}\n",
        encoding="utf-8",
    )
    with LocalWeb(tmp_path / "web") as web:
        settings = make_settings(web)
        summary = run_pass(settings, watchlist, quiet=True)
    store = open_store(settings)
    try:
        stored = {
            doc.url.rsplit("/", 1)[-1].removesuffix(".html"): doc.lang
            for doc in store.iter_documents()
        }
    finally:
        store.close()

    assert stored == expected
    assert summary.total("new") == len(expected)
