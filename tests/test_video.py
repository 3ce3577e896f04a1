"""Video pages: metadata from JSON-LD, OpenGraph and oEmbed, caption tracks found on
the page, and caption files turned into the plain words spoken, so a candidate named
only in the speech is found. Fixtures: tests/sites/video.videos-val.example/."""

from __future__ import annotations

import urllib.request
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from traceur.demo.localweb import LocalWeb
from traceur.parse.video import (
    CaptionTrack,
    VideoPage,
    apply_oembed,
    caption_text,
    parse_duration,
    parse_video_page,
)

HOST = "video.videos-val.example"
SITE = Path(__file__).resolve().parent / "sites" / HOST
B = f"http://{HOST}"
WATCH = "watch/debat-tramway/"
DAILY = "video/x8k2m4p/"
REPLAY = "replay/val-tv/journal-du-20-novembre/"


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def page(path: str) -> VideoPage:
    return parse_video_page((SITE / path / "index.html").read_text(encoding="utf-8"), f"{B}/{path}")


def caption_file(track: CaptionTrack) -> bytes:
    return (SITE / track.url.removeprefix(f"{B}/")).read_bytes()


# -- metadata -------------------------------------------------------------------------------------


def test_youtube_like_page_metadata_comes_from_json_ld() -> None:
    video = page(WATCH)

    assert video.url == f"{B}/{WATCH}"
    assert video.title == "Débat municipal : l'échange sur le tramway (extrait)"
    assert video.description.startswith(
        "Extrait du débat organisé mardi 17 novembre à la halle aux grains : les têtes de liste"
    )
    assert video.channel == "Les Débats du Val"
    assert video.published_at == utc(2026, 11, 18, 7, 0)
    assert video.duration_seconds == 252  # PT4M12S
    assert video.views == 12873  # the WatchAction counter, not the 412 likes
    assert video.thumbnail == f"{B}/vi/debat-tramway/maxresdefault.jpg"
    assert video.embed_url == f"{B}/embed/debat-tramway"
    assert video.oembed_url == f"{B}/oembed.json"


def test_subtitle_track_is_found_and_chapters_track_is_not() -> None:
    assert page(WATCH).captions == (
        CaptionTrack(f"{B}/captions/debat-tramway.fr.vtt", "vtt", "fr", "Français"),
    )


def test_oembed_fills_only_what_the_page_lacks() -> None:
    oembed = (SITE / "oembed.json").read_bytes()
    full = page(WATCH)
    bare = replace(full, title="", channel=None, thumbnail=None, embed_url=None)

    assert apply_oembed(full, oembed) == full
    filled = apply_oembed(bare, oembed)
    assert filled.title == "Débat municipal : l'échange sur le tramway (extrait)"
    assert filled.channel == "Les Débats du Val"
    assert filled.thumbnail == f"{B}/vi/debat-tramway/hqdefault.jpg"
    assert filled.embed_url == f"{B}/embed/debat-tramway?feature=oembed"
    assert apply_oembed(bare, b"<html>404</html>") == bare


def test_dailymotion_like_page_reads_a_json_ld_graph_with_references() -> None:
    video = page(DAILY)

    assert video.title == "Jean-Baptiste Lefort répond aux questions des lecteurs"
    assert video.channel == "Val Info"  # author given as {"@id": …#channel}, resolved in the @graph
    assert video.published_at == utc(2026, 11, 19, 18, 30)
    assert video.duration_seconds == 751  # P0DT0H12M31S
    assert video.views == 3402  # legacy interactionCount "UserPlays:3402"
    assert video.thumbnail == f"{B}/thumbnails/x8k2m4p/x720"
    assert video.oembed_url is None
    # Declared in JSON-LD and linked for download: one track, described by the JSON-LD.
    assert video.captions == (
        CaptionTrack(f"{B}/captions/x8k2m4p.fr.srt", "srt", "fr", "Français"),
    )


