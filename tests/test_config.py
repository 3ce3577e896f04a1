"""Settings: packaged defaults, then the user's file, then TRACEUR_* variables; every
mistake is refused with the file and line (or the variable) and the fix."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from traceur.cli import main
from traceur.config import DEFAULTS_FILE, Settings, es_endpoints, load_settings
from traceur.errors import ConfigError


def write(tmp_path: Path, text: str, name: str = "traceur.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_packaged_defaults_load_without_a_user_file() -> None:
    settings = load_settings(environ={})

    assert isinstance(settings, Settings)
    assert settings.store == "sqlite:///.traceur/traceur.db"
    assert settings.data_dir == Path(".traceur")
    assert settings.watchlist == Path("watchlists/example.yaml")
    assert settings.allow_networks == ()
    assert settings.http_proxy is None
    assert settings.download_timeout == 30
    assert settings.download_delay == 0.5
    assert settings.obey_robots is True
    assert settings.min_text_chars == 150
    assert settings.max_snippets == 3
    assert settings.log_level == "INFO"
    assert settings.es_password is None and settings.es_api_key is None


def test_user_file_overrides_only_its_own_keys(tmp_path: Path) -> None:
    defaults = load_settings(environ={})
    user = write(
        tmp_path,
        """\
        download_timeout: 12
        obey_robots: true
        user_agent: "VeilleBot/2.0 (+mailto:equipe@campagne.example)"
        """,
    )

    settings = load_settings(user, environ={})

    assert settings.download_timeout == 12
    assert settings.user_agent == "VeilleBot/2.0 (+mailto:equipe@campagne.example)"
    assert settings == defaults.replace(
        download_timeout=12, user_agent="VeilleBot/2.0 (+mailto:equipe@campagne.example)"
    )


def test_empty_user_file_changes_nothing(tmp_path: Path) -> None:
    user = write(tmp_path, "# rien à changer\n")

    assert load_settings(user, environ={}) == load_settings(environ={})


def test_environment_wins_over_the_user_file(tmp_path: Path) -> None:
    user = write(
        tmp_path,
        """\
        download_timeout: 12
        log_level: DEBUG
        """,
    )

    settings = load_settings(
        user, environ={"TRACEUR_DOWNLOAD_TIMEOUT": "45", "TRACEUR_OBEY_ROBOTS": "false"}
    )

    assert settings.download_timeout == 45
    assert settings.obey_robots is False
    assert settings.log_level == "DEBUG"  # from the file, untouched by the environment


def test_variables_without_the_traceur_prefix_are_ignored() -> None:
    settings = load_settings(environ={"DOWNLOAD_TIMEOUT": "1", "traceur_download_timeout": "2"})

    assert settings.download_timeout == 30


def test_allow_networks_from_the_environment_becomes_a_tuple() -> None:
    settings = load_settings(environ={"TRACEUR_ALLOW_NETWORKS": "127.0.0.1/32,10.1.0.0/16"})

    assert settings.allow_networks == ("127.0.0.1/32", "10.1.0.0/16")


def test_allow_networks_tolerates_spaces_and_an_empty_value() -> None:
    assert load_settings(
        environ={"TRACEUR_ALLOW_NETWORKS": " 127.0.0.1/32 , 10.1.0.0/16 ,"}
    ).allow_networks == (
        "127.0.0.1/32",
        "10.1.0.0/16",
    )
    assert load_settings(environ={"TRACEUR_ALLOW_NETWORKS": ""}).allow_networks == ()


def test_allow_networks_list_in_a_file_becomes_a_tuple(tmp_path: Path) -> None:
    user = write(
        tmp_path,
        """\
        allow_networks: ["10.20.0.0/16", "192.168.4.0/24"]
        """,
    )

    assert load_settings(user, environ={}).allow_networks == ("10.20.0.0/16", "192.168.4.0/24")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("false", False),
        ("0", False),
        ("no", False),
        ("off", False),
        ("true", True),
        ("1", True),
        ("yes", True),
        ("ON", True),
    ],
)
def test_booleans_from_the_environment_accept_the_usual_spellings(
    text: str, expected: bool
) -> None:
    assert load_settings(environ={"TRACEUR_OBEY_ROBOTS": text}).obey_robots is expected


def test_empty_environment_value_clears_an_optional_setting(tmp_path: Path) -> None:
    user = write(tmp_path, "http_proxy: http://proxy.campagne.example:3128\n")

    assert load_settings(user, environ={}).http_proxy == "http://proxy.campagne.example:3128"
    assert load_settings(user, environ={"TRACEUR_HTTP_PROXY": ""}).http_proxy is None


# -- mistakes -------------------------------------------------------------------------


def test_unknown_key_in_user_file_names_file_line_and_suggests(tmp_path: Path) -> None:
    user = write(
        tmp_path,
        """\
        store: sqlite:///veille.db
        download_timout: 20
        """,
    )

    with pytest.raises(ConfigError) as caught:
        load_settings(user, environ={})

    message = str(caught.value)
    assert message.startswith(f"{user}:2: ")
    assert "unknown setting 'download_timout'" in message
    assert "did you mean 'download_timeout'?" in message


def test_value_of_the_wrong_type_is_reported_with_its_key(tmp_path: Path) -> None:
    user = write(
        tmp_path,
        """\
        log_level: INFO
        download_timeout: soon
        """,
    )

    with pytest.raises(ConfigError) as caught:
        load_settings(user, environ={})

    message = str(caught.value)
    assert message.startswith(f"{user}:2: download_timeout: 'soon' is not valid")
    assert "expected a whole number" in message


def test_value_of_the_wrong_type_in_the_environment_names_the_variable() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"TRACEUR_DOWNLOAD_DELAY": "vite"})

    assert str(caught.value).startswith(
        "TRACEUR_DOWNLOAD_DELAY: download_delay: 'vite' is not valid"
    )


@pytest.mark.parametrize(
    "line", ["max_pages: -5", "download_delay: -0.5", "obey_robots: peut-être", "retry_times: true"]
)
def test_out_of_range_or_mistyped_values_are_refused(tmp_path: Path, line: str) -> None:
    user = write(tmp_path, line + "\n")
    key = line.split(":")[0]

    with pytest.raises(ConfigError, match=rf"^{user}:1: {key}: .* is not valid; expected "):
        load_settings(user, environ={})


def test_fractional_value_for_a_whole_number_setting_is_refused(tmp_path: Path) -> None:
    # The environment already refuses "1.5" for download_timeout; a file must not
    # silently turn it into 1 second instead.
    user = write(tmp_path, "download_timeout: 1.5\n")

    with pytest.raises(ConfigError, match="download_timeout"):
        load_settings(user, environ={})
    with pytest.raises(ConfigError, match="download_timeout"):
        load_settings(environ={"TRACEUR_DOWNLOAD_TIMEOUT": "1.5"})


@pytest.mark.parametrize("secret", ["es_password", "es_api_key"])
def test_secret_in_a_file_is_refused_with_the_variable_to_use(tmp_path: Path, secret: str) -> None:
    user = write(
        tmp_path,
        f"""\
        es_username: veille
        {secret}: hunter2-ne-pas-committer
        """,
    )

    with pytest.raises(ConfigError) as caught:
        load_settings(user, environ={})

    message = str(caught.value)
    assert message.startswith(f"{user}:2: {secret} is a secret")
    assert f"TRACEUR_{secret.upper()}" in message
    assert "hunter2" not in message


def test_secret_from_the_environment_is_accepted_and_kept_out_of_repr() -> None:
    settings = load_settings(
        environ={"TRACEUR_ES_PASSWORD": "hunter2-secret", "TRACEUR_ES_API_KEY": "clef-api-secrete"}
    )

    assert settings.es_password == "hunter2-secret"
    assert settings.es_api_key == "clef-api-secrete"
    assert "hunter2-secret" not in repr(settings)
    assert "clef-api-secrete" not in repr(settings)


@pytest.mark.parametrize("cidr", ["10.0.0.0/33", "intranet", "300.1.2.3/32"])
def test_bad_cidr_is_refused(tmp_path: Path, cidr: str) -> None:
    user = write(tmp_path, f'allow_networks: ["127.0.0.1/32", "{cidr}"]\n')

    with pytest.raises(ConfigError) as caught:
        load_settings(user, environ={})
    assert f"allow_networks: {cidr!r} is not a network" in str(caught.value)
    assert "CIDR" in str(caught.value)

    with pytest.raises(ConfigError, match="is not a network"):
        load_settings(environ={"TRACEUR_ALLOW_NETWORKS": f"127.0.0.1/32,{cidr}"})


@pytest.mark.parametrize(
    ("variable", "value", "fragment"),
    [
        ("TRACEUR_LOG_LEVEL", "BAVARD", "log_level: 'BAVARD' is not a level"),
        ("TRACEUR_STORE", "postgres://db/veille", "is not a store URL"),
        ("TRACEUR_HTTP_PROXY", "socks5://127.0.0.1:9050", "must be an http:// or https:// URL"),
        ("TRACEUR_MAX_PAGE_BYTES", "512", "max_page_bytes: must be at least 1024"),
    ],
)
def test_invalid_values_are_refused_with_the_fix(variable: str, value: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        load_settings(environ={variable: value})


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("es+https://[::1", "store: 'es+https://[::1' is not a valid URL (Invalid IPv6 URL)"),
        ("es+https://veille.example:99999", "is not a valid URL (Port out of range"),
        ("es+https://:9200", "names no host; write es+https://host:9200"),
        ("sqlite://veille.db", "names no SQLite file; write sqlite:///relative/path.db"),
        ("sqlite:///", "names no SQLite file"),
        ("es+https://es1:9200,:9200", "names no host in ':9200'"),
        ("es+https://es1:9200,http://es2:9200", "mixes https:// and http:// nodes"),
        ("es+https://es1:9200,es2:port", "is not a valid URL"),
    ],
)
def test_a_malformed_store_url_is_refused_when_the_settings_are_read(
    value: str, fragment: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"TRACEUR_STORE": value})

    assert fragment in str(caught.value)


def test_a_store_url_may_list_several_nodes_of_one_cluster() -> None:
    settings = load_settings(
        environ={"TRACEUR_STORE": "es+http://es01:9200, es02:9200,http://es03:9200"}
    )

    assert es_endpoints(settings.store) == [
        "http://es01:9200",
        "http://es02:9200",
        "http://es03:9200",
    ]
    assert es_endpoints("es+https://[::1]:9200/veille") == ["https://[::1]:9200/veille"]


def test_shards_and_replicas_come_from_the_cluster_unless_a_number_is_given() -> None:
    assert (load_settings(environ={}).es_shards, load_settings(environ={}).es_replicas) == (
        None,
        None,
    )
    forced = load_settings(environ={"TRACEUR_ES_SHARDS": "2", "TRACEUR_ES_REPLICAS": "0"})
    assert (forced.es_shards, forced.es_replicas) == (2, 0)
    with pytest.raises(ConfigError, match="es_replicas: 'une' is not valid; expected a whole"):
        load_settings(environ={"TRACEUR_ES_REPLICAS": "une"})


def test_a_data_dir_that_is_a_file_is_refused_with_the_fix(tmp_path: Path) -> None:
    afile = tmp_path / "donnees"
    afile.write_text("pas un dossier\n", encoding="utf-8")

    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"TRACEUR_DATA_DIR": str(afile)})

    assert str(caught.value) == (
        f"data_dir: {str(afile)!r} is a file, not a folder; set data_dir (or"
        " TRACEUR_DATA_DIR) to a folder, or move the file away"
    )


def test_an_unreadable_or_oversized_settings_file_is_one_line_with_the_fix(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "traceur.yaml"
    folder.mkdir()  # a folder where the file should be: reading it fails, as root too
    big = write(tmp_path, "download_timeout: 20\n" + "# commentaire\n" * 100_000, "gros.yaml")

    with pytest.raises(ConfigError) as unreadable:
        load_settings(folder, environ={})
    with pytest.raises(ConfigError) as oversized:
        load_settings(big, environ={})

    assert str(unreadable.value).startswith(f"{folder}: no such configuration file")
    assert str(oversized.value).startswith(f"{big}:1: the file is larger than 1 MB")


def test_missing_user_file_is_named(tmp_path: Path) -> None:
    absent = tmp_path / "absent.yaml"

    with pytest.raises(ConfigError, match=rf"^{absent}: no such configuration file"):
        load_settings(absent, environ={})


def test_yaml_syntax_error_in_user_file_names_file_and_line(tmp_path: Path) -> None:
    user = write(
        tmp_path,
        """\
        download_timeout: 20
        user_agent: VeilleBot: contact
        """,
    )

    with pytest.raises(ConfigError, match=rf"^{user}:2: invalid YAML"):
        load_settings(user, environ={})


def test_check_command_reports_a_bad_config_file_with_exit_code_2(tmp_path: Path) -> None:
    user = write(tmp_path, "download_timout: 20\n")
    watchlist = Path(__file__).resolve().parent.parent / "watchlists" / "example.yaml"

    result = CliRunner().invoke(main, ["--config", str(user), "check", str(watchlist)])

    assert result.exit_code == 2
    assert f"error: {user}:1: unknown setting 'download_timout'" in result.stderr


# -- handing settings to a child process ----------------------------------------------


def test_to_env_round_trips_the_defaults() -> None:
    settings = load_settings(environ={})

    assert load_settings(environ=settings.to_env()) == settings


def test_to_env_round_trips_every_changed_setting(tmp_path: Path) -> None:
    settings = load_settings(environ={}).replace(
        store=f"sqlite:///{tmp_path / 'veille.db'}",
        data_dir=tmp_path / "données",
        watchlist=tmp_path / "liste.yaml",
        allow_networks=("127.0.0.1/32", "10.1.0.0/16"),
        http_proxy="http://proxy.campagne.example:3128",
        user_agent="VeilleBot/2.0 (+mailto:equipe@campagne.example)",
        download_timeout=7,
        max_page_bytes=2048,
        download_delay=1.25,
        concurrent_per_domain=1,
        retry_times=0,
        obey_robots=False,
        max_pages=10,
        max_depth=1,
        min_text_chars=80,
        snippet_chars=40,
        max_snippets=5,
        log_level="DEBUG",
        es_index_prefix="campagne",
        es_batch_size=50,
        es_verify_certs=False,
        es_shards=2,
        es_replicas=0,
        es_api_key="clef",
        es_username="veille",
        es_password="mot-de-passe",
        es_ca_certs="/etc/ssl/campagne-ca.pem",
    )

    env = settings.to_env()

    assert all(
        name.startswith("TRACEUR_") and isinstance(value, str) for name, value in env.items()
    )
    assert env["TRACEUR_ALLOW_NETWORKS"] == "127.0.0.1/32,10.1.0.0/16"
    assert load_settings(environ=env) == settings


def test_to_env_omits_unset_secrets() -> None:
    env = load_settings(environ={}).to_env()

    assert "TRACEUR_ES_PASSWORD" not in env
    assert "TRACEUR_ES_API_KEY" not in env


def test_default_config_file_ships_with_the_package() -> None:
    assert DEFAULTS_FILE.is_file()
