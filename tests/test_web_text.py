"""French formatting and escaping of crawled text for the volunteers' pages."""

from __future__ import annotations

from datetime import UTC, date, datetime

from traceur.document import Document, Mention, Snippet, Span
from traceur.store.base import HIGHLIGHT_END, HIGHLIGHT_START
from traceur.web import fr, highlight


def test_dates_are_written_in_paris_time_with_the_zone_in_winter_and_summer() -> None:
    winter = datetime(2026, 12, 3, 13, 5, tzinfo=UTC)
    summer = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)
    assert fr.date_paris(winter) == "3 déc. 2026, 14:05 (heure de Paris, UTC+1)"
    # 22:30 UTC in July is already the next day in Paris.
    assert fr.date_paris(summer) == "2 juil. 2026, 00:30 (heure de Paris, UTC+2)"
    assert (
        fr.date_paris(datetime(2026, 3, 1, 8, 0)) == "1er mars 2026, 09:00 (heure de Paris, UTC+1)"
    )
    assert fr.date_paris(None) == "date inconnue"


def test_relative_times_count_minutes_hours_and_paris_calendar_days() -> None:
    now = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)
    assert fr.relative(datetime(2026, 12, 3, 12, 59, 30, tzinfo=UTC), now) == "à l'instant"
    assert fr.relative(datetime(2026, 12, 3, 12, 48, tzinfo=UTC), now) == "il y a 12 min"
    assert fr.relative(datetime(2026, 12, 3, 10, 0, tzinfo=UTC), now) == "il y a 3 h"
    assert fr.relative(datetime(2026, 12, 2, 9, 0, tzinfo=UTC), now) == "hier"
    assert fr.relative(datetime(2026, 11, 29, 9, 0, tzinfo=UTC), now) == "il y a 4 jours"
    assert fr.relative(datetime(2026, 9, 1, 9, 0, tzinfo=UTC), now) == "le 1er sept. 2026"


def test_numbers_use_a_narrow_no_break_space_and_plurals_follow_french_rules() -> None:
    assert fr.number(1234567) == "1\u202f234\u202f567"
    assert fr.number(3.5) == "3,5"
    assert fr.plural(0, "document") == "0 document"
    assert fr.plural(1, "document") == "1 document"
    assert fr.plural(4, "document") == "4 documents"
    assert fr.plural(2, "message de forum", "messages de forum") == "2 messages de forum"
    assert fr.plural(12000, "mention") == "12\u202f000 mentions"


def test_kinds_and_triage_states_have_french_labels() -> None:
    assert [fr.kind_label(k) for k in ("article", "forum_post", "blog_post", "comment")] == [
        "Article",
        "Message de forum",
        "Billet de blog",
        "Commentaire",
    ]
    assert fr.kind_label("video") == "Vidéo"
    assert [fr.triage_label(s) for s in fr.TRIAGE_ORDER] == [
        "nouveau",
        "vu",
        "à traiter",
        "traité",
        "ignoré",
    ]
    assert fr.duration(245) == "4 min 05 s"
    assert fr.duration(3720) == "1 h 02 min"


def test_store_fragments_are_escaped_before_the_marks_become_html() -> None:
    raw = f"<script>alert(1)</script> {HIGHLIGHT_START}Élodie Marchand{HIGHLIGHT_END} & co"
    html = str(highlight.fragment(raw))
    assert html == ("&lt;script&gt;alert(1)&lt;/script&gt; <mark>Élodie Marchand</mark> &amp; co")
    # A fragment cut inside a match never leaves a <mark> open in the page.
    assert str(highlight.fragment(f"début {HIGHLIGHT_START}Marchand")) == (
        "début <mark>Marchand</mark>"
    )
    assert highlight.plain(raw).startswith("<script>")


def _document(title: str, text: str, mentions: dict[str, Mention]) -> Document:
    return Document(
        id="d1",
        url="https://www.gazette-du-val.fr/politique/tramway",
        canonical_url="https://www.gazette-du-val.fr/politique/tramway",
        domain="gazette-du-val.fr",
        kind="article",
        source_id="gazette",
        title=title,
        text=text,
        mentions=mentions,
    )