def test_tv_replay_page_with_only_open_graph() -> None:
    video = page(REPLAY)

    assert video.title == "Le 19/20 de Val TV – 20 novembre 2026"
    assert video.description.startswith(
        "Au sommaire : la campagne municipale sur le marché couvert"
    )
    assert video.channel == "Val TV"
    assert video.published_at == utc(2026, 11, 20, 18, 0)
    assert video.duration_seconds == 1260
    assert video.views is None
    assert video.thumbnail == f"{B}/replay/img/journal-2026-11-20-1280x720.jpg"
    assert video.captions == (
        CaptionTrack(
            f"{B}/captions/journal-2026-11-20.ttml",
            "ttml",
            "fr",
            "Sous-titres (sourds et malentendants)",
        ),
    )


def test_video_field_for_the_document() -> None:
    assert page(WATCH).as_video_field() == {
        "channel": "Les Débats du Val",
        "duration": 252,
        "views": 12873,
        "thumbnail": f"{B}/vi/debat-tramway/maxresdefault.jpg",
        "embed_url": f"{B}/embed/debat-tramway",
        "caption_tracks": [f"{B}/captions/debat-tramway.fr.vtt"],
    }


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("PT4M12S", 252),
        ("P0DT0H12M31S", 751),
        ("PT1H", 3600),
        ("PT2M0.4S", 120),
        ("P1DT2S", 86402),
        ("1:02:03", 3723),
        ("04:12", 252),
        ("751", 751),
        (90, 90),
        ("PT", None),
        ("bientôt", None),
        (None, None),
    ],
)
def test_durations(value: object, seconds: int | None) -> None:
    assert parse_duration(value) == seconds


def test_broken_json_ld_falls_back_on_open_graph() -> None:
    html = """<html><head><script type="application/ld+json">{"@type": "VideoObject", "name": </script>
    <meta property="og:title" content="Réunion publique de Claire Martin">
    <meta property="video:duration" content="95"></head><body></body></html>"""  # noqa: E501 - broken page, kept verbatim
    video = parse_video_page(html, "http://tv.example/v/1")

    assert video.title == "Réunion publique de Claire Martin"
    assert video.duration_seconds == 95


# -- caption files --------------------------------------------------------------------


def test_webvtt_caption_text_is_the_words_only_with_rolling_lines_once() -> None:
    text = caption_text(caption_file(page(WATCH).captions[0]), "vtt")

    assert text.split("\n") == [
        "Bonsoir à tous et bienvenue",
        "dans ce débat sur les transports.",
        "Jean-Baptiste Lefort, vous avez la parole.",
        "Merci. Le tramway, c'est 120 millions d'euros",
        "pour une seule ligne. Avec des bus électriques,",
        "on fait mieux pour trois fois moins cher.",
        "[Applaudissements]",
        "Madame Martin, une réponse ?",
        "Je voudrais d'abord rappeler,",
        "comme l'a dit Élodie Arnaud hier soir,",
        "que le bus ne règle rien au problème du campus & de la gare.",
        "La saturation, c'est aujourd'hui.",
    ]
    for noise in (
        "WEBVTT",
        "-->",
        "<",
        "NOTE",
        "Relecture",
        "::cue",
        "align:",
        "mod-2",
        "Modératrice",
    ):
        assert noise not in text


def test_candidate_named_only_in_the_speech_is_in_the_caption_text() -> None:
    video = page(WATCH)

    assert "Arnaud" not in video.title + video.description
    assert "Élodie Arnaud" in caption_text(caption_file(video.captions[0]), "vtt")


def test_srt_in_windows_1252_with_styling_is_read_as_plain_words() -> None:
    track = page(DAILY).captions[0]
    data = caption_file(track)
    text = caption_text(data, track.format)

    assert (
        b"\r\n" in data and "Première".encode("cp1252") in data
    )  # the file really is CRLF and cp1252
    assert text.split("\n") == [
        "Val Info – Les questions des lecteurs",
        "Jean-Baptiste Lefort, merci d'être avec nous.",
        "Première question, sur la sécurité.",
        "Merci à vous.",
        "La sécurité, c'est la première demande des habitants.",
        "Quand Claire Martin dit que la délinquance baisse,",
        "elle oublie les chiffres du quartier de la gare.",
        "Nous mettrons dix policiers municipaux de plus",
        "dès la première année du mandat.",
    ]


