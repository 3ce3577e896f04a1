"""Settings: packaged defaults, then the user's file, then ``TRACEUR_*`` environment variables.

The defaults are package data (``traceur/defaults.yaml``, every setting documented there),
so an installed wheel runs from any directory. Validated once, here, into a frozen
``Settings``; the rest of the code never reads the environment or a YAML file for
configuration, and never repeats a default: what needs one reads ``default_settings()``.
"""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from traceur.errors import ConfigError
from traceur.privacy.retention import RetentionPolicy, parse_policy
from traceur.yamlfile import LineDict, YamlSyntaxError, did_you_mean, load_yaml

DEFAULTS_FILE = Path(__file__).resolve().with_name("defaults.yaml")
ENV_PREFIX = "TRACEUR_"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# Settings that may only come from the environment, so no secret ends up in a file or a commit.
ENV_ONLY = (
    "es_api_key",
    "es_password",
    "smtp_password",
    "web_secret",
    "author_key",
    "privacy_key",
)


@dataclass(frozen=True)
class Settings:
    """Every setting; ``traceur/defaults.yaml`` documents each one and gives its default."""

    store: str
    data_dir: Path
    watchlist: Path
    allow_networks: tuple[str, ...]
    http_proxy: str | None
    proxy_enforces_policy: bool
    user_agent: str
    download_timeout: int
    max_page_bytes: int
    download_delay: float
    concurrent_per_domain: int
    retry_times: int
    retry_backoff: float
    max_retry_after: float
    obey_robots: bool
    autothrottle: bool
    max_pages: int
    max_depth: int
    max_sitemap_entries: int
    max_text_chars: int
    max_crawl_delay: float
    source_deadline: int
    min_text_chars: int
    snippet_chars: int
    max_snippets: int
    log_level: str
    es_index_prefix: str
    es_batch_size: int
    es_verify_certs: bool
    es_username: str | None
    es_ca_certs: str | None
    es_shards: int | None
    es_replicas: int | None
    timezone: str
    scheduler_jitter: int
    adaptive_polling_factor: int
    max_concurrent_crawls: int
    crawl_stop_timeout: int
    queue: str | None
    queue_lease: int
    smtp_host: str | None
    smtp_port: int
    smtp_security: str
    smtp_username: str | None
    smtp_from: str
    smtp_ca_certs: str | None
    smtp_timeout: int
    alert_retry_seconds: int
    alert_batch_seconds: int
    alert_cluster_cooldown_seconds: int
    alert_max_per_hour: int
    web_host: str
    web_port: int
    web_base_url: str | None
    web_login_attempts_per_name: int
    web_login_attempts_per_address: int
    web_login_window_seconds: int
    web_session_hours: int
    retention: RetentionPolicy
    purge_at: str
    pseudonymize_authors: bool
    log_max_bytes: int
    log_backups: int
    log_scrapy_debug: bool
    # Secrets: read from the environment only (TRACEUR_ES_API_KEY, ...), never from a file.
    es_api_key: str | None = dataclasses.field(default=None, repr=False)
    es_password: str | None = dataclasses.field(default=None, repr=False)
    smtp_password: str | None = dataclasses.field(default=None, repr=False)
    web_secret: str | None = dataclasses.field(default=None, repr=False)
    author_key: str | None = dataclasses.field(default=None, repr=False)
    # The key of the erasure register's hashes (traceur.privacy.forget_register).
    privacy_key: str | None = dataclasses.field(default=None, repr=False)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    def to_env(self) -> dict[str, str]:
        """These settings as ``TRACEUR_*`` variables, to hand them to a child process."""
        env: dict[str, str] = {}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if item.name in ENV_ONLY and value is None:
                continue
            if value is None:
                text = ""
            elif isinstance(value, tuple):
                text = ",".join(value)
            elif isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, RetentionPolicy):
                text = value.to_text()
            else:
                text = str(value)
            env[ENV_PREFIX + item.name.upper()] = text
        return env


_FIELDS = {item.name: item for item in dataclasses.fields(Settings)}


def _where(source: str, line: int | None) -> str:
    return f"{source}:{line}" if line else source


