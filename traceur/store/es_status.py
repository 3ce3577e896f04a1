"""What ``traceur es status`` shows: the cluster's health and versions, the index template,
the aliases and their indices' document counts, and the spool of documents waiting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch

from traceur.errors import StoreError
from traceur.store.es_template import IndexNames
from traceur.store.spool import Spool


def cluster_status(
    client: Elasticsearch,
    names: IndexNames,
    display_url: str,
    spool: Spool,
    alias_target: Callable[[str], str | None],
) -> dict[str, Any]:
    """Cluster health, template, aliases, document counts and the spool, for
    ``traceur es status``."""
    try:
        health = client.cluster.health().body
        nodes = client.nodes.info(filter_path="nodes.*.version").body.get("nodes", {})
        versions = sorted({str(node.get("version")) for node in nodes.values()})
        try:
            templates = client.indices.get_index_template(name=names.template).body[
                "index_templates"
            ]
            template: dict[str, Any] | None = templates[0]["index_template"] if templates else None
        except ApiError as exc:
            if exc.status_code != 404:
                raise
            template = None
        write_index = alias_target(names.write_alias)
        indices: dict[str, int] = {}
        try:
            aliased = client.indices.get_alias(name=names.read_alias).body
        except ApiError as exc:
            if exc.status_code != 404:
                raise
            aliased = {}
        if aliased:
            stats = client.cat.indices(index=list(aliased), format="json", h="index,docs.count")
            rows: list[dict[str, Any]] = stats.body  # type: ignore[assignment]
            indices = {row["index"]: int(row.get("docs.count") or 0) for row in rows}
        analysis = None
        if write_index:
            meta = (
                client.indices.get_mapping(index=write_index)
                .body[write_index]["mappings"]
                .get("_meta", {})
            )
            analysis = meta.get("traceur_analysis")
    except (ApiError, TransportError) as exc:
        raise StoreError(f"cannot read the state of Elasticsearch at {display_url}: {exc}") from exc
    return {
        "url": display_url,
        "cluster": {
            "name": health.get("cluster_name"),
            "status": health.get("status"),
            "nodes": health.get("number_of_nodes"),
            "versions": versions,
        },
        "template": {
            "name": names.template,
            "present": template is not None,
            "version": template.get("version") if template else None,
            "analysis": ((template or {}).get("_meta") or {}).get("traceur_analysis"),
        },
        "write_alias": {
            "name": names.write_alias,
            "index": write_index,
            "analysis": analysis,
        },
        "read_alias": {"name": names.read_alias, "indices": indices},
        "documents": sum(indices.values()),
        "spool": {
            "path": str(spool.path),
            "pending": spool.pending(),
            "dead_letters": spool.dead_letter_count(),
        },
    }
