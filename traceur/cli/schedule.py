"""``traceur schedule``, ``traceur status`` and ``traceur alerts test|run``."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import click

from traceur.cli.context import WATCHLIST_HELP, require_writable_data_dir, settings_of
from traceur.durations import format_duration
from traceur.errors import AlertError
from traceur.watchlist.loader import load_watchlist

if TYPE_CHECKING:  # the CLI imports the alert modules only when a command needs them
    from traceur.alerts.holds import Holdings


def _when(moment: datetime | None, tz: str) -> str:
    if moment is None:
        return "—"
    return moment.astimezone(ZoneInfo(tz)).strftime("%d/%m %H:%M:%S")


@click.command()
@click.option(
    "--watchlist",
    "watchlist_path",
    type=click.Path(path_type=Path, readable=False),
    help=WATCHLIST_HELP,
)
@click.option(
    "--tick",
    type=click.FloatRange(0.2, 60),
    default=5.0,
    show_default=True,
    help=(
        "Seconds between two looks at the watchlist file and the outbox."
        " Small values are for tests."
    ),
)
@click.pass_context
def schedule(ctx: click.Context, watchlist_path: Path | None, tick: float) -> None:
    """Run the scheduler: every source on its own rhythm, and the alert rules, until stopped.

    Each enabled source is collected every `every` of its watchlist entry (with jitter),
    more often while it keeps bringing new documents and less often while it is quiet
    (adaptive_polling_factor). Each crawl runs in its own process; one that crashes is
    recorded and the scheduler goes on. Alert rules run on their own schedule, and
    immediate and source-health rules also right after each collection.

    The schedule is kept in DATA_DIR/scheduler.db: after a restart, runs missed while the
    scheduler was down run once, at once (a digest due during the restart is sent late,
    not skipped). Only one scheduler may run on a data directory. Editing the watchlist
    file reloads it; an invalid edit is logged and the previous schedule kept. SIGTERM or
    Ctrl-C stops it cleanly: running crawls finish their current items (at most
    crawl_stop_timeout seconds). Log: DATA_DIR/schedule.log.

    \b
    Examples:
      traceur schedule --watchlist watchlists/mine.yaml
      TRACEUR_SMTP_PASSWORD=… traceur --config prod.yaml schedule   # with alert emails
      traceur status                                               # from another terminal
    """
    from traceur.orchestra.scheduler import Daemon, configure_logging

    settings = settings_of(ctx)
    path = watchlist_path or settings.watchlist
    load_watchlist(path)  # fail here, with the CLI's clear messages, before any set-up
    require_writable_data_dir(settings)
    configure_logging(settings)
    sys.exit(Daemon(settings, path, tick).serve())


@click.command()
@click.option(
    "--watchlist",
    "watchlist_path",
    type=click.Path(path_type=Path, readable=False),
    help="Watchlist file (default: the one the scheduler runs, else the `watchlist` setting).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of tables.")
@click.pass_context
def status(ctx: click.Context, watchlist_path: Path | None, as_json: bool) -> None:
    """Show the scheduler, every source and every alert rule.

    For each source: its last run (when, result, pages, new and updated documents), the
    documents it found over all runs, its interval (adapted, and as written), and its next
    run. For each alert rule: its last evaluation, emails sent and queued, the last send,
    the last error of a message still queued, and what it holds back (matches gathering
    in a batch, matches and messages held for quiet hours, matches past the hourly limit:
    counts and local times with the zone, never content). Works whether the scheduler
    runs or not.

    \b
    Results: ok, partial (errors, but documents), failed (errors, nothing collected),
    empty (pages without text: layout change?), crashed, stopped, interrupted.

    \b
    Examples:
      traceur status
      traceur status --json | jq '.sources[] | select(.last_result != "ok")'
    """
    from traceur.orchestra.scheduler.status import status as read_status

    settings = settings_of(ctx)
    report = read_status(settings, watchlist_path)
    tz = settings.timezone
    if as_json:
        click.echo(json.dumps(_status_json(report, tz), ensure_ascii=False, indent=2))
        return
    if report.pid is not None:
        since = (
            datetime.fromisoformat(report.info["started_at"])
            if report.info.get("started_at")
            else None
        )
        click.echo(
            f"Scheduler: running (pid {report.pid}) since {_when(since, tz)}"
            f" — {report.watchlist_path}"
        )
    else:
        stopped = report.info.get("stopped_at")
        detail = f"; last stopped {_when(datetime.fromisoformat(stopped), tz)}" if stopped else ""
        click.echo(f"Scheduler: not running{detail} — {report.watchlist_path}")
    if report.work_queue is not None:
        _echo_queue(report.work_queue)
    click.echo("")
    header = (
        f"{'SOURCE':<24} {'KIND':<6} {'EVERY':<12} {'LAST RUN':<15} {'RESULT':<11} {'PAGES':>5}"
        f" {'NEW/UPD':>8} {'FOUND':>6}  NEXT RUN"
    )
    click.echo(header)
    for source in report.sources:
        last = source.last
        every = format_duration(source.interval) + (
            f" ({format_duration(source.every)})" if source.interval != source.every else ""
        )
        result = (last.result or "running") if last else "never run"
        if not source.enabled:
            result = "disabled"
        counts = f"{last.new}/{last.updated}" if last else "—"
        next_run = _when(source.next_run, tz) if source.enabled else "—"
        click.echo(
            f"{source.source_id:<24} {source.kind:<6} {every:<12}"
            f" {_when(last.started_at if last else None, tz):<15} {result:<11}"
            f" {last.pages if last else 0:>5} {counts:>8} {source.documents_found:>6}  {next_run}"
        )
        if (
            last
            and last.result in ("failed", "crashed", "empty", "partial", "interrupted")
            and (last.errors or last.message)
        ):
            errors = ", ".join(f"{k} ×{v}" for k, v in sorted(last.errors.items()))
            click.echo(
                f"{'':<24}   ↳ {errors}{' — ' if errors and last.message else ''}"
                f"{' '.join(last.message.split())[:120]}"
            )
    if report.rules:
        click.echo("")
        click.echo(
            f"{'ALERT RULE':<24} {'KIND':<13} {'LAST EVALUATION':<15} {'SENT':>5} {'QUEUED':>6}"
            f" {'LAST SENT':<15}  NEXT"
        )
        for rule in report.rules:
            click.echo(
                f"{rule.rule.id:<24} {rule.rule.kind:<13} {_when(rule.evaluated_at, tz):<15}"
                f" {rule.sent:>5} {rule.queued:>6}"
                f" {_when(rule.last_sent_at, tz):<15}  {_when(rule.next_run, tz)}"
            )
            if rule.outcome:
                click.echo(f"{'':<24}   ↳ {rule.outcome[:140]}")
            if rule.last_error:
                click.echo(f"{'':<24}   ↳ not sent yet: {rule.last_error[:140]}")
            if not rule.held.empty:
                click.echo(f"{'':<24}   ↳ held: {_held_text(rule.held, rule.rule.timezone or tz)}")
    last_purge = report.purge_last
    click.echo("")
    click.echo(
        "Retention purge: last "
        + (
            f"{_when(datetime.fromisoformat(last_purge['at']), tz)}"
            f" ({last_purge.get('documents', 0)} documents removed)"
            if last_purge and last_purge.get("at")
            else "never"
        )
        + f", next {_when(report.purge_next, tz) if report.pid is not None else '—'}"
        + f" (daily at {settings.purge_at})"
    )
    if report.queued:
        oldest = report.oldest_queued
        oldest_text = f", oldest from {_when(oldest[0], tz)}" if oldest else ""
        click.echo("")
        click.echo(
            f"Outbox: {report.queued} message{'s' if report.queued != 1 else ''}"
            f" waiting{oldest_text}" + ("" if settings.smtp_host else " (no smtp_host configured)")
        )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _zoned(moment: datetime | None, tz: str) -> str:
    """A local time with its zone written out (a held message's time is a promise)."""
    if moment is None:
        return "the next evaluation"
    return f"{moment.astimezone(ZoneInfo(tz)):%Y-%m-%d %H:%M} {tz}"


def _held_text(held: Holdings, tz: str) -> str:
    parts = []
    if held.gathering:
        parts.append(
            f"{held.gathering} match{'es' if held.gathering != 1 else ''} gathering in a batch"
            f" until {_zoned(held.gathering_until, tz)}"
        )
    if held.quiet_matches or held.quiet_messages:
        what = [
            f"{count} {noun if count == 1 else plural}"
            for count, noun, plural in (
                (held.quiet_matches, "match", "matches"),
                (held.quiet_messages, "message", "messages"),
            )
            if count
        ]
        parts.append(
            f"{' and '.join(what)} held for quiet hours until {_zoned(held.quiet_until, tz)}"
        )
    if held.limit:
        parts.append(
            f"{held.limit} match{'es' if held.limit != 1 else ''} past the hourly limit,"
            f" waiting until {_zoned(held.limit_until, tz)}"
        )
    return "; ".join(parts)


def _held_json(held: Holdings, tz: str) -> dict[str, Any]:
    def local(moment: datetime | None) -> str | None:
        return moment.astimezone(ZoneInfo(tz)).isoformat() if moment else None

    return {
        "timezone": tz,
        "gathering": held.gathering,
        "gathering_until": local(held.gathering_until),
        "quiet_matches": held.quiet_matches,
        "quiet_messages": held.quiet_messages,
        "quiet_until": local(held.quiet_until),
        "limit": held.limit,
        "limit_until": local(held.limit_until),
    }


def _echo_queue(work: dict[str, Any]) -> None:
    if "error" in work:
        click.echo(f"Queue: unreachable — {work['error']}")
        return
    leader = work["leader"] or "none (no scheduler leads: start `traceur schedule`)"
    click.echo(
        f"Queue: leader {leader}; {work['queued']} passes waiting, {work['running']} running,"
        f" {work['workers']} workers"
    )


def _status_json(report: Any, tz: str) -> dict[str, Any]:
    return {
        "scheduler": {"running": report.pid is not None, "pid": report.pid, **report.info},
        "queue": report.work_queue,
        "watchlist": str(report.watchlist_path),
        "sources": [
            {
                "id": s.source_id,
                "kind": s.kind,
                "enabled": s.enabled,
                "every": s.every,
                "interval": s.interval,
                "runs": s.runs,
                "documents_found": s.documents_found,
                "next_run": _iso(s.next_run),
                "last_run": _iso(s.last.started_at) if s.last else None,
                "last_result": s.last.result if s.last else None,
                "last_pages": s.last.pages if s.last else 0,
                "last_new": s.last.new if s.last else 0,
                "last_updated": s.last.updated if s.last else 0,
                "last_not_documents": s.last.not_documents if s.last else 0,
                "last_errors": s.last.errors if s.last else {},
                "last_message": s.last.message if s.last else "",
            }
            for s in report.sources
        ],
        "alerts": [
            {
                "id": r.rule.id,
                "kind": r.rule.kind,
                "last_evaluation": _iso(r.evaluated_at),
                "outcome": r.outcome,
                "sent": r.sent,
                "queued": r.queued,
                "last_sent": _iso(r.last_sent_at),
                "last_error": r.last_error,
                "next_run": _iso(r.next_run),
                "title": r.rule.title,
                "held": _held_json(r.held, r.rule.timezone or tz),
            }
            for r in report.rules
        ],
        "outbox": {"queued": report.queued},
        "purge": {"next_run": _iso(report.purge_next), "last": report.purge_last},
    }


@click.group()
def alerts() -> None:
    """Alert rules of the watchlist: evaluate them once, or preview a rule's email.

    Rules (immediate, digest, spike, source_health) are written in the watchlist's
    `alerts:` section; the "Alerts" section of README.md explains each key. The
    scheduler runs them on their own schedule; these commands are for trying them and
    for cron-style use.
    """


@alerts.command("test")
@click.argument("rule_id", metavar="RULE")
@click.option(
    "--watchlist",
    "watchlist_path",
    type=click.Path(path_type=Path, readable=False),
    help=WATCHLIST_HELP,
)
@click.option("--dry-run", is_flag=True, help="Print the email instead of sending it.")
@click.option("--html", "show_html", is_flag=True, help="With --dry-run: print the HTML part too.")
@click.option(
    "--limit",
    default=5,
    show_default=True,
    type=click.IntRange(1, 50),
    help="Documents in an immediate rule's email.",
)
@click.pass_context
def alerts_test(
    ctx: click.Context,
    rule_id: str,
    watchlist_path: Path | None,
    dry_run: bool,
    show_html: bool,
    limit: int,
) -> None:
    """Render RULE's email from the stored documents and send it to the rule's recipients.

    Immediate rules show the latest matching documents; digests the latest matching
    documents grouped as in a digest; spike rules the current figures of their busiest
    candidate or topic; source-health rules the current problems (or a sample). Nothing
    is recorded: the rule will still alert on these documents when they are new. The
    subject starts with [TEST].

    \b
    Examples:
      traceur alerts test claire-immediat --dry-run
      traceur alerts test synthese-matin --dry-run --html > apercu.txt
      TRACEUR_SMTP_PASSWORD=… traceur alerts test claire-immediat
    """
    from traceur.alerts.service import preview, send_preview
    from traceur.watchlist.recipients import channel_targets
    from traceur.watchlist.rules import find_rule

    settings = settings_of(ctx)
    watchlist = load_watchlist(watchlist_path or settings.watchlist)
    try:
        rule = find_rule(watchlist.alerts, rule_id)
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="RULE") from None
    rendered = preview(settings, watchlist, rule, limit)
    if dry_run:
        message = message_from_bytes(rendered.message, policy=default_policy)
        for name in ("From", "To", "Subject", "Message-ID"):
            click.echo(f"{name}: {message[name]}")
        click.echo("")
        click.echo(rendered.text.rstrip())
        if show_html:
            click.echo("\n--- HTML ---")
            click.echo(rendered.html.rstrip())
        if channel_targets(rule.to):
            click.echo("\n--- chat ---")
            click.echo("\n".join(rendered.chat).rstrip())
        return
    send_preview(settings, rule, rendered)
    click.echo(f"sent to {', '.join(rule.to)}: {rendered.subject}")