def _convert(key: str, value: Any, where: str, previous: Any = None) -> Any:
    """Turn a raw value (YAML or environment text) into the field's type, or explain the fix.
    ``previous``: the value of an earlier layer, which a partial ``retention:`` block
    completes."""
    kind = _FIELDS[key].type
    if kind == "RetentionPolicy":
        return _convert_retention(value, where, previous)
    from_env = isinstance(value, str) and where.startswith(ENV_PREFIX)
    try:
        if kind in ("int", "float"):
            if kind == "int" and isinstance(value, float) and not value.is_integer():
                raise ValueError
            number = float(value) if kind == "float" else int(value)
            if isinstance(value, bool) or number < 0:
                raise ValueError
            return number
        if kind == "bool":
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("1", "true", "yes", "on"):
                return True
            if str(value).lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if kind == "Path":
            if not isinstance(value, str) or not value:
                raise ValueError
            return Path(value)
        if kind == "int | None":
            if value in (None, ""):
                return None
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            count = int(value)
            if count < 0:
                raise ValueError
            return count
        if kind == "str | None":
            if value in (None, ""):
                return None
            return str(value)
        if kind == "tuple[str, ...]":
            items = value.split(",") if from_env or isinstance(value, str) else value
            if not isinstance(items, list):
                raise ValueError
            return tuple(str(item).strip() for item in items if str(item).strip())
        if not isinstance(value, str) or not value:
            raise ValueError
        return value
    except (TypeError, ValueError):
        expected = {
            "int": "a whole number ≥ 0",
            "int | None": "a whole number ≥ 0, or null",
            "float": "a number ≥ 0",
            "bool": "true or false",
            "Path": "a path",
            "str | None": "a text, or null",
            "tuple[str, ...]": "a list (comma-separated in the environment)",
        }.get(str(kind), "a non-empty text")
        raise ConfigError(f"{where}: {key}: {value!r} is not valid; expected {expected}") from None


def _convert_retention(value: Any, where: str, previous: RetentionPolicy | None) -> Any:
    # Checked here, once, so that a wrong period stops every command at start with the
    # file, line and key, rather than a purge failing (or emptying the store) at night.
    try:
        return parse_policy(value, previous, from_env=where.startswith(ENV_PREFIX))
    except ValueError as exc:
        at = where
        file_and_line = re.fullmatch(r"(.+):\d+", where)
        if isinstance(value, LineDict) and file_and_line:
            # Point at the line of the wrong period itself, not at `retention:`.
            bad = next((k for k in value if str(exc).startswith(f"{k}:")), None)
            if bad is not None and value.lines.get(bad):
                at = f"{file_and_line.group(1)}:{value.lines[bad]}"
        raise ConfigError(
            f"{at}: retention: {exc} (see the retention block of {DEFAULTS_FILE})"
        ) from None


def _read_file(path: Path) -> tuple[LineDict, str]:
    if not path.is_file():
        raise ConfigError(
            f"{path}: no such configuration file; give the path of a YAML file"
            f" (see {DEFAULTS_FILE} for every setting)"
        )
    try:
        data = load_yaml(path)
    except YamlSyntaxError as exc:
        raise ConfigError(str(exc)) from exc
    if data is None:
        data = LineDict()
        data.lines = {}
    if not isinstance(data, LineDict):
        raise ConfigError(f"{path}:1: the configuration must be a mapping of `key: value` lines")
    return data, str(path)


