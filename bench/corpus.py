"""A deterministic French political web corpus and watchlists, for the benchmarks.

Everything here is invented: the towns, the people, the sites. The same seed always gives
the same pages byte for byte, so two runs of a benchmark measure the same work.

- ``people(count)`` invents candidates (French first names × generated surnames), each
  with aliases in the forms the press and forums use ("J.-P. Valmont", "Mme Bérard",
  "VALMONT Jean-Pierre", "la députée Bérard") and, for a few, exclusion phrases
  ("lycée Jean-Pierre Valmont").
- ``write_watchlist`` writes them as a YAML watchlist; ``load_watchlist`` reads it back
  through ``traceur.watchlist.load_watchlist``, the loader the crawler uses.
- ``generate_corpus(count)`` writes news articles, forum threads and blog posts: 3 to 8 KB
  of main text built from sentence templates, wrapped in the boilerplate real sites carry
  (cookie banner, navigation, "Lire aussi", sidebar, footer, scripts). About 60 % of the
  pages name one to three candidates, in full, by alias, elided ("d'Élodie …") or
  lower-cased without accents as forums write them; each page records how many references
  it planted in its main content, so a benchmark can show what the tagger found next to
  what was written.

Run it alone to see a sample: ``python bench/corpus.py [--pages N] [--show I]``.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import yaml

from traceur.watchlist import Watchlist
from traceur.watchlist import load_watchlist as traceur_load_watchlist

SEED = 20260315
DEFAULT_PAGES = 500
# When the corpus was "fetched"; fixed so that documents (and their ids, dates) never vary.
FETCHED_AT = datetime(2026, 3, 16, 6, 0, tzinfo=timezone.utc)
_FIRST_PUBLISHED = datetime(2025, 9, 1, 6, 0, tzinfo=timezone.utc)

# -- people -----------------------------------------------------------------------

_MEN = (
    "Jean", "Pierre", "Jean-Pierre", "Jean-Baptiste", "Jean-Marc", "Paul", "Louis", "Antoine",
    "Olivier", "Yves", "Étienne", "François", "Laurent", "Thierry", "Nicolas", "Christophe",
    "Mathieu", "Julien", "Arnaud", "Benoît", "Hugo", "Adrien", "Yann", "Rémi", "Gérard",
    "Philippe", "Bruno", "Didier", "Marc-Antoine", "Pierre-Yves", "Luc", "Hervé", "Cédric",
    "Grégoire", "Thibault", "Xavier", "Sébastien", "Loïc", "Frédéric", "Emmanuel",
)
_WOMEN = (
    "Marie", "Anne", "Claire", "Élodie", "Isabelle", "Hélène", "Sophie", "Nathalie", "Catherine",
    "Valérie", "Émilie", "Aurélie", "Inès", "Océane", "Agnès", "Camille", "Marie-Christine",
    "Anne-Sophie", "Marie-Hélène", "Françoise", "Sylvie", "Christelle", "Laëtitia", "Maëlle",
    "Juliette", "Pauline", "Chloé", "Léa", "Mathilde", "Bérénice", "Solène", "Gaëlle",
    "Ségolène", "Murielle", "Véronique", "Florence", "Éléonore", "Karine", "Sandrine", "Delphine",
)
_ROOTS = (
    "Beau", "Bel", "Ber", "Bou", "Bran", "Cha", "Cham", "Cour", "Dam", "Del", "Dor", "Fon",
    "Gar", "Gran", "Jau", "Lam", "Lan", "Lave", "Mar", "Mau", "Mon", "Mor", "Pel", "Per",
    "Pey", "Ros", "Rou", "Sau", "Tar", "Val", "Ver", "Vil", "Bé", "Fé", "Mé", "Ché", "Lé",
    "Ré", "Dé", "Ga", "Cas", "Mal", "Sal", "Bes", "Cré",
)
_ENDINGS = (
    "chard", "doux", "geot", "lard", "mont", "nier", "ville", "court", "thier", "rat", "quet",
    "zac", "lin", "det", "rault", "vert", "bois", "champ", "nac", "gnol", "teau", "rière",
    "main", "tel", "bert", "ron", "vaux", "lès", "guet", "mier",
)
# Surnames of people who are quoted or sign articles but are never watched (no root + ending makes them).
_OTHER_SURNAMES = (
    "Durand", "Petit", "Lemoine", "Rousseau", "Fabre", "Girard", "Leclerc", "Mercier", "Renaud",
    "Caron", "Brunet", "Joly", "Gauthier", "Perrot", "Aubry", "Lacroix", "Collin", "Hamon",
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
        forms = [f"{self.initials} {self.last}", f"{self.civility} {self.last}", f"{self.last.upper()} {self.first}"]
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


def _strip_accents(text: str) -> str:
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
        first = rng.choice(_WOMEN if female else _MEN)
        last = surnames[index]
        role = rng.choice(_ROLES_WOMEN if female else _ROLES_MEN) if rng.random() < 0.3 else None
        ident = slug(f"{first} {last}")
        while ident in seen:
            ident += "-bis"
        seen.add(ident)
        result.append(Person(ident, first, last, female, role, has_exclusions=rng.random() < 0.04))
    return result


def people_for_aliases(target: int, seed: int = SEED) -> list[Person]:
    """The fewest people (a prefix of ``people``) whose names and aliases number ``target`` or more."""
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
    ("transports", "Transports", ["tramway", "transports en commun", "ligne de bus", "plan vélo"], []),
    ("securite", "Sécurité", ["vidéoprotection", "police municipale", "insécurité"], ["sécurité sociale"]),
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
    Site("quotidien-du-centre", "article", "Le Quotidien du Centre", "www.quotidien-du-centre.example", "politique"),
    Site("echo-des-vallees", "article", "L'Écho des Vallées", "www.echo-des-vallees.example", "actualite/politique"),
    Site("gazette-brenne", "article", "La Gazette de la Brenne", "gazette-brenne.example", "municipales"),
    Site("forum-citoyens", "forum_post", "Forum des citoyens du Val", "forum.citoyens-du-val.example", "forum/t"),
    Site("forum-sarve", "forum_post", "Sarve Libre — le forum", "www.sarve-libre.example", "viewtopic"),
    Site("carnet-de-lucie", "blog_post", "Le carnet de Lucie", "blog.carnet-de-lucie.example", "20"),
    Site("chroniques-locales", "blog_post", "Chroniques locales", "chroniques-locales.example", "billets"),
    Site("vu-du-conseil", "blog_post", "Vu du conseil", "vuduconseil.example", "notes"),
)


def watchlist_data(candidates: list[Person]) -> dict[str, object]:
    """The watchlist as plain data, in the shape ``watchlists/example.yaml`` documents."""
    return {
        "candidates": [
            {"id": p.id, "name": p.name, "aliases": list(p.aliases), **({"exclude": list(p.exclusions)} if p.exclusions else {})}
            for p in candidates
        ],
        "topics": [
            {"id": ident, "name": name, "keywords": keywords, **({"exclude": exclude} if exclude else {})}
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
    path.write_text(header + yaml.safe_dump(watchlist_data(candidates), allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
    return path


def load_watchlist(target_aliases: int, directory: str | Path, seed: int = SEED) -> Watchlist:
    """Write a watchlist with at least ``target_aliases`` names and load it with Traceur's loader."""
    return traceur_load_watchlist(write_watchlist(people_for_aliases(target_aliases, seed), directory))


