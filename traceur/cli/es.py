"""``traceur es ...`` (the Elasticsearch store) and ``traceur kibana import`` (saved objects).

Each command's docstring is its ``--help``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from traceur.cli.context import settings_of
from traceur.config import Settings
from traceur.errors import ConfigError, TraceurError
from traceur.kibana.saved_objects import import_request, saved_objects, send_import
from traceur.store.base import UpsertResult


def _open_es(settings: Settings) -> Any:
    if not settings.store.startswith("es+"):
        raise ConfigError(
            f"store: {settings.store!r} is not Elasticsearch;"
            " set `store: es+https://host:9200` in your"
            " configuration or TRACEUR_STORE=es+https://host:9200 in the environment"
        )
    from traceur.store.elasticsearch import ElasticsearchStore

    return ElasticsearchStore.from_settings(settings)


def _describe(result: UpsertResult) -> str:
    text = (
        f"{len(result.new)} new, {len(result.updated)} updated, {len(result.unchanged)} unchanged"
    )
    if result.failed:
        text += f", {len(result.failed)} refused"
    if result.spooled:
        text += f", {len(result.spooled)} still waiting"
    return text


# -- traceur es -----------------------------------------------------------------------


@click.group()
def es() -> None:
    """The Elasticsearch store: set it up, check it, send the spooled documents.

    The store is chosen by `store: es+https://host:9200` (or TRACEUR_STORE); credentials
    come from TRACEUR_ES_API_KEY, or TRACEUR_ES_USERNAME and TRACEUR_ES_PASSWORD, and a
    private CA from TRACEUR_ES_CA_CERTS.

    \b
    Example:
      TRACEUR_STORE=es+https://es.example.org:9200 traceur es setup
    """


@es.command()
@click.option(
    "--analysis",
    type=click.Choice(["auto", "french", "standard"]),
    default="auto",
    show_default=True,
    help="Text analysis of the indices: French when the cluster offers it (auto), or forced.",
)
@click.pass_context
def setup(ctx: click.Context, analysis: str) -> None:
    """Create or update the index template, this month's index and the aliases.

    Safe to run again: a second run leaves the cluster as the first one did. Indices are
    named <prefix>-docs-YYYY.MM; the write alias <prefix>-docs-write points at this
    month's, the read alias <prefix>-docs at all of them (searches and Kibana use it).
    French analysis (elision, lower case, accents folded, French stop words, light
    stemming) is used when the cluster has the analysis-common module, as every normal
    distribution does; otherwise the standard analyzer, with a warning.

    Shards and replicas follow the cluster's size (one primary shard per data node, up to
    3; no replica on one node, one from two nodes on) unless es_shards or es_replicas say
    otherwise. Run it again after adding nodes: replicas change on every index at once,
    shards from the next monthly index on.

    \b
    Example:
      TRACEUR_STORE=es+https://es.example.org:9200 TRACEUR_ES_API_KEY=... traceur es setup
    """
    store = _open_es(settings_of(ctx))
    try:
        report = store.setup(None if analysis == "auto" else analysis)
    finally:
        store.close()
    if report["warning"]:
        click.echo(f"warning: {report['warning']}", err=True)
    click.echo(f"index template {report['template']}: installed ({report['analysis']} analysis)")
    click.echo(
        f"write alias {store.names.write_alias} → {report['write_index']};"
        f" read alias {store.names.read_alias}"
    )
    click.echo(f"triage and versions indices: {', '.join(report['side_indices'])}")
    click.echo(
        f"{report['data_nodes']} data node(s): {report['shards']} primary shard(s) per new"
        f" monthly index, {report['replicas']} replica(s) on every index"
    )


@es.command()
@click.option("--json", "as_json", is_flag=True, help="Print the state as one JSON object.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Show cluster health, the template, the aliases, document counts and the spool.

    \b
    Example:
      traceur es status
    """
    store = _open_es(settings_of(ctx))
    try:
        state = store.status()
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(state, indent=2, ensure_ascii=False))
        return
    cluster = state["cluster"]
    click.echo(
        f"Elasticsearch {state['url']}: cluster {cluster['name']}, health {cluster['status']},"
        f" {cluster['nodes']} node(s), version {', '.join(cluster['versions']) or 'unknown'}"
    )
    template = state["template"]
    if template["present"]:
        click.echo(
            f"template {template['name']}: present, schema {template['version']},"
            f" {template['analysis']} analysis"
        )
    else:
        click.echo(f"template {template['name']}: missing — run `traceur es setup`")
    write = state["write_alias"]
    click.echo(
        f"write alias {write['name']} → {write['index'] or 'missing'}"
        + (f" ({write['analysis']} analysis)" if write["analysis"] else "")
    )
    read = state["read_alias"]
    click.echo(
        f"read alias {read['name']} → {len(read['indices'])} index(es),"
        f" {state['documents']} documents"
    )
    for name, count in sorted(read["indices"].items()):
        click.echo(f"  {name:<40} {count:>9}")
    spool = state["spool"]
    click.echo(
        f"spool {spool['path']}: {spool['pending']} documents waiting,"
        f" {spool['dead_letters']} refused (dead letters)"
    )


