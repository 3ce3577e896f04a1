"""Hostile input, within budget: the crawl's peak memory and time on a bomb corpus.

Five sources, each a collection pass in its own crawler process against the local server:
a calm sitemap (the baseline), a gzip sitemap bomb (a few hundred kB that inflate to
64 MB), a chain of 60 nested sitemap indexes, a video page with 12 caption tracks of
nearly max_page_bytes each, and a feed whose one item carries 300,000 attributes. Each
row gives the pass's wall time, the crawl process's peak resident memory, and its excess
over the calm pass as a multiple of max_page_bytes (the budget: at most 3x), and the
errors the summary reports. Everything is generated here, in memory.
"""

from __future__ import annotations

import sys
import tempfile
import time
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import measure  # noqa: E402

from traceur.config import load_settings  # noqa: E402
from traceur.demo.localweb import LocalWeb, Response  # noqa: E402
from traceur.orchestra.passes import run_pass  # noqa: E402

HOST = "www.bombes-val.example"
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
MIB = 1024 * 1024
BUDGET = 8 * MIB  # max_page_bytes for the run: large enough that fixed costs do not blur it


def _xml(kind: str, body: str) -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{kind} {NS}>{body}</{kind}>'.encode()


def gzip_bomb(decompressed: int) -> bytes:
    entry = (
        f"<url><loc>http://{HOST}/archives/seance.html?origine={'x' * 2000}</loc>"
        "<lastmod>2019-06-30</lastmod></url>"
    ).encode()
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = entry * (MIB // len(entry))
    parts = [packer.compress(f'<?xml version="1.0"?><urlset {NS}>'.encode())]
    parts += [packer.compress(block) for _ in range(decompressed // len(block))]
    parts += [packer.compress(b"</urlset>"), packer.flush()]
    return b"".join(parts)


def caption_flood(size: int) -> bytes:
    cues, length, n = ["WEBVTT", ""], 0, 0
    while length < size:
        cue = (
            f"{n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}.000 --> "
            f"{n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}.900\n"
            f"Réplique {n} : le tracé du tramway passera-t-il par la gare ?\n"
        )
        cues.append(cue)
        length += len(cue.encode()) + 1
        n += 1
    return "\n".join(cues).encode()


def serve_corpus(web: LocalWeb) -> None:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    calm = f"<url><loc>http://{HOST}/articles/conseil.html</loc><lastmod>{now}</lastmod></url>"
    web.set(HOST, "/calme.xml", Response(200, _xml("urlset", calm)))
    web.set(HOST, "/bombe.xml.gz", Response(200, gzip_bomb(64 * MIB)))
    for level in range(60):
        child = f"<sitemap><loc>http://{HOST}/plans/{level + 1}.xml</loc></sitemap>"
        web.set(HOST, f"/plans/{level}.xml", Response(200, _xml("sitemapindex", child)))
    tracks = "".join(
        f'<track kind="subtitles" src="/st/{n}.vtt" srclang="fr" label="fr {n}">' for n in range(12)
    )
    page = (
        '<html lang="fr"><head><meta charset="utf-8"><title>Débat sur le tramway</title>'
        '<meta property="og:type" content="video.other"></head><body><h1>Débat</h1>'
        f'<video src="/medias/debat.mp4">{tracks}</video></body></html>'
    ).encode()
    web.set(HOST, "/video/", Response(200, page, {"Content-Type": "text/html; charset=utf-8"}))
    flood = caption_flood(BUDGET - 64 * 1024)
    for n in range(12):
        web.set(HOST, f"/st/{n}.vtt", Response(200, flood))
    noise = " ".join(f'data-suivi-{n}="é"' for n in range(300_000))
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Piège</title>'
        f"<item {noise}><title>Sondage</title><link>http://{HOST}/s.html</link></item>"
        "</channel></rss>"
    ).encode()
    web.set(HOST, "/rss.xml", Response(200, feed, {"Content-Type": "application/rss+xml"}))


SOURCES = {
    "calme": ("sitemap", "/calme.xml", "calm sitemap (baseline)"),
    "bombe": ("sitemap", "/bombe.xml.gz", "gzip sitemap bomb (64 MB inflated)"),
    "gigogne": ("sitemap", "/plans/0.xml", "60 nested sitemap indexes"),
    "deferlante": ("video", "/video/", "12 caption tracks of ~8 MB"),
    "piege": ("feed", "/rss.xml", "feed item with 300,000 attributes"),
}


def main(argv: Sequence[str] | None = None) -> int:
    measure.options("Peak memory and time of a crawl on a bomb corpus.", argv)
    lines = ["sources:"]
    for ident, (kind, path, _) in SOURCES.items():
        limits = ", limits: {max_depth: 1}" if kind == "video" else ""
        url = f"http://{HOST}{path}"
        lines.append(f"  - {{id: {ident}, kind: {kind}, url: '{url}', every: 1h{limits}}}")
    with tempfile.TemporaryDirectory(prefix="traceur-bench-bombs-") as tmp:
        watchlist = Path(tmp) / "watchlist.yaml"
        watchlist.write_text("\n".join(lines) + "\n", encoding="utf-8")
        with LocalWeb() as web:
            serve_corpus(web)
            settings = load_settings(environ={}).replace(
                store=f"sqlite:///{Path(tmp) / 'bench.db'}",
                data_dir=Path(tmp) / "data",
                http_proxy=web.proxy_url,
                allow_networks=("127.0.0.1/32",),
                download_delay=0.0,
                retry_times=0,
                obey_robots=False,
                max_page_bytes=BUDGET,
                max_text_chars=50_000,
            )
            rows: list[list[object]] = [["source", "time", "peak RSS", "over calm", "errors"]]
            calm_peak = 0
            for ident, (_, _, label) in SOURCES.items():
                start = time.perf_counter()
                summary = run_pass(settings, watchlist, [ident], quiet=True).sources[ident]
                seconds = time.perf_counter() - start
                peak = summary.memory_peak_bytes
                calm_peak = calm_peak or peak
                over = (peak - calm_peak) / BUDGET
                errors = ", ".join(f"{k}={v}" for k, v in sorted(summary.errors.items()))
                rows.append(
                    [label, f"{seconds:.1f} s", measure.mb(peak), f"{over:.2f}x", errors or "-"]
                )
    print(f"max_page_bytes {measure.mb(BUDGET)}; each pass in its own crawler process")
    print(measure.table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
