"""`traceur gdpr register`: the art. 30 record, in French, follows the watchlist and the
settings it is generated from."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from traceur.cli.app import main
from traceur.config import Settings, load_settings
from traceur.privacy.retention import parse_policy

WATCHLIST = """\
candidates:
  - id: agnes-fourcade
    name: Agnès Fourcade
  - id: remi-lacaze
    name: Rémi Lacaze
topics:
  - id: piscine
    keywords: ["piscine intercommunale", "centre aquatique"]
sources:
  - id: courrier-gers
    name: Le Courrier du Gers — Politique
    kind: feed
    url: https://www.courrier-du-gers.example/politique/rss.xml
    every: 15m
  - id: forum-lectoure
    name: Forum des habitants de Lectoure
    kind: forum
    url: https://forum.lectoure-ensemble.example/viewforum.php?f=3
    every: 1h
  - id: ancien-blog
    name: Le carnet d'un conseiller | archives
    kind: blog
    url: https://carnet-conseiller.example/
    every: 1d
    enabled: false
alerts:
  - id: fourcade-direct
    kind: immediate
    name: Agnès Fourcade en direct
    to: [riposte@campagne-fourcade.example, porte-parole@campagne-fourcade.example]
    candidates: [agnes-fourcade]
  - id: synthese-soir
    kind: digest
    to: [direction@parti-du-gers.example]
    at: ["19:00"]
