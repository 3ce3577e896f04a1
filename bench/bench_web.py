"""The volunteers' web app on a store of 100,000 documents: search and dashboard latency on
SQLite and on Elasticsearch, and the weight of the search page.

The corpus is ``corpus_store.py`` (12 candidates, 8 topics, five kinds of documents from
about a hundred sites over the last 90 days, wire stories reprinted on several sites,
forum threads); 20,000 documents with ``--quick``. It is loaded into a SQLite store and,
with the test harness (``tests/es/server.py``: a local single-node Elasticsearch fetched
once with Maven), into Elasticsearch, then measured twice per store:

- **store calls**: the calls the search page and the dashboard make for one page view
  (``search_page`` grouped by story, ``facets``, ``cluster_members`` of the clusters shown,
  ``triage``; ``count``, ``daily_counts``, ``facets``, ``cluster_members`` and the period's
  forum posts), timed together per page view, over a mix of 18 searches (words, phrases,
  prefixes, AND/OR/NOT, NEAR, filters, periods, both sorts) and three dashboard periods;
- **over HTTP**: the same page views as ``GET /recherche?…`` and ``GET /tableau-de-bord?…``
  against ``traceur web``'s app served by uvicorn on 127.0.0.1, with a logged-in session
  (when the pages are in this tree; otherwise "n/a").

Each view runs once to warm up, then ``--rounds`` times (3 by default); p50 and p95 are over
every timed view. Printed: both stores side by side with the targets (search p95 ≤ 150 ms,
dashboard p95 ≤ 400 ms, on SQLite), load times, and the search page's weight (HTML, CSS and
scripts it loads; target ≤ 150 KB). Figures only: nothing is asserted.
"""

from __future__ import annotations

import html.parser
import http.cookiejar
import importlib.util
import re
import shutil
import socket
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import corpus_store
import measure

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tests.es.server import (  # noqa: E402  (the harness lives with the tests)
    EsHarnessError,
    EsServer,
    start_server,
)
from traceur.config import Settings, load_settings  # noqa: E402
from traceur.store import SearchQuery  # noqa: E402
from traceur.store.elasticsearch import ElasticsearchStore  # noqa: E402
from traceur.store.sqlite import SqliteStore  # noqa: E402

SEARCH_TARGET_MS = 150.0
DASHBOARD_TARGET_MS = 400.0
PAGE_WEIGHT_TARGET_KB = 150.0
# What the search page asks for one view (as traceur/web/routes_search.py does).
SEARCH_FACETS = ["candidates", "topics", "kind", "triage_state", "source_id", "domain", "lang"]
FACET_SIZE = 8
PAGE_SIZE = 20
CLUSTER_SHOWN = 20
# What the dashboard asks (as traceur/web/routes_dashboard.py does).
DASHBOARD_TOP = 10
FORUM_POSTS_READ = 300


@dataclass(frozen=True)
class Search:
    """One search as a volunteer makes it: the store's fields and the page's query string."""

    label: str
    text: str = ""
    candidate: str | None = None
    topic: str | None = None
    kind: str | None = None
    days: int | None = None
    sort: str = "relevance"

    def fields(self, now: datetime) -> dict[str, Any]:
        since = now - timedelta(days=self.days) if self.days else None
        return {
            "text": self.text,
            "candidate": self.candidate,
            "topic": self.topic,
            "kind": self.kind,
            "since": since,
            "sort": self.sort,
        }

    def query_string(self) -> str:
        params = {
            "q": self.text,
            "candidat": self.candidate,
            "theme": self.topic,
            "type": self.kind,
            "periode": {1: "aujourdhui", 7: "7j", 30: "30j"}.get(self.days or 0),
            "tri": "date" if self.sort == "date" else "pertinence",
        }
        return urllib.parse.urlencode({k: v for k, v in params.items() if v})


