"""config/compose/: the deployment matches what the code reads.

There is no Docker engine on the test machine, so the topology is checked as data: the
services and their images, the Elasticsearch cluster's discovery, the settings each Traceur
container gets (read by ``load_settings`` itself, with the placeholders of ``.env.example``),
the volumes behind the data directory, and the commands the image runs. The same topology
runs as local processes in tests/es/test_es_cluster.py (three nodes) and in the queue's
tests (Redis, scheduler, workers).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import pytest
import yaml

from tests.es.server import ES_VERSION
from traceur.cli import main
from traceur.config import ENV_ONLY, Settings, es_endpoints, load_settings

COMPOSE_DIR = Path(__file__).resolve().parent.parent / "config" / "compose"
REPO_ROOT = COMPOSE_DIR.parent.parent
ES_NODES = ("es01", "es02", "es03")
TRACEUR_SERVICES = ("traceur-setup", "scheduler", "worker", "web")
ES_IMAGE = "docker.elastic.co/elasticsearch/elasticsearch"
_VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(:?-([^}]*))?\}")


def _compose() -> dict[str, Any]:
    loaded = yaml.safe_load((COMPOSE_DIR / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _dotenv(path: Path) -> dict[str, str]:
    """The variables of an env file as Compose reads it (KEY=value, optional double quotes)."""
    values: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: {line!r} is not KEY=value"
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        values[key.strip()] = value
    return values


def _interpolate(value: Any, variables: dict[str, str]) -> str:
    """``${VAR}``, ``${VAR:-default}`` and ``$$`` as Compose resolves them."""

    def one(match: re.Match[str]) -> str:
        name, fallback = match.group(1), match.group(3)
        found = variables.get(name)
        if found is None or (found == "" and match.group(2) and match.group(2).startswith(":")):
            assert fallback is not None, f"${{{name}}} has no value in .env.example"
            return fallback
        return found

    return _VARIABLE.sub(one, str(value)).replace("$$", "$")


def _environment(service: dict[str, Any]) -> dict[str, Any]:
    environment = service.get("environment") or {}
    assert isinstance(environment, dict), "environments are mappings (YAML anchors merge them)"
    return environment


def _container_settings(service: dict[str, Any]) -> Settings:
    variables = _dotenv(COMPOSE_DIR / ".env.example")
    environ = {key: _interpolate(value, variables) for key, value in _environment(service).items()}
    return load_settings(None, environ=environ)


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """Container path → source (a named volume or a host path) of the service's volumes."""
    mounts: dict[str, str] = {}
    variables = _dotenv(COMPOSE_DIR / ".env.example")
    for entry in service.get("volumes", []):
        source, target = _interpolate(entry, variables).split(":")[:2]
        mounts[target] = source
    return mounts