# -- words ----------------------------------------------------------------------------

_TOWNS = (
    "Saint-Aubin-sur-Brenne", "Montferrand-le-Haut", "Villeneuve-des-Prés", "Bourg-Vallon",
    "Sainte-Marthe-des-Essarts", "Château-Renard-sur-Sarve", "La Roche-Aiguë", "Mazières-en-Brenne",
    "Sainte-Colombe-des-Bois", "Pont-l'Abbé-sur-Sarve", "Vaux-le-Moutier", "Gréfeuille-la-Plaine",
    "Montbrun-les-Sources", "Plessis-Brenon", "Morvilliers-sous-Roche", "Ferrières-en-Val",
)
_REGIONS = ("le Val-de-Brenne", "la Haute-Sarve", "le pays des Essarts", "la vallée de la Sarve", "le canton de Bourg-Vallon")
_SUBJECTS = (
    "le projet de tramway", "la rénovation du centre-ville", "la fermeture de la maternité",
    "le budget primitif", "la hausse de la taxe foncière", "la construction de logements sociaux",
    "l'extension de la vidéoprotection", "la cantine bio", "le plan vélo",
    "la zone à faibles émissions", "l'extension de la zone commerciale", "le déficit de la piscine municipale",
    "la ligne de bus 12", "la pénurie de médecins généralistes", "le prix de l'eau",
    "l'extinction de l'éclairage public la nuit", "la sécurité aux abords des écoles",
    "le nouveau plan local d'urbanisme", "la fusion des deux intercommunalités",
    "la réouverture de la gare", "le contournement routier", "la police municipale",
    "le parc éolien de la Haute-Sarve", "la fermeture de la classe de CM2", "la hausse des loyers du centre ancien",
)
_INSTITUTIONS = (
    "le conseil municipal", "le conseil départemental", "la métropole", "la préfecture",
    "la communauté de communes", "la chambre régionale des comptes", "le tribunal administratif",
    "le conseil régional", "l'agence régionale de santé", "la commission d'appel d'offres",
)
_PEOPLE = (
    "le préfet", "l'adjoint aux finances", "une élue d'opposition", "le président de l'association des commerçants",
    "une riveraine", "le directeur de cabinet du maire", "un syndicaliste", "la porte-parole du collectif",
    "un conseiller municipal de la majorité", "la directrice de l'école Jules-Ferry", "un agriculteur du canton",
    "le politologue Paul Durand", "l'historienne Anne Lemoine", "le sondeur Luc Brunet", "une infirmière des urgences",
)
_SAID = (
    "a déclaré", "a affirmé", "a estimé", "a rappelé", "a jugé", "a prévenu", "a assuré",
    "a martelé", "a reconnu", "a souligné", "a expliqué", "a répété", "a indiqué",
)
_QUOTES = (
    "Nous ne lâcherons rien sur ce dossier", "Les habitants méritent mieux que des promesses",
    "Ce budget est sincère et responsable", "Il faut sortir des postures", "Je n'ai jamais dit cela",
    "Nous avons hérité d'une situation difficile", "Ce n'est pas à la hauteur des enjeux",
    "La porte reste ouverte", "On ne gouverne pas une ville à coups de communiqués",
    "Chaque euro dépensé doit être justifié", "Je ne serai candidat à rien d'autre",
    "Ce projet, nous l'avons construit avec les habitants", "Il y a eu des erreurs, je les assume",
    "Le temps des études est terminé, place aux travaux", "Personne ne peut prétendre avoir raison seul",
)
_MOMENTS = (
    "lundi", "mardi soir", "ce mercredi", "jeudi matin", "vendredi", "samedi", "dimanche soir",
    "la semaine dernière", "en début de semaine", "le 12 mars", "le 3 février", "fin janvier",
    "mi-décembre", "hier", "ce week-end",
)
_LATER = ("lundi prochain", "dans quinze jours", "le 2 avril", "avant la fin du mois", "à la rentrée", "en juin")
_MEDIA = ("la radio locale", "la chaîne régionale", "notre journal", "un quotidien national", "une web-télé citoyenne")
_PSEUDOS = (
    "citoyen_vigilant", "Marcel71", "lavalleeverte", "Bobo_du_centre", "jpp", "Gaulois_refractaire",
    "Nanou", "ex-conseiller", "riverain_en_colere", "Titi38", "LeVieuxSage", "MmeMichu", "Ducon-Lajoie",
    "vélotaffeur", "Pépé_Louis", "la_fourmi", "Kévin_du_72", "SarveInfo",
)
_HEADINGS = (
    "Un calendrier serré", "Des critiques à gauche comme à droite", "Le précédent de 2020",
    "Et maintenant ?", "Une opposition divisée", "Ce que dit le rapport", "Des chiffres contestés",
    "La question du financement", "Sur le terrain", "Un dossier ancien", "Les habitants partagés",
    "Un vote sous tension",
)
_SECTIONS = ("Politique", "Économie", "Société", "Culture", "Sport", "Régions", "International", "Opinions", "Vidéos", "Faits divers")
_TAGS = ("Municipales 2026", "Conseil municipal", "Budget", "Urbanisme", "Transports", "Santé", "Sécurité", "Élections", "Logement")
_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre")
_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

