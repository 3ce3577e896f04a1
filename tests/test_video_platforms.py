"""Real video platforms: YouTube (the player response in the watch page, timedtext
captions as XML or json3), Dailymotion (the player metadata and its subtitle files) and
PeerTube (the instance's API for the video and its captions), each recognised by its
page and URL shapes whatever the host. Fixtures: tests/sites/video.youtube-val.example/,
www.dailymotion-val.example/ (subtitles on static.dmcdn-val.example/) and
tube.assemblee-citoyenne.example/ (a PeerTube instance)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from traceur.config import Settings
from traceur.demo.localweb import LocalWeb, Response
from traceur.document import Document
from traceur.orchestra.passes import run_pass
from traceur.parse.video import (
    CaptionTrack,
    Lookup,
    VideoPage,
    apply_lookup,
    caption_text,
    choose_tracks,
    parse_video_page,
    skip_lookup,
)

from .test_crawl import stored, write_watchlist

SITES = Path(__file__).resolve().parent / "sites"
YT = "video.youtube-val.example"
DM = "www.dailymotion-val.example"
DM_CDN = "static.dmcdn-val.example"
PT = "tube.assemblee-citoyenne.example"
DEBATE, COUNCIL = "Kq3vT9xLm2A", "Rb7pW4nZc8E"
GARE, NOEL = "x9f3kq2", "x9g7tm5"
BUS_SHORT, BUS_UUID = "mR4tZ8kQ2vXc7NbH5pLs9e", "9b2e4c71-3f8a-4d65-a0c2-7e51d8f3b6a4"
BUDGET_UUID = "5e1c7a3b-92d4-4f0e-8b6a-1d3f7c2e9a40"


def utc(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def fixture(host: str, path: str) -> bytes:
    return (SITES / host / path).read_bytes()


def youtube(video_id: str) -> VideoPage:
    html = fixture(YT, f"watch/{video_id}.html").decode("utf-8")
    return parse_video_page(html, f"http://{YT}/watch?v={video_id}")


def dailymotion(xid: str) -> VideoPage:
    html = fixture(DM, f"video/{xid}/index.html").decode("utf-8")
    return parse_video_page(html, f"http://{DM}/video/{xid}")


def peertube(path: str) -> VideoPage:
    html = fixture(PT, f"{path.strip('/')}/index.html").decode("utf-8")
    return parse_video_page(html, f"http://{PT}{path}")


def answered(page: VideoPage, *answers: bytes) -> VideoPage:
    for answer in answers:
        page = apply_lookup(page, answer)
    return page


# -- YouTube --------------------------------------------------------------------------------------


def test_youtube_watch_page_takes_title_channel_duration_views_and_utc_date_from_the_player_response() -> (  # noqa: E501 - the name is the spec
    None
):
    video = youtube(DEBATE)

    assert video.platform == "youtube"
    assert video.url == f"http://{YT}/watch?v={DEBATE}"
    assert video.title == "Municipales à Val-sur-Loire : le débat sur la rénovation du centre-ville"
    assert video.channel == "Canal Citoyen du Val"  # not the og:site_name "YouTube"
    assert video.duration_seconds == 1843  # lengthSeconds, not the page's PT30M43S rounded
    assert video.views == 4821
    assert video.published_at == utc(2026, 11, 21, 17, 30)  # publishDate 09:30 at -08:00
    # The full description with its line breaks, not the page's one-line meta.
    assert video.description.endswith("Animation : Maëlle Cordier.\n\n#municipales #ValSurLoire")
    assert video.thumbnail == f"https://i.ytimg-val.example/vi/{DEBATE}/maxresdefault.jpg"
    assert video.embed_url == f"http://{YT}/embed/{DEBATE}"
    # The player response says more than the oEmbed document: nothing is left to ask.
    assert video.lookups == ()


def test_youtube_keeps_one_french_track_and_prefers_the_manual_one_over_speech_recognition() -> (
    None
):
    (track,) = youtube(DEBATE).captions

    assert track.lang == "fr" and track.label == "Français" and not track.automatic
    assert track.format == "timedtext"
    query = urlsplit(track.url).query
    assert "lang=fr" in query and "name=Fran%C3%A7ais" in query  # \u0026 read as "&"
    assert "kind=asr" not in track.url and "lang=en" not in track.url


def test_youtube_automatic_french_track_is_taken_when_it_is_the_only_one() -> None:
    video = youtube(COUNCIL)

    assert [(t.lang, t.automatic, t.format) for t in video.captions] == [("fr", True, "json3")]
    assert video.published_at == utc(2026, 11, 24, 19, 2, 17)
    assert video.channel == "Ville de Val-sur-Loire"


def test_youtube_timedtext_transcript_is_unescaped_twice_into_plain_words() -> None:
    text = caption_text(fixture(YT, f"timedtext/{DEBATE}.fr.xml"), "timedtext")

    assert text.split("\n") == [
        "Bonsoir et bienvenue à la médiathèque Jules-Verne.",
        "Ce soir, trois têtes de liste, une question :",
        "que faire du centre-ville ?",
        "Claire Martin, vous ouvrez le débat.",
        "Merci. Les halles sont vides le mardi, et ce n'est pas une fatalité.",
        'Nous rouvrirons le marché couvert "tous les jours".',
        "Jean-Baptiste Lefort, votre réponse ?",
        "Je rejoins Élodie Arnaud sur un point :",
        "le stationnement payant tue le commerce.",
        "[Applaudissements]",
        "Les loyers des boutiques & des ateliers doivent baisser.",
        "(brouhaha dans la salle)",
    ]


def test_youtube_srv3_automatic_captions_join_their_word_segments_line_by_line() -> None:
    text = caption_text(fixture(YT, f"timedtext/{DEBATE}.fr-asr.srv3.xml"), "timedtext")

    assert text.split("\n") == [
        "bonsoir et bienvenue à la médiathèque",
        "Jules Verne ce soir trois têtes de liste",
        "Claire Martin vous ouvrez le débat",
    ]


def test_youtube_json3_events_give_one_line_each_without_the_line_break_events() -> None:
    data = fixture(YT, f"timedtext/{COUNCIL}.fr-asr.json3")

    expected = [
        "la séance est ouverte",
        "premier point le budget primitif",
        "la parole est à Jean-Baptiste Lefort",
        "[Musique]",
        "pour l'opposition ce budget n'est pas sincère",
    ]
    assert caption_text(data, "json3").split("\n") == expected
    # YouTube answers json3 whatever format was assumed from the URL.
    assert caption_text(data, "timedtext").split("\n") == expected


def test_a_script_naming_the_player_response_without_one_is_no_youtube_video() -> None:
    html = """<html><head><title>Astuce</title></head><body><p>Pour lire la variable
    ytInitialPlayerResponse, ouvrez la console.</p><script>var ytInitialPlayerResponse = null;
    </script><script>var ytInitialPlayerResponse = {"videoDetails": {"title": "sans id"}};</script>
    </body></html>"""
    video = parse_video_page(html, "http://blog.astuces-val.example/youtube")

    assert video.platform is None and not video.has_video


# -- Dailymotion ----------------------------------------------------------------------------------


def test_dailymotion_page_names_its_player_metadata_as_the_lookup_and_not_the_site_as_channel() -> (
    None
):
    video = dailymotion(GARE)

    assert video.platform == "dailymotion"
    assert video.lookups == (
        Lookup("dailymotion-metadata", f"http://{DM}/player/metadata/video/{GARE}"),
    )
    assert video.title == "Quartier de la gare : les riverains interpellent les candidats"
    assert video.channel is None  # og:site_name is "Dailymotion", the platform
    assert video.duration_seconds is None and video.captions == ()


def test_dailymotion_player_metadata_gives_owner_duration_epoch_date_and_the_french_subtitles() -> (
    None
):
    video = answered(dailymotion(GARE), fixture(DM, f"player/metadata/video/{GARE}"))

    assert video.lookups == ()
    assert video.channel == "Loire Matin Vidéo"
    assert video.duration_seconds == 1127
    assert video.published_at == utc(2026, 11, 26, 18, 45)  # created_time 1795718700
    assert video.views == 2710
    assert video.thumbnail == f"http://{DM_CDN}/thumbnail/{GARE}/x1080-Rq2.jpg"  # the largest
    # French only, and the first of its mirrors.
    assert video.captions == (
        CaptionTrack(
            f"http://{DM_CDN}/static/video/218/774/{GARE}/subtitle_fr.srt", "srt", "fr", "Français"
        ),
    )


def test_dailymotion_srt_with_bom_crlf_and_styling_is_read_as_plain_words() -> None:
    data = fixture(DM_CDN, f"static/video/218/774/{GARE}/subtitle_fr.srt")

    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    assert caption_text(data, "srt").split("\n") == [
        "Maison de quartier de la gare,",
        "mercredi 26 novembre.",
        "Monsieur Lefort, les lampadaires",
        "de la rue des Tanneurs sont éteints depuis juin.",
        "(Une riveraine)",
        "Et le soir, on ne sort plus.",
        "Jean-Baptiste Lefort : je m'engage",
        "à rallumer tout le quartier avant l'été.",
        "Claire Martin avait promis la même chose",
        "il y a six ans, vous vous souvenez ?",
        "[Rires dans la salle]",
    ]


def test_a_video_path_without_dailymotion_markup_is_read_as_any_video_page() -> None:
    # tests/sites/video.videos-val.example has a /video/{xid} page of its own design.
    html = fixture("video.videos-val.example", "video/x8k2m4p/index.html").decode("utf-8")
    video = parse_video_page(html, "http://video.videos-val.example/video/x8k2m4p/")

    assert video.platform is None and video.lookups == ()
    assert video.channel == "Val Info"


# -- PeerTube -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "video_id"),
    [(f"/w/{BUS_SHORT}", BUS_SHORT), (f"/videos/watch/{BUDGET_UUID}", BUDGET_UUID)],
)
def test_peertube_watch_pages_on_any_host_ask_the_api_for_the_video_and_its_captions(
    path: str, video_id: str
) -> None:
    video = peertube(path)
    api = f"http://{PT}/api/v1/videos/{video_id}"

    assert video.platform == "peertube"
    assert video.lookups == (
        Lookup("peertube-video", api),
        Lookup("peertube-captions", f"{api}/captions"),
    )
    assert video.channel is None  # og:site_name is the instance's name


def test_peertube_api_gives_channel_views_utc_date_full_description_and_the_manual_french_caption() -> (  # noqa: E501 - the name is the spec
    None
):
    video = answered(
        peertube(f"/w/{BUS_SHORT}"),
        fixture(PT, f"api/v1/videos/{BUS_SHORT}.json"),
        fixture(PT, f"api/v1/videos/{BUS_SHORT}.captions.json"),
    )

    assert video.title == "Assemblée du 28 novembre : quel avenir pour la ligne de bus 7 ?"
    assert video.channel == "Réunions publiques du collectif"  # channel, not account
    assert video.duration_seconds == 1264
    assert video.views == 389
    assert video.published_at == utc(2026, 11, 29, 16, 40, 12)  # publishedAt, not uploadDate
    assert "**Ordre du jour**" in video.description
    assert video.thumbnail == f"http://{PT}/lazy-static/previews/{BUS_UUID}.jpg"
    assert video.captions == (
        CaptionTrack(
            f"http://{PT}/lazy-static/video-captions/{BUS_UUID}-fr.vtt", "vtt", "fr", "French"
        ),
    )


def test_peertube_caption_path_of_older_instances_is_read_against_the_page() -> None:
    listing = b"""{"total": 1, "data": [{"language": {"id": "fr", "label": "French"},
        "captionPath": "/lazy-static/video-captions/ancien-fr.vtt", "updatedAt": "2024-02-01T10:00:00Z"}]}"""  # noqa: E501 - an API answer, kept whole
    video = answered(skip_lookup(peertube(f"/w/{BUS_SHORT}")), listing)

    assert [track.url for track in video.captions] == [
        f"http://{PT}/lazy-static/video-captions/ancien-fr.vtt"
    ]


def test_platform_answers_of_another_shape_change_nothing() -> None:
    page = dailymotion(GARE)
    refused = b'{"error": {"code": 403, "title": "Cette vid\\u00e9o est priv\\u00e9e"}}'
    assert answered(page, refused) == skip_lookup(page)
    bus = peertube(f"/w/{BUS_SHORT}")
    not_found = b"<html><body><h1>404 Page introuvable</h1></body></html>"
    assert answered(bus, not_found, b'{"total": 0, "data": []}') == skip_lookup(skip_lookup(bus))


def test_a_short_path_without_peertube_markup_is_no_peertube_video() -> None:
    html = """<html><head><title>Lien court</title><meta property="og:title" content="Lien court">
    </head><body><video src="/media/clip.mp4" controls></video>
    <p>Redirection vers <a href="http://ailleurs.example/">ailleurs</a>.</p></body></html>"""
    video = parse_video_page(html, f"http://court.val-liens.example/w/{BUS_SHORT}")

    assert video.platform is None and video.lookups == ()


def test_platform_lookups_stay_on_the_page_host_and_port() -> None:
    bus = fixture(PT, f"w/{BUS_SHORT}/index.html").decode("utf-8")
    gare = fixture(DM, f"video/{GARE}/index.html").decode("utf-8")

    on_port = parse_video_page(bus, f"https://videos.autre-instance.example:8443/w/{BUS_SHORT}")
    assert [lookup.url for lookup in on_port.lookups] == [
        f"https://videos.autre-instance.example:8443/api/v1/videos/{BUS_SHORT}",
        f"https://videos.autre-instance.example:8443/api/v1/videos/{BUS_SHORT}/captions",
    ]
    (metadata,) = parse_video_page(gare, f"http://127.0.0.1:8081/video/{GARE}").lookups
    assert metadata.url == f"http://127.0.0.1:8081/player/metadata/video/{GARE}"


def test_tracks_are_one_per_language_french_only_when_there_is_one() -> None:
    def track(name: str, lang: str | None, automatic: bool = False) -> CaptionTrack:
        return CaptionTrack(f"http://v.example/{name}.vtt", "vtt", lang, None, automatic)

    auto_fr, fr, fr_ca, en, de, unknown = (
        track("a", "fr", automatic=True),
        track("b", "fr"),
        track("c", "fr-CA"),
        track("d", "en"),
        track("e", "de"),
        track("f", None),
    )
    assert choose_tracks([auto_fr, en, fr, fr_ca, unknown]) == (fr, unknown)
    assert choose_tracks([en, de, track("g", "en", automatic=True)]) == (en, de)
    assert choose_tracks([auto_fr, en]) == (auto_fr,)


# -- crawls ---------------------------------------------------------------------------------------


def serve(web: LocalWeb, host: str, routes: dict[str, str], content_type: str) -> None:
    """Answer each path (with its query) from a fixture file: LocalWeb ignores queries,
    and an API path can be both a document and the folder of another."""
    for path, name in routes.items():
        web.set(host, path, Response(200, fixture(host, name), {"Content-Type": content_type}))


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def crawl(
    web: LocalWeb,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
    urls: dict[str, str],
    limits: str = "{max_depth: 1}",
) -> dict[str, Document]:
    """One collection pass (in its own crawler process) over a video source per URL."""
    sources = "".join(
        f"  - {{id: {source_id}, kind: video, url: '{url}', every: 1h, limits: {limits}}}\n"
        for source_id, url in urls.items()
    )
    settings = make_settings(web)
    run_pass(settings, write_watchlist(tmp_path, sources), quiet=True)
    return stored(settings)


def paths(web: LocalWeb, host: str) -> list[str]:
    return [request.path for request in web.requested(host) if request.path != "/robots.txt"]


@pytest.mark.integration
def test_youtube_crawl_stores_each_watch_page_with_its_captions_and_tags_who_is_named_only_in_them(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    pages = {f"/watch?v={v}": f"watch/{v}.html" for v in (DEBATE, COUNCIL)}
    serve(sites_web, YT, pages, "text/html; charset=utf-8")
    (debate_track,), (council_track,) = youtube(DEBATE).captions, youtube(COUNCIL).captions
    serve(sites_web, YT, {path_of(debate_track.url): f"timedtext/{DEBATE}.fr.xml"}, "text/xml")
    serve(
        sites_web,
        YT,
        {path_of(council_track.url): f"timedtext/{COUNCIL}.fr-asr.json3"},
        "application/json",
    )
    urls = {f"yt-{v.lower()}": f"http://{YT}/watch?v={v}" for v in (DEBATE, COUNCIL)}
    docs = crawl(sites_web, make_settings, tmp_path, urls)

    debate = docs[f"http://{YT}/watch?v={DEBATE}"]
    assert debate.kind == "video"
    assert (
        debate.title == "Municipales à Val-sur-Loire : le débat sur la rénovation du centre-ville"
    )
    assert debate.author == "Canal Citoyen du Val"
    assert debate.published_at == utc(2026, 11, 21, 17, 30)
    assert debate.video is not None and debate.video["duration"] == 1843
    assert "Je rejoins Élodie Arnaud sur un point :" in debate.video["captions"]
    assert "&#39;" not in debate.text and "n'est pas une fatalité" in debate.text
    # Named only in the speech: neither title nor description names a candidate.
    assert "Arnaud" not in debate.title + youtube(DEBATE).description
    assert {"elodie-arnaud", "claire-martin", "jean-baptiste-lefort"} <= set(debate.candidates)
    council = docs[f"http://{YT}/watch?v={COUNCIL}"]
    assert council.author == "Ville de Val-sur-Loire"
    assert council.published_at == utc(2026, 11, 24, 19, 2, 17)
    assert "la parole est à Jean-Baptiste Lefort" in (council.video or {})["captions"]
    assert "jean-baptiste-lefort" in council.candidates
    # Only the chosen tracks were fetched: no English, no automatic French for the debate,
    # and no oEmbed document.
    asked = paths(sites_web, YT)
    assert path_of(debate_track.url) in asked and path_of(council_track.url) in asked
    assert not [p for p in asked if "lang=en" in p or "fmt=srv3" in p or "oembed" in p]


@pytest.mark.integration
def test_dailymotion_crawl_reads_the_player_metadata_and_cdn_subtitles_and_a_failed_metadata_keeps_the_page(  # noqa: E501 - the name is the spec
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    sites_web.set(
        DM,
        f"/player/metadata/video/{NOEL}",
        Response(500, b'{"error": "internal"}', {"Content-Type": "application/json"}),
    )
    urls = {f"dm-{xid}": f"http://{DM}/video/{xid}" for xid in (GARE, NOEL)}
    docs = crawl(sites_web, make_settings, tmp_path, urls)

    gare = docs[f"http://{DM}/video/{GARE}"]
    assert gare.author == "Loire Matin Vidéo"
    assert gare.published_at == utc(2026, 11, 26, 18, 45)
    assert gare.video is not None and gare.video["duration"] == 1127
    assert "Claire Martin avait promis la même chose" in gare.video["captions"]
    assert "Martin" not in gare.title and "claire-martin" in gare.candidates
    assert f"/static/video/218/774/{GARE}/subtitle_fr.srt" in paths(sites_web, DM_CDN)
    assert not [p for p in paths(sites_web, DM_CDN) if p.endswith("_en.vtt")]
    # The metadata answered 500: the video is kept with what its page gave.
    noel = docs[f"http://{DM}/video/{NOEL}"]
    assert noel.title == "Marché de Noël : la mairie prolonge l'ouverture jusqu'au 4 janvier"
    assert noel.published_at == utc(2026, 11, 28, 6, 15)  # video:release_date at +01:00
    assert noel.video is not None and noel.video["duration"] == 94
    assert noel.author is None and noel.video["captions"] == ""


@pytest.mark.integration
def test_peertube_crawl_reads_the_api_and_a_caption_answering_500_keeps_the_video(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    for video_id in (BUS_SHORT, BUDGET_UUID):
        api = f"/api/v1/videos/{video_id}"
        routes = {api: f"{api[1:]}.json", f"{api}/captions": f"{api[1:]}.captions.json"}
        serve(sites_web, PT, routes, "application/json; charset=utf-8")
    failing = f"/lazy-static/video-captions/{BUDGET_UUID}-fr.vtt"
    sites_web.set(PT, failing, Response(500, b"Internal Server Error", {}))
    urls = {
        "pt-bus": f"http://{PT}/w/{BUS_SHORT}",
        "pt-budget": f"http://{PT}/videos/watch/{BUDGET_UUID}",
    }
    docs = crawl(sites_web, make_settings, tmp_path, urls)

    bus = docs[f"http://{PT}/w/{BUS_SHORT}"]
    assert bus.author == "Réunions publiques du collectif"
    assert bus.published_at == utc(2026, 11, 29, 16, 40, 12)
    assert bus.video is not None and bus.video["duration"] == 1264
    assert "Élodie Arnaud était venue à notre dernière réunion," in bus.video["captions"]
    assert "Arnaud" not in bus.title and "elodie-arnaud" in bus.candidates
    budget = docs[f"http://{PT}/videos/watch/{BUDGET_UUID}"]
    assert failing in paths(sites_web, PT)
    assert budget.title == "Atelier budget participatif – restitution des votes"
    assert budget.author == "Réunions publiques du collectif"
    assert budget.video is not None and budget.video["duration"] == 598
    assert budget.video["captions"] == "" and "claire-martin" not in budget.candidates


@pytest.mark.integration
def test_platform_lookups_and_caption_tracks_count_against_the_page_budget(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    api = f"/api/v1/videos/{BUS_SHORT}"
    serve(sites_web, PT, {api: f"{api[1:]}.json"}, "application/json")
    url = f"http://{PT}/w/{BUS_SHORT}"
    docs = crawl(sites_web, make_settings, tmp_path, {"pt-bus": url}, "{max_pages: 2}")

    # The page and the video's API answer; the captions would be a third and fourth request.
    assert paths(sites_web, PT) == [f"/w/{BUS_SHORT}", api]
    bus = docs[url]
    assert bus.author == "Réunions publiques du collectif" and bus.video is not None
    assert bus.video["captions"] == "" and bus.video["duration"] == 1264


@pytest.mark.integration
def test_a_caption_file_also_linked_for_download_is_still_read_as_the_video_caption(
    sites_web: LocalWeb, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    # The page's links are followed while its oEmbed document is read: the caption file
    # is then already "seen" as a link, and must still be read as the video's caption.
    host = "www.tele-val.example"
    page = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>Le 12/13 de Télé Val</title><meta property="og:title" content="Le 12/13 de Télé Val">
<meta property="video:duration" content="780">
<link rel="alternate" type="application/json+oembed" href="/oembed?url=/replay/12-13">
</head><body><video controls src="/media/12-13.mp4"></video>
<p><a href="/sous-titres/12-13.fr.vtt" download>Télécharger les sous-titres</a></p></body></html>"""
    vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nÉlodie Arnaud était au marché ce matin.\n"
    oembed = b'{"type": "video", "version": "1.0", "author_name": "T\\u00e9l\\u00e9 Val"}'
    sites_web.set(
        host, "/replay/12-13", Response(200, page.encode(), {"Content-Type": "text/html"})
    )
    sites_web.set(host, "/oembed?url=/replay/12-13", Response(200, oembed, {}))
    sites_web.set(host, "/sous-titres/12-13.fr.vtt", Response(200, vtt.encode(), {}))

    docs = crawl(sites_web, make_settings, tmp_path, {"tele": f"http://{host}/replay/12-13"})

    replay = docs[f"http://{host}/replay/12-13"]
    assert replay.author == "Télé Val"
    assert (replay.video or {})["captions"] == "Élodie Arnaud était au marché ce matin."
    assert "elodie-arnaud" in replay.candidates