def _dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) of the Dockerfile, continuation lines joined."""
    text = (COMPOSE_DIR / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n\s*", " ", text)
    steps: list[tuple[str, str]] = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            instruction, _, arguments = line.strip().partition(" ")
            steps.append((instruction.upper(), arguments.strip()))
    return steps


def test_compose_runs_redis_three_elasticsearch_nodes_kibana_and_the_traceur_roles() -> None:
    services = _compose()["services"]
    assert {"redis", "kibana", *ES_NODES, *TRACEUR_SERVICES} <= set(services)
    for name in ES_NODES:
        assert (
            services[name]["image"] == f"docker.elastic.co/elasticsearch/elasticsearch:{ES_VERSION}"
        )
    assert services["setup"]["image"] == services["es01"]["image"]
    assert services["kibana"]["image"] == f"docker.elastic.co/kibana/kibana:{ES_VERSION}"
    assert re.fullmatch(r"redis:\d+\.\d+\.\d+-alpine", services["redis"]["image"])
    # One image, built from the repository, for every Traceur role.
    for name in TRACEUR_SERVICES:
        build = services[name]["build"]
        assert (COMPOSE_DIR / build["context"]).resolve() == REPO_ROOT
        assert (REPO_ROOT / build["dockerfile"]).is_file()
        assert services[name]["image"] == services["scheduler"]["image"]


def test_the_three_nodes_discover_each_other_and_keep_their_own_data() -> None:
    compose = _compose()
    services = compose["services"]
    data_volumes = set()
    for name in ES_NODES:
        environment = _environment(services[name])
        assert environment["node.name"] == name
        assert environment["discovery.seed_hosts"].split(",") == list(ES_NODES)
        assert environment["cluster.initial_master_nodes"].split(",") == list(ES_NODES)
        assert "discovery.type" not in environment
        # Several nodes with security on: the transport layer must talk TLS.
        assert environment["xpack.security.transport.ssl.enabled"] == "true"
        data = _mounts(services[name])["/usr/share/elasticsearch/data"]
        assert data in compose["volumes"]
        data_volumes.add(data)
        assert services[name]["depends_on"]["setup"]["condition"] == "service_healthy"
    assert len(data_volumes) == 3
    kibana_hosts = _environment(services["kibana"])["ELASTICSEARCH_HOSTS"]
    assert all(f"https://{name}:9200" in kibana_hosts for name in ES_NODES)


def test_every_traceur_container_reads_valid_settings_naming_the_cluster_and_the_queue() -> None:
    compose = _compose()
    services = compose["services"]
    for name in TRACEUR_SERVICES:
        service = services[name]
        settings = _container_settings(service)
        # The store lists every node, in the scheme the nodes serve (TLS on).
        nodes = [urlsplit(node) for node in es_endpoints(settings.store)]
        assert [(node.scheme, node.hostname, node.port) for node in nodes] == [
            ("https", host, 9200) for host in ES_NODES
        ]
        assert settings.es_ca_certs and settings.es_ca_certs.startswith("/certs/")
        assert _mounts(service)["/certs"] == "certs"
        assert settings.es_username == "traceur" and settings.es_password
        # The queue the workers and the scheduler share: Redis, by its service name.
        variables = _dotenv(COMPOSE_DIR / ".env.example")
        queue = urlsplit(_interpolate(_environment(service)["TRACEUR_QUEUE"], variables))
        assert (queue.scheme, queue.hostname, queue.port) == ("redis", "redis", 6379)
        # The data directory is a volume, not the container's own disk.
        assert _mounts(service)[str(settings.data_dir)] in compose["volumes"]
        # The watchlist is in the campaign's folder, mounted from the host.
        folder = str(settings.watchlist.parent)
        host_folder = COMPOSE_DIR / _mounts(service)[folder]
        assert (host_folder / settings.watchlist.name).is_file()
        assert settings.web_base_url == "https://veille.example.org"


def test_secrets_come_from_the_env_file_and_the_example_holds_only_placeholders() -> None:
    text = (COMPOSE_DIR / "compose.yaml").read_text(encoding="utf-8")
    example = _dotenv(COMPOSE_DIR / ".env.example")
    used = {match.group(1) for match in _VARIABLE.finditer(text)}
    without_default = {m.group(1) for m in _VARIABLE.finditer(text) if m.group(2) is None}
    assert without_default <= set(example), "every variable without a default is in .env.example"
    assert used >= {"ELASTIC_PASSWORD", "KIBANA_PASSWORD", "TRACEUR_ES_PASSWORD", "REDIS_PASSWORD"}
    for key, value in example.items():
        if re.search(r"PASSWORD|SECRET|KEY$", key) and value:
            assert "change" in value.lower(), f"{key} in .env.example looks like a real secret"
    # Traceur's own secrets are never written into the compose file itself.
    environment = _environment(_compose()["services"]["scheduler"])
    for secret in ENV_ONLY:
        value = environment.get(f"TRACEUR_{secret.upper()}")
        assert value is None or _VARIABLE.fullmatch(str(value)), secret
    assert (COMPOSE_DIR / ".env").exists() is False


def test_workers_scale_and_only_the_web_app_publishes_a_port_on_loopback() -> None:
    services = _compose()["services"]
    worker = services["worker"]
    assert "container_name" not in worker and "ports" not in worker
    assert _interpolate(worker["deploy"]["replicas"], {}) == "2"
    assert "ports" not in services["scheduler"] and "ports" not in services["redis"]
    web = services["web"]
    published = _interpolate(web["ports"][0], {})
    host, host_port, container_port = published.split(":")
    assert host == "127.0.0.1"
    command = web["command"]
    assert command[command.index("--port") + 1] == container_port
    assert command[command.index("--host") + 1] == "0.0.0.0"
    # Scheduler and workers start once Traceur's indices exist.
    for name in ("scheduler", "worker", "web"):
        condition = services[name]["depends_on"]["traceur-setup"]["condition"]
        assert condition == "service_completed_successfully"


def test_the_image_runs_traceur_as_a_user_from_python_3_11_slim() -> None:
    steps = _dockerfile()
    assert steps[0] == ("FROM", "python:3.11-slim")
    users = [arguments for instruction, arguments in steps if instruction == "USER"]
    assert users and users[-1] not in ("root", "0")
    entrypoint = [a for i, a in steps if i == "ENTRYPOINT"]
    assert entrypoint == ['["traceur"]']
    ignored = (COMPOSE_DIR / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
    for instruction, arguments in steps:
        if instruction == "COPY":
            *sources, _ = shlex.split(arguments)
            for source in sources:
                assert (REPO_ROOT / source).exists(), source
                assert f"!{source}" in ignored, f"{source} is left out of the build context"
    data_dir = [a for i, a in steps if i == "VOLUME"]
    assert data_dir == ['["/var/lib/traceur"]']


def _command(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    return command if isinstance(command, list) else shlex.split(command)


@pytest.mark.parametrize("service", ["traceur-setup", "scheduler", "web"])
def test_the_commands_the_services_run_exist_with_their_options(service: str) -> None:
    args = _command(_compose()["services"][service])
    command: click.Command = main
    rest = list(args)
    while isinstance(command, click.Group):
        assert rest, f"`traceur {' '.join(args)}` names a group, not a command"
        name, *rest = rest
        found = command.commands.get(name)
        assert found is not None, f"traceur has no command {name!r} ({' '.join(args)})"
        command = found
    # Parsing refuses an unknown option or a bad value, as the container's start would.
    command.make_context(command.name or "", rest)


def test_the_worker_service_runs_traceur_worker() -> None:
    assert _command(_compose()["services"]["worker"]) == ["worker"]
    if "worker" not in main.commands:
        pytest.skip("`traceur worker` comes with the work queue (issue 15, queue branch)")
    assert isinstance(main.commands["worker"], click.Command)