SEARCHES = (
    Search("newest, 7 days", days=7, sort="date"),
    Search("newest, everything", sort="date"),
    Search("candidate filter", candidate="claire-martin", days=30, sort="date"),
    Search("rare candidate", candidate="noel-chastel", sort="date"),
    Search("word", "tramway"),
    Search("accented name", "élodie arnaud"),
    Search("phrase", '"logements sociaux"'),
    Search("phrase + candidate", '"police municipale"', candidate="claire-martin"),
    Search("prefix", "pétition*"),
    Search("AND", "tramway AND Lefort"),
    Search("OR", "Ollivier OR Benali"),
    Search("NOT", "budget NOT Martin"),
    Search("NEAR", "débat NEAR/5 stationnement", days=30),
    Search("group", "(Lefort OR Arnaud) riverains"),
    Search("kind filter", "médiathèque", kind="forum_post"),
    Search("topic filter", topic="sante", days=30, sort="date"),
    Search("today", days=1, sort="date"),
    Search("no match", '"conseil constitutionnel"'),
)
PERIODS = (("aujourdhui", 1), ("7j", 7), ("30j", 30))
# The search page weighed: a full page of results with their snippets and facets.
WEIGHED_PAGE = "/recherche?candidat=claire-martin&periode=30j&tri=date"


def search_view(store: Any, search: Search, now: datetime) -> None:
    """The store calls of one search page view."""
    fields = search.fields(now)
    page = store.search_page(SearchQuery(**fields, limit=PAGE_SIZE, collapse_clusters=True))
    store.facets(SearchQuery(**fields, limit=0), SEARCH_FACETS, size=FACET_SIZE)
    for hit in page.hits:
        if hit.document.cluster_id and hit.cluster_size > 1:
            store.cluster_members(hit.document.cluster_id, CLUSTER_SHOWN)
    store.triage([hit.document.id for hit in page.hits])


def dashboard_view(store: Any, days: int, now: datetime) -> None:
    """The store calls of one dashboard view."""
    query = SearchQuery(since=now - timedelta(days=days), limit=0)
    store.count(query)
    store.daily_counts(query, "candidates")
    counts = store.facets(query, ["kind", "domain", "cluster_id"], size=DASHBOARD_TOP)
    for cluster, size in counts.get("cluster_id", []):
        if size > 1:
            store.cluster_members(cluster, 1)
    store.search_page(
        SearchQuery(kind="forum_post", since=query.since, sort="date", limit=FORUM_POSTS_READ)
    )


def cli_search(store: Any, search: Search, now: datetime) -> None:
    """What ``traceur search`` asks (the one call every store had before the web app)."""
    fields = search.fields(now)
    store.search(SearchQuery(**{k: v for k, v in fields.items() if k != "sort"}))


@dataclass
class Timings:
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def percentile(self, share: float) -> float | None:
        if not self.seconds:
            return None
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] * 1000


# A warm-up view slower than this stops its series: its figure would be far off any target
# anyway, and repeating it would keep `make bench` busy for an hour.
TOO_SLOW_SECONDS = 10.0


def timed(views: Sequence[Callable[[], object]], rounds: int) -> Timings:
    """Each view once untimed (warm caches), then ``rounds`` times, interleaved."""
    result = Timings()
    for number, view in enumerate(views, 1):
        start = time.perf_counter()
        try:
            view()
        except Exception as exc:  # noqa: BLE001 - a figure missing is reported, not fatal
            result.errors.append(f"{type(exc).__name__}: {exc}")
            return result
        took = time.perf_counter() - start
        if took > TOO_SLOW_SECONDS:
            result.errors.append(
                f"view {number} of {len(views)} took {took:.1f} s to warm up"
                f" (over {TOO_SLOW_SECONDS:.0f} s): series stopped"
            )
            return result
    for _ in range(rounds):
        for view in views:
            start = time.perf_counter()
            view()
            result.seconds.append(time.perf_counter() - start)
    return result


def measure_store(store: Any, now: datetime, rounds: int) -> dict[str, Timings]:
    figures: dict[str, Timings] = {}
    if not hasattr(store, "search_page"):
        missing = Timings(errors=[f"{type(store).__name__} has no search_page yet"])
        figures["search"] = figures["dashboard"] = missing
    else:
        figures["search"] = timed(
            [lambda s=s: search_view(store, s, now) for s in SEARCHES], rounds
        )
        figures["dashboard"] = timed(
            [lambda d=d: dashboard_view(store, d, now) for _, d in PERIODS], rounds
        )
    figures["cli search"] = timed([lambda s=s: cli_search(store, s, now) for s in SEARCHES], rounds)
    return figures