# Sentences of a news article. {c} and {c2} name candidates; {de_c} and {que_c} elide
# before a vowel ("d'Élodie", "qu'Yves"); {e} agrees a participle with the candidate.
# A capital placeholder ({Sujet}) capitalises what it stands for.
_NEWS = (
    "{Institution} a approuvé {moment}, par {n} voix contre {m}, une délibération sur {sujet}.",
    "Selon les chiffres communiqués par {institution}, le coût total atteindrait {montant}.",
    "{Personne} {said} que {sujet} ne ferait « pas l'économie d'un débat public ».",
    "À {ville}, {sujet} divise toujours les habitants, entre partisans du statu quo et défenseurs d'une transformation plus rapide.",
    "La réunion publique organisée {moment} à la salle des fêtes de {ville} a réuni près de {places} personnes.",
    "Le dossier devrait revenir devant {institution} avant l'été, selon nos informations.",
    "Dans l'entourage du maire de {ville}, on assure que « rien n'est encore tranché ».",
    "Les associations de riverains dénoncent un calendrier « intenable » et réclament une étude d'impact indépendante.",
    "Le rapport {de_institution}, publié {moment}, pointe une dérive des dépenses de {p} en trois ans.",
    "Sur les marchés de {ville}, les avis sont partagés : certains saluent la méthode, d'autres fustigent un « passage en force ».",
    "L'opposition a quitté la séance avant le vote, dénonçant une procédure « bâclée ».",
    "Au total, {big} emplois seraient concernés d'ici à {year_next}, d'après {institution}.",
    "Reste à savoir si l'État suivra : la préfecture n'a pas souhaité commenter.",
    "Nous avons sollicité {personne}, sans réponse à l'heure où nous écrivons ces lignes.",
    "{Sujet} figurait déjà en bonne place dans les programmes de {year_past}.",
    "Ce n'est pas la première fois que {ville} se retrouve sous le feu des projecteurs.",
    "Les travaux, estimés à {montant}, devraient durer {n} mois et perturber la circulation dans tout le quartier de la gare.",
    "Un sondage réalisé auprès de {big} habitants du département montre que {p} d'entre eux jugent la situation préoccupante.",
    "La question sera de nouveau abordée lors du prochain conseil, prévu {later}.",
    "« On nous promet des solutions depuis des années », soupire {personne}, à la sortie de la mairie.",
    "Le calendrier électoral pèse évidemment sur les débats, à moins d'un an du scrutin.",
    "À l'échelle du département, le phénomène reste pourtant marginal, tempèrent les services de l'État.",
    "Les premières esquisses, présentées {moment}, prévoient {places} places de stationnement en moins dans le quartier concerné.",
    "Plusieurs élus de la majorité reconnaissent, en privé, que le dossier a été « mal vendu ».",
    "La pétition en ligne contre {sujet} a déjà recueilli plus de {big} signatures.",
    "Pour les commerçants du centre de {ville}, l'enjeu est avant tout économique : la fréquentation a baissé de {p} depuis l'automne.",
    "Une concertation sera lancée à la rentrée, promet la municipalité, qui dit vouloir « prendre le temps d'écouter ».",
    "{Institution} devra se prononcer sur le recours déposé par un collectif d'habitants de {ville}.",
    "Le scrutin de {year_next} s'annonce plus ouvert que jamais dans la circonscription.",
    "Les chiffres de la participation, en baisse constante depuis {year_past}, inquiètent tous les camps.",
    "{Personne} {said} que la commune avait « les moyens de ses ambitions », à condition de revoir ses priorités.",
    "En coulisses, les négociations entre les différentes listes se poursuivent.",
    "La subvention de {montant} accordée par {institution} reste suspendue à un nouvel avis technique.",
    "Sous le précédent mandat, le dossier avait déjà été repoussé à deux reprises.",
    "Contacté, le cabinet du préfet renvoie vers les services compétents.",
)
# Summaries under related-article teasers (boilerplate: never a candidate's name).
_NEWS_TEASERS = (
    "Retour sur une séance mouvementée.", "Les chiffres clés à connaître.", "Notre décryptage en cinq points.",
    "Ce qui change pour les habitants de {ville}.", "Les réponses à vos questions.", "Le récit d'une semaine de tensions.",
)
_NEWS_CANDIDATE = (
    "{C} {said} que {sujet} serait « une priorité absolue » du prochain mandat.",
    "Invité{e} {moment} sur l'antenne de {media}, {c} a longuement défendu son bilan.",
    "L'entourage {de_c} dément toute candidature dissidente à {ville}.",
    "« {quote} », a lancé {c} devant ses soutiens réunis à {ville}.",
    "{C} s'est rendu{e} {moment} à {ville} pour rencontrer des habitants inquiets, notamment sur {sujet}.",
    "La liste conduite par {c} arrive en tête avec {p} des intentions de vote, selon un sondage publié {moment}.",
    "Les proches {de_c} évoquent « une campagne de terrain, loin des polémiques ».",
    "Le programme {de_c} prévoit notamment de revenir sur {sujet}.",
    "{C} n'a pas souhaité réagir à nos sollicitations.",
    "C'est la troisième fois cette année {que_c} s'exprime publiquement sur {sujet}.",
    "Face à {c}, l'opposition municipale reste divisée sur la stratégie à adopter.",
    "Selon un proche {de_c}, la décision sera annoncée « dans les prochains jours ».",
    "{C}, qui brigue un nouveau mandat, a multiplié les déplacements dans {region}.",
    "Le meeting {de_c} a rassemblé environ {big} personnes {moment} à {ville}.",
    "Dans un communiqué, {c} dénonce « une instrumentalisation politique » du dossier.",
    "{Il} a également répondu aux critiques de son adversaire, {c2}, qui l'accuse d'immobilisme.",
    "Le duel entre {c} et {c2} s'annonce serré dans {region}.",
    "Sur les réseaux sociaux, une vidéo {de_c} consacrée à {sujet} a été vue plus de {big} fois.",
    "Pour {c}, « {quote_lower} ».",
    "{C} a assuré {moment} ne pas vouloir « faire de ce dossier un sujet de campagne ».",
    "Le soutien apporté par {c2} à {c} a surpris jusque dans leurs propres rangs.",
    "Interrogé{e} sur {sujet}, {c} a botté en touche.",
)
_FORUM = (
    "Franchement, le dossier {de_sujet} est géré n'importe comment, c'est pas sérieux.",
    "+1 avec {pseudo}, {sujet} c'est vraiment le sujet qui fâche ici.",
    "Je vis à {ville} depuis {n} ans et j'ai jamais vu ça.",
    "Bref, on verra bien au premier tour.",
    "Le problème c'est pas {sujet}, c'est le manque de moyens depuis des années.",
    "Mdr, encore un programme écrit sur un coin de table.",
    "Quelqu'un sait si la réunion de {day} est maintenue ?",
    "J'ai posé la question en conseil de quartier, pas de réponse évidemment.",
    "Les gens de {ville} méritent mieux que ces querelles de clocher.",
    "Pour info, le compte rendu du conseil est en ligne sur le site de la mairie, page 14.",
    "Ils sont tous pareils de toute façon, une fois élus on les revoit plus.",
    "Edit : je me suis trompé de date, c'est {day} et pas {day2}.",
    "Vous avez lu l'article du journal de ce matin ? Ils oublient de dire que {sujet} a été voté il y a deux ans.",
    "Sans rire, {montant} pour ça alors que les écoles tombent en ruine.",
    "Je ne suis pas d'accord, il y a quand même eu des choses de faites sur {sujet}.",
    "On tourne en rond, ce fil a déjà 12 pages.",
    "Moi ce que je retiens, c'est que personne n'a parlé {de_sujet} pendant le débat.",
    "Quelqu'un a le lien vers la pétition ?",
    "La modération pourrait fusionner avec l'autre sujet sur {ville}, merci.",
    "C'est bien beau les promesses, mais qui paie à la fin ? Nous, comme d'habitude.",
)
_FORUM_CANDIDATE = (
    "Franchement, {c} n'a rien compris au dossier, c'est pas sérieux.",
    "Quelqu'un a vu le débat d'hier soir ? {C} s'en est plutôt bien sorti{e} je trouve.",
    "Source ? Parce que ce que tu dis sur {c} ça ressemble beaucoup à une rumeur.",
    "Perso je voterai pas pour {c}, mais faut reconnaître {qu_il} bosse ses dossiers.",
    "{c} ? c'est qui déjà ? jamais vu sur le terrain.",
    "Le tract {de_c} est arrivé dans ma boîte ce matin, que des généralités.",
    "J'ai croisé {c} au marché de {ville}, {il} prenait le temps de discuter, faut le dire.",
    "Entre {c} et {c2} mon cœur balance pas beaucoup…",
    "Sérieux, {c} qui parle {de_sujet} alors qu'{il} a voté contre en {year_past} ?",
    "Quelqu'un a la vidéo du passage {de_c} sur {media} ?",
)
_BLOG = (
    "Je reviens aujourd'hui sur {sujet}, dont on parle beaucoup ces dernières semaines.",
    "J'ai assisté {moment} à la réunion publique, et je dois dire que j'en suis ressortie perplexe.",
    "Ce qui me frappe, c'est l'absence totale de chiffres précis dans les documents distribués.",
    "Je vous laisse juger par vous-mêmes : les délibérations sont consultables en mairie.",
    "Comme je l'écrivais déjà en {year_past}, {sujet} n'a jamais été une priorité de l'équipe sortante.",
    "Petit rappel des faits pour celles et ceux qui n'ont pas suivi.",
    "Il faut dire que {ville} n'est pas la commune la plus facile à gouverner.",
    "Je me suis plongée dans le rapport {de_institution}, soixante pages assez arides.",
    "On y apprend notamment que les dépenses de fonctionnement ont augmenté de {p} en cinq ans.",
    "Alors, que faut-il en penser ? Honnêtement, je n'en sais trop rien.",
    "Ce billet est un peu long, mais le sujet le mérite.",
    "En me promenant dans le quartier de la gare, j'ai discuté avec plusieurs commerçants.",
    "Tous m'ont parlé {de_sujet}, avec plus ou moins de colère.",
    "Je publierai la suite de cette série la semaine prochaine, avec les réponses des listes que j'ai sollicitées.",
    "Merci à celles et ceux qui m'ont écrit après le dernier billet, vos messages me sont précieux.",
)
_BLOG_CANDIDATE = (
    "{C} a promis de s'attaquer à {sujet}, mais personne ne sait encore comment ce sera financé.",
    "J'ai posé la question directement à {c} à la sortie du conseil ; la réponse est restée évasive.",
    "Le programme {de_c} tient en huit pages, dont deux de photos.",
    "Je dois reconnaître {que_c} a fait l'effort de venir expliquer son projet dans chaque quartier.",
    "Entre {c} et {c2}, les différences de fond sont moins grandes qu'il n'y paraît.",
    "Dans sa dernière lettre aux habitants, {c} évoque {sujet} en une ligne, pas davantage.",
)
_COMMENTS = (
    "Merci pour ce billet très clair.",
    "Je ne partage pas du tout votre analyse, mais c'est bien écrit.",
    "Enfin quelqu'un qui pose les bonnes questions !",
    "Vous oubliez de dire que {sujet} avait déjà été repoussé en {year_past}.",
    "Bravo pour le travail de recherche, on n'a pas ça dans la presse locale.",
    "Et les habitants de {ville}, on leur demande leur avis quand ?",
)
_TITLES_NEWS = (
    "{Sujet} : l'opposition hausse le ton", "À {ville}, {sujet} relance la polémique",
    "{Institution} : ce qu'il faut retenir de la séance de {day}", "Budget : la majorité défend un « effort sans précédent »",
    "{Sujet} : les riverains saisissent la justice", "Municipales {year_next} : la campagne est lancée à {ville}",
)
_TITLES_NEWS_CANDIDATE = (
    "Municipales {year_next} : {c} officialise sa candidature à {ville}", "{Sujet} : {c} hausse le ton",
    "{C} face aux habitants de {ville}", "« {quote} » : l'entretien avec {c}",
    "Sondage : {c} devance {c2} dans {region}",
)
_TITLES_FORUM = (
    "[{ville}] {sujet} : vos avis ?", "{Sujet}, on en parle ?", "Compte rendu du conseil municipal de {day}",
    "Pétition contre {sujet}", "Municipales {year_next} à {ville} : le fil officiel",
)
_TITLES_FORUM_CANDIDATE = ("Candidature de {c}, qu'en pensez-vous ?", "Le débat {c} / {c2}", "[{ville}] {c} et {sujet}")
_TITLES_BLOG = ("Carnet de campagne #{n} : {sujet}", "Ce que le rapport {de_institution} ne dit pas", "Une soirée au conseil municipal")
_TITLES_BLOG_CANDIDATE = ("Carnet de campagne #{n} : ma rencontre avec {c}", "Ce que propose vraiment {c}")


