"""How candidates' names are written and read: the spelling variants generated from a
name (initials, surname first), the case an alias must have to count, a field's words as
the checks see them, and the word lists that tell a name from the words around it
(function words, places, civilities, titles, first names).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from traceur.textnorm import fold
from traceur.watchlist import Candidate

WORD = re.compile(r"\w+")
# What may stand between two words of one name: spaces, a dash, an initial's dot, an
# apostrophe ("Anne d'Estrelles", folded from ’ too).
SEPARATOR = re.compile(r"[\s.'\-]{1,4}")
# Between the surname and the first name of "ROY Jean-Baptiste": no dot, or "…Roy. Jean-Baptiste
# Lefort…" (two sentences) would read as one name.
NO_DOT = re.compile(r"[\s'\-]{1,4}")
# Two words side by side in one phrase: blanks only (a comma or a full stop parts them).
ADJACENT = re.compile(r"[ \t\u00a0\u202f]{1,3}")
AFTER_CUE = re.compile(r"\s{0,2}[,(]?\s{1,2}")

# Capitalised words that start sentences or clauses without being names: next to an
# ambiguous alias they say nothing about it ("Selon Martin", "Et Roy ?").
FUNCTION_WORDS = frozenset(
    """
    a apres alors aujourd aussi avant avec bien bravo car cependant certes chez comme contre
    d dans de depuis des donc du durant elle en enfin ensuite entre et face grace hier ici il
    je la le les lorsque lors mais malgre merci meme non nous on or ou oui par parce pendant
    pour pourquoi pourtant puis puisque quand que quant qui quoi sans sauf selon si sous sur
    toutefois tu un une vers voici voila vous y
    and but by for from says said the to with
""".split()
)
# Words after which a name is not a person's surname: articles, possessives and the
# prepositions of places ("la France", "en France", "sa Royal"…).
DETERMINERS = frozenset(
    """
    le la les l un une des du au aux en ce cet cette ces sa son ses ma mon mes ta ton tes
    notre nos votre vos leur leurs toute toutes tout tous the in of
""".split()
)
# Nouns before a name that make it a place, a building or an institution ("rue Martin",
# "lycée Jean-Roy", "gare de Royal"); "de", "du", "des", "d'" may stand between.
PLACE_WORDS = frozenset(
    """
    rue avenue av boulevard bd place quai allee impasse chemin route square cours pont parc
    jardin lycee college ecole gymnase stade salle residence cite quartier hopital clinique
    centre fondation musee hotel eglise chapelle gare station metro arret port ile mont val
    saint sainte st ste palais tour espace institut rond point
""".split()
)
# Nouns that make the name right after them a company, an event or a family ("groupe
# Royal", "famille Martin", "prix Roy"); with a "de" between, the name is a person's again
# ("le groupe de Royal" is her group at the council).
NAMED_THINGS = frozenset(
    """
    marque groupe societe magasin boulangerie restaurant cafe brasserie famille prix trophee
    festival cabinet entreprise garage
""".split()
)
PLACE_LINKS = frozenset({"de", "du", "des", "d", "la", "l"})
# Prepositions of places, one word away at most ("en France", "in central France").
PLACE_PREPOSITIONS = frozenset(
    {"en", "au", "aux", "in", "into", "across", "throughout", "within", "outside"}
)
# Civilities and titles that, right before or after an ambiguous alias, say it is a person
# (and which gender: "f", "m", or "" when the article decides: "la maire", "le maire").
TITLES: dict[str, str] = {
    "m": "m",
    "monsieur": "m",
    "mme": "f",
    "madame": "f",
    "mlle": "f",
    "mademoiselle": "f",
    "candidat": "m",
    "candidate": "f",
    "depute": "m",
    "deputee": "f",
    "senateur": "m",
    "senatrice": "f",
    "president": "m",
    "presidente": "f",
    "conseiller": "m",
    "conseillere": "f",
    "elu": "m",
    "elue": "f",
    "adjoint": "m",
    "adjointe": "f",
    "chef": "m",
    "cheffe": "f",
    "rival": "m",
    "rivale": "f",
    "sortant": "m",
    "sortante": "f",
    "maire": "",
    "ministre": "",
    "secretaire": "",
    "edile": "",
    "liste": "",
    "parole": "",
    "camarade": "",
}
# Adjectives that may stand between a title and the name ("la candidate écologiste Martin").
TITLE_ADJECTIVES = frozenset(
    """
    sortant sortante ecologiste socialiste centriste communiste insoumis insoumise republicain
    republicaine independant independante divers ancien ancienne actuel actuelle futur future
    regional regionale municipal municipale departemental departementale