def test_full_text_marks_every_mention_span_in_its_paragraph_and_escapes_the_rest() -> None:
    text = (
        "Le conseil municipal s'est réuni jeudi soir.\n"
        "Élodie Marchand a défendu le tramway <b>gratuit</b>.\n"
        "\n"
        "Pour Marchand, « le tramway est une priorité »."
    )
    second = text.index("Marchand,")
    tram = text.index("tramway est")
    mentions = {
        "c-marchand": Mention(
            count=2,
            spans=(
                Span("text", text.index("Élodie"), text.index("Élodie") + 15),
                Span("text", second, second + 8),
            ),
        ),
        "t-transports": Mention(count=1, spans=(Span("text", tram, tram + 7),)),
    }
    document = _document("Tramway : Marchand persiste", text, mentions)
    labels = {"c-marchand": "Élodie Marchand", "t-transports": "Transports"}
    html = str(highlight.full_text(document, labels))
    paragraphs = html.split("\n")
    assert paragraphs[0] == "<p>Le conseil municipal s&#39;est réuni jeudi soir.</p>"
    assert paragraphs[1] == (
        '<p><mark title="Élodie Marchand">Élodie Marchand</mark> a défendu le tramway'
        " &lt;b&gt;gratuit&lt;/b&gt;.</p>"
    )
    assert '<mark title="Élodie Marchand">Marchand</mark>,' in paragraphs[2]
    assert '<mark title="Transports">tramway</mark> est' in paragraphs[2]
    assert len(paragraphs) == 3


def test_overlapping_mentions_become_one_highlight_and_title_spans_stay_in_the_title() -> None:
    text = "La maire Élodie Marchand inaugure."
    start = text.index("Élodie")
    mentions = {
        "c-marchand": Mention(count=1, spans=(Span("text", start, start + 15),)),
        "t-maire": Mention(count=1, spans=(Span("text", 3, start + 6), Span("title", 0, 8))),
    }
    document = _document("Marchand inaugure", text, mentions)
    assert highlight.mention_ranges(document, "text") == [(3, start + 15, "t-maire")]
    assert str(highlight.title(document)) == '<mark title="t-maire">Marchand</mark> inaugure'


def test_only_absolute_http_addresses_can_become_links() -> None:
    assert highlight.http_url("https://forum.exemple.fr/t/12") == "https://forum.exemple.fr/t/12"
    assert highlight.http_url(" HTTP://exemple.fr/ ") == "HTTP://exemple.fr/"
    for hostile in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "/relatif"):
        assert highlight.http_url(hostile) is None
    assert highlight.http_url("https:///sans-hote") is None


def test_dates_of_a_whole_day_are_written_long_for_headings() -> None:
    assert fr.date_long(date(2026, 12, 3)) == "jeudi 3 décembre 2026"


def test_result_snippets_mark_their_match_prefer_the_text_and_skip_the_title_repeat() -> None:
    title = "Tramway : Marchand persiste"
    mentions = {
        "c-marchand": Mention(
            count=3,
            snippets=(
                Snippet("Tramway : Marchand persiste", 10, 18, field="title"),
                Snippet("la maire <Marchand> insiste", 10, 18),
                Snippet("la maire <Marchand> insiste", 10, 18),
            ),
        )
    }
    document = _document(title, "…", mentions)
    chosen = highlight.best_snippets(document)
    assert [s.field for s in chosen] == ["text"]  # the duplicate and the title repeat dropped
    assert str(highlight.snippet(chosen[0])) == "la maire &lt;<mark>Marchand</mark>&gt; insiste"
    fragments = [
        f"… {HIGHLIGHT_START}Tramway{HIGHLIGHT_END} : Marchand persiste …",
        f"le {HIGHLIGHT_START}tramway{HIGHLIGHT_END} gratuit",
    ]
    assert highlight.body_fragments(fragments, title) == fragments[1:]