# -- sentence writer --------------------------------------------------------------------

_SLOT = re.compile(r"\{(\w+)\}")
_VOWEL_START = re.compile(r"^[aeiouyhâàéèêëîïôöûüœAEIOUYHÂÀÉÈÊËÎÏÔÖÛÜŒ]")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _thousands(value: int) -> str:
    # French typography: a narrow no-break space groups thousands.
    return f"{value:,}".replace(",", "\u202f")


class _Writer:
    """Fills templates for one page, counting the candidate references it writes."""

    def __init__(self, rng: random.Random, kind: str, town: str, subject: str, cast: list[Person]) -> None:
        self.rng = rng
        self.kind = kind
        self.town = town
        self.subject = subject
        self.cast = cast
        self.mentions: dict[str, int] = {}
        self.counting = True
        self._decks: dict[tuple[str, ...], list[str]] = {}
        self._apostrophe = "’" if rng.random() < 0.6 else "'"

    def pick(self, options: tuple[str, ...]) -> str:
        """Draw without replacement, so a page does not repeat a sentence until it used them all."""
        deck = self._decks.get(options)
        if not deck:
            deck = list(options)
            self.rng.shuffle(deck)
            self._decks[options] = deck
        return deck.pop()

    def reference(self, person: Person) -> str:
        """One way of writing ``person``'s name that the watchlist knows."""
        roll = self.rng.random()
        if self.kind == "forum_post":
            if roll < 0.3:
                text = person.name.lower()
            elif roll < 0.45:
                text = _strip_accents(person.name)
            elif roll < 0.55:
                text = person.name.replace("-", " ")
            elif roll < 0.7:
                text = f"{person.civility} {person.last}"
            else:
                text = person.name
        elif roll < 0.5:
            text = person.name
        elif roll < 0.7:
            text = f"{person.civility} {person.last}"
        elif roll < 0.8:
            text = f"{person.initials} {person.last}"
        elif roll < 0.9 and person.role:
            text = f"{'la' if person.female else 'le'} {person.role} {person.last}"
        elif roll < 0.93:
            text = f"{person.last.upper()} {person.first}"
        else:
            text = person.name
        if self.counting:
            self.mentions[person.id] = self.mentions.get(person.id, 0) + 1
        return text

    def _elide(self, word: str, text: str) -> str:
        """"de"/"que" before a name: "d'Élodie", "qu'Yves", "du député", "de M. Valmont"."""
        if word == "de" and text.startswith("le "):
            return "du " + text[3:]
        if _VOWEL_START.match(text):
            return f"{word[:-1]}{self._apostrophe}{text}"
        return f"{word} {text}"

    def fill(self, template: str, first: Person | None = None, second: Person | None = None) -> str:
        rng = self.rng

        def value(name: str) -> str:
            key = name.lower()
            if key in ("c", "de_c", "que_c"):
                assert first is not None
                ref = self.reference(first)
                return ref if key == "c" else self._elide(key[:-2], ref)
            if key == "c2":
                assert second is not None
                return self.reference(second)
            if key == "il":
                return "elle" if first and first.female else "il"
            if key == "qu_il":
                return f"qu{self._apostrophe}{'elle' if first and first.female else 'il'}"
            if key == "e":
                return "e" if first and first.female else ""
            if key in ("de_sujet", "de_institution"):
                return _de(value(key[3:]))
            if key == "sujet":
                return self.subject if rng.random() < 0.6 else rng.choice(_SUBJECTS)
            if key == "ville":
                return self.town if rng.random() < 0.7 else rng.choice(_TOWNS)
            simple: dict[str, Callable[[], str]] = {
                "institution": lambda: rng.choice(_INSTITUTIONS),
                "personne": lambda: rng.choice(_PEOPLE),
                "said": lambda: rng.choice(_SAID),
                "quote": lambda: rng.choice(_QUOTES),
                "quote_lower": lambda: _lower_first(rng.choice(_QUOTES)),
                "moment": lambda: rng.choice(_MOMENTS),
                "later": lambda: rng.choice(_LATER),
                "media": lambda: rng.choice(_MEDIA),
                "region": lambda: rng.choice(_REGIONS),
                "pseudo": lambda: rng.choice(_PSEUDOS),
                "day": lambda: rng.choice(_DAYS),
                "day2": lambda: rng.choice(_DAYS),
                "n": lambda: str(rng.randint(2, 40)),
                "places": lambda: str(rng.randint(2, 40) * 10),
                "m": lambda: str(rng.randint(1, 15)),
                "big": lambda: _thousands(rng.choice((rng.randint(40, 900), rng.randint(1000, 25000)))),
                "p": lambda: f"{rng.randint(3, 78)}\u202f%",
                "montant": lambda: rng.choice((f"{rng.randint(2, 95)},{rng.randint(1, 9)} millions d'euros", f"{_thousands(rng.randint(15, 900) * 1000)} euros")),
                "year_past": lambda: rng.choice(("2014", "2020", "2008", "2017")),
                "year_next": lambda: "2026",
            }
            return simple[key]()

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            text = value(name)
            return _cap(text) if name[0].isupper() else text

        return _SLOT.sub(replace, template)

    def sentence(self, plain: tuple[str, ...], with_candidate: tuple[str, ...], density: float) -> str:
        if self.cast and self.rng.random() < density:
            template = self.pick(with_candidate)
            first = self.cast[0] if self.rng.random() < 0.65 else self.rng.choice(self.cast)
            others = [p for p in self.cast if p is not first]
            if "{c2}" in template and not others:
                return self.fill(self.pick(plain))
            return self.fill(template, first, self.rng.choice(others) if others else None)
        return self.fill(self.pick(plain))

    def paragraph(self, plain: tuple[str, ...], with_candidate: tuple[str, ...], density: float, sentences: tuple[int, int]) -> str:
        count = self.rng.randint(*sentences)
        return " ".join(self.sentence(plain, with_candidate, density) for _ in range(count))