def test_ttml_caption_text_keeps_line_breaks_and_span_text_but_not_metadata() -> None:
    track = page(REPLAY).captions[0]
    text = caption_text(caption_file(track), track.format)

    assert text.split("\n")[:6] == [
        "Bonsoir, voici les titres",
        "du journal de ce vendredi.",
        "À Val-sur-Loire, la campagne municipale",
        "s'invite sur le marché couvert.",
        "Élodie Arnaud y a défendu",
        "son projet de référendum sur le tramway.",
    ]
    assert "Claire Martin, de son côté," in text
    assert "Le 19/20" not in text and "Val TV" not in text  # <ttm:title>, <ttm:copyright>


def test_vtt_with_bom_and_unknown_format_name_is_still_read() -> None:
    data = "\ufeffWEBVTT\n\n00:00:01.000 --> 00:00:02.000\nJean-Baptiste Lefort répond.\n".encode(
        "utf-8"
    )

    assert caption_text(data, "vtt") == "Jean-Baptiste Lefort répond."
    assert caption_text(data, "text/unknown") == "Jean-Baptiste Lefort répond."


def test_live_captions_growing_word_by_word_are_read_once() -> None:
    data = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:01.500\nBonsoir\n\n"
        "00:00:01.500 --> 00:00:02.000\nBonsoir à tous\n\n"
        "00:00:02.000 --> 00:00:02.500\nBonsoir à tous\nJe\n\n"
        "00:00:02.500 --> 00:00:04.000\nBonsoir à tous\nJe suis Claire Martin.\n\n"
        "00:00:04.000 --> 00:00:05.000\nBon.\n\n"
        "00:00:05.000 --> 00:00:06.000\nBonjour madame Arnaud.\n"
    ).encode()

    # "Bon." then "Bonjour…" are two things said, not one line growing.
    assert caption_text(data, "vtt").split("\n") == [
        "Bonsoir à tous",
        "Je suis Claire Martin.",
        "Bon.",
        "Bonjour madame Arnaud.",
    ]


def test_ttml_entities_are_never_expanded() -> None:
    # A hostile caption file must not make the crawler read a local file or fetch a URL.
    data = b"""<?xml version="1.0"?>
<!DOCTYPE tt [<!ENTITY secret SYSTEM "file:///etc/passwd"><!ENTITY distant SYSTEM "http://attaquant.example/x">]>
<tt xmlns="http://www.w3.org/ns/ttml"><body><div><p>Avant &secret;&distant; <!-- note interne --> apr\xc3\xa8s</p></div></body></tt>"""  # noqa: E501 - hostile file, kept verbatim

    assert caption_text(data, "ttml") == "Avant après"


@pytest.mark.integration
@pytest.mark.parametrize(
    ("path", "spoken"),
    [(WATCH, "Élodie Arnaud"), (DAILY, "Claire Martin"), (REPLAY, "Élodie Arnaud")],
)
def test_caption_tracks_and_oembed_linked_from_each_page_are_served(
    sites_web: LocalWeb, path: str, spoken: str
) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": sites_web.proxy_url}))
    with opener.open(f"{B}/{path}", timeout=10) as response:
        video = parse_video_page(response.read().decode("utf-8"), f"{B}/{path}")
    if video.oembed_url:
        with opener.open(video.oembed_url, timeout=10) as response:
            assert (
                apply_oembed(replace(video, channel=None), response.read()).channel == video.channel
            )
    texts = []
    for track in video.captions:
        with opener.open(track.url, timeout=10) as response:
            texts.append(caption_text(response.read(), track.format))

    assert video.captions and all(texts)
    assert spoken in "\n".join(texts)
