"""The record of processing activities (GDPR art. 30) of a Traceur installation, in French
Markdown, generated from what the configuration and the watchlist say.

The CNIL asks a campaign for this record; most of it is a fact Traceur knows better than
whoever would copy it by hand (which sites are watched, who receives alerts, how long each
kind of document is kept, whether authors are pseudonymised, whether the store is reached
over TLS). What only the campaign knows (who the controller is, its legal basis, its data
protection contact) is left as ``[à compléter : …]`` placeholders. Regenerate it after every
change of settings or watchlist: it never goes stale on the points it fills.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from traceur.config import Settings
from traceur.privacy.forget_register import KEY_FILE as PRIVACY_KEY_FILE
from traceur.privacy.forget_register import REGISTER_FILE
from traceur.privacy.pseudonyms import KEY_FILE, PSEUDONYMISED_KINDS
from traceur.urls import domain_of
from traceur.watchlist.model import DOCUMENT_KIND_BY_SOURCE, Watchlist

KIND_NAMES = {
    "article": "articles de presse",
    "forum_post": "messages de forum",
    "blog_post": "billets de blog",
    "comment": "commentaires de lecteur·rices",
    "video": "vidéos",
}
SOURCE_KIND_NAMES = {
    "feed": "flux RSS/Atom",
    "site": "site",
    "sitemap": "plan de site",
    "forum": "forum",
    "blog": "blog",
    "video": "vidéo",
}
# The rows of the retention table: (key of the ``retention:`` settings block, what it keeps).
RETENTION_ROWS = (
    ("article", "Articles de presse"),
    ("forum_post", "Messages de forum"),
    ("blog_post", "Billets de blog"),
    ("comment", "Commentaires de lecteur·rices"),
    ("video", "Vidéos (description, sous-titres)"),
    ("versions", "Versions antérieures des documents modifiés"),
    ("http_cache", "Cache HTTP des pages collectées"),
    ("logs", "Journaux techniques (lignes et fichiers tournés)"),
    ("alert_outbox", "Alertes envoyées ou en attente"),
    ("runs", "Historique des passages de collecte (sans contenu)"),
)


def _todo(what: str) -> str:
    return f"[à compléter : {what}]"


def _cell(text: str) -> str:
    """A Markdown table cell: a watchlist's text must not break the table."""
    return " ".join(text.replace("|", "/").split())


def _period(policy: Any, key: str) -> str:
    period = getattr(policy, key, None)
    if period is None:
        return "non défini"
    french = getattr(period, "french", None)
    return str(french()) if callable(french) else str(period)


def _retention(settings: Settings) -> list[str]:
    # The periods live in the `retention:` block of the settings (``traceur purge``); read
    # by name so this record lists whatever the block holds.
    policy = getattr(settings, "retention", None)
    lines = ["| Données | Durée de conservation |", "|---|---|"]
    for key, label in RETENTION_ROWS:
        shown = _period(policy, key) if policy is not None else "non défini"
        lines.append(f"| {label} | {shown} |")
    if policy is None:
        lines += [
            "",
            "Aucune durée n'est configurée : définissez le bloc `retention:` des réglages"
            " et planifiez `traceur purge` (le planificateur la lance chaque jour).",
        ]
    else:
        lines += [
            "",
            "Les durées s'appliquent par `traceur purge`, que `traceur schedule` lance chaque"
            " jour ; le triage et les commentaires des bénévoles suivent leur document.",
        ]
    return lines


def _sources(watchlist: Watchlist | None) -> list[str]:
    if watchlist is None:
        return [_todo("liste de veille illisible ; lancez `traceur check` et régénérez")]
    active = [source for source in watchlist.sources if source.enabled]
    if not active:
        return ["Aucune source active dans la liste de veille."]
    lines = ["| Source | Type | Site | Documents collectés |", "|---|---|---|---|"]
    for source in active:
        kind = DOCUMENT_KIND_BY_SOURCE.get(source.kind, "article")
        produced = KIND_NAMES.get(kind, kind)
        if source.kind in ("feed", "site", "sitemap", "blog"):
            # Comments under articles and posts are collected with them.
            produced += ", commentaires"
        name = source.name or source.id
        lines.append(
            f"| {_cell(name)} | {SOURCE_KIND_NAMES.get(source.kind, source.kind)}"
            f" | {_cell(domain_of(source.url))} | {produced} |"
        )
    return lines


