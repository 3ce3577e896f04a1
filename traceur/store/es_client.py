"""The Elasticsearch client of the store, built from the settings: nodes, credentials, TLS.

``store: es+https://es01:9200,es02:9200,es03:9200`` names several nodes of one cluster. The
client sends requests round the nodes it knows; a node that cannot be reached is set aside
for a while and the request tried on the next, and it then asks a live node for the
cluster's current nodes (sniffing), so a node added later or listed under another name is
used too. One listed node means a single server, a load balancer or a hosted service: no
sniffing there, the addresses nodes publish are not reachable from outside.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from elasticsearch import Elasticsearch

from traceur.config import es_endpoints
from traceur.errors import ConfigError

if TYPE_CHECKING:
    from traceur.config import Settings

REQUEST_TIMEOUT = 30.0
# Attempts of a request on another node after a connection failure: at least two more,
# and enough to try every listed node once.
MIN_CONNECTION_RETRIES = 2
# Seconds between two sniffs: a node that fails several requests in a row is asked once.
SNIFF_INTERVAL = 60.0
# Seconds a sniff may take (the client's own default, half a second, fails on a busy
# cluster, just when a node has gone and the others carry its load).
SNIFF_TIMEOUT = 5.0


@dataclass(frozen=True)
class EsConnection:
    """What ``connect`` built: the client and the cluster's address as logs and errors show it."""

    client: Elasticsearch
    display_url: str
    nodes: tuple[str, ...]


def _display(node: str) -> str:
    parts = urlsplit(node)
    port = f":{parts.port}" if parts.port else ""
    host = f"[{parts.hostname}]" if parts.hostname and ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}{port}{parts.path.rstrip('/')}"


def connect(settings: Settings) -> EsConnection:
    """A client for ``settings.store`` (``es+http://`` or ``es+https://``, one node or a comma
    list). No request is made here: an unreachable cluster shows at the first write."""
    url = settings.store
    if not url.startswith("es+"):
        raise ConfigError(
            f"store: {url!r} is not an Elasticsearch URL;"
            " write es+https://host:9200 (or es+http:// for a cluster without TLS)"
        )
    nodes = es_endpoints(url)
    for node in nodes:
        parts = urlsplit(node)
        if parts.username or parts.password:
            raise ConfigError(
                "store: put no user name or password in the Elasticsearch URL;"
                " set TRACEUR_ES_API_KEY, or TRACEUR_ES_USERNAME and TRACEUR_ES_PASSWORD,"
                " in the environment"
            )
    scheme = urlsplit(nodes[0]).scheme
    options: dict[str, Any] = {
        "request_timeout": REQUEST_TIMEOUT,
        # The client retries connection failures, on the next node; 429 and 5xx answers are
        # ours to retry, per document, with backoff.
        "max_retries": max(MIN_CONNECTION_RETRIES, len(nodes)),
        # A timed-out bulk is spooled and replayed rather than re-sent with its old
        # stored_at stamp (changed_since counts on stamps being recent).
        "retry_on_timeout": False,
        "retry_on_status": (),
    }
    if len(nodes) > 1:
        # Not on start: the store must open while the cluster is down (its writes spool).
        options["sniff_on_node_failure"] = True
        options["min_delay_between_sniffing"] = SNIFF_INTERVAL
        options["sniff_timeout"] = SNIFF_TIMEOUT
    if settings.es_api_key:
        options["api_key"] = settings.es_api_key
    elif settings.es_username or settings.es_password:
        if not (settings.es_username and settings.es_password):
            raise ConfigError(
                "es_username and TRACEUR_ES_PASSWORD go together;"
                " set both (or TRACEUR_ES_API_KEY instead)"
            )
        options["basic_auth"] = (settings.es_username, settings.es_password)
    if scheme == "https":
        options["verify_certs"] = settings.es_verify_certs
        if settings.es_ca_certs:
            if not Path(settings.es_ca_certs).is_file():
                raise ConfigError(
                    f"es_ca_certs: {settings.es_ca_certs!r} is not a file;"
                    " give the path of the CA certificate (PEM)"
                )
            options["ca_certs"] = settings.es_ca_certs
    elif settings.es_ca_certs:
        raise ConfigError(
            "es_ca_certs is set but the store URL is es+http://; use es+https:// to talk TLS"
        )
    try:
        client = Elasticsearch(nodes, **options)
    except ValueError as exc:
        raise ConfigError(
            f"store: {url!r} is not a usable Elasticsearch URL ({exc}); write es+https://host:9200"
        ) from None
    return EsConnection(client, ",".join(_display(node) for node in nodes), tuple(nodes))
