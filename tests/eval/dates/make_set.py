"""Writes the labelled publication-date set of this directory: ``pages/*.html`` and
``manifest.yaml`` (see README.md).

Each page is planned first (its true publication instant, the fetch time, the feed or
sitemap entry's date, the traps it carries), then rendered in one of ten site styles with
the date written the way that style writes it. The label comes from the plan, never from
a parser. Run it again only to change the set on purpose:

    .venv/bin/python tests/eval/dates/make_set.py
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html import escape
from pathlib import Path
from string import Template
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import yaml

HERE = Path(__file__).parent
PARIS = ZoneInfo("Europe/Paris")
MONTHS = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
).split()
WEEKDAYS = "lundi mardi mercredi jeudi vendredi samedi dimanche".split()
TEASER_TITLES = (
    "Le marché de Noël change de place",
    "Travaux rue du Port : la circulation alternée prolongée",
    "Le club de handball monte en Nationale 3",
    "Une exposition sur les phares à la médiathèque",
    "La fibre arrive dans les hameaux du nord",
    "Les horaires d'été de la déchetterie",
)


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    author: str
    section: str
    paragraphs: tuple[str, ...]


@dataclass
class Page:
    """What a style renders: the article and every dated piece around it."""

    article: Article
    url: str
    head: str = ""  # meta tags and JSON-LD blocks
    byline: str = ""  # the printed date near the title (HTML)
    sidebar: str = ""  # "Les plus lus", with dates
    teasers: str = ""  # other articles' teasers, with dates
    comments: str = ""  # readers' comments, with dates
    masthead: str = ""  # today's date in the site's header
    event: str = ""  # a short paragraph that names another date


@dataclass
class Plan:
    name: str
    style: str
    url: str
    fetched_at: datetime
    truth: datetime | None
    entry: datetime | None = None
    entry_via: str | None = None
    flag: str | None = None
    traps: list[str] = field(default_factory=list)


# -- how dates are written --------------------------------------------------------------


def local(moment: datetime) -> datetime:
    return moment.astimezone(PARIS)


def fr_day(moment: datetime, first: bool = True) -> str:
    day = local(moment)
    dom = "1er" if day.day == 1 and first else str(day.day)
    return f"{dom} {MONTHS[day.month - 1]} {day.year}"


def fr_long(moment: datetime) -> str:
    return f"{fr_day(moment)} à {local(moment):%H}h{local(moment):%M}"


def fr_spaced(moment: datetime) -> str:
    return f"{fr_day(moment)} à {local(moment):%H} h {local(moment):%M}"


def fr_slash(moment: datetime) -> str:
    return f"{local(moment):%d/%m/%Y à %H:%M}"


def fr_dots(moment: datetime) -> str:
    return f"{local(moment):%d.%m.%Y - %H:%M}"


def fr_weekday(moment: datetime) -> str:
    day = local(moment)
    return f"{WEEKDAYS[day.weekday()]} {fr_day(moment, first=False)}, {day:%H:%M}"


def iso_local(moment: datetime) -> str:
    return local(moment).isoformat(timespec="seconds")


def iso_z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_z_millis(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def iso_space_offset(moment: datetime) -> str:
    return local(moment).strftime("%Y-%m-%d %H:%M:%S %z")


def iso_compact_offset(moment: datetime) -> str:
    return local(moment).strftime("%Y-%m-%dT%H:%M:%S%z")


def rfc2822(moment: datetime) -> str:
    from email.utils import format_datetime

    return format_datetime(local(moment))


def iso_new_york(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("America/New_York")).isoformat(timespec="seconds")


SHORT_MONTHS = "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.".split()


def fr_abbrev(moment: datetime) -> str:
    day = local(moment)
    return f"{day.day} {SHORT_MONTHS[day.month - 1]} {day.year} à {day:%H}h{day:%M}"


def fr_bullet(moment: datetime) -> str:
    return f"{fr_day(moment)} • {local(moment):%H:%M}"


def fr_dashes(moment: datetime) -> str:
    return f"{local(moment):%d-%m-%Y à %Hh%M}"


PRINTED: tuple[Callable[[datetime], str], ...] = (fr_long, fr_spaced, fr_slash, fr_dots, fr_weekday)
# Forms the rules were not tuned on: the held-out batch uses them too.
HELD_OUT_PRINTED = (*PRINTED, fr_abbrev, fr_bullet, fr_dashes)
FIRST_BATCH = 150


def printed(n: int) -> tuple[Callable[[datetime], str], ...]:
    return PRINTED if n <= FIRST_BATCH else HELD_OUT_PRINTED


MACHINE: tuple[Callable[[datetime], str], ...] = (
    iso_local,
    iso_z,
    iso_z_millis,
    iso_space_offset,
    iso_compact_offset,
    rfc2822,
    iso_new_york,
)


# -- dated pieces around the article -------------------------------------------------------


def sidebar(rng: random.Random, when: datetime, style: int) -> str:
    items = []
    for n, title in enumerate(rng.sample(TEASER_TITLES, 4)):
        moment = when - timedelta(hours=rng.randint(2, 70), minutes=rng.randint(0, 59))
        stamp = (
            f'<time datetime="{iso_local(moment)}">{fr_slash(moment)}</time>'
            if n % 2 == 0
            else f"<span class='date'>{fr_long(moment)}</span>"
        )
        items.append(f"<li><a href='/actu/{n}'>{escape(title)}</a> {stamp}</li>")
    listing = "\n".join(items)
    shapes = (
        f"<aside class='plus-lus'><h2>Les plus lus</h2><ol>{listing}</ol></aside>",
        f"<div class='widget widget-populaires'><h3>Les plus lus</h3><ul>{listing}</ul></div>",
        f"<section id='most-read' class='bloc'><h2>Les plus lus</h2><ol>{listing}</ol></section>",
    )
    return shapes[style % len(shapes)]


def teasers(rng: random.Random, when: datetime) -> str:
    cards = []
    for title in rng.sample(TEASER_TITLES, 3):
        moment = when - timedelta(days=rng.randint(1, 9), minutes=rng.randint(0, 600))
        cards.append(
            f"<article class='teaser'><h3><a href='/a/{rng.randint(100, 999)}'>{escape(title)}</a>"
            f"</h3><p><time datetime='{iso_z(moment)}'>Publié le {fr_long(moment)}</time></p>"
            "</article>"
        )
    return "<section class='related'><h2>À lire aussi</h2>" + "".join(cards) + "</section>"


def comments(rng: random.Random, when: datetime) -> str:
    lines = []
    for author in rng.sample(["Gwen29", "Paul L.", "citoyenne_vigilante", "Jo Le Du"], 3):
        moment = when + timedelta(hours=rng.randint(1, 30), minutes=rng.randint(0, 59))
        lines.append(
            f"<li class='comment'><footer class='comment-meta'><b>{author}</b>, le "
            f"<time datetime='{iso_local(moment)}'>{fr_slash(moment)}</time></footer>"
            "<p>Merci pour cet article, il manque tout de même l'avis des habitants "
            "concernés.</p></li>"
        )
    return (
        "<section id='comments' class='comments-area'><h2>3 commentaires</h2><ol>"
        + "".join(lines)
        + "</ol></section>"
    )


def masthead(fetched_at: datetime) -> str:
    day = local(fetched_at)
    return f"<p class='today'>{WEEKDAYS[day.weekday()].capitalize()} {fr_day(fetched_at)}</p>"


def json_ld(article: Article, url: str, published: str, modified: str | None, shape: int) -> str:
    main: dict[str, Any] = {
        "@type": "NewsArticle",
        "headline": article.title,
        "datePublished": published,
        "author": {"@type": "Person", "name": article.author},
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
    }
    if modified:
        main["dateModified"] = modified
    blocks: list[Any]
    if shape == 0:
        blocks = [{"@context": "https://schema.org", **main}]
    elif shape == 1:  # Yoast-like @graph: page, article, breadcrumb, person
        main["@type"] = "Article"
        blocks = [
            {
                "@context": "https://schema.org",
                "@graph": [
                    {"@type": "WebPage", "@id": url, "url": url, "datePublished": published},
                    main,
                    {
                        "@type": "BreadcrumbList",
                        "itemListElement": [
                            {"@type": "ListItem", "position": 1, "name": "Accueil"}
                        ],
                    },
                ],
            }
        ]
    else:  # embedded items with their own dates, and a related article's block first
        main["video"] = {"@type": "VideoObject", "uploadDate": "2019-04-02T10:00:00+02:00"}
        main["comment"] = [{"@type": "Comment", "dateCreated": "2026-12-01T08:00:00Z"}]
        other = url.rsplit("/", 2)[0] + "/autre-sujet/"
        blocks = [
            {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": "Autre sujet",
                "datePublished": "2025-06-14T09:00:00+02:00",
                "url": other,
            },
            {"@context": "https://schema.org", **main},
            {
                "@context": "https://schema.org",
                "@type": "ItemList",
                "itemListElement": [
                    {"@type": "NewsArticle", "datePublished": "2026-01-02T07:00:00Z"}
                ],
            },
        ]
    return "\n".join(
        f'<script type="application/ld+json">{json.dumps(b, ensure_ascii=False)}</script>'
        for b in blocks
    )


# -- site styles ------------------------------------------------------------------------


def paragraphs(page: Page) -> str:
    body = [f"<p>{escape(text)}</p>" for text in page.article.paragraphs]
    if page.event:
        body.insert(2, f"<p>{page.event}</p>")
    return "\n".join(body)


STYLE_DIR = HERE / "styles"


def render(style: str, page: Page) -> str:
    """``page`` in the template of ``style`` (``styles/<style>.html``)."""
    template = Template((STYLE_DIR / f"{style}.html").read_text(encoding="utf-8"))
    return template.substitute(
        head=page.head,
        title=escape(page.article.title),
        author=escape(page.article.author),
        section=escape(page.article.section.capitalize()),
        slug=page.article.slug,
        number=str(len(page.url)),
        byline=page.byline,
        paragraphs=paragraphs(page),
        masthead=page.masthead,
        sidebar=page.sidebar,
        teasers=page.teasers,
        comments=page.comments,
    )


HOSTS = {
    "spip": "www.voix-du-brennadais.example",
    "wordpress": "www.courrier-orne-vive.example",
    "drupal": "www.hebdo-val-de-sevre.example",
    "national": "www.quotidien-national.example",
    "hugo": "carnet-de-campagne.example",
    "joomla": "www.saint-aubin-des-landes.example",
    "radio": "www.radio-bocage.example",
    "agency": "depeches.ouest-depeches.example",
    "typo3": "www.monts-arree-departement.example",
    "dotclear": "tribune-du-canton.example",
}
# Styles written after the rules were frozen, measured once as written (see README.md).
HELD_OUT_HOSTS = {
    "nextjs": "www.fil-citoyen.example",
    "webflow": "www.marais-vivant.example",
    "plume": "plume-publique.example",
    "wixlike": "www.bourg-saint-aignan.example",
}
ALL_HOSTS = {**HOSTS, **HELD_OUT_HOSTS}


def page_url(style: str, article: Article, published: datetime, n: int) -> str:
    host = ALL_HOSTS[style]
    day = local(published)
    shapes = {
        "spip": f"/spip.php?article{300 + n}",
        "wordpress": f"/{day:%Y/%m/%d}/{article.slug}/",
        "drupal": f"/actualites/{article.slug}",
        "national": f"/{article.section}/article/{day:%Y/%m/%d}/{article.slug}_{6100 + n}.html",
        "hugo": f"/posts/{article.slug}/",
        "joomla": f"/actualites/{100 + n}-{article.slug}",
        "radio": f"/info/{article.slug}-{n}",
        "agency": f"/depeche/{8000 + n}",
        "typo3": f"/actualites/detail/{article.slug}",
        "dotclear": f"/index.php?post/{day:%Y/%m/%d}/{article.slug}",
        "nextjs": f"/territoires/{article.slug}-{n:x}",
        "webflow": f"/actus/{article.slug}",
        "plume": f"/@collectif/{article.slug}-{n * 7919:x}",
        "wixlike": f"/post/{article.slug}",
    }
    return f"https://{host}{shapes[style]}"


# -- the byline as each style prints it --------------------------------------------------


def byline(style: str, text: str, machine: str | None = None, cls: str = "published") -> str:
    """``text`` ("Publié le …"), wrapped as ``style`` wraps its date."""
    if machine is not None:
        inner = f"<time class='{cls}' datetime='{machine}'>{text}</time>"
    else:
        inner = text
    wraps = {
        "spip": f"<p class='info-publi'>{inner}</p>",
        "wordpress": f"<span class='posted-on'>{inner}</span>",
        "drupal": f"<span class='field--name-created'>{inner}</span>",
        "national": f"<span class='qn-date'>{inner}</span>",
        "hugo": f"<span class='post-date'>{inner}</span>",
        "joomla": f"<dd class='{cls}'>{inner}</dd>",
        "radio": inner,
        "agency": f"<p class='dateline'>{inner}</p>",
        "typo3": f"<span class='news-list-date'>{inner}</span>",
        "dotclear": inner,
        "nextjs": f"<span class='Byline_date__b1Vd8'>{inner}</span>",
        "webflow": f"<div class='text-date'>{inner}</div>",
        "plume": f"<span data-testid='storyPublishDate'>{inner}</span>",
        "wixlike": f"<span data-hook='time-ago'>{inner}</span>",
    }
    return wraps[style]


# -- scenarios: where the true date is, and what stands around it ------------------------

Scenario = Callable[["Slot"], tuple[Page, Plan]]


def moment_in_2026(rng: random.Random) -> datetime:
    day = date(2026, 1, 5) + timedelta(days=rng.randint(0, 320))
    clock = datetime(day.year, day.month, day.day, rng.randint(6, 22), rng.randint(0, 59))
    return clock.replace(tzinfo=PARIS).astimezone(UTC)


def after(rng: random.Random, published: datetime, low: int = 20, high: int = 3000) -> datetime:
    return published + timedelta(minutes=rng.randint(low, high))


class Slot(NamedTuple):
    """Where a page stands in the set: the random draws, its style, text and number."""

    rng: random.Random
    style: str
    article: Article
    n: int


def setting(slot: Slot, published: datetime, **plan: Any) -> tuple[Page, Plan]:
    """The page and its plan, with the dated furniture a site of ``style`` shows."""
    rng, style, article, n = slot
    url = page_url(style, article, published, n)
    fetched = plan.pop("fetched_at", None) or after(rng, published)
    page = Page(article, url)
    traps: list[str] = list(plan.pop("traps", []))
    if rng.random() < 0.6:
        page.sidebar = sidebar(rng, fetched, n)
        traps.append("sidebar")
    if rng.random() < 0.4:
        page.teasers = teasers(rng, published)
        traps.append("teaser")
    if rng.random() < 0.4:
        page.comments = comments(rng, published)
        traps.append("comments")
    if rng.random() < 0.3:
        page.masthead = masthead(fetched)
        traps.append("masthead_today")
    name = f"{n:03d}-{style}-{article.slug}"
    return page, Plan(name, style, url, fetched, traps=traps, **plan)


def scenario_json_ld(slot: Slot) -> tuple[Page, Plan]:
    rng, style, article, n = slot
    published = moment_in_2026(rng)
    shape = n % 3
    modified = after(rng, published, 30, 600)
    entry = after(rng, published, 60, 900)  # a feed that gives its own (later) time
    page, plan = setting(
        slot,
        published,
        truth=published,
        entry=entry,
        entry_via="feed",
        traps=[("jsonld", "jsonld_graph", "jsonld_embedded")[shape]],
    )
    page.head = json_ld(article, page.url, rng.choice(MACHINE)(published), iso_z(modified), shape)
    page.byline = byline(style, f"Publié le {fr_long(published)}")
    return page, plan


def scenario_meta(slot: Slot) -> tuple[Page, Plan]:
    rng, style, article, n = slot
    published = moment_in_2026(rng)
    modified = after(rng, published, 45, 2000)
    page, plan = setting(slot, published, truth=published, traps=["updated"])
    page.head = (
        f"<meta property='og:type' content='article'>"
        f"<meta property='article:modified_time' content='{iso_local(modified)}'>"
        f"<meta property='article:published_time' content='{rng.choice(MACHINE)(published)}'>"
    )
    page.byline = byline(style, f"Mis à jour le {fr_slash(modified)}")
    return page, plan


def scenario_time(slot: Slot) -> tuple[Page, Plan]:
    rng, style, article, n = slot
    published = moment_in_2026(rng)
    page, plan = setting(slot, published, truth=published, traps=["time"])
    page.byline = byline(style, fr_long(published), iso_local(published))
    if not page.teasers:
        page.teasers = teasers(rng, published)
        plan.traps.append("teaser")
    return page, plan


def scenario_feed_only(slot: Slot) -> tuple[Page, Plan]:
    page, plan = undated_page(slot, "feed")
    if slot.n % 2:
        page.event = past_event(plan.truth or plan.fetched_at)
        plan.traps.append("event_in_text")
    return page, plan


def undated_page(slot: Slot, via: str) -> tuple[Page, Plan]:
    """A page that prints no date of its own; the feed or sitemap entry gives the minute."""
    published = moment_in_2026(slot.rng)
    return setting(
        slot,
        published,
        truth=published,
        entry=published,
        entry_via=via,
        traps=["feed_only", "asset_year", "copyright"],
    )


def past_event(published: datetime) -> str:
    earlier = published - timedelta(days=9)
    return f"Lors de la réunion du {fr_day(earlier)}, le sujet avait déjà été abordé."


def scenario_day_only(slot: Slot) -> tuple[Page, Plan]:
    rng, style, article, n = slot
    published = moment_in_2026(rng)
    page, plan = setting(
        slot,
        published,
        truth=published,
        entry=published,
        entry_via="feed",
        traps=["day_only_feed_minute", "asset_year", "copyright"],
    )
    day = local(published).date()
    if n % 2:
        page.byline = byline(style, f"Publié le {fr_day(published)}")
    else:
        stamp = f"{day:%Y-%m-%d}" if n % 4 else f"{day:%Y-%m-%d}T00:00:00+01:00"
        page.head = f"<meta property='article:published_time' content='{stamp}'>"
        page.byline = byline(style, f"{day:%d/%m/%Y}")
    return page, plan


def scenario_byline(slot: Slot) -> tuple[Page, Plan]:
    rng, style, article, n = slot
    published = moment_in_2026(rng)
    page, plan = setting(slot, published, truth=published, traps=["byline"])
    forms = printed(n)
    text = forms[n % len(forms)](published)
    lead = ("Publié le ", "Mis en ligne le ", "le ", "", "Posté le ")[n % 5]
    page.byline = byline(style, f"{lead}{text}")
    return page, plan


def scenario_updated(slot: Slot) -> tuple[Page, Plan]:
    rng, style, article, n = slot
    published = moment_in_2026(rng)
    modified = after(rng, published, 40, 1500)
    page, plan = setting(slot, published, truth=published, traps=["updated"])
    first, second = PRINTED[n % 3](published), PRINTED[(n + 1) % 3](modified)
    if n % 2:
        text = f"Mis à jour le {second} · Publié le {first}"
    else:
        text = f"Publié le {first}, modifié le {second}"
    page.byline = byline(style, text)
    return page, plan


def scenario_relative(slot: Slot) -> tuple[Page, Plan]:
    rng, style, article, n = slot
    fetched = moment_in_2026(rng).replace(second=0)
    kind = n % 4
    if kind == 0:
        hours = rng.randint(1, 9)
        published, text = fetched - timedelta(hours=hours), f"il y a {hours} heures"
    elif kind == 1:
        minutes = rng.randint(3, 55)
        published, text = fetched - timedelta(minutes=minutes), f"Publié il y a {minutes} minutes"
    elif kind == 2:
        day = local(fetched) - timedelta(days=1)
        wall = day.replace(hour=rng.randint(7, 22), minute=rng.randint(0, 59))
        published = wall.replace(tzinfo=None).replace(tzinfo=PARIS).astimezone(UTC)
        text = f"Publié hier à {wall:%H}h{wall:%M}"
    else:
        wall = local(fetched) - timedelta(minutes=rng.randint(20, 300))
        published = wall.astimezone(UTC)
        text = f"Aujourd'hui à {wall:%H:%M}"
    page, plan = setting(
        slot,
        published,
        truth=published,
        fetched_at=fetched,
        traps=["relative"],
    )
    page.byline = byline(style, text)
    return page, plan


DST_MOMENTS = (
    datetime(2026, 3, 28, 23, 50),
    datetime(2026, 3, 29, 1, 40),
    datetime(2026, 3, 29, 3, 20),
    datetime(2026, 3, 29, 9, 5),
    datetime(2026, 10, 24, 23, 30),
    datetime(2026, 10, 25, 1, 15),
    datetime(2026, 10, 25, 3, 45),
    datetime(2026, 10, 25, 10, 0),
    datetime(2026, 10, 26, 0, 35),
    datetime(2026, 3, 30, 0, 10),
)


def scenario_dst(slot: Slot) -> tuple[Page, Plan]:
    rng, style, article, n = slot
    published = DST_MOMENTS[n % len(DST_MOMENTS)].replace(tzinfo=PARIS).astimezone(UTC)
    page, plan = setting(slot, published, truth=published, traps=["dst"])
    page.byline = byline(style, f"Publié le {PRINTED[n % 3](published)}")
    return page, plan


def scenario_iso(slot: Slot) -> tuple[Page, Plan]:
    rng, style, article, n = slot
    published = moment_in_2026(rng)
    page, plan = setting(slot, published, truth=published, traps=["iso_offset"])
    value = (iso_space_offset, iso_compact_offset, rfc2822, iso_new_york, iso_z_millis)[n % 5]
    name = ("date", "pubdate", "dcterms.created", "article:published_time", "publish-date")[n % 5]
    attribute = "property" if ":" in name else "name"
    page.head = f"<meta {attribute}='{name}' content='{value(published)}'>"
    return page, plan


def scenario_future_hours(slot: Slot) -> tuple[Page, Plan]:
    rng, style, article, n = slot
    fetched = moment_in_2026(rng)
    published = fetched + timedelta(hours=rng.randint(2, 20), minutes=rng.randint(0, 59))
    page, plan = setting(
        slot,
        published,
        truth=published,
        fetched_at=fetched,
        traps=["future_hours"],
    )
    page.head = json_ld(article, page.url, iso_local(published), None, 0)
    return page, plan


def scenario_future_weeks(slot: Slot) -> tuple[Page, Plan]:
    rng, style, article, n = slot
    real = moment_in_2026(rng)
    fetched = after(rng, real, 30, 600)
    ahead = real + timedelta(weeks=rng.randint(2, 8))
    kind = n % 3
    if kind == 0:  # structured, kept and flagged
        page, plan = setting(
            slot,
            ahead,
            truth=ahead,
            fetched_at=fetched,
            flag="future",
            traps=["future_weeks"],
        )
        page.head = json_ld(article, page.url, iso_local(ahead), None, 0)
    elif kind == 1:  # a feed dated weeks ahead: the byline's date stands
        page, plan = setting(
            slot,
            real,
            truth=real,
            fetched_at=fetched,
            entry=ahead,
            entry_via="feed",
            traps=["future_weeks"],
        )
        page.byline = byline(style, f"Publié le {fr_long(real)}")
    else:  # a printed date weeks ahead and nothing else: no date
        page, plan = setting(
            slot,
            real,
            truth=None,
            fetched_at=fetched,
            traps=["future_weeks"],
        )
        page.byline = byline(style, f"Publié le {fr_long(ahead)}")
    return page, plan


def scenario_no_date(slot: Slot) -> tuple[Page, Plan]:
    rng, style, article, n = slot
    published = moment_in_2026(rng)
    # Where the site puts the day in its URLs (/2026/03/12/…), that day is the page's date.
    url_day = style in ("wordpress", "national", "dotclear")
    truth = datetime.combine(local(published).date(), datetime.min.time(), UTC)
    page, plan = setting(
        slot,
        published,
        truth=truth if url_day else None,
        traps=["url_day" if url_day else "no_date", "asset_year", "copyright"],
    )
    if not page.sidebar:
        page.sidebar = sidebar(rng, plan.fetched_at, n)
        plan.traps.append("sidebar")
    return page, plan


def scenario_sitemap_day(slot: Slot) -> tuple[Page, Plan]:
    rng, style, article, n = slot
    published = moment_in_2026(rng)
    day = local(published).date()
    lastmod = datetime(day.year, day.month, day.day, tzinfo=UTC)
    page, plan = setting(
        slot,
        published,
        truth=published,
        entry=lastmod,
        entry_via="sitemap",
        traps=["sitemap_day"],
    )
    forms = printed(n)
    page.byline = byline(style, f"Publié le {forms[n % len(forms)](published)}")
    return page, plan


def scenario_sitemap_minute(slot: Slot) -> tuple[Page, Plan]:
    return undated_page(slot, "sitemap")


SCENARIOS: tuple[Scenario, ...] = (
    scenario_json_ld,
    scenario_meta,
    scenario_time,
    scenario_feed_only,
    scenario_day_only,
    scenario_byline,
    scenario_updated,
    scenario_relative,
    scenario_dst,
    scenario_iso,
    scenario_future_hours,
    scenario_future_weeks,
    scenario_no_date,
    scenario_sitemap_day,
    scenario_sitemap_minute,
)


def utc_text(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def main() -> None:
    texts = yaml.safe_load((HERE / "texts.yaml").read_text(encoding="utf-8"))
    articles = [
        Article(t["slug"], t["title"], t["author"], t["section"], tuple(t["paragraphs"]))
        for t in texts
    ]
    pages_dir = HERE / "pages"
    pages_dir.mkdir(exist_ok=True)
    for old in pages_dir.glob("*.html"):
        old.unlink()
    manifest: list[dict[str, Any]] = []
    batches = ((random.Random(2026), HOSTS), (random.Random(2027), HELD_OUT_HOSTS))
    for rng, hosts in batches:
        for scenario in SCENARIOS:
            for style in hosts:
                n = len(manifest) + 1
                article = articles[(n * 7) % len(articles)]
                page, plan = scenario(Slot(rng, style, article, n))
                html = render(style, page)
                (pages_dir / f"{plan.name}.html").write_text(html, encoding="utf-8")
                manifest.append(
                    {
                        "page": f"pages/{plan.name}.html",
                        "url": plan.url,
                        "fetched_at": utc_text(plan.fetched_at),
                        "entry": utc_text(plan.entry),
                        "entry_via": plan.entry_via,
                        "truth": utc_text(plan.truth),
                        "flag": plan.flag,
                        "traps": [*plan.traps, *(["held_out"] if n > FIRST_BATCH else [])],
                    }
                )
    header = (
        "# The labelled publication-date set, written by make_set.py (see README.md).\n"
        "# truth: the true publication instant in UTC (a day-only date: 00:00 UTC of its day;\n"
        "# null: the page gives no date); entry: the feed or sitemap entry's date, if any.\n"
    )
    text = yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False, width=100)
    (HERE / "manifest.yaml").write_text(header + text, encoding="utf-8")
    print(f"{len(manifest)} pages written to {pages_dir}")


if __name__ == "__main__":
    main()