def _recipients(settings: Settings, watchlist: Watchlist | None) -> list[str]:
    lines = [
        "- **Bénévoles de la veille** : comptes de l'application web (`traceur users list`),"
        " qui lisent, trient et exportent les documents.",
    ]
    if watchlist is not None:
        rules = [rule for rule in watchlist.alerts if rule.enabled]
        addresses = sorted({address for rule in rules for address in rule.to})
        if addresses:
            domains = Counter(address.rpartition("@")[2].lower() for address in addresses)
            listed = ", ".join(f"@{domain} ({count})" for domain, count in sorted(domains.items()))
            server = settings.smtp_host or "serveur de courriel non configuré"
            lines.append(
                f"- **Équipe numérique** : {len(addresses)} destinataire(s) d'alertes par"
                f" courriel ({listed}), {len(rules)} règle(s) d'alerte, envoi par {server}."
            )
        else:
            lines.append("- **Équipe numérique** : aucune règle d'alerte active.")
    if settings.store.startswith("es+"):
        host = urlsplit(settings.store[len("es+") :]).hostname or "?"
        lines.append(
            f"- **Hébergement** : cluster Elasticsearch `{host}` (et Kibana pour les analystes)"
            f" — {_todo('hébergeur et pays')}."
        )
    else:
        lines.append(
            "- **Hébergement** : fichier SQLite sur la machine qui fait tourner Traceur"
            f" — {_todo('hébergeur et pays')}."
        )
    if settings.queue:
        # With a work queue, whole pages (the HTTP cache) live in its Redis too.
        host = urlsplit(settings.queue).hostname or "?"
        lines.append(
            f"- **File de travail** : Redis `{host}`, partagé par les machines de collecte :"
            " pages en cache HTTP (effacées après"
            f" {settings.retention.http_cache.french()}), index des histoires, état de"
            f" collecte — {_todo('hébergeur et pays')}."
        )
    lines.append(f"- **Transferts hors Union européenne** : {_todo('aucun, ou lesquels')}.")
    return lines


def _keys(settings: Settings) -> str:
    """The two secret keys, kept apart because stored data depends on each (merging them
    would orphan the pseudonyms already stored or the erasure requests already recorded)."""

    def where(configured: str | None, variable: str, file_name: str) -> str:
        if configured:
            return f"fournie par l'environnement ({variable})"
        return f"générée dans `{settings.data_dir}/{file_name}` (droits 0600), faute de {variable}"

    author = where(settings.author_key, "TRACEUR_AUTHOR_KEY", KEY_FILE)
    privacy = where(settings.privacy_key, "TRACEUR_PRIVACY_KEY", PRIVACY_KEY_FILE)
    return (
        "- **Clés secrètes** (deux, distinctes) : la clé des pseudonymes d'auteur·rices"
        f" ({author}) et la clé du registre des effacements ({privacy}), sous laquelle les"
        f" noms et adresses oubliés sont gardés en empreinte (`{REGISTER_FILE}`). Chacune est"
        " sauvegardée à l'abri, comme un mot de passe, et identique sur toutes les machines"
        " d'une même file de travaux ou d'un même stockage. Perdue, aucune ne révèle rien ;"
        " mais sans la première, les pseudonymes déjà enregistrés ne se retrouvent plus par"
        " le nom, et sans la seconde, les personnes déjà effacées ne sont plus écartées des"
        " collectes suivantes."
    )