def _de(phrase: str) -> str:
    """"de" before a noun phrase: "du projet", "des loyers", "de l'extension", "de la gare"."""
    for article, contracted in (("le ", "du "), ("les ", "des ")):
        if phrase.startswith(article):
            return contracted + phrase[len(article):]
    return "de " + phrase


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


# -- pages ------------------------------------------------------------------------------

@dataclass
class CorpusPage:
    """One generated page and what it holds."""

    url: str
    source_id: str
    kind: str
    html: str
    title: str
    # The main content as a reader sees it (paragraphs, posts, comments), without boilerplate.
    text: str
    # Candidate id → references written in the title and main content (exclusion phrases not counted).
    mentions: dict[str, int] = field(default_factory=dict)


_CSS = (
    ":root{--brand:#b3122e;--ink:#1d1d1b;--muted:#6b6b6b}*{box-sizing:border-box}body{margin:0;font:16px/1.55 Georgia,serif;color:var(--ink)}"
    ".site-header{display:flex;align-items:center;gap:1rem;padding:.5rem 1rem;border-bottom:1px solid #ddd}.logo svg{height:32px}"
    ".main-nav ul{display:flex;gap:1rem;list-style:none;margin:0;padding:0}.main-nav a{color:var(--ink);text-decoration:none;font:600 14px/1 Arial,sans-serif}"
    ".cmp-banner{position:fixed;bottom:0;left:0;right:0;background:#fff;box-shadow:0 -2px 12px rgba(0,0,0,.2);padding:1rem;z-index:1000}"
    "main{display:grid;grid-template-columns:minmax(0,1fr) 300px;gap:2rem;max-width:1140px;margin:0 auto}.lead{font-size:1.2rem;font-weight:600}"
    ".lire-aussi{border-left:3px solid var(--brand);padding-left:.75rem;margin:1.5rem 0;font-family:Arial,sans-serif}"
    ".sidebar section{margin-bottom:2rem}.site-footer{background:#1d1d1b;color:#eee;padding:2rem 1rem;font:13px/1.6 Arial,sans-serif}"
    "@media (max-width:800px){main{grid-template-columns:1fr}.sidebar{display:none}}"
)
_ICON = (
    '<svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20"><path d="M18.9 1.2h3.7l-8 9.2L24 22.8h-7.4l-5.8-7.6-6.6 7.6H.5'
    'l8.6-9.8L0 1.2h7.6l5.2 6.9 6.1-6.9zm-1.3 19.4h2L6.5 3.3H4.3l13.3 17.3z"/></svg>'
)


def _e(text: str) -> str:
    # Escape what markup needs, in text and in double-quoted attributes; apostrophes stay
    # as sites write them.
    return html.escape(text, quote=False).replace('"', "&quot;")


def _french_date(moment: datetime) -> str:
    return f"{_DAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


def _cookie_banner(rng: random.Random) -> str:
    return (
        '<div id="cookie-banner" class="cmp-banner" role="dialog" aria-label="Gestion des cookies">'
        "<p>Nous et nos partenaires utilisons des cookies et technologies similaires pour mesurer l'audience, "
        "personnaliser le contenu et les publicités, et proposer des fonctionnalités liées aux réseaux sociaux. "
        "Vous pouvez accepter, refuser ou paramétrer vos choix à tout moment depuis la page « Gestion des cookies ».</p>"
        '<button type="button" class="cmp-accept">Tout accepter</button> <button type="button" class="cmp-refuse">Continuer sans accepter</button> '
        f'<a href="/cookies?v={rng.randint(100, 999)}">Personnaliser mes choix</a></div>'
    )


def _analytics(rng: random.Random, site: Site) -> str:
    return (
        "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}"
        f"gtag('js',new Date());gtag('config','G-{rng.randint(10**9, 10**10 - 1)}',{{anonymize_ip:true}});"
        f"window.__SITE__={{name:{json.dumps(site.name)},section:{json.dumps(site.section)},consent:'pending'}};</script>"
    )


def _headline(writer: _Writer, rng: random.Random) -> str:
    # Headlines for "Lire aussi" and sidebars: boilerplate, not counted as mentions.
    writer.counting = False
    try:
        if writer.cast and rng.random() < 0.3:
            title = writer.fill(rng.choice(_TITLES_NEWS_CANDIDATE), writer.cast[0], writer.cast[-1] if len(writer.cast) > 1 else writer.cast[0])
        else:
            title = writer.fill(rng.choice(_TITLES_NEWS))
    finally:
        writer.counting = True
    return title


def _link(site: Site, rng: random.Random, title: str) -> str:
    return f"https://{site.host}/{site.section}/{slug(title)[:60]}-{rng.randint(10000, 99999)}.html"


