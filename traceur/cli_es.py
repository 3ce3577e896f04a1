"""``traceur es ...`` (the Elasticsearch store) and ``traceur kibana import`` (saved objects).

Registered on the main command by ``traceur/cli.py``. Each command's docstring is its ``--help``.
"""

from __future__ import annotations

import base64
import json
import ssl
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import click

from .cli_context import CliContext
from .config import REPO_ROOT, Settings
from .errors import ConfigError, TraceurError
from .store.base import UpsertResult
from .store.es_template import IndexNames

KIBANA_DIR = REPO_ROOT / "config" / "kibana"
# Saved searches made per watchlist candidate from the "latest mentions" search.
LATEST_SEARCH_ID = "traceur-search-latest"
CANDIDATE_SEARCH_PREFIX = "traceur-search-candidate-"


def _settings(ctx: click.Context) -> Settings:
    found = ctx.find_object(CliContext)
    if found is None:
        raise click.UsageError("no Traceur context; run these commands through `traceur`")
    return found.settings


def _open_es(settings: Settings) -> Any:
    if not settings.store.startswith("es+"):
        raise ConfigError(
            f"store: {settings.store!r} is not Elasticsearch; set `store: es+https://host:9200` in your"
            " configuration or TRACEUR_STORE=es+https://host:9200 in the environment"
        )
    from .store.elasticsearch import ElasticsearchStore

    return ElasticsearchStore.from_settings(settings)


def _describe(result: UpsertResult) -> str:
    text = f"{len(result.new)} new, {len(result.updated)} updated, {len(result.unchanged)} unchanged"
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
@click.option("--analysis", type=click.Choice(["auto", "french", "standard"]), default="auto", show_default=True,
              help="Text analysis of the indices: French when the cluster offers it (auto), or forced.")
@click.pass_context
def setup(ctx: click.Context, analysis: str) -> None:
    """Create or update the index template, this month's index and the aliases.

    Safe to run again: a second run leaves the cluster as the first one did. Indices are
    named <prefix>-docs-YYYY.MM; the write alias <prefix>-docs-write points at this
    month's, the read alias <prefix>-docs at all of them (searches and Kibana use it).
    French analysis (elision, lower case, accents folded, French stop words, light
    stemming) is used when the cluster has the analysis-common module, as every normal
    distribution does; otherwise the standard analyzer, with a warning.

    \b
    Example:
      TRACEUR_STORE=es+https://es.example.org:9200 TRACEUR_ES_API_KEY=... traceur es setup
    """
    store = _open_es(_settings(ctx))
    try:
        report = store.setup(None if analysis == "auto" else analysis)
    finally:
        store.close()
    if report["warning"]:
        click.echo(f"warning: {report['warning']}", err=True)
    click.echo(f"index template {report['template']}: installed ({report['analysis']} analysis)")
    click.echo(f"write alias {store.names.write_alias} → {report['write_index']}; read alias {store.names.read_alias}")