# -- over HTTP ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Assets(html.parser.HTMLParser):
    """The stylesheets and scripts a page loads."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and "stylesheet" in (found.get("rel") or "") and found.get("href"):
            self.urls.append(str(found["href"]))
        if tag == "script" and found.get("src"):
            self.urls.append(str(found["src"]))


class WebApp:
    """``traceur web``'s app over ``settings``, served by uvicorn in a thread, with a
    logged-in browser session (a cookie jar)."""

    def __init__(self, settings: Settings) -> None:
        import uvicorn

        from traceur.web.accounts import add_user, open_accounts
        from traceur.web.app import create_app

        db = open_accounts(settings.data_dir)
        password = "banc-d-essai-très-long-2026"
        add_user(db, "banc", "coordination", password)
        db.close()
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the web app did not start within 30 s")
            time.sleep(0.05)
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        form = self.get("/connexion").decode("utf-8")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        fields = {"nom": "banc", "mot_de_passe": password, "suivant": "/"}
        if token:
            fields["csrf_token"] = token.group(1)
        body = urllib.parse.urlencode(fields).encode()
        with self.opener.open(f"{self.base}/connexion", data=body, timeout=60) as answer:
            answer.read()
        if not any(cookie.value for cookie in jar):
            raise RuntimeError("could not log in to the web app")

    def get(self, path: str) -> bytes:
        with self.opener.open(self.base + path, timeout=120) as answer:
            if answer.status != 200:
                raise RuntimeError(f"GET {path}: {answer.status}")
            return bytes(answer.read())

    def has(self, path: str) -> bool:
        try:
            self.get(path)
        except urllib.error.HTTPError:
            return False
        return True

    def page_weight(self, path: str) -> tuple[int, int]:
        """Bytes of the page, and of the stylesheets and scripts it loads."""
        page = self.get(path)
        assets = _Assets()
        assets.feed(page.decode("utf-8", "replace"))
        return len(page), sum(len(self.get(url)) for url in dict.fromkeys(assets.urls))

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def measure_http(settings: Settings, rounds: int) -> tuple[dict[str, Timings], str]:
    """Timings of the pages over HTTP, and the search page's weight (or why not)."""
    try:
        app = WebApp(settings)
    except Exception as exc:  # noqa: BLE001 - reported as n/a with its reason
        reason = f"web app unavailable: {type(exc).__name__}: {exc}"
        return {"search": Timings(errors=[reason]), "dashboard": Timings(errors=[reason])}, reason
    try:
        figures: dict[str, Timings] = {}
        for name, path, module in (
            ("search", "/recherche", "routes_search"),
            ("dashboard", "/tableau-de-bord", "routes_dashboard"),
        ):
            # The skeleton serves a placeholder at these paths until the pages exist.
            if importlib.util.find_spec(f"traceur.web.{module}") is None or not app.has(path):
                figures[name] = Timings(errors=[f"no page {path} in this tree yet"])
        if "search" not in figures:
            figures["search"] = timed(
                [lambda s=s: app.get(f"/recherche?{s.query_string()}") for s in SEARCHES], rounds
            )
        if "dashboard" not in figures:
            figures["dashboard"] = timed(
                [lambda p=p: app.get(f"/tableau-de-bord?periode={p}") for p, _ in PERIODS],
                rounds,
            )
        weight = "n/a (no search page yet)"
        if importlib.util.find_spec("traceur.web.routes_search") is not None:
            # Weighed on its own, so a search series stopped for slowness still has a weight.
            page, assets = app.page_weight(WEIGHED_PAGE)
            total = (page + assets) / 1000
            weight = (
                f"{total:.1f} KB (HTML {page / 1000:.1f} KB + CSS and scripts"
                f" {assets / 1000:.1f} KB; target ≤ {PAGE_WEIGHT_TARGET_KB:.0f} KB)"
            )
        return figures, weight
    finally:
        app.close()


# -- main ----------------------------------------------------------------------------------


def _load(store: Any, documents: list[Any]) -> float:
    start = time.perf_counter()
    for offset in range(0, len(documents), 2000):
        result = store.upsert(documents[offset : offset + 2000])
        if result.failed or result.spooled:
            raise RuntimeError(f"load: {len(result.failed)} failed, {len(result.spooled)} spooled")
    return time.perf_counter() - start


def _cell(timings: Timings | None, share: float) -> str:
    if timings is None:
        return "—"
    if timings.errors:
        return "n/a"
    value = timings.percentile(share)
    return "—" if value is None else f"{value:.0f} ms"