@es.command()
@click.pass_context
def replay(ctx: click.Context) -> None:
    """Send the documents kept in the local spool while Elasticsearch was unreachable.

    Runs by itself before the next write too; running it twice does no harm (documents
    already stored are reported unchanged).

    \b
    Example:
      traceur es replay
    """
    store = _open_es(settings_of(ctx))
    try:
        before = store.spool.pending()
        result = store.replay()
        after = store.spool.pending()
    finally:
        store.close()
    if not before:
        click.echo("spool empty: nothing to replay")
        return
    click.echo(f"replayed {before - after} of {before} spooled documents: {_describe(result)}")
    for doc_id, reason in sorted(result.failed.items()):
        click.echo(f"  refused {doc_id}: {reason}")
    if after:
        raise TraceurError(
            f"{after} documents still wait in the spool;"
            " Elasticsearch is not taking them (see `traceur es status`)"
        )


@click.group()
def kibana() -> None:
    """Kibana: load Traceur's data view, saved searches and dashboard."""


@kibana.command("import")
@click.option(
    "--url", required=True, help="Kibana's base URL, e.g. https://kibana.example.org:5601"
)
@click.option(
    "--space", default=None, help="Kibana space id to import into (default space when omitted)."
)
@click.option(
    "--watchlist",
    type=click.Path(dir_okay=False, path_type=Path, readable=False),
    default=None,
    help=(
        "Make one saved search per candidate of this watchlist (default: the configured watchlist)."
    ),
)
@click.option("--dry-run", is_flag=True, help="Print the request instead of sending it.")
@click.pass_context
def import_(
    ctx: click.Context, url: str, space: str | None, watchlist: Path | None, dry_run: bool
) -> None:
    """Import Traceur's saved objects through Kibana's saved-objects API.

    Loads a data view on the read alias (time field published_at), the saved searches
    "Dernières mentions" and one per candidate, and the dashboard "Veille — vue
    d'ensemble". Objects with the same ids are overwritten, so importing again updates
    them. Credentials are those of Elasticsearch (TRACEUR_ES_API_KEY, or
    TRACEUR_ES_USERNAME and TRACEUR_ES_PASSWORD).

    \b
    Example:
      traceur kibana import --url https://kibana.example.org:5601 --space veille --dry-run
    """
    settings = settings_of(ctx)
    objects = saved_objects(
        settings, watchlist or settings.watchlist, explicit=watchlist is not None
    )
    request = import_request(settings, url, space, objects)
    if dry_run:
        click.echo(f"POST {request.endpoint}")
        for key, value in request.headers.items():
            shown = f"{value.split()[0]} (hidden)" if key == "Authorization" else value
            click.echo(f"{key}: {shown}")
        click.echo("")
        click.echo(request.body.decode("utf-8"), nl=False)
        return
    count = send_import(settings, request)
    base = url.rstrip("/")
    click.echo(
        f"imported {count} saved objects into Kibana at {base}"
        + (f" (space {space})" if space else "")
    )