@es.command()
@click.option("--json", "as_json", is_flag=True, help="Print the state as one JSON object.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Show cluster health, the template, the aliases, document counts and the spool.

    \b
    Example:
      traceur es status
    """
    store = _open_es(_settings(ctx))
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
        click.echo(f"template {template['name']}: present, schema {template['version']}, {template['analysis']} analysis")
    else:
        click.echo(f"template {template['name']}: missing — run `traceur es setup`")
    write = state["write_alias"]
    click.echo(f"write alias {write['name']} → {write['index'] or 'missing'}" + (f" ({write['analysis']} analysis)" if write["analysis"] else ""))
    read = state["read_alias"]
    click.echo(f"read alias {read['name']} → {len(read['indices'])} index(es), {state['documents']} documents")
    for name, count in sorted(read["indices"].items()):
        click.echo(f"  {name:<40} {count:>9}")
    spool = state["spool"]
    click.echo(f"spool {spool['path']}: {spool['pending']} documents waiting, {spool['dead_letters']} refused (dead letters)")


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
    store = _open_es(_settings(ctx))
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
        raise TraceurError(f"{after} documents still wait in the spool; Elasticsearch is not taking them (see `traceur es status`)")


# -- traceur kibana -------------------------------------------------------------------


def _saved_objects(settings: Settings, watchlist: Path | None, explicit: bool) -> list[dict[str, Any]]:
    """The saved objects of config/kibana/, for this index prefix and these candidates."""
    objects: list[dict[str, Any]] = []
    for path in sorted(KIBANA_DIR.glob("*.ndjson")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    objects.append(json.loads(line))
                except ValueError as exc:
                    raise TraceurError(f"{path}:{number}: not a JSON object ({exc})") from exc
    names = IndexNames(settings.es_index_prefix)
    for item in objects:
        if item.get("type") == "index-pattern":
            # The data view reads the read alias of the configured prefix.
            item["attributes"]["title"] = names.read_alias
    candidates = _watchlist_candidates(watchlist, explicit)
    if candidates is None:
        return objects
    template = next((item for item in objects if item.get("id") == LATEST_SEARCH_ID), None)
    if template is None:
        raise TraceurError(f"{KIBANA_DIR}: no saved search {LATEST_SEARCH_ID!r} to build the candidates' searches from")
    objects = [item for item in objects if not str(item.get("id", "")).startswith(CANDIDATE_SEARCH_PREFIX)]
    for ident, name in candidates:
        made = json.loads(json.dumps(template))
        made["id"] = CANDIDATE_SEARCH_PREFIX + ident
        made["attributes"]["title"] = f"Mentions — {name}"
        made["attributes"]["description"] = f"Les dernières mentions de {name}, les plus récentes d'abord."
        source = json.loads(made["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
        source["query"] = {"query": f'candidates : "{ident}"', "language": "kuery"}
        made["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"] = json.dumps(source, ensure_ascii=False, separators=(",", ":"))
        objects.append(made)
    return objects


def _watchlist_candidates(path: Path | None, explicit: bool) -> list[tuple[str, str]] | None:
    from .watchlist import load_watchlist

    if path is None:
        return None
    if not path.is_file() and not explicit:
        # The default watchlist is missing: keep the shipped searches (the example's candidates).
        return None
    loaded = load_watchlist(path)
    return [(candidate.id, candidate.name) for candidate in loaded.candidates]


def _multipart(ndjson: str) -> tuple[bytes, str]:
    boundary = f"traceur-{uuid.uuid4().hex}"
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="traceur.ndjson"\r\n'
        "Content-Type: application/ndjson\r\n\r\n"
    )
    body = head.encode("utf-8") + ndjson.encode("utf-8") + f"\r\n--{boundary}--\r\n".encode("utf-8")
    return body, f"multipart/form-data; boundary={boundary}"


def _auth_header(settings: Settings) -> str | None:
    if settings.es_api_key:
        return f"ApiKey {settings.es_api_key}"
    if settings.es_username and settings.es_password:
        token = base64.b64encode(f"{settings.es_username}:{settings.es_password}".encode("utf-8")).decode("ascii")
        return f"Basic {token}"
    return None


@click.group()
def kibana() -> None:
    """Kibana: load Traceur's data view, saved searches and dashboard."""


@kibana.command("import")
@click.option("--url", required=True, help="Kibana's base URL, e.g. https://kibana.example.org:5601")
@click.option("--space", default=None, help="Kibana space id to import into (default space when omitted).")
@click.option("--watchlist", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Make one saved search per candidate of this watchlist (default: the configured watchlist).")
@click.option("--dry-run", is_flag=True, help="Print the request instead of sending it.")
@click.pass_context
def import_(ctx: click.Context, url: str, space: str | None, watchlist: Path | None, dry_run: bool) -> None:
    """Import the saved objects of config/kibana/ through Kibana's saved-objects API.

    Loads a data view on the read alias (time field published_at), the saved searches
    "Dernières mentions" and one per candidate, and the dashboard "Veille — vue
    d'ensemble". Objects with the same ids are overwritten, so importing again updates
    them. Credentials are those of Elasticsearch (TRACEUR_ES_API_KEY, or
    TRACEUR_ES_USERNAME and TRACEUR_ES_PASSWORD).

    \b
    Example:
      traceur kibana import --url https://kibana.example.org:5601 --space veille --dry-run
    """
    settings = _settings(ctx)
    objects = _saved_objects(settings, watchlist or settings.watchlist, explicit=watchlist is not None)
    ndjson = "".join(json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n" for item in objects)
    body, content_type = _multipart(ndjson)
    base = url.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise ConfigError(f"--url: {url!r} is not an http:// or https:// URL")
    endpoint = f"{base}{f'/s/{space}' if space else ''}/api/saved_objects/_import?overwrite=true"
    headers = {"kbn-xsrf": "true", "Content-Type": content_type}
    auth = _auth_header(settings)
    if dry_run:
        click.echo(f"POST {endpoint}")
        for key, value in headers.items():
            click.echo(f"{key}: {value}")
        if auth:
            click.echo(f"Authorization: {auth.split()[0]} (hidden)")
        click.echo("")
        click.echo(body.decode("utf-8"), nl=False)
        return
    if auth:
        headers["Authorization"] = auth
    request = urllib.request.Request(endpoint, data=body, headers=headers, method="POST")
    context = None
    if base.startswith("https://"):
        context = ssl.create_default_context(cafile=settings.es_ca_certs)
        if not settings.es_verify_certs:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(request, timeout=60, context=context) as response:
            answer = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:500]
        raise TraceurError(f"Kibana at {base} answered {exc.code} to the import: {detail}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise TraceurError(f"cannot reach Kibana at {base}: {exc}") from exc
    except ValueError as exc:
        raise TraceurError(f"Kibana at {base} answered something that is not JSON: {exc}") from exc
    if not answer.get("success"):
        problems = [
            f"{error.get('type')} {error.get('id')}: {json.dumps(error.get('error'), ensure_ascii=False)}"
            for error in answer.get("errors", [])
        ]
        raise TraceurError("Kibana refused part of the import:\n  " + "\n  ".join(problems or [json.dumps(answer)]))
    click.echo(f"imported {answer.get('successCount', len(objects))} saved objects into Kibana at {base}" + (f" (space {space})" if space else ""))


__all__ = ["es", "kibana"]
