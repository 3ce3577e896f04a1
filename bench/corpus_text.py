"""The benchmark corpus's words: French sentence templates about local politics, and the
writer that fills them (towns, institutions, quotes, planted candidate references).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from corpus_people import Person, strip_accents

TOWNS = (
    "Saint-Aubin-sur-Brenne",
    "Montferrand-le-Haut",
    "Villeneuve-des-Prés",
    "Bourg-Vallon",
    "Sainte-Marthe-des-Essarts",
    "Château-Renard-sur-Sarve",
    "La Roche-Aiguë",
    "Mazières-en-Brenne",
    "Sainte-Colombe-des-Bois",
    "Pont-l'Abbé-sur-Sarve",
    "Vaux-le-Moutier",
    "Gréfeuille-la-Plaine",
    "Montbrun-les-Sources",
    "Plessis-Brenon",
    "Morvilliers-sous-Roche",
    "Ferrières-en-Val",
)
_REGIONS = (
    "le Val-de-Brenne",
    "la Haute-Sarve",
    "le pays des Essarts",
    "la vallée de la Sarve",
    "le canton de Bourg-Vallon",
)
SUBJECTS = (
    "le projet de tramway",
    "la rénovation du centre-ville",
    "la fermeture de la maternité",
    "le budget primitif",
    "la hausse de la taxe foncière",
    "la construction de logements sociaux",
    "l'extension de la vidéoprotection",
    "la cantine bio",
    "le plan vélo",
    "la zone à faibles émissions",
    "l'extension de la zone commerciale",
    "le déficit de la piscine municipale",
    "la ligne de bus 12",
    "la pénurie de médecins généralistes",
    "le prix de l'eau",
    "l'extinction de l'éclairage public la nuit",
    "la sécurité aux abords des écoles",
    "le nouveau plan local d'urbanisme",
    "la fusion des deux intercommunalités",
    "la réouverture de la gare",
    "le contournement routier",
    "la police municipale",
    "le parc éolien de la Haute-Sarve",
    "la fermeture de la classe de CM2",
    "la hausse des loyers du centre ancien",
)
_INSTITUTIONS = (
    "le conseil municipal",
    "le conseil départemental",
    "la métropole",
    "la préfecture",
    "la communauté de communes",
    "la chambre régionale des comptes",
    "le tribunal administratif",
    "le conseil régional",
    "l'agence régionale de santé",
    "la commission d'appel d'offres",
)
_PEOPLE = (
    "le préfet",
    "l'adjoint aux finances",
    "une élue d'opposition",
    "le président de l'association des commerçants",
    "une riveraine",
    "le directeur de cabinet du maire",
    "un syndicaliste",
    "la porte-parole du collectif",
    "un conseiller municipal de la majorité",
    "la directrice de l'école Jules-Ferry",
    "un agriculteur du canton",
    "le politologue Paul Durand",
    "l'historienne Anne Lemoine",
    "le sondeur Luc Brunet",
    "une infirmière des urgences",
)
_SAID = (
    "a déclaré",
    "a affirmé",
    "a estimé",
    "a rappelé",
    "a jugé",
    "a prévenu",
    "a assuré",
    "a martelé",
    "a reconnu",
    "a souligné",
    "a expliqué",
    "a répété",
    "a indiqué",
)
QUOTES = (
    "Nous ne lâcherons rien sur ce dossier",
    "Les habitants méritent mieux que des promesses",
    "Ce budget est sincère et responsable",
    "Il faut sortir des postures",
    "Je n'ai jamais dit cela",
    "Nous avons hérité d'une situation difficile",
    "Ce n'est pas à la hauteur des enjeux",
    "La porte reste ouverte",
    "On ne gouverne pas une ville à coups de communiqués",
    "Chaque euro dépensé doit être justifié",
    "Je ne serai candidat à rien d'autre",
    "Ce projet, nous l'avons construit avec les habitants",
    "Il y a eu des erreurs, je les assume",
    "Le temps des études est terminé, place aux travaux",
    "Personne ne peut prétendre avoir raison seul",
)
_MOMENTS = (
    "lundi",
    "mardi soir",
    "ce mercredi",
    "jeudi matin",
    "vendredi",
    "samedi",
    "dimanche soir",
    "la semaine dernière",
    "en début de semaine",
    "le 12 mars",
    "le 3 février",
    "fin janvier",
    "mi-décembre",
    "hier",
    "ce week-end",
)
_LATER = (
    "lundi prochain",
    "dans quinze jours",
    "le 2 avril",
    "avant la fin du mois",
    "à la rentrée",
    "en juin",
)
_MEDIA = (
    "la radio locale",
    "la chaîne régionale",
    "notre journal",
    "un quotidien national",
    "une web-télé citoyenne",
)
PSEUDOS = (
    "citoyen_vigilant",
    "Marcel71",
    "lavalleeverte",
    "Bobo_du_centre",
    "jpp",
    "Gaulois_refractaire",
    "Nanou",
    "ex-conseiller",
    "riverain_en_colere",
    "Titi38",
    "LeVieuxSage",
    "MmeMichu",
    "Ducon-Lajoie",
    "vélotaffeur",
    "Pépé_Louis",
    "la_fourmi",
    "Kévin_du_72",
    "SarveInfo",
)
HEADINGS = (
    "Un calendrier serré",
    "Des critiques à gauche comme à droite",
    "Le précédent de 2020",
    "Et maintenant ?",
    "Une opposition divisée",
    "Ce que dit le rapport",
    "Des chiffres contestés",
    "La question du financement",
    "Sur le terrain",
    "Un dossier ancien",
    "Les habitants partagés",
    "Un vote sous tension",
)
SECTIONS = (
    "Politique",
    "Économie",
    "Société",
    "Culture",
    "Sport",
    "Régions",
    "International",
    "Opinions",
    "Vidéos",
    "Faits divers",
)
TAGS = (
    "Municipales 2026",
    "Conseil municipal",
    "Budget",
    "Urbanisme",
    "Transports",
    "Santé",
    "Sécurité",
    "Élections",
    "Logement",
)
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

# Sentences of a news article. {c} and {c2} name candidates; {de_c} and {que_c} elide
# before a vowel ("d'Élodie", "qu'Yves"); {e} agrees a participle with the candidate.
# A capital placeholder ({Sujet}) capitalises what it stands for.
NEWS = (
    "{Institution} a approuvé {moment}, par {n} voix contre {m}, une délibération sur {sujet}.",
    "Selon les chiffres communiqués par {institution}, le coût total atteindrait {montant}.",
    "{Personne} {said} que {sujet} ne ferait « pas l'économie d'un débat public ».",
    (
        "À {ville}, {sujet} divise toujours les habitants, entre partisans "
        "du statu quo et défenseurs d'une transformation plus rapide."
    ),
    (
        "La réunion publique organisée {moment} à la salle des "
        "fêtes de {ville} a réuni près de {places} personnes."
    ),
    "Le dossier devrait revenir devant {institution} avant l'été, selon nos informations.",
    "Dans l'entourage du maire de {ville}, on assure que « rien n'est encore tranché ».",
    (
        "Les associations de riverains dénoncent un calendrier "
        "« intenable » et réclament une étude d'impact indépendante."
    ),
    (
        "Le rapport {de_institution}, publié {moment}, "
        "pointe une dérive des dépenses de {p} en trois ans."
    ),
    (
        "Sur les marchés de {ville}, les avis sont partagés : certains "
        "saluent la méthode, d'autres fustigent un « passage en force »."
    ),
    "L'opposition a quitté la séance avant le vote, dénonçant une procédure « bâclée ».",
    "Au total, {big} emplois seraient concernés d'ici à {year_next}, d'après {institution}.",
    "Reste à savoir si l'État suivra : la préfecture n'a pas souhaité commenter.",
    "Nous avons sollicité {personne}, sans réponse à l'heure où nous écrivons ces lignes.",
    "{Sujet} figurait déjà en bonne place dans les programmes de {year_past}.",
    "Ce n'est pas la première fois que {ville} se retrouve sous le feu des projecteurs.",
    (
        "Les travaux, estimés à {montant}, devraient durer {n} mois "
        "et perturber la circulation dans tout le quartier de la gare."
    ),
    (
        "Un sondage réalisé auprès de {big} habitants du département "
        "montre que {p} d'entre eux jugent la situation préoccupante."
    ),
    "La question sera de nouveau abordée lors du prochain conseil, prévu {later}.",
    (
        "« On nous promet des solutions depuis des années », "
        "soupire {personne}, à la sortie de la mairie."
    ),
    "Le calendrier électoral pèse évidemment sur les débats, à moins d'un an du scrutin.",
    (
        "À l'échelle du département, le phénomène reste "
        "pourtant marginal, tempèrent les services de l'État."
    ),
    (
        "Les premières esquisses, présentées {moment}, prévoient {places} "
        "places de stationnement en moins dans le quartier concerné."
    ),
    "Plusieurs élus de la majorité reconnaissent, en privé, que le dossier a été « mal vendu ».",
    "La pétition en ligne contre {sujet} a déjà recueilli plus de {big} signatures.",
    (
        "Pour les commerçants du centre de {ville}, l'enjeu est avant tout "
        "économique : la fréquentation a baissé de {p} depuis l'automne."
    ),
    (
        "Une concertation sera lancée à la rentrée, promet la "
        "municipalité, qui dit vouloir « prendre le temps d'écouter »."
    ),
    (
        "{Institution} devra se prononcer sur le recours "
        "déposé par un collectif d'habitants de {ville}."
    ),
    "Le scrutin de {year_next} s'annonce plus ouvert que jamais dans la circonscription.",
    (
        "Les chiffres de la participation, en baisse constante "
        "depuis {year_past}, inquiètent tous les camps."
    ),
    (
        "{Personne} {said} que la commune avait « les moyens de "
        "ses ambitions », à condition de revoir ses priorités."
    ),
    "En coulisses, les négociations entre les différentes listes se poursuivent.",
    (
        "La subvention de {montant} accordée par {institution} "
        "reste suspendue à un nouvel avis technique."
    ),
    "Sous le précédent mandat, le dossier avait déjà été repoussé à deux reprises.",
    "Contacté, le cabinet du préfet renvoie vers les services compétents.",
)
# Summaries under related-article teasers (boilerplate: never a candidate's name).
NEWS_TEASERS = (
    "Retour sur une séance mouvementée.",
    "Les chiffres clés à connaître.",
    "Notre décryptage en cinq points.",
    "Ce qui change pour les habitants de {ville}.",
    "Les réponses à vos questions.",
    "Le récit d'une semaine de tensions.",
)
NEWS_CANDIDATE = (
    "{C} {said} que {sujet} serait « une priorité absolue » du prochain mandat.",
    "Invité{e} {moment} sur l'antenne de {media}, {c} a longuement défendu son bilan.",
    "L'entourage {de_c} dément toute candidature dissidente à {ville}.",
    "« {quote} », a lancé {c} devant ses soutiens réunis à {ville}.",
    (
        "{C} s'est rendu{e} {moment} à {ville} pour rencontrer "
        "des habitants inquiets, notamment sur {sujet}."
    ),
    (
        "La liste conduite par {c} arrive en tête avec {p} des "
        "intentions de vote, selon un sondage publié {moment}."
    ),
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
FORUM = (
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
    (
        "Vous avez lu l'article du journal de ce matin ? Ils "
        "oublient de dire que {sujet} a été voté il y a deux ans."
    ),
    "Sans rire, {montant} pour ça alors que les écoles tombent en ruine.",
    "Je ne suis pas d'accord, il y a quand même eu des choses de faites sur {sujet}.",
    "On tourne en rond, ce fil a déjà 12 pages.",
    "Moi ce que je retiens, c'est que personne n'a parlé {de_sujet} pendant le débat.",
    "Quelqu'un a le lien vers la pétition ?",
    "La modération pourrait fusionner avec l'autre sujet sur {ville}, merci.",
    "C'est bien beau les promesses, mais qui paie à la fin ? Nous, comme d'habitude.",
)
FORUM_CANDIDATE = (
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
BLOG = (
    "Je reviens aujourd'hui sur {sujet}, dont on parle beaucoup ces dernières semaines.",
    (
        "J'ai assisté {moment} à la réunion publique, et "
        "je dois dire que j'en suis ressortie perplexe."
    ),
    "Ce qui me frappe, c'est l'absence totale de chiffres précis dans les documents distribués.",
    "Je vous laisse juger par vous-mêmes : les délibérations sont consultables en mairie.",
    (
        "Comme je l'écrivais déjà en {year_past}, {sujet} "
        "n'a jamais été une priorité de l'équipe sortante."
    ),
    "Petit rappel des faits pour celles et ceux qui n'ont pas suivi.",
    "Il faut dire que {ville} n'est pas la commune la plus facile à gouverner.",
    "Je me suis plongée dans le rapport {de_institution}, soixante pages assez arides.",
    "On y apprend notamment que les dépenses de fonctionnement ont augmenté de {p} en cinq ans.",
    "Alors, que faut-il en penser ? Honnêtement, je n'en sais trop rien.",
    "Ce billet est un peu long, mais le sujet le mérite.",
    "En me promenant dans le quartier de la gare, j'ai discuté avec plusieurs commerçants.",
    "Tous m'ont parlé {de_sujet}, avec plus ou moins de colère.",
    (
        "Je publierai la suite de cette série la semaine prochaine, "
        "avec les réponses des listes que j'ai sollicitées."
    ),
    (
        "Merci à celles et ceux qui m'ont écrit après le "
        "dernier billet, vos messages me sont précieux."
    ),
)
BLOG_CANDIDATE = (
    "{C} a promis de s'attaquer à {sujet}, mais personne ne sait encore comment ce sera financé.",
    (
        "J'ai posé la question directement à {c} à la "
        "sortie du conseil ; la réponse est restée évasive."
    ),
    "Le programme {de_c} tient en huit pages, dont deux de photos.",
    (
        "Je dois reconnaître {que_c} a fait l'effort de "
        "venir expliquer son projet dans chaque quartier."
    ),
    "Entre {c} et {c2}, les différences de fond sont moins grandes qu'il n'y paraît.",
    "Dans sa dernière lettre aux habitants, {c} évoque {sujet} en une ligne, pas davantage.",
)
COMMENTS = (
    "Merci pour ce billet très clair.",
    "Je ne partage pas du tout votre analyse, mais c'est bien écrit.",
    "Enfin quelqu'un qui pose les bonnes questions !",
    "Vous oubliez de dire que {sujet} avait déjà été repoussé en {year_past}.",
    "Bravo pour le travail de recherche, on n'a pas ça dans la presse locale.",
    "Et les habitants de {ville}, on leur demande leur avis quand ?",
)
TITLES_NEWS = (
    "{Sujet} : l'opposition hausse le ton",
    "À {ville}, {sujet} relance la polémique",
    "{Institution} : ce qu'il faut retenir de la séance de {day}",
    "Budget : la majorité défend un « effort sans précédent »",
    "{Sujet} : les riverains saisissent la justice",
    "Municipales {year_next} : la campagne est lancée à {ville}",
)
TITLES_NEWS_CANDIDATE = (
    "Municipales {year_next} : {c} officialise sa candidature à {ville}",
    "{Sujet} : {c} hausse le ton",
    "{C} face aux habitants de {ville}",
    "« {quote} » : l'entretien avec {c}",
    "Sondage : {c} devance {c2} dans {region}",
)
TITLES_FORUM = (
    "[{ville}] {sujet} : vos avis ?",
    "{Sujet}, on en parle ?",
    "Compte rendu du conseil municipal de {day}",
    "Pétition contre {sujet}",
    "Municipales {year_next} à {ville} : le fil officiel",
)
TITLES_FORUM_CANDIDATE = (
    "Candidature de {c}, qu'en pensez-vous ?",
    "Le débat {c} / {c2}",
    "[{ville}] {c} et {sujet}",
)
TITLES_BLOG = (
    "Carnet de campagne #{n} : {sujet}",
    "Ce que le rapport {de_institution} ne dit pas",
    "Une soirée au conseil municipal",
)
TITLES_BLOG_CANDIDATE = (
    "Carnet de campagne #{n} : ma rencontre avec {c}",
    "Ce que propose vraiment {c}",
)


# -- sentence writer --------------------------------------------------------------------

_SLOT = re.compile(r"\{(\w+)\}")
_VOWEL_START = re.compile(r"^[aeiouyhâàéèêëîïôöûüœAEIOUYHÂÀÉÈÊËÎÏÔÖÛÜŒ]")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def thousands(value: int) -> str:
    # French typography: a narrow no-break space groups thousands.
    return f"{value:,}".replace(",", "\u202f")


class Writer:
    """Fills templates for one page, counting the candidate references it writes."""

    def __init__(
        self, rng: random.Random, kind: str, town: str, subject: str, cast: list[Person]
    ) -> None:
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
                text = strip_accents(person.name)
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
        """ "de"/"que" before a name: "d'Élodie", "qu'Yves", "du député", "de M. Valmont"."""
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
                return self.subject if rng.random() < 0.6 else rng.choice(SUBJECTS)
            if key == "ville":
                return self.town if rng.random() < 0.7 else rng.choice(TOWNS)
            simple: dict[str, Callable[[], str]] = {
                "institution": lambda: rng.choice(_INSTITUTIONS),
                "personne": lambda: rng.choice(_PEOPLE),
                "said": lambda: rng.choice(_SAID),
                "quote": lambda: rng.choice(QUOTES),
                "quote_lower": lambda: _lower_first(rng.choice(QUOTES)),
                "moment": lambda: rng.choice(_MOMENTS),
                "later": lambda: rng.choice(_LATER),
                "media": lambda: rng.choice(_MEDIA),
                "region": lambda: rng.choice(_REGIONS),
                "pseudo": lambda: rng.choice(PSEUDOS),
                "day": lambda: rng.choice(DAYS),
                "day2": lambda: rng.choice(DAYS),
                "n": lambda: str(rng.randint(2, 40)),
                "places": lambda: str(rng.randint(2, 40) * 10),
                "m": lambda: str(rng.randint(1, 15)),
                "big": lambda: thousands(
                    rng.choice((rng.randint(40, 900), rng.randint(1000, 25000)))
                ),
                "p": lambda: f"{rng.randint(3, 78)}\u202f%",
                "montant": lambda: rng.choice(
                    (
                        f"{rng.randint(2, 95)},{rng.randint(1, 9)} millions d'euros",
                        f"{thousands(rng.randint(15, 900) * 1000)} euros",
                    )
                ),
                "year_past": lambda: rng.choice(("2014", "2020", "2008", "2017")),
                "year_next": lambda: "2026",
            }
            return simple[key]()

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            text = value(name)
            return _cap(text) if name[0].isupper() else text

        return _SLOT.sub(replace, template)

    def sentence(
        self, plain: tuple[str, ...], with_candidate: tuple[str, ...], density: float
    ) -> str:
        if self.cast and self.rng.random() < density:
            template = self.pick(with_candidate)
            first = self.cast[0] if self.rng.random() < 0.65 else self.rng.choice(self.cast)
            others = [p for p in self.cast if p is not first]
            if "{c2}" in template and not others:
                return self.fill(self.pick(plain))
            return self.fill(template, first, self.rng.choice(others) if others else None)
        return self.fill(self.pick(plain))

    def paragraph(
        self,
        plain: tuple[str, ...],
        with_candidate: tuple[str, ...],
        density: float,
        sentences: tuple[int, int],
    ) -> str:
        count = self.rng.randint(*sentences)
        return " ".join(self.sentence(plain, with_candidate, density) for _ in range(count))


def _de(phrase: str) -> str:
    """ "de" before a noun phrase: "du projet", "des loyers", "de l'extension", "de la gare"."""
    for article, contracted in (("le ", "du "), ("les ", "des ")):
        if phrase.startswith(article):
            return contracted + phrase[len(article) :]
    return "de " + phrase


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
