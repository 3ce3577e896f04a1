"""``/tableau-de-bord``: the period at a glance — mentions per candidate per day, by kind,
top sites, the story clusters reprinted most, forum threads that started, the health of
every source and the alert rules with their last emails (what ``traceur status`` reads)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from traceur.alerts.outbox import AlertState
from traceur.config import Settings
from traceur.document import Document
from traceur.errors import TraceurError
from traceur.orchestra.scheduler.status import RuleStatus, SourceStatus, status
from traceur.store import SearchQuery, Store
from traceur.web.filters import PERIODS, Filters, Names, period_bounds
from traceur.web.fr import PARIS, kind_label
from traceur.web.pagekit import helpers, names, store_of, utc_now
from traceur.web.security import require_user
from traceur.web.templating import render

log = logging.getLogger(__name__)

TOP = 10
# Newest forum posts of the period read to find the threads that started in it.
FORUM_POSTS_READ = 300
# The last emails listed under each alert rule.
LAST_EMAILS = 3
RESULT_LABELS = {
    "ok": "ok",
    "partial": "partiel (erreurs)",
    "failed": "échec",
    "empty": "vide (mise en page changée ?)",
    "crashed": "planté",
    "stopped": "arrêté",
    "interrupted": "interrompu",
}


@dataclass
class Thread:
    url: str
    title: str
    first: Document
    posts: int


@dataclass
class Figures:
    total: int = 0
    daily: list[tuple[date, str, int]] = field(default_factory=list)
    kinds: list[tuple[str, int]] = field(default_factory=list)
    sites: list[tuple[str, int]] = field(default_factory=list)
    clusters: list[tuple[Document, int]] = field(default_factory=list)
    threads: list[Thread] = field(default_factory=list)


def _figures(store: Store, since: datetime | None) -> Figures:
    query = SearchQuery(since=since, limit=0)
    figures = Figures(total=store.count(query))
    figures.daily = store.daily_counts(query, "candidates")
    counts = store.facets(query, ["kind", "domain", "cluster_id"], size=TOP)
    figures.kinds = [(kind_label(k), n) for k, n in counts.get("kind", [])]
    figures.sites = counts.get("domain", [])
    for cluster, size in counts.get("cluster_id", []):
        if size > 1:
            members = store.cluster_members(cluster, 1)
            if members:
                figures.clusters.append((members[0], size))
    posts = store.search_page(
        SearchQuery(kind="forum_post", since=since, sort="date", limit=FORUM_POSTS_READ)
    ).hits
    threads: dict[str, Thread] = {}
    for hit in posts:
        doc = hit.document
        if not doc.thread_url:
            continue
        found = threads.get(doc.thread_url)
        if found is None:
            threads[doc.thread_url] = Thread(doc.thread_url, doc.title, doc, 1)
        else:
            found.posts += 1
            if (doc.position or 0) < (found.first.position or 0):
                found.first = doc
    # A thread "started" in the period when its first post (position 1) is among them.
    figures.threads = [t for t in threads.values() if (t.first.position or 1) <= 1][:TOP]
    return figures


@dataclass
class Health:
    sources: list[SourceStatus] = field(default_factory=list)
    rules: list[tuple[RuleStatus, list[tuple[str, str]]]] = field(default_factory=list)
    running: bool = False
    queued: int = 0
    problem: str = ""


def _health(settings: Settings) -> Health:
    try:
        report = status(settings, None)
    except TraceurError as error:
        # A watchlist with an error: the operator sees it in `traceur check`; the page says so.
        log.warning("dashboard without source health: %s", error)
        return Health(problem="État des sources indisponible : la liste de veille a une erreur.")
    health = Health(sources=report.sources, running=report.pid is not None, queued=report.queued)
    with AlertState.in_data_dir(Path(settings.data_dir)) as state:
        for rule in report.rules:
            messages = state.messages(rule.rule.id)[-LAST_EMAILS:]
            health.rules.append((rule, [(subject, st) for _, st, subject, _ in reversed(messages)]))
    return health


def _period(params: Any) -> str:
    chosen = str(params.get("periode", "7j"))
    return chosen if chosen in PERIODS else "7j"


def _series_days(figures: Figures, period: str, now: datetime) -> tuple[date, date]:
    today = now.astimezone(PARIS).date()
    days = {"aujourdhui": 1, "7j": 7, "30j": 30}[period]
    return today - timedelta(days=days - 1), today


async def dashboard(request: Request) -> Response:
    require_user(request)
    period = _period(request.query_params)
    now = utc_now()
    since, _ = period_bounds(Filters(period=period), now)
    store = store_of(request)
    figures = await run_in_threadpool(_figures, store, since)
    health = await run_in_threadpool(_health, request.app.state.settings)
    found: Names = names(request)
    start, end = _series_days(figures, period, now)
    context = {
        **helpers(found),
        "period": period,
        "periods": PERIODS,
        "figures": figures,
        "health": health,
        "start": start,
        "end": end,
        "result_labels": RESULT_LABELS,
        "search_link": Filters(period=period).link(),
        "filters": Filters(period=period),
    }
    return render(request, "tableau_de_bord.html", context)


routes = [Route("/tableau-de-bord", dashboard, methods=["GET"])]