""".split()
)
# Common first names (folded): in an all-capitals headline capitalisation tells nothing,
# so "PAUL MARTIN" is recognised as another Martin by his first name.
FIRST_NAMES = frozenset(
    """
    adrien agathe agnes alain alexandre alexandra alice aline amandine amelie anne annie antoine
    arnaud audrey aurelie bastien benjamin benoit bernard bertrand brigitte bruno camille carole
    caroline catherine cecile celine charles charlotte chloe christelle christian christine
    christophe claire claude clement corinne cyril damien daniel danielle david delphine denis
    didier dominique eliane elisabeth elise elodie emilie emma emmanuel eric estelle etienne
    eugenie fabien fabrice florence florent francis franck francois francoise frederic gabriel
    gael gaelle genevieve georges gerard gilles guillaume helene henri herve hugo hugues ines
    isabelle jacques jean jeanne jeremy jerome joel jonathan joseph julie julien juliette karine
    kevin laetitia laura laurence laurent lea leo louis louise luc lucas lucie lucien manon marc
    marcel marguerite marie marine marion martine mathieu mathilde matthieu maurice maxime michel
    michele mireille monique muriel nadia nadine nathalie nicolas nicole noel odile olivier pascal
    pascale patrice patricia patrick paul pauline philippe pierre quentin raphael raymond regis
    remi renaud rene richard robert roger romain rose sabine samuel sandrine sarah sebastien
    serge simon simone solene sophie stephane stephanie suzanne sylvain sylvie theo thierry
    thomas timothee valerie vanessa veronique victor vincent virginie xavier yann yannick yves
    yvette yvonne zoe
""".split()
)


class Field:
    """One field's text, folded, cut into words, with what the checks need about each word."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded, self.origin = fold(text)
        matches = list(WORD.finditer(self.folded))
        self.starts = [m.start() for m in matches]
        self.ends = [m.end() for m in matches]
        self.words = [m.group() for m in matches]

    def original(self, index: int) -> str:
        """Word ``index`` as written (case and accents kept)."""
        return self.text[self.origin[self.starts[index]] : self.origin[self.ends[index] - 1] + 1]

    def gap(self, left: int) -> str:
        """The folded text between word ``left`` and the next one."""
        return self.folded[self.ends[left] : self.starts[left + 1]]


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def is_acronym(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return " " not in text.strip() and 2 <= len(letters) <= 4 and all(c.isupper() for c in letters)


def auto_case(text: str, ambiguous: bool) -> str:
    """The case rule an alias gets when the watchlist says ``case: auto``."""
    words = WORD.findall(text)
    if is_acronym(text):
        return "exact"
    if ambiguous or (len(words) == 1 and len(words[0]) <= 4):
        return "capitalised"
    return "any"


_CIVILITIES = {
    "m": "m",
    "monsieur": "m",
    "mme": "f",
    "madame": "f",
    "mlle": "f",
    "mademoiselle": "f",
}


def gender_of(candidate: Candidate) -> str | None:
    """The watchlist's gender, else what the aliases say ("Mme Martin" → "f")."""
    if candidate.gender:
        return candidate.gender
    for alias in candidate.aliases:
        words = WORD.findall(fold(alias)[0])
        if len(words) > 1 and words[0] in _CIVILITIES:
            return _CIVILITIES[words[0]]
    return None


@dataclass(frozen=True)
class Variant:
    """A spelling generated from a full name, and how it must be written to count."""

    words: tuple[str, ...]  # folded
    case: str = "any"
    dots: bool = True  # dots allowed between the words
    dotted: tuple[int, ...] = ()  # words that must be followed by a dot
    capitals: int = 0  # leading words that must be in capitals


def name_variants(name: str) -> list[Variant]:
    """Spellings of a full name the press uses, generated rather than typed: initials
    ("J.-B. Roy", "JB Roy", "C. Martin") and surname first ("ROY Jean-Baptiste",
    "Martin Hélène" in official lists). A name of one word has none."""
    parts = name.split()
    if len(parts) < 2:
        return []
    first, surname = parts[0], parts[1:]
    first_words = WORD.findall(fold(first)[0])
    surname_words = tuple(WORD.findall(fold(" ".join(surname))[0]))
    if not first_words or not surname_words:
        return []
    initials = tuple(word[0] for word in first_words)
    variants: list[Variant] = []
    if len(initials) > 1:
        # "J.-B. Roy", "J-B Roy", "J. B. Roy", "J.B. Roy": one word per initial…
        variants.append(Variant((*initials, *surname_words), capitals=len(initials)))
        # …and "JB Roy", the initials run together.
        variants.append(Variant(("".join(initials), *surname_words), capitals=1))
    elif initials[0] != "m":
        # "C. Martin", with its dot ("a Martin" is a verb and a name); "M. Martin" is
        # Monsieur Martin, whoever he is.
        variants.append(Variant((initials[0], *surname_words), dotted=(0,), capitals=1))
    # "ROY Jean-Baptiste", "Martin Hélène": capitalised, and no full stop inside.
    variants.append(Variant((*surname_words, *first_words), case="capitalised", dots=False))
    return variants