def load_settings(
    config_file: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build ``Settings`` from the defaults, ``config_file`` and ``environ`` (``os.environ`` by
    default)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    layers = [DEFAULTS_FILE] + ([Path(config_file)] if config_file else [])
    for path in layers:
        data, source = _read_file(path)
        for key, raw in data.items():
            line = data.lines.get(key)
            if key in ENV_ONLY:
                raise ConfigError(
                    f"{_where(source, line)}: {key} is a secret;"
                    f" remove it from the file and set {ENV_PREFIX}{key.upper()} in the environment"
                )
            if key not in _FIELDS:
                hint = did_you_mean(key, _FIELDS)
                raise ConfigError(
                    f"{_where(source, line)}: unknown setting {key!r};"
                    f" {hint}see {DEFAULTS_FILE} for the list"
                )
            values[key] = _convert(key, raw, _where(source, line), values.get(key))
    for key in _FIELDS:
        name = ENV_PREFIX + key.upper()
        if name in environ:
            values[key] = _convert(key, environ[name], name, values.get(key))
    missing = [
        key
        for key, item in _FIELDS.items()
        if key not in values and item.default is dataclasses.MISSING
    ]
    if missing:
        raise ConfigError(
            f"{DEFAULTS_FILE}: missing settings {', '.join(missing)}; reinstall Traceur"
        )
    settings = Settings(**values)
    _validate(settings)
    return settings


@functools.cache
def default_settings() -> Settings:
    """The packaged defaults alone (no file, no environment): the fallback of components
    built outside ``traceur run``, such as a bare ``scrapy crawl``."""
    return load_settings(None, environ={})


def _validate(settings: Settings) -> None:
    for cidr in settings.allow_networks:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise ConfigError(
                f"allow_networks: {cidr!r} is not a network;"
                " write a CIDR such as 127.0.0.1/32 or 10.0.0.0/8"
            ) from None
    if settings.log_level.upper() not in LOG_LEVELS:
        raise ConfigError(
            f"log_level: {settings.log_level!r} is not a level; use one of {', '.join(LOG_LEVELS)}"
        )
    if not (settings.store.startswith("sqlite://") or settings.store.startswith("es+")):
        raise ConfigError(
            f"store: {settings.store!r} is not a store URL; use sqlite:///path/traceur.db or es+https://host:9200"
        )
    _validate_store_url(settings.store)
    if settings.data_dir.exists() and not settings.data_dir.is_dir():
        raise ConfigError(
            f"data_dir: {str(settings.data_dir)!r} is a file, not a folder;"
            " set data_dir (or TRACEUR_DATA_DIR) to a folder, or move the file away"
        )
    if settings.http_proxy and not settings.http_proxy.startswith(("http://", "https://")):
        raise ConfigError(f"http_proxy: {settings.http_proxy!r} must be an http:// or https:// URL")
    if settings.max_page_bytes < 1024:
        raise ConfigError("max_page_bytes: must be at least 1024")
    if settings.log_max_bytes < 1024 or settings.log_backups < 1:
        # Python's rotating handler never rotates with no backup file to rotate into.
        raise ConfigError(
            "log_max_bytes/log_backups: a log file needs at least 1024 bytes and 1 backup;"
            " raise them"
        )
    _validate_schedule_and_mail(settings)
    _validate_queue(settings)


def _validate_queue(settings: Settings) -> None:
    if settings.queue is not None:
        try:
            parts = urlsplit(settings.queue)
            parts.port  # noqa: B018 - parsing the port is the check
        except ValueError as exc:
            raise ConfigError(
                f"queue: {settings.queue!r} is not a valid URL ({exc}); write redis://host:6379/0"
            ) from None
        if parts.scheme not in ("redis", "rediss") or not parts.hostname:
            raise ConfigError(
                f"queue: {settings.queue!r} is not a Redis URL; write redis://host:6379/0"
                " (rediss:// for TLS), or null to run everything on this machine"
            )
    if settings.queue_lease < 3:
        # Renewed every third of it: under 3 s, one slow round trip loses a lease.
        raise ConfigError("queue_lease: must be at least 3 (seconds)")


def es_endpoints(url: str) -> list[str]:
    """The node URLs of an ``es+`` store URL: ``es+https://es1:9200`` names one node,
    ``es+https://es1:9200,es2:9200,es3:9200`` several of one cluster (they share the scheme;
    a node may repeat it). Raises ``ConfigError`` with the fix when one cannot be used."""
    endpoint = url[len("es+") :]
    scheme, sep, rest = endpoint.partition("://")
    if not sep or scheme not in ("http", "https"):
        raise ConfigError(
            f"store: {url!r} is not an Elasticsearch URL;"
            " write es+https://host:9200 (or es+http:// for a cluster without TLS)"
        )
    nodes: list[str] = []
    for piece in rest.split(","):
        piece = piece.strip()
        if "://" in piece:
            other, _, piece = piece.partition("://")
            if other != scheme:
                raise ConfigError(
                    f"store: {url!r} mixes {scheme}:// and {other}:// nodes;"
                    " the nodes of one cluster all speak the same scheme"
                )
        node = f"{scheme}://{piece}"
        try:
            parts = urlsplit(node)
            parts.port  # noqa: B018 - parsing the port is the check
        except ValueError as exc:
            raise ConfigError(
                f"store: {url!r} is not a valid URL ({exc}); write es+https://host:9200"
                " (an IPv6 host in brackets: es+https://[::1]:9200; several nodes separated"
                " by commas: es+https://es1:9200,es2:9200)"
            ) from None
        if not parts.hostname:
            raise ConfigError(
                f"store: {url!r} names no host"
                + (f" in {piece!r}" if len(nodes) or "," in rest else "")
                + "; write es+https://host:9200 (several nodes: es+https://es1:9200,es2:9200)"
            )
        nodes.append(node)
    return nodes


def _validate_store_url(url: str) -> None:
    # Checked when the settings are read, so that a malformed URL is one line at once and
    # not an exception from the URL parser when a command first opens the store.
    if url.startswith("es+"):
        es_endpoints(url)
    elif url.startswith("sqlite:") and (not url.startswith("sqlite:///") or url == "sqlite:///"):
        raise ConfigError(
            f"store: {url!r} names no SQLite file; write sqlite:///relative/path.db"
            " or sqlite:////absolute/path.db"
        )


SMTP_SECURITY = ("starttls", "tls", "none")


def _validate_schedule_and_mail(settings: Settings) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"timezone: {settings.timezone!r} is not a time zone;"
            " write an IANA name such as Europe/Paris"
        ) from None
    if settings.adaptive_polling_factor < 1:
        raise ConfigError(
            "adaptive_polling_factor: must be at least 1 (1 turns adaptive polling off)"
        )
    if settings.max_concurrent_crawls < 1:
        raise ConfigError("max_concurrent_crawls: must be at least 1")
    if not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", settings.purge_at):
        raise ConfigError(
            f'purge_at: {settings.purge_at!r} is not a time of day; write HH:MM, e.g. "03:30"'
        )
    if settings.smtp_security not in SMTP_SECURITY:
        raise ConfigError(
            f"smtp_security: {settings.smtp_security!r} is not a mode;"
            f" use one of {', '.join(SMTP_SECURITY)}"
        )
    if settings.smtp_username and settings.smtp_security == "none":
        # A login over a plain connection would give the password to anyone on the path.
        raise ConfigError(
            "smtp_username: a login needs smtp_security starttls or tls;"
            " set one, or remove the username for a local relay"
        )
    if "@" not in settings.smtp_from:
        raise ConfigError(
            f"smtp_from: {settings.smtp_from!r} has no email address;"
            ' write e.g. "Traceur <veille@example.org>"'
        )
    if settings.alert_batch_seconds > 3600:
        raise ConfigError(
            "alert_batch_seconds: at most 3600 (an hour); an immediate alert that waits longer"
            " is a digest: use a digest rule"
        )
    if not 0 < settings.smtp_port < 65536:
        raise ConfigError(f"smtp_port: {settings.smtp_port} is not a port number")
    _validate_web(settings)


def _validate_web(settings: Settings) -> None:
    if not 0 < settings.web_port < 65536:
        raise ConfigError(f"web_port: {settings.web_port} is not a port number")
    if settings.web_base_url and not settings.web_base_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"web_base_url: {settings.web_base_url!r} must be the app's public http(s) URL,"
            " such as https://veille.example.org"
        )
    if min(settings.web_login_attempts_per_name, settings.web_login_attempts_per_address) < 1:
        raise ConfigError("web_login_attempts_per_name/_per_address: must be at least 1")
    if settings.web_session_hours < 1:
        raise ConfigError("web_session_hours: must be at least 1")