def _security(settings: Settings) -> list[str]:
    lines: list[str] = []
    if settings.pseudonymize_authors:
        kinds = " et des ".join(sorted(KIND_NAMES[kind] for kind in PSEUDONYMISED_KINDS))
        key = (
            "clé secrète fournie par l'environnement (TRACEUR_AUTHOR_KEY)"
            if settings.author_key
            else f"clé secrète générée dans `{settings.data_dir}/{KEY_FILE}` (droits 0600)"
        )
        lines.append(
            f"- **Pseudonymisation** : les auteur·rices des {kinds} sont conservé·es sous forme"
            f" d'empreinte HMAC-SHA256 ({key}), affichée « auteur·rice #3f9a » ; les"
            " signatures des articles, blogs et chaînes vidéo restent telles que publiées."
        )
    else:
        lines.append(
            "- **Pseudonymisation** : désactivée (`pseudonymize_authors: false`) ; les noms"
            " des auteur·rices sont conservés en clair."
        )
    lines.append(_keys(settings))
    secure_cookies = bool(settings.web_base_url and settings.web_base_url.startswith("https://"))
    lines.append(
        "- **Application web** : accès par compte nominatif et mot de passe (haché avec"
        f" Argon2), sessions closes après {settings.web_session_hours} h sans visite,"
        f" {settings.web_login_attempts_per_name} essais de connexion par compte et"
        f" {settings.web_login_attempts_per_address} par adresse sur"
        f" {settings.web_login_window_seconds // 60} min, rôles (bénévole, coordination,"
        " administration), protection CSRF ; "
        + (
            f"publiée en HTTPS ({settings.web_base_url}), cookies de session réservés à HTTPS."
            if secure_cookies
            else f"écoute sur {settings.web_host} ; {_todo('accès HTTPS par un mandataire')}."
        )
    )
    lines.append("- **Stockage** : " + _store_security(settings))
    mail = {
        "starttls": "chiffrée (STARTTLS obligatoire)",
        "tls": "chiffrée (TLS)",
        "none": "non chiffrée (relais local)",
    }.get(settings.smtp_security, settings.smtp_security)
    lines.append(f"- **Courriel** : connexion au serveur d'envoi {mail}.")
    lines.append(
        "- **Journaux** : ni texte de page ni auteur·rice à partir du niveau"
        f" {settings.log_level} (seulement des adresses et des comptes) ; fichiers tournés"
        f" au-delà de {settings.log_max_bytes // 1024} Kio, {settings.log_backups} anciens"
        " fichiers au plus ; lignes plus anciennes que la durée de conservation retirées"
        " chaque jour, fichiers en cours compris."
    )
    lines.append(
        "- **Secrets** (mots de passe Elasticsearch et SMTP, clés) : lus dans"
        " l'environnement uniquement, jamais dans un fichier de réglages."
    )
    if settings.obey_robots:
        lines.append("- **Collecte** : respect de robots.txt et d'un délai entre requêtes.")
    return lines


def _store_security(settings: Settings) -> str:
    if not settings.store.startswith("es+"):
        return (
            f"fichier SQLite local ({settings.store.removeprefix('sqlite:///')}) ;"
            f" {_todo('chiffrement du disque et sauvegardes')}."
        )
    scheme = urlsplit(settings.store[len("es+") :]).scheme
    if scheme != "https":
        return "Elasticsearch joint **sans TLS** (http) : à réserver à un réseau privé."
    checks = (
        "certificat vérifié"
        + (f" (autorité {settings.es_ca_certs})" if settings.es_ca_certs else "")
        if settings.es_verify_certs
        else "**certificat non vérifié**"
    )
    login = (
        "clé d'API"
        if settings.es_api_key
        else "compte et mot de passe"
        if settings.es_username
        else "sans authentification"
    )
    return f"Elasticsearch joint en TLS, {checks}, {login}."