@alerts.command("run")
@click.option(
    "--watchlist",
    "watchlist_path",
    type=click.Path(path_type=Path, readable=False),
    help=WATCHLIST_HELP,
)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(["immediate", "digest", "spike", "source_health"]),
    help="Only rules of this kind (repeatable).",
)
@click.pass_context
def alerts_run(ctx: click.Context, watchlist_path: Path | None, kinds: tuple[str, ...]) -> None:
    """Evaluate every alert rule once, queue what is new, and send the queue.

    Each (rule, document) is sent at most once, also when the scheduler runs at the same
    time; a second run right after sends nothing. Messages the mail server does not take
    stay queued and are retried (here at the next run, or by the scheduler). Note that a
    digest rule sends its digest now. Exit code 1 when a rule failed or messages wait.

    \b
    Examples:
      traceur alerts run
      traceur alerts run --kind immediate --kind source_health
    """
    from traceur.alerts.service import run_once

    settings = settings_of(ctx)
    watchlist = load_watchlist(watchlist_path or settings.watchlist)
    require_writable_data_dir(settings)
    if not watchlist.alerts:
        click.echo("No alert rule in this watchlist.")
        return
    outcomes, delivery = run_once(settings, watchlist, list(kinds) or None)
    for outcome in outcomes:
        click.echo(f"{outcome.rule_id}: {outcome.summary}")
    click.echo(
        f"Sent {len(delivery.sent)}; not sent {len(delivery.failed)};"
        f" waiting in the outbox {delivery.remaining}"
        + (f" ({delivery.note})" if delivery.note else "")
    )
    for key, error in delivery.failed.items():
        click.echo(f"  {key}: {error}", err=True)
    if any(o.error for o in outcomes) or delivery.remaining:
        raise AlertError("some rules failed or some messages are still waiting; see above")