"""


def _register(tmp_path: Path, settings: Settings, *args: str) -> Result:
    watchlist = tmp_path / "veille.yaml"
    if not watchlist.exists():
        watchlist.write_text(WATCHLIST, encoding="utf-8")
    env = {**settings.replace(watchlist=watchlist).to_env()}
    return CliRunner().invoke(main, ["gdpr", "register", *args], env=env)


def _settings(tmp_path: Path, **changes: object) -> Settings:
    base = load_settings(environ={}).replace(
        data_dir=tmp_path / "data", store=f"sqlite:///{tmp_path / 'traceur.db'}"
    )
    return base.replace(**changes)


def test_the_record_lists_the_active_sources_people_and_recipient_domains(tmp_path: Path) -> None:
    result = _register(tmp_path, _settings(tmp_path))
    assert result.exit_code == 0, result.output
    record = result.output
    assert record.startswith("# Registre des activités de traitement")
    assert "| Le Courrier du Gers — Politique | flux RSS/Atom | courrier-du-gers.example |" in (
        record
    )
    assert "| Forum des habitants de Lectoure | forum | forum.lectoure-ensemble.example |" in (
        record
    )
    # A disabled source collects nothing: it is not a source of data.
    assert "carnet-conseiller.example" not in record
    assert "Agnès Fourcade, Rémi Lacaze" in record
    assert "Membres des forums suivis" in record
    # Recipients by domain and count, never their addresses.
    assert "3 destinataire(s)" in record
    assert "@campagne-fourcade.example (2)" in record and "@parti-du-gers.example (1)" in record
    assert "riposte@" not in record
    assert "[à compléter : " in record and "traceur forget --author" in record


def test_the_record_follows_pseudonymisation_being_turned_off(tmp_path: Path) -> None:
    on = _register(tmp_path, _settings(tmp_path)).output
    off = _register(tmp_path, _settings(tmp_path, pseudonymize_authors=False)).output
    assert "HMAC-SHA256" in on and "author-key" in on
    assert "HMAC-SHA256" not in off and "désactivée" in off
    keyed = _settings(tmp_path, author_key="k" * 40)
    assert "TRACEUR_AUTHOR_KEY" in _register(tmp_path, keyed).output


def test_the_record_says_how_the_store_and_the_web_app_are_reached(tmp_path: Path) -> None:
    local = _register(tmp_path, _settings(tmp_path)).output
    assert "fichier SQLite local" in local and "accès HTTPS par un mandataire" in local

    tls = _settings(
        tmp_path,
        store="es+https://es.veille-gers.example:9200",
        es_username="traceur",
        web_base_url="https://veille.campagne-fourcade.example",
    )
    record = _register(tmp_path, tls).output
    assert "Elasticsearch joint en TLS, certificat vérifié, compte et mot de passe" in record
    assert "cluster Elasticsearch `es.veille-gers.example`" in record
    assert "publiée en HTTPS (https://veille.campagne-fourcade.example)" in record

    unverified = _register(tmp_path, tls.replace(es_verify_certs=False)).output
    assert "**certificat non vérifié**" in unverified
    plain = _register(tmp_path, tls.replace(store="es+http://10.0.0.5:9200")).output
    assert "**sans TLS**" in plain
    assert "File de travail" not in plain


def test_the_record_names_the_queue_redis_holding_cached_pages(tmp_path: Path) -> None:
    shared = _settings(tmp_path, queue="redis://file.veille-gers.example:6379/0")
    record = _register(tmp_path, shared).output
    assert "Redis `file.veille-gers.example`, partagé par les machines de collecte" in record
    assert "pages en cache HTTP (effacées après 14 jours)" in record


def test_the_record_follows_the_log_settings(tmp_path: Path) -> None:
    record = _register(tmp_path, _settings(tmp_path, log_max_bytes=2 * 1024 * 1024)).output
    assert "au-delà de 2048 Kio, 10 anciens fichiers" in record


def test_the_record_is_written_to_a_file_and_an_unreadable_watchlist_is_said(
    tmp_path: Path,
) -> None:
    output = tmp_path / "registre.md"
    written = _register(tmp_path, _settings(tmp_path), "-o", str(output))
    assert written.exit_code == 0, written.output
    assert output.read_text(encoding="utf-8").startswith("# Registre")

    (tmp_path / "veille.yaml").write_text("sources: [oups\n", encoding="utf-8")
    broken = _register(tmp_path, _settings(tmp_path))
    assert broken.exit_code == 0
    assert "liste de veille illisible" in broken.output
    assert "Traceback" not in broken.output


def test_the_retention_periods_are_those_traceur_purge_applies(tmp_path: Path) -> None:
    defaults = _register(tmp_path, _settings(tmp_path))
    assert "| Articles de presse | 24 mois |" in defaults.output
    assert "| Messages de forum | 6 mois |" in defaults.output
    assert "| Cache HTTP des pages collectées | 14 jours |" in defaults.output

    shorter = _settings(tmp_path)
    shorter = shorter.replace(
        retention=parse_policy("forum_post=3mo,http_cache=3w", shorter.retention, from_env=True)
    )
    changed = _register(tmp_path, shorter)

    assert changed.exit_code == 0, changed.output
    assert "| Messages de forum | 3 mois |" in changed.output
    assert "| Cache HTTP des pages collectées | 21 jours |" in changed.output
    assert "| Articles de presse | 24 mois |" in changed.output


def test_the_security_section_names_both_secret_keys_and_where_each_comes_from(
    tmp_path: Path,
) -> None:
    generated = _register(tmp_path, _settings(tmp_path)).output
    security = generated[generated.index("Mesures de sécurité") :]
    assert "clé des pseudonymes" in security and "clé du registre des effacements" in security
    assert "data/author-key` (droits 0600), faute de TRACEUR_AUTHOR_KEY" in security
    assert "data/privacy-key` (droits 0600), faute de TRACEUR_PRIVACY_KEY" in security
    given = _settings(tmp_path, author_key="a" * 40, privacy_key="p" * 40)
    record = _register(tmp_path, given).output
    assert "fournie par l'environnement (TRACEUR_AUTHOR_KEY)" in record
    assert "fournie par l'environnement (TRACEUR_PRIVACY_KEY)" in record
    assert "a" * 40 not in record and "p" * 40 not in record  # never the keys themselves
