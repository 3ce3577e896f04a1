"""The benchmark corpus's invented cast (candidates with the aliases the press and forums
use) and its watchlist, written as YAML and read back through Traceur's own loader.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from traceur.watchlist.loader import load_watchlist as traceur_load_watchlist
from traceur.watchlist.model import Watchlist

SEED = 20260315

MEN = (
    "Jean",
    "Pierre",
    "Jean-Pierre",
    "Jean-Baptiste",
    "Jean-Marc",
    "Paul",
    "Louis",
    "Antoine",
    "Olivier",
    "Yves",
    "Étienne",
    "François",
    "Laurent",
    "Thierry",
    "Nicolas",
    "Christophe",
    "Mathieu",
    "Julien",
    "Arnaud",
    "Benoît",
    "Hugo",
    "Adrien",
    "Yann",
    "Rémi",
    "Gérard",
    "Philippe",
    "Bruno",
    "Didier",
    "Marc-Antoine",
    "Pierre-Yves",
    "Luc",
    "Hervé",
    "Cédric",
    "Grégoire",
    "Thibault",
    "Xavier",
    "Sébastien",
    "Loïc",
    "Frédéric",
    "Emmanuel",
)
WOMEN = (
    "Marie",
    "Anne",
    "Claire",
    "Élodie",
    "Isabelle",
    "Hélène",
    "Sophie",
    "Nathalie",
    "Catherine",
    "Valérie",
    "Émilie",
    "Aurélie",
    "Inès",
    "Océane",
    "Agnès",
    "Camille",
    "Marie-Christine",
    "Anne-Sophie",
    "Marie-Hélène",
    "Françoise",
    "Sylvie",
    "Christelle",
    "Laëtitia",
    "Maëlle",
    "Juliette",
    "Pauline",
    "Chloé",
    "Léa",
    "Mathilde",
    "Bérénice",
    "Solène",
    "Gaëlle",
    "Ségolène",
    "Murielle",
    "Véronique",
    "Florence",
    "Éléonore",
    "Karine",
    "Sandrine",
    "Delphine",
)
_ROOTS = (
    "Beau",
    "Bel",
    "Ber",
    "Bou",
    "Bran",
    "Cha",
    "Cham",
    "Cour",
    "Dam",
    "Del",
    "Dor",
    "Fon",
    "Gar",
    "Gran",
    "Jau",
    "Lam",
    "Lan",
    "Lave",
    "Mar",
    "Mau",
    "Mon",
    "Mor",
    "Pel",
    "Per",
    "Pey",
    "Ros",
    "Rou",
    "Sau",
    "Tar",
    "Val",
    "Ver",
    "Vil",
    "Bé",
    "Fé",
    "Mé",
    "Ché",
    "Lé",
    "Ré",
    "Dé",
    "Ga",
    "Cas",
    "Mal",
    "Sal",
    "Bes",
    "Cré",
)
_ENDINGS = (
    "chard",
    "doux",
    "geot",
    "lard",
    "mont",
    "nier",
    "ville",
    "court",
    "thier",
    "rat",
    "quet",
    "zac",
    "lin",
    "det",
    "rault",
    "vert",
    "bois",
    "champ",
    "nac",
    "gnol",
    "teau",
    "rière",
    "main",
    "tel",
    "bert",
    "ron",
    "vaux",
    "lès",
    "guet",
    "mier",
)
# Surnames of people who are quoted or sign articles but are never watched (no root + ending
# makes them).
OTHER_SURNAMES = (
    "Durand",
    "Petit",
    "Lemoine",
    "Rousseau",
    "Fabre",
    "Girard",
    "Leclerc",
    "Mercier",
    "Renaud",
    "Caron",
    "Brunet",
    "Joly",
    "Gauthier",
    "Perrot",
    "Aubry",
    "Lacroix",
    "Collin",
    "Hamon",
)
_ROLES_MEN = ("député", "sénateur", "maire", "conseiller régional", "adjoint")
_ROLES_WOMEN = ("députée", "sénatrice", "maire", "conseillère régionale", "adjointe")


@dataclass(frozen=True)
class Person:
    """An invented candidate and the ways the watchlist lets one write their name."""

    id: str
    first: str
    last: str
    female: bool
    role: str | None
    has_exclusions: bool

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def initials(self) -> str:
        # "Jean-Pierre" → "J.-P.", "Élodie" → "É."
        return "-".join(part[0] + "." for part in self.first.split("-"))

    @property
    def civility(self) -> str:
        return "Mme" if self.female else "M."

    @property
    def aliases(self) -> tuple[str, ...]:
        forms = [
            f"{self.initials} {self.last}",
            f"{self.civility} {self.last}",
            f"{self.last.upper()} {self.first}",
        ]
        if self.role:
            forms.append(f"{self.role} {self.last}")
        return tuple(forms)

    @property
    def exclusions(self) -> tuple[str, ...]:
        # Streets and schools are named after local figures; those are not mentions.
        return (f"lycée {self.name}", f"rue {self.name}") if self.has_exclusions else ()

    @property
    def name_count(self) -> int:
        return 1 + len(self.aliases)


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _surnames(rng: random.Random) -> list[str]:
    simple = [root + ending for root in _ROOTS for ending in _ENDINGS]
    rng.shuffle(simple)
    # One in twenty is a double-barrelled name built from two others.
    names: list[str] = []
    for index, name in enumerate(simple):
        if index % 20 == 7:
            names.append(f"{name}-{simple[-1 - index]}")
        else:
            names.append(name)
    return names


def people(count: int, seed: int = SEED) -> list[Person]:
    """``count`` invented candidates; the first ``n`` of a longer list are the same people."""
    rng = random.Random(seed)
    surnames = _surnames(rng)
    if count > len(surnames):
        raise ValueError(f"at most {len(surnames)} people can be invented, not {count}")
    result: list[Person] = []
    seen: set[str] = set()
    for index in range(count):
        female = rng.random() < 0.5
        first = rng.choice(WOMEN if female else MEN)
        last = surnames[index]
        role = rng.choice(_ROLES_WOMEN if female else _ROLES_MEN) if rng.random() < 0.3 else None
        ident = slug(f"{first} {last}")
        while ident in seen:
            ident += "-bis"
        seen.add(ident)
        result.append(Person(ident, first, last, female, role, has_exclusions=rng.random() < 0.04))
    return result


def people_for_aliases(target: int, seed: int = SEED) -> list[Person]:
    """The fewest people (a prefix of ``people``) whose names and aliases number ``target`` or
    more."""
    everyone = people(len(_ROOTS) * len(_ENDINGS), seed)
    total = 0
    for count, person in enumerate(everyone, start=1):
        total += person.name_count
        if total >= target:
            return everyone[:count]
    raise ValueError(f"cannot invent {target} aliases (at most {total})")


# -- watchlist ----------------------------------------------------------------------

_TOPICS: tuple[tuple[str, str, list[str], list[str]], ...] = (
    ("logement", "Logement", ["logement", "logements sociaux", "loyers"], []),
    (
        "transports",
        "Transports",
        ["tramway", "transports en commun", "ligne de bus", "plan vélo"],
        [],
    ),
    (
        "securite",
        "Sécurité",
        ["vidéoprotection", "police municipale", "insécurité"],
        ["sécurité sociale"],
    ),
    ("sante", "Santé", ["maternité", "désert médical", "déserts médicaux", "urgences"], []),
    ("fiscalite", "Fiscalité", ["taxe foncière", "impôts locaux"], []),
)


@dataclass(frozen=True)
class Site:
    id: str
    kind: str  # document kind: article, forum_post, blog_post
    name: str
    host: str
    section: str


SITES = (
    Site(
        "quotidien-du-centre",
        "article",
        "Le Quotidien du Centre",
        "www.quotidien-du-centre.example",
        "politique",
    ),
    Site(
        "echo-des-vallees",
        "article",
        "L'Écho des Vallées",
        "www.echo-des-vallees.example",
        "actualite/politique",
    ),
    Site(
        "gazette-brenne",
        "article",
        "La Gazette de la Brenne",
        "gazette-brenne.example",
        "municipales",
    ),
    Site(
        "forum-citoyens",
        "forum_post",
        "Forum des citoyens du Val",
        "forum.citoyens-du-val.example",
        "forum/t",
    ),
    Site(
        "forum-sarve",
        "forum_post",
        "Sarve Libre — le forum",
        "www.sarve-libre.example",
        "viewtopic",
    ),
    Site(
        "carnet-de-lucie", "blog_post", "Le carnet de Lucie", "blog.carnet-de-lucie.example", "20"
    ),
    Site(
        "chroniques-locales",
        "blog_post",
        "Chroniques locales",
        "chroniques-locales.example",
        "billets",
    ),
    Site("vu-du-conseil", "blog_post", "Vu du conseil", "vuduconseil.example", "notes"),
)


def watchlist_data(candidates: list[Person]) -> dict[str, object]:
    """The watchlist as plain data, in the shape ``watchlists/example.yaml`` documents."""
    return {
        "candidates": [
            {
                "id": p.id,
                "name": p.name,
                "aliases": list(p.aliases),
                **({"exclude": list(p.exclusions)} if p.exclusions else {}),
            }
            for p in candidates
        ],
        "topics": [
            {
                "id": ident,
                "name": name,
                "keywords": keywords,
                **({"exclude": exclude} if exclude else {}),
            }
            for ident, name, keywords, exclude in _TOPICS
        ],
        "sources": [
            {
                "id": site.id,
                "name": site.name,
                "kind": {"article": "feed", "forum_post": "forum", "blog_post": "blog"}[site.kind],
                "url": f"https://{site.host}/",
                "every": "30m",
            }
            for site in SITES
        ],
        "alerts": [],
    }


def write_watchlist(candidates: list[Person], directory: str | Path) -> Path:
    """Write a YAML watchlist of ``candidates`` into ``directory``; return its path."""
    path = Path(directory) / f"bench-watchlist-{len(candidates)}.yaml"
    header = f"# Generated by bench/corpus.py: {len(candidates)} invented candidates.\n"
    path.write_text(
        header
        + yaml.safe_dump(
            watchlist_data(candidates), allow_unicode=True, sort_keys=False, width=200
        ),
        encoding="utf-8",
    )
    return path


def load_watchlist(target_aliases: int, directory: str | Path, seed: int = SEED) -> Watchlist:
    """Write a watchlist with at least ``target_aliases`` names and load it with Traceur's
    loader."""
    return traceur_load_watchlist(
        write_watchlist(people_for_aliases(target_aliases, seed), directory)
    )
