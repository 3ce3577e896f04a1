"""The end of a source-health episode: the "de nouveau opérationnelle" notice.

A source health rule opens an episode when it announces a problem (``failing``, ``empty``
or ``silent``, see ``Evaluator.source_problems``); while the episode is open the problem is
not announced again. When the problem is gone, the evaluation that sees it closes the
episode and queues one notice, in the same transaction: the notice goes once, and a new
failure afterwards opens (and announces) a new episode. A source no longer watched by the
rule has its episodes closed without a notice: nobody is waiting for its recovery.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from traceur.alerts import render
from traceur.watchlist.model import Watchlist
from traceur.watchlist.rules import SourceHealthRule

# What is true again, by the problem that ended.
_RECOVERED = {
    "failing": "les collectes réussissent de nouveau",
    "empty": "les pages donnent de nouveau du texte exploitable",
    "silent": "de nouveaux documents arrivent de nouveau",
}


@dataclass(frozen=True)
class Recovery:
    """One closed episode, as the notice shows it."""

    source_id: str
    source: str
    kind: str
    url: str
    href: str | None
    explanation: str
    since: str  # when the problem was announced, local time
    lasted: str


def recoveries(
    watchlist: Watchlist,
    rule: SourceHealthRule,
    closed: Mapping[str, datetime],
    now: datetime,
    tz: str,
) -> list[Recovery]:
    """The notices for the episodes ``closed`` (subject ``source:problem`` -> opened at)."""
    sources = {source.id: source for source in watchlist.sources}
    found: list[Recovery] = []
    for subject, opened_at in sorted(closed.items()):
        source_id, _, problem = subject.rpartition(":")
        source = sources.get(source_id)
        if source is None or not (source_id in rule.sources if rule.sources else source.enabled):
            continue
        minutes = max(1, int((now - opened_at).total_seconds()) // 60)
        found.append(
            Recovery(
                source.id,
                source.name or source.id,
                source.kind,
                source.url,
                render.safe_href(source.url),
                _RECOVERED.get(problem, "le problème signalé a disparu"),
                render.local_time(opened_at, tz),
                _lasted(minutes),
            )
        )
    return found


def render_recovered(rule: SourceHealthRule, recovered: Sequence[Recovery]) -> render.Email:
    if len(recovered) == 1:
        subject = (
            f"{render.SUBJECT_PREFIX} Source {recovered[0].source} : de nouveau opérationnelle"
        )
    else:
        subject = (
            f"{render.SUBJECT_PREFIX} {len(recovered)} sources de nouveau opérationnelles : "
            + ", ".join(item.source for item in recovered[:4])
        )
    return render.render("recovered", subject, rule=rule, recovered=recovered)


def _lasted(minutes: int) -> str:
    """``1 h 40 min``, ``2 j 3 h``: how long an episode lasted, to the minute."""
    days, hours, minutes = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return f"{days} j {hours} h" if hours else f"{days} j"
    if hours:
        return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"
    return f"{minutes} min"