def _footer(site: Site, year: int) -> str:
    links = ("Mentions légales", "Politique de confidentialité", "Gestion des cookies", "Conditions générales d'utilisation",
             "Contact", "Plan du site", "Publicité", "Nous rejoindre", "Charte de modération", "Accessibilité : partiellement conforme")
    items = "".join(f'<li><a href="/{slug(link)}">{_e(link)}</a></li>' for link in links)
    return (
        f'<footer class="site-footer"><nav aria-label="Liens utiles"><ul>{items}</ul></nav>'
        f'<div class="social"><a href="https://x.example/{slug(site.name)}">{_ICON} X</a> '
        f'<a href="https://facebook.example/{slug(site.name)}">Facebook</a> <a href="/rss.xml">Flux RSS</a></div>'
        f"<p>© {year} {_e(site.name)} — Tous droits réservés. Reproduction interdite sans autorisation.</p></footer>"
    )


def _head(site: Site, url: str, title: str, description: str, author: str, published: datetime | None, rng: random.Random, og_type: str) -> str:
    parts = [
        '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)} – {_e(site.name)}</title>",
        f'<meta name="description" content="{_e(description[:180])}">',
        f'<meta property="og:type" content="{og_type}"><meta property="og:title" content="{_e(title)}">',
        f'<meta property="og:site_name" content="{_e(site.name)}"><meta property="og:url" content="{url}">',
        f'<meta property="og:image" content="https://{site.host}/media/{rng.randint(10**5, 10**6)}.jpg">',
        f'<meta name="author" content="{_e(author)}">',
    ]
    if published is not None and rng.random() < 0.75:
        parts.append(f'<meta property="article:published_time" content="{published.isoformat()}">')
    parts += [
        f'<link rel="canonical" href="{url}">',
        f'<link rel="stylesheet" href="/static/css/main.{rng.randint(16**7, 16**8 - 1):x}.css">',
        f'<link rel="alternate" type="application/rss+xml" title="{_e(site.name)}" href="/rss.xml">',
        f"<style>{_CSS}</style>",
    ]
    if og_type == "article" and published is not None:
        ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title, "author": {"@type": "Person", "name": author},
              "datePublished": published.isoformat(), "publisher": {"@type": "Organization", "name": site.name}}
        parts.append(f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>')
    parts.append(_analytics(rng, site))
    parts.append("</head>")
    return "\n".join(parts)


def _mega_menu() -> str:
    # News sites open every section on hover: a few hundred links of pure boilerplate.
    entries = []
    for section in _SECTIONS:
        subs = _TAGS if section == "Politique" else _TOWNS[:8] if section == "Régions" else ("À la une", "Décryptages", "Entretiens", "Tribunes", "Vidéos")
        links = "".join(f'<li><a href="/{slug(section)}/{slug(sub)}/">{_e(sub)}</a></li>' for sub in subs)
        entries.append(f'<li class="has-sub"><a href="/{slug(section)}/">{_e(section)}</a><ul class="sub">{links}</ul></li>')
    return '<nav class="main-nav" aria-label="Rubriques"><ul>' + "".join(entries) + "</ul></nav>"


def _nav(items: tuple[str, ...], css: str) -> str:
    return f'<nav class="{css}"><ul>' + "".join(f'<li><a href="/{slug(item)}/">{_e(item)}</a></li>' for item in items) + "</ul></nav>"


def _title(writer: _Writer, rng: random.Random, plain: tuple[str, ...], with_candidate: tuple[str, ...]) -> str:
    """Half the pages that name someone do it in the headline too."""
    if not writer.cast or rng.random() < 0.5:
        return writer.fill(rng.choice(plain))
    usable = [t for t in with_candidate if "{c2}" not in t or len(writer.cast) > 1]
    return writer.fill(rng.choice(usable), writer.cast[0], writer.cast[1] if len(writer.cast) > 1 else None)


def _article_page(site: Site, writer: _Writer, rng: random.Random, url: str, published: datetime, target: int) -> tuple[str, str, str]:
    density = rng.uniform(0.06, 0.18)
    title = _title(writer, rng, _TITLES_NEWS, _TITLES_NEWS_CANDIDATE)
    lead = writer.paragraph(_NEWS, _NEWS_CANDIDATE, density, (1, 2))
    author = f"{rng.choice(_MEN + _WOMEN)} {rng.choice(_OTHER_SURNAMES)}"
    body: list[str] = []
    texts = [lead]
    size = len(lead)
    read_also = {rng.randint(1, 3), rng.randint(4, 7)}
    paragraph_index = 0
    while size < target:
        paragraph_index += 1
        if paragraph_index % 4 == 0:
            heading = writer.pick(_HEADINGS)
            body.append(f"<h2>{_e(heading)}</h2>")
            texts.append(heading)
        if paragraph_index == 3 and rng.random() < 0.6:
            quote = rng.choice(_QUOTES)
            body.append(f"<blockquote><p>« {_e(quote)} »</p></blockquote>")
            texts.append(f"« {quote} »")
        if writer.cast and writer.cast[0].has_exclusions and paragraph_index == 2:
            # A street named after the candidate: the watchlist's exclusions must not count it.
            person = writer.cast[0]
            para = f"Le bureau de vote sera installé rue {person.name}, à deux pas du lycée {person.name}, comme lors du précédent scrutin."
        else:
            para = writer.paragraph(_NEWS, _NEWS_CANDIDATE, density, (3, 6))
        body.append(f"<p>{_e(para)}</p>")
        texts.append(para)
        size += len(para)
        if paragraph_index in read_also:
            other = _headline(writer, rng)
            body.append(f'<aside class="lire-aussi"><strong>Lire aussi</strong> <a href="{_link(site, rng, other)}">{_e(other)}</a></aside>')
    related = "".join(
        f'<li class="teaser"><a href="{_link(site, rng, h)}"><img src="https://{site.host}/media/{rng.randint(10**5, 10**6)}-320.jpg" alt="" loading="lazy">'
        f"<span>{_e(h)}</span></a><p>{_e(writer.fill(writer.pick(_NEWS_TEASERS)))}</p></li>"
        for h in (_headline(writer, rng) for _ in range(4))
    )
    most_read = "".join(f'<li><a href="{_link(site, rng, h)}">{_e(h)}</a></li>' for h in (_headline(writer, rng) for _ in range(5)))
    comments = ""
    if rng.random() < 0.3:
        items = []
        for _ in range(rng.randint(2, 5)):
            said = writer.paragraph(_FORUM, _FORUM_CANDIDATE, density / 2, (1, 3))
            items.append(f'<div class="comment"><p class="comment-author">{_e(rng.choice(_PSEUDOS))}</p><p>{_e(said)}</p></div>')
            texts.append(said)
        comments = f'<section class="comments" id="comments"><h2>{len(items)} commentaires</h2>{"".join(items)}</section>'
    stamp = published.strftime("%Hh%M")
    page = "\n".join((
        _head(site, url, title, lead, author, published, rng, "article"),
        f'<body class="page-article rubrique-{slug(site.section)}">',
        _cookie_banner(rng),
        f'<header class="site-header"><a class="logo" href="/">{_ICON}<span>{_e(site.name)}</span></a>',
        _mega_menu(),
        '<form class="search" action="/recherche" role="search"><input name="q" placeholder="Rechercher un article"><button>OK</button></form>',
        '<a class="btn-abonnement" href="/abonnement">S’abonner — 1 € le premier mois</a></header>',
        f'<nav class="breadcrumb"><a href="/">Accueil</a> › <a href="/{site.section}/">Politique</a> › <span>{_e(writer.town)}</span></nav>',
        "<main>",
        f'<article class="article"><header><p class="kicker">{_e(rng.choice(_TAGS))}</p><h1>{_e(title)}</h1>',
        f'<p class="lead">{_e(lead)}</p>',
        f'<div class="byline">Par <a rel="author" href="/auteurs/{slug(author)}">{_e(author)}</a> · '
        f'<time datetime="{published.isoformat()}">Publié le {_french_date(published)} à {stamp}</time></div></header>',
        f'<figure><img src="https://{site.host}/media/{rng.randint(10**5, 10**6)}.jpg" alt="" loading="lazy" width="1200" height="675">'
        f"<figcaption>{_e(writer.town)}, {_french_date(published - timedelta(days=1))}. © Photo Agence Centre Images</figcaption></figure>",
        '<div class="article-body">' + "\n".join(body) + "</div>",
        '<div class="share">Partager : <a href="https://x.example/intent">X</a> <a href="https://facebook.example/sharer">Facebook</a> '
        '<a href="https://linkedin.example/share">LinkedIn</a> <button type="button">Copier le lien</button></div>',
        '<ul class="tags">' + "".join(f"<li><a href=\"/sujets/{slug(t)}\">{_e(t)}</a></li>" for t in rng.sample(_TAGS, 3)) + "</ul>",
        "</article>",
        f'<section class="related"><h2>Sur le même sujet</h2><ul>{related}</ul></section>',
        comments,
        f'<aside class="sidebar"><section class="most-read"><h2>Les plus lus</h2><ol>{most_read}</ol></section>',
        '<section class="newsletter"><h2>Newsletter</h2><p>Recevez chaque matin l’essentiel de l’actualité politique locale.</p>'
        '<form action="/newsletter"><input type="email" name="email" placeholder="Votre adresse e-mail"><button>Je m’inscris</button></form></section>',
        f'<div class="ad" data-slot="sidebar-{rng.randint(1, 4)}" data-format="300x600"></div></aside>',
        "</main>",
        _footer(site, published.year),
        f'<script src="/static/js/app.{rng.randint(16**7, 16**8 - 1):x}.js" defer></script>',
        "</body>\n</html>\n",
    ))
    return page, title, "\n\n".join(texts)


def _forum_page(site: Site, writer: _Writer, rng: random.Random, url: str, published: datetime, target: int) -> tuple[str, str, str]:
    density = rng.uniform(0.08, 0.25)
    title = _title(writer, rng, _TITLES_FORUM, _TITLES_FORUM_CANDIDATE)
    posts: list[str] = []
    texts: list[str] = []
    size = 0
    moment = published
    number = rng.randint(1000, 90000)
    while size < target:
        number += rng.randint(1, 40)
        moment += timedelta(minutes=rng.randint(3, 600))
        author = rng.choice(_PSEUDOS)
        paragraphs = [writer.paragraph(_FORUM, _FORUM_CANDIDATE, density, (1, 4)) for _ in range(rng.randint(1, 3))]
        quote = ""
        if posts and rng.random() < 0.3:
            # Quoting an earlier post repeats its words; a plain sentence keeps the planted count exact.
            quoted = writer.fill(writer.pick(_FORUM))
            quote = f'<blockquote class="quote"><cite>{_e(rng.choice(_PSEUDOS))} a écrit :</cite><p>{_e(quoted)}</p></blockquote>'
        message = "".join(f"<p>{_e(p)}</p>" for p in paragraphs)
        posts.append(
            f'<div class="post" id="p{number}"><div class="post-author"><span class="username">{_e(author)}</span>'
            f'<span class="rank">{rng.choice(("Membre", "Membre actif", "Habitué", "Modérateur"))}</span>'
            f'<span class="posts">{_thousands(rng.randint(3, 9000))} messages</span></div>'
            f'<div class="post-body"><div class="post-date">Posté le {_french_date(moment)} à {moment.strftime("%H:%M")}</div>'
            f'<div class="message">{quote}{message}</div>'
            + (f'<div class="signature">{_e(rng.choice(_QUOTES))} — {_e(author)}</div>' if rng.random() < 0.3 else "")
            + '<div class="post-actions"><a href="#">Citer</a> <a href="#">Signaler</a></div></div></div>'
        )
        texts.extend(paragraphs)
        size += sum(len(p) for p in paragraphs)
    pages = rng.randint(1, 14)
    pagination = '<div class="pagination">Page 1 sur ' + str(pages) + " " + "".join(f'<a href="?page={i}">{i}</a> ' for i in range(2, min(pages, 6) + 1)) + "</div>"
    page = "\n".join((
        _head(site, url, title, texts[0], "", None, rng, "website"),
        '<body class="forum viewtopic">',
        _cookie_banner(rng),
        f'<header class="forum-header"><a class="logo" href="/">{_e(site.name)}</a>',
        _nav(("Accueil", "Forums", "Membres", "Règles", "Recherche avancée", "Connexion", "S'inscrire"), "forum-nav"),
        "</header>",
        f'<nav class="breadcrumb"><a href="/">Index du forum</a> » <a href="/forum/politique-locale/">Politique locale</a> » <span>{_e(writer.town)}</span></nav>',
        f'<main class="topic"><h1 class="topic-title">{_e(title)}</h1>',
        pagination,
        '<div class="posts">' + "\n".join(posts) + "</div>",
        pagination,
        '<form class="quick-reply" action="/posting"><textarea name="message" placeholder="Votre réponse"></textarea><button>Envoyer</button></form>',
        "</main>",
        f'<aside class="online"><h2>Qui est en ligne ?</h2><p>{rng.randint(12, 300)} utilisateurs en ligne : {rng.randint(2, 30)} membres, '
        f'{rng.randint(10, 270)} invités. Membres : {", ".join(_e(p) for p in rng.sample(_PSEUDOS, 5))}</p></aside>',
        _footer(site, published.year),
        "<p class=\"powered\">Propulsé par un logiciel de forum libre</p></body>\n</html>\n",
    ))
    return page, title, "\n\n".join(texts)


def _blog_page(site: Site, writer: _Writer, rng: random.Random, url: str, published: datetime, target: int) -> tuple[str, str, str]:
    density = rng.uniform(0.06, 0.18)
    title = _title(writer, rng, _TITLES_BLOG, _TITLES_BLOG_CANDIDATE)
    texts: list[str] = []
    body: list[str] = []
    size = 0
    while size < target:
        if rng.random() < 0.4:
            para = writer.paragraph(_NEWS, _NEWS_CANDIDATE, density, (2, 4))
        else:
            para = writer.paragraph(_BLOG, _BLOG_CANDIDATE, density, (2, 5))
        body.append(f"<p>{_e(para)}</p>")
        texts.append(para)
        size += len(para)
    comments = []
    for _ in range(rng.randint(0, 6)):
        said = writer.paragraph(_COMMENTS + _FORUM, _FORUM_CANDIDATE, density / 2, (1, 3))
        comments.append(
            f'<li class="comment"><article><footer class="comment-meta"><b class="fn">{_e(rng.choice(_PSEUDOS))}</b> '
            f'<time datetime="{(published + timedelta(hours=rng.randint(1, 72))).isoformat()}">le {_french_date(published)}</time></footer>'
            f'<div class="comment-content"><p>{_e(said)}</p></div><a class="comment-reply-link" href="#respond">Répondre</a></article></li>'
        )
        texts.append(said)
    archives = "".join(f'<li><a href="/{2025 + (m < 8)}/{m + 1:02d}/">{_MONTHS[m]} {2025 + (m < 8)}</a></li>' for m in (8, 9, 10, 11, 0, 1, 2))
    recent = "".join(f'<li><a href="/billet-{rng.randint(100, 999)}">{_e(writer.fill(rng.choice(_TITLES_BLOG)))}</a></li>' for _ in range(4))
    page = "\n".join((
        _head(site, url, title, texts[0], "Lucie", published, rng, "article"),
        '<body class="post-template-default single single-post">',
        _cookie_banner(rng) if rng.random() < 0.5 else "",
        f'<header id="masthead" class="site-header"><p class="site-title"><a href="/">{_e(site.name)}</a></p>'
        '<p class="site-description">Notes, chiffres et humeurs sur la vie politique de la vallée</p>',
        _nav(("Accueil", "À propos", "Archives", "Contact"), "main-navigation"),
        "</header>",
        '<div id="content" class="site-content"><main id="main" class="site-main">',
        f'<article class="post type-post status-publish"><header class="entry-header"><h1 class="entry-title">{_e(title)}</h1>'
        f'<div class="entry-meta"><time class="entry-date published" datetime="{published.isoformat()}">{_french_date(published)}</time> '
        f'dans <a href="/categorie/{slug(writer.town)}" rel="category tag">{_e(writer.town)}</a></div></header>',
        '<div class="entry-content">' + "\n".join(body) + "</div>",
        '<div class="sharedaddy"><h3>Partager :</h3><a href="?share=x">X</a> <a href="?share=facebook">Facebook</a> <a href="?share=email">E-mail</a></div>',
        "</article>",
        f'<div id="comments" class="comments-area"><h2 class="comments-title">{len(comments)} réflexions sur « {_e(title)} »</h2>'
        f'<ol class="comment-list">{"".join(comments)}</ol>'
        '<div id="respond"><h3>Laisser un commentaire</h3><form action="/wp-comments-post.php"><textarea name="comment"></textarea>'
        '<input name="author" placeholder="Nom"><input name="email" placeholder="E-mail"><button>Laisser un commentaire</button></form></div></div>',
        "</main>",
        '<aside id="secondary" class="widget-area"><section class="widget widget_search"><form role="search" action="/"><input name="s"></form></section>'
        f'<section class="widget widget_recent_entries"><h2 class="widget-title">Articles récents</h2><ul>{recent}</ul></section>'
        f'<section class="widget widget_archive"><h2 class="widget-title">Archives</h2><ul>{archives}</ul></section>'
        '<section class="widget widget_categories"><h2 class="widget-title">Catégories</h2><ul>'
        + "".join(f'<li><a href="/categorie/{slug(t)}">{_e(t)}</a></li>' for t in _TOWNS[:6])
        + "</ul></section></aside></div>",
        f'<footer id="colophon" class="site-footer"><p>© {published.year} {_e(site.name)} · Fièrement propulsé par un moteur de blog libre</p></footer>',
        "</body>\n</html>\n",
    ))
    return page, title, "\n\n".join(texts)


_BUILDERS = {"article": _article_page, "forum_post": _forum_page, "blog_post": _blog_page}


def generate_corpus(count: int = DEFAULT_PAGES, seed: int = SEED, cast: list[Person] | None = None) -> list[CorpusPage]:
    """``count`` pages: 60 % news articles, 20 % forum threads, 20 % blog posts.

    ``cast`` is who may be named (by default the candidates of the 1,000-alias watchlist);
    a few are named often and most rarely, as in real coverage.
    """
    rng = random.Random(seed)
    cast = cast if cast is not None else people_for_aliases(1000, seed)
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(cast))]
    by_kind = {kind: [s for s in SITES if s.kind == kind] for kind in _BUILDERS}
    pages: list[CorpusPage] = []
    for index in range(count):
        roll = rng.random()
        kind = "article" if roll < 0.6 else "forum_post" if roll < 0.8 else "blog_post"
        site = rng.choice(by_kind[kind])
        named: list[Person] = []
        if cast and rng.random() < 0.6:
            while len(named) < rng.choice((1, 1, 2, 3)):
                person = rng.choices(cast, weights)[0]
                if person not in named:
                    named.append(person)
        writer = _Writer(rng, kind, rng.choice(_TOWNS), rng.choice(_SUBJECTS), named)
        published = _FIRST_PUBLISHED + timedelta(minutes=rng.randint(0, 196 * 24 * 60))
        target = rng.randint(3000, 8000)
        path_title = f"{writer.subject} {writer.town} {index}"
        url = f"https://{site.host}/{site.section}/{slug(path_title)}-{index:05d}.html"
        if kind == "forum_post":
            url = f"https://{site.host}/{site.section}/{index:05d}-{slug(writer.subject)}"
        html_text, title, text = _BUILDERS[kind](site, writer, rng, url, published, target)
        pages.append(CorpusPage(url, site.id, kind, html_text, title, text, dict(writer.mentions)))
    return pages