def main() -> None:
    args = measure.options(
        __doc__ or "",
        count=(int, None, "documents in the store (default 100000, 20000 with --quick)"),
        rounds=(int, 3, "timed rounds over every view (default 3)"),
        stores=(str, "sqlite,es", "stores to measure: sqlite, es or both (sqlite,es)"),
    )
    count = args.count or (20000 if args.quick else 100000)
    wanted = {name.strip() for name in args.stores.split(",")}
    now = datetime.now(UTC)
    started = time.perf_counter()
    documents = list(corpus_store.documents(count, now=now))
    print(f"corpus: {count:,} documents generated in {time.perf_counter() - started:.1f} s")

    workdir = Path(tempfile.mkdtemp(prefix="traceur-bench-web-"))
    base = load_settings(environ={}).replace(
        data_dir=workdir / "data", allow_networks=("127.0.0.1/32",)
    )
    results: dict[str, dict[str, dict[str, Timings]]] = {}
    loads: dict[str, str] = {}
    weights: dict[str, str] = {}
    server: EsServer | None = None
    try:
        if "sqlite" in wanted:
            path = workdir / "traceur.db"
            sqlite = SqliteStore(path)
            seconds = _load(sqlite, documents)
            loads["SQLite"] = f"{seconds:.0f} s ({count / seconds:,.0f} documents/s)"
            results["SQLite"] = {"store": measure_store(sqlite, now, args.rounds)}
            sqlite.close()
            settings = base.replace(store=f"sqlite:///{path}", data_dir=workdir / "web-sqlite")
            results["SQLite"]["http"], weights["SQLite"] = measure_http(settings, args.rounds)
        if "es" in wanted:
            started = time.perf_counter()
            try:
                server = start_server(heap="1g")
            except EsHarnessError as exc:
                # No Java or no Maven here: the SQLite figures still stand.
                print(f"Elasticsearch skipped: {exc}")
                wanted.discard("es")
        if "es" in wanted and server is not None:
            print(f"Elasticsearch started in {time.perf_counter() - started:.1f} s")
            settings = base.replace(
                store=f"es+{server.url}",
                es_index_prefix="banc",
                es_batch_size=1000,
                data_dir=workdir / "web-es",
            )
            es = ElasticsearchStore.from_settings(settings)
            es.setup()
            seconds = _load(es, documents)
            es.refresh()
            loads["Elasticsearch"] = f"{seconds:.0f} s ({count / seconds:,.0f} documents/s)"
            results["Elasticsearch"] = {"store": measure_store(es, now, args.rounds)}
            es.close()
            results["Elasticsearch"]["http"], weights["Elasticsearch"] = measure_http(
                settings, args.rounds
            )
    finally:
        if server is not None:
            server.destroy()
        shutil.rmtree(workdir, ignore_errors=True)

    stores = list(results)
    print(f"\nload ({count:,} documents, batches of 2,000)")
    print(measure.table([(name, loads[name]) for name in stores]))
    header = ("view", "measured as", *(f"{s} p50 / p95" for s in stores), "target p95 (SQLite)")
    rows: list[tuple[str, ...]] = [header]
    for view, target in (
        ("search", f"≤ {SEARCH_TARGET_MS:.0f} ms"),
        ("dashboard", f"≤ {DASHBOARD_TARGET_MS:.0f} ms"),
        ("cli search", "—"),
    ):
        for how in ("store", "http"):
            if view == "cli search" and how == "http":
                continue
            cells = []
            for name in stores:
                timings = results[name][how].get(view)
                cells.append(f"{_cell(timings, 0.5)} / {_cell(timings, 0.95)}")
            label = "store calls" if how == "store" else "HTTP, logged in"
            rows.append((view, label, *cells, target))
    print(
        f"\nlatency per page view ({len(SEARCHES)} searches, {len(PERIODS)} dashboard"
        f" periods, {args.rounds} rounds after a warm-up)"
    )
    print(measure.table(rows))
    notes = sorted(
        {
            f"{name} {how} {view}: {error}"
            for name in stores
            for how, views in results[name].items()
            for view, timings in views.items()
            for error in timings.errors
        }
    )
    for note in notes:
        print(f"  n/a: {note}")
    print("\nsearch page weight")
    print(measure.table([(name, weights.get(name, "n/a")) for name in stores]))


if __name__ == "__main__":
    main()
