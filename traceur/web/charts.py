"""Server-side SVG charts for the dashboard: no JavaScript, no build step, readable without
colour (a legend with names and a ``<desc>`` summing up the figures for screen readers).

Every label is escaped: site names and candidate names may come from crawled pages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from markupsafe import Markup, escape

from traceur.web.fr import date_short, number, plural

# Okabe–Ito colours, distinguishable by colour-blind readers; all keep a 3:1 contrast on
# white (the yellow of the original set does not, so it is left out).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8A6A00", "#56B4E9", "#000000")

_WIDTH = 720
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 12, 12, 34
_BARS_WIDTH = 400


def _ticks(top: int) -> list[int]:
    """About four round y-axis ticks from 0 to at least ``top``."""
    if top <= 4:
        return list(range(0, max(top, 1) + 1))
    raw = top / 4
    magnitude = 10 ** (len(str(int(raw))) - 1)
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return list(range(0, top + step, step))


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def daily_lines(
    counts: Sequence[tuple[date, str, int]],
    names: Mapping[str, str],
    *,
    start: date,
    end: date,
    ident: str = "courbe",
    title: str = "Mentions par candidat·e et par jour",
    width: int = _WIDTH,
    legend: bool = True,
) -> Markup:
    """One line per value (candidate) over the days ``start``..``end`` (days without a
    document count 0), a legend, and a ``<desc>`` with each series' total.

    ``width`` is the viewBox width: the text keeps its size relative to it, so a page
    draws a narrow chart for phones (``width=380``) beside the wide one and lets its
    stylesheet show one; ``legend=False`` leaves the legend to the other."""
    days = _days(start, end)
    series: dict[str, dict[date, int]] = {}
    for day, value, count in counts:
        if start <= day <= end:
            series.setdefault(value, {})[day] = series.get(value, {}).get(day, 0) + count
    order = sorted(series, key=lambda v: (-sum(series[v].values()), names.get(v, v)))
    top = max((c for per_day in series.values() for c in per_day.values()), default=0)
    ticks = _ticks(top)
    height = 220
    plot_w = width - _LEFT - _RIGHT
    plot_h = height - _TOP - _BOTTOM
    scale = ticks[-1] or 1

    def x(index: int) -> float:
        return _LEFT + (plot_w * index / (len(days) - 1) if len(days) > 1 else plot_w / 2)

    def y(count: int) -> float:
        return _TOP + plot_h - plot_h * count / scale

    totals = ", ".join(
        f"{names.get(v, v)} : {plural(sum(series[v].values()), 'mention')}" for v in order
    )
    period = f"du {date_short(start)} au {date_short(end)}"
    desc = f"{period}. {totals}." if totals else f"{period} : aucune mention."
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img"'
        f' aria-labelledby="{ident}-t {ident}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(desc)}</desc>',
    ]
    for tick in ticks:
        parts.append(
            f'<line x1="{_LEFT}" x2="{width - _RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"'
            ' stroke="#d0d4da" stroke-width="1"/>'
            f'<text x="{_LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="12"'
            f' fill="#333">{number(tick)}</text>'
        )
    # At most about one day label per 90 units, so they never overlap on 30 days.
    every = max(1, -(-len(days) // max(2, width // 90)))
    for index, day in enumerate(days):
        if index % every == 0:
            label = f"{day.day}/{day.month:02d}"
            parts.append(
                f'<text x="{x(index):.1f}" y="{height - 12}" text-anchor="middle" font-size="12"'
                f' fill="#333">{label}</text>'
            )
    for rank, value in enumerate(order):
        colour = PALETTE[rank % len(PALETTE)]
        points = " ".join(
            f"{x(i):.1f},{y(series[value].get(day, 0)):.1f}" for i, day in enumerate(days)
        )
        name = escape(names.get(value, value))
        parts.append(
            f'<g><title>{name}</title><polyline points="{points}" fill="none"'
            f' stroke="{colour}" stroke-width="2.5" stroke-linejoin="round"/>'
        )
        for i, day in enumerate(days):
            count = series[value].get(day, 0)
            if count:
                parts.append(
                    f'<circle cx="{x(i):.1f}" cy="{y(count):.1f}" r="3.5" fill="{colour}">'
                    f"<title>{name}, {date_short(day)} : {plural(count, 'mention')}</title>"
                    "</circle>"
                )
        parts.append("</g>")
    parts.append("</svg>")
    if not legend:
        return Markup("".join(parts))
    legend_items = ['<ul class="legend">']
    for rank, value in enumerate(order):
        colour = PALETTE[rank % len(PALETTE)]
        legend_items.append(
            # An SVG swatch, not a style attribute: the app's CSP forbids inline styles.
            f'<li><svg class="swatch" width="14" height="14" aria-hidden="true">'
            f'<rect width="14" height="14" rx="2" fill="{colour}"/></svg>'
            f"{escape(names.get(value, value))} ({number(sum(series[value].values()))})</li>"
        )
    legend_items.append("</ul>")
    return Markup("".join(parts) + ("".join(legend_items) if order else ""))


def bars(
    items: Sequence[tuple[str, int]],
    *,
    ident: str,
    title: str,
    unit: str = "document",
) -> Markup:
    """Horizontal bars, one per ``(label, count)``, labels on the left, counts at the end.

    Drawn narrower than the line chart: it sits in a half-width card, and a narrow
    viewBox keeps its text as large as the page's once scaled down."""
    width, row, label_w = _BARS_WIDTH, 26, 180
    height = _TOP + row * max(len(items), 1) + 8
    top = max((count for _, count in items), default=0) or 1
    bar_w = width - label_w - 44
    summary = ", ".join(f"{label} : {plural(count, unit)}" for label, count in items)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img"'
        f' aria-labelledby="{ident}-t {ident}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">{escape(summary or "Aucune donnée sur la période.")}</desc>',
    ]
    if not items:
        parts.append(
            f'<text x="{width / 2}" y="{_TOP + 14}" text-anchor="middle" font-size="14"'
            ' fill="#333">Aucune donnée sur la période.</text>'
        )
    for index, (label, count) in enumerate(items):
        y = _TOP + index * row
        length = max(bar_w * count / top, 2)
        shown = label if len(label) <= 20 else label[:19] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="14"'
            f' fill="#222">{escape(shown)}<title>{escape(label)}</title></text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{length:.1f}" height="16" rx="2"'
            f' fill="{PALETTE[0]}"/>'
            f'<text x="{label_w + length + 6:.1f}" y="{y + 16}" font-size="14"'
            f' fill="#222">{number(count)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