def _people(watchlist: Watchlist | None) -> list[str]:
    kinds = (
        {DOCUMENT_KIND_BY_SOURCE.get(s.kind, "article") for s in watchlist.sources if s.enabled}
        if watchlist is not None
        else set(KIND_NAMES)
    )
    lines = []
    if "forum_post" in kinds:
        lines.append("- Membres des forums suivis (particulier·es, sous pseudonyme ou nom).")
    lines.append("- Lecteur·rices qui commentent les articles et billets suivis.")
    if kinds & {"article", "blog_post", "video"}:
        lines.append("- Journalistes, blogueur·ses et chaînes vidéo qui publient sur les sources.")
    if watchlist is not None and watchlist.candidates:
        names = ", ".join(_cell(c.name) for c in watchlist.candidates)
        lines.append(f"- Personnes suivies (candidat·es et personnalités) : {names}.")
    lines += [
        "- Personnes nommées dans les textes collectés.",
        "- Bénévoles utilisateur·rices de l'application (nom de compte, rôle, historique de tri).",
    ]
    return lines


def processing_record(settings: Settings, watchlist: Watchlist | None, now: datetime) -> str:
    """The art. 30 record of these settings and this watchlist (None: unreadable), as
    French Markdown."""
    sections: list[str | list[str]] = [
        "# Registre des activités de traitement — veille Traceur",
        "",
        f"*Article 30 du RGPD. Généré le {now:%d/%m/%Y} à partir de la configuration"
        " (`traceur gdpr register`) : les valeurs entre crochets sont à compléter par le"
        " responsable du traitement ; le reste se régénère après chaque changement.*",
        "",
        "## 1. Responsable du traitement",
        "",
        f"- Responsable : {_todo('équipe de campagne, association de financement ou parti')}",
        f"- Adresse et contact : {_todo('adresse postale, courriel')}",
        f"- Délégué·e à la protection des données : {_todo('nom et contact, ou « aucun »')}",
        "",
        "## 2. Finalités et base légale",
        "",
        "- Veille de l'espace public en ligne : repérer ce qui est publié sur les"
        " candidat·es et les thèmes de la campagne (presse, forums, blogs, commentaires,"
        " vidéos), pour y répondre et informer l'équipe.",
        "- Alertes et synthèses envoyées à l'équipe numérique.",
        f"- Base légale : {_todo('intérêt légitime (art. 6.1.f), à justifier')} ; opinions"
        " politiques (art. 9) : données rendues manifestement publiques par les personnes"
        f" (art. 9.2.e) — {_todo('à valider')}.",
        "",
        "## 3. Personnes concernées",
        "",
        _people(watchlist),
        "",
        "## 4. Catégories de données",
        "",
        "- Texte, titre, adresse et date des publications collectées, et leurs versions"
        " antérieures.",
        "- Auteur·rice de chaque publication : "
        + (
            "pseudonymisé·e pour les messages de forum et les commentaires (voir 8)."
            if settings.pseudonymize_authors
            else "nom ou pseudonyme tel que publié."
        ),
        "- Données sensibles : opinions politiques exprimées dans les textes (art. 9).",
        "- Candidat·es et thèmes mentionnés, extraits autour des mentions, triage des bénévoles.",
        "- Données techniques : cache HTTP des pages, état de collecte, journaux (adresses"
        " seulement).",
        "",
        "## 5. Sources des données",
        "",
        _sources(watchlist),
        "",
        "## 6. Destinataires",
        "",
        _recipients(settings, watchlist),
        "",
        "## 7. Durées de conservation",
        "",
        _retention(settings),
        "",
        "## 8. Mesures de sécurité",
        "",
        _security(settings),
        "",
        "## 9. Droits des personnes",
        "",
        '- **Accès** : `traceur search --author "NOM" --json --limit 10000` (le nom tel'
        " qu'écrit sur le site ; les pseudonymes sont retrouvés) et `traceur export`.",
        '- **Effacement et opposition** : `traceur forget --author "NOM"` (ou `--url`,'
        " `--document`) efface toutes les traces et empêche une nouvelle collecte.",
        f"- Contact pour exercer ces droits : {_todo('adresse de contact')}",
        "",
    ]
    lines: list[str] = []
    for section in sections:
        lines.extend(section if isinstance(section, list) else [section])
    return "\n".join(lines)