def describe(pages: list[CorpusPage]) -> str:
    """One line: how many pages of each kind, HTML and text sizes, pages naming a candidate."""
    kinds: dict[str, int] = {}
    for page in pages:
        kinds[page.kind] = kinds.get(page.kind, 0) + 1
    html_bytes = sum(len(p.html.encode("utf-8")) for p in pages)
    text_bytes = sum(len(p.text.encode("utf-8")) for p in pages)
    named = sum(1 for p in pages if p.mentions)
    references = sum(sum(p.mentions.values()) for p in pages)
    kinds_text = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    return (
        f"{len(pages)} pages ({kinds_text}); HTML {html_bytes / 1e6:.1f} MB (avg {html_bytes / len(pages) / 1e3:.1f} KB/page), "
        f"main text {text_bytes / 1e6:.2f} MB (avg {text_bytes / len(pages) / 1e3:.1f} KB/page); "
        f"{named} pages name a candidate ({references} references)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the benchmark corpus and show a sample.")
    parser.add_argument("--pages", type=int, default=DEFAULT_PAGES)
    parser.add_argument("--show", type=int, default=None, help="print the HTML of page number SHOW")
    parser.add_argument("--write", metavar="DIR", help="write the pages and a 1,000-alias watchlist into DIR")
    args = parser.parse_args(argv)
    pages = generate_corpus(args.pages)
    print(describe(pages))
    if args.show is not None:
        page = pages[args.show]
        print(page.url, page.kind, page.mentions)
        print(page.html)
    if args.write:
        out = Path(args.write)
        out.mkdir(parents=True, exist_ok=True)
        for index, page in enumerate(pages):
            (out / f"{index:05d}.html").write_text(page.html, encoding="utf-8")
        print(f"wrote {len(pages)} pages and {write_watchlist(people_for_aliases(1000), out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
