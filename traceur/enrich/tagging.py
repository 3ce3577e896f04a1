"""Tagging: which candidates and topics a document mentions, where, and how often.

Names and aliases are matched on folded text (case, accents, apostrophe and dash
styles ignored) word by word, so "Jean-Baptiste", "jean baptiste" and "d’Élodie"
all match, on word boundaries only. A match that falls inside one of the
candidate's exclusion phrases ("Saint-Martin") does not count.

Candidates' names are often ordinary words or common surnames, so some spellings
need more than a match:

- Case. Acronyms ("JBR") count only as written; short aliases ("Roy") and ambiguous
  ones only capitalised ("Roy", "ROY", never "roy"); full names in any case.
- Context. An ambiguous alias ("Martin", "France") counts only when the document also
  names the candidate without ambiguity (full name, a plain alias, "J.-B. Roy"), or
  when a cue stands right next to it: a civility or title ("Mme Martin", "la candidate
  Martin", "Roy, le maire sortant") or one of the candidate's own cues (a party name).
- Vetoes. Whatever the context, an ambiguous alias does not count where the words
  around it make it something else: joined by a hyphen ("Saint-Martin", "Port-Royal"),
  next to another capitalised name ("Paul Martin", "Radio France", "Martin Luther"),
  after an article or preposition a surname never takes ("la France", "en France"),
  after a street or building ("rue Martin", "lycée Royal"), after another person's
  initial ("P. Martin"), or after a civility of the other gender ("M. Martin" is not
  Claire Martin).
- Variants generated from the full name: initials ("J.-B. Roy", "JB Roy", "C. Martin")
  and the surname-first order of official lists ("ROY Jean-Baptiste").

Matching walks a trie of folded name tokens over the document's words: the cost
grows with the text, not with the number of aliases; the checks above run on matches
only.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from traceur.config import default_settings
from traceur.document import Document, Mention, Snippet, Span
from traceur.enrich.query import evaluate, parse_cached
from traceur.textnorm import fold
from traceur.watchlist import Candidate, Topic, Watchlist

_WORD = re.compile(r"\w+")
# What may stand between two words of one name: spaces, a dash, an initial's dot, an
# apostrophe ("Anne d'Estrelles", folded from ’ too).
_SEPARATOR = re.compile(r"[\s.'\-]{1,4}")
# Between the surname and the first name of "ROY Jean-Baptiste": no dot, or "…Roy. Jean-Baptiste
# Lefort…" (two sentences) would read as one name.
_NO_DOT = re.compile(r"[\s'\-]{1,4}")
# Two words side by side in one phrase: blanks only (a comma or a full stop parts them).
_ADJACENT = re.compile(r"[ \t\u00a0\u202f]{1,3}")
_AFTER_CUE = re.compile(r"\s{0,2}[,(]?\s{1,2}")

# Capitalised words that start sentences or clauses without being names: next to an
# ambiguous alias they say nothing about it ("Selon Martin", "Et Roy ?").
_FUNCTION_WORDS = frozenset("""
    a apres alors aujourd aussi avant avec bien bravo car cependant certes chez comme contre
    d dans de depuis des donc du durant elle en enfin ensuite entre et face grace hier ici il
    je la le les lorsque lors mais malgre merci meme non nous on or ou oui par parce pendant
    pour pourquoi pourtant puis puisque quand que quant qui quoi sans sauf selon si sous sur
    toutefois tu un une vers voici voila vous y
    and but by for from says said the to with
""".split())
# Words after which a name is not a person's surname: articles, possessives and the
# prepositions of places ("la France", "en France", "sa Royal"…).
_DETERMINERS = frozenset("""
    le la les l un une des du au aux en ce cet cette ces sa son ses ma mon mes ta ton tes
    notre nos votre vos leur leurs toute toutes tout tous the in of
""".split())
# Nouns before a name that make it a place, a building or an institution ("rue Martin",
# "lycée Jean-Roy", "gare de Royal"); "de", "du", "des", "d'" may stand between.
_PLACE_WORDS = frozenset("""
    rue avenue av boulevard bd place quai allee impasse chemin route square cours pont parc
    jardin lycee college ecole gymnase stade salle residence cite quartier hopital clinique
    centre fondation musee hotel eglise chapelle gare station metro arret port ile mont val
    saint sainte st ste palais tour espace institut rond point
""".split())
# Nouns that make the name right after them a company, an event or a family ("groupe
# Royal", "famille Martin", "prix Roy"); with a "de" between, the name is a person's again
# ("le groupe de Royal" is her group at the council).
_NAMED_THINGS = frozenset("""
    marque groupe societe magasin boulangerie restaurant cafe brasserie famille prix trophee
    festival cabinet entreprise garage
""".split())
_PLACE_LINKS = frozenset({"de", "du", "des", "d", "la", "l"})
# Prepositions of places, one word away at most ("en France", "in central France").
_PLACE_PREPOSITIONS = frozenset({"en", "au", "aux", "in", "into", "across", "throughout", "within", "outside"})
# Civilities and titles that, right before or after an ambiguous alias, say it is a person
# (and which gender: "f", "m", or "" when the article decides: "la maire", "le maire").
_TITLES: dict[str, str] = {
    "m": "m", "monsieur": "m", "mme": "f", "madame": "f", "mlle": "f", "mademoiselle": "f",
    "candidat": "m", "candidate": "f", "depute": "m", "deputee": "f", "senateur": "m",
    "senatrice": "f", "president": "m", "presidente": "f", "conseiller": "m", "conseillere": "f",
    "elu": "m", "elue": "f", "adjoint": "m", "adjointe": "f", "chef": "m", "cheffe": "f",
    "rival": "m", "rivale": "f", "sortant": "m", "sortante": "f", "maire": "", "ministre": "",
    "secretaire": "", "edile": "", "liste": "", "parole": "", "camarade": "",
}
# Adjectives that may stand between a title and the name ("la candidate écologiste Martin").
_TITLE_ADJECTIVES = frozenset("""
    sortant sortante ecologiste socialiste centriste communiste insoumis insoumise republicain
    republicaine independant independante divers ancien ancienne actuel actuelle futur future
    regional regionale municipal municipale departemental departementale
""".split())
# Common first names (folded): in an all-capitals headline capitalisation tells nothing,
# so "PAUL MARTIN" is recognised as another Martin by his first name.
_FIRST_NAMES = frozenset("""
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
""".split())


@dataclass(frozen=True)
class _Entry:
    kind: str  # "candidate", "topic", or "exclude"
    owner: str  # candidate or topic id
    # How the matched words must be written (see _case_ok): any, capitalised, exact, initials.
    case: str = "any"
    # The alias's words with accents folded but case kept, for case "exact".
    written: tuple[str, ...] = ()
    ambiguous: bool = False
    # Whether a dot may separate the words (not in "ROY Jean-Baptiste": see _NO_DOT).
    dots: bool = True
    # Which of the words must be followed by a dot ("H. Martin", never "H Martin").
    dotted: tuple[int, ...] = ()
    # How many leading words must be in capitals (the initials of "J.-B. Roy", "JB Roy").
    capitals: int = 0
    how: str = "name"


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    entries: list[_Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Match:
    kind: str
    owner: str
    field: str
    start: int  # offsets in the original field text
    end: int
    # What made it count: "name", "alias", "variant", "ambiguous+context", "ambiguous+cue".
    how: str = ""


@dataclass
class TagResult:
    candidates: list[str]
    topics: list[str]
    mentions: dict[str, Mention]
    matches: list[Match]


@dataclass
class _Hit:
    """A match before the document-wide decision on ambiguous aliases."""

    match: Match
    ambiguous: bool
    # Why the words around it make it something else ("" when nothing does); a veto
    # "homonym:paul" names another bearer of the name ("Paul Martin").
    veto: str = ""
    cued: bool = False
    # Written without the capitals the alias needs: counts only after a civility or title.
    lowercase: bool = False


@dataclass(frozen=True)
class _Cue:
    words: tuple[str, ...]
    written: tuple[str, ...]  # case kept, for acronym cues ("AC" is not "ac")
    exact: bool


class _Field:
    """One field's text, folded, cut into words, with what the checks need about each word."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded, self.origin = fold(text)
        matches = list(_WORD.finditer(self.folded))
        self.starts = [m.start() for m in matches]
        self.ends = [m.end() for m in matches]
        self.words = [m.group() for m in matches]

    def original(self, index: int) -> str:
        """Word ``index`` as written (case and accents kept)."""
        return self.text[self.origin[self.starts[index]] : self.origin[self.ends[index] - 1] + 1]

    def gap(self, left: int) -> str:
        """The folded text between word ``left`` and the next one."""
        return self.folded[self.ends[left] : self.starts[left + 1]]


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _is_acronym(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return " " not in text.strip() and 2 <= len(letters) <= 4 and all(c.isupper() for c in letters)


def _auto_case(text: str, ambiguous: bool) -> str:
    """The case rule an alias gets when the watchlist says ``case: auto``."""
    words = _WORD.findall(text)
    if _is_acronym(text):
        return "exact"
    if ambiguous or (len(words) == 1 and len(words[0]) <= 4):
        return "capitalised"
    return "any"


_CIVILITIES = {"m": "m", "monsieur": "m", "mme": "f", "madame": "f", "mlle": "f", "mademoiselle": "f"}


def _gender(candidate: Candidate) -> str | None:
    """The watchlist's gender, else what the aliases say ("Mme Martin" → "f")."""
    if candidate.gender:
        return candidate.gender
    for alias in candidate.aliases:
        words = _WORD.findall(fold(alias)[0])
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
    first_words = _WORD.findall(fold(first)[0])
    surname_words = tuple(_WORD.findall(fold(" ".join(surname))[0]))
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


def matches_topic(topic: Topic, title: str, text: str, by_keywords: bool = False, lang: str | None = None) -> bool:
    """Whether a document is about ``topic``.

    A topic with a ``query`` is about the documents its query matches (in the topic's
    languages, when it names some and ``lang`` is known); without one, its keywords decide:
    ``by_keywords`` is what the tagger found.
    """
    if topic.query is None:
        return by_keywords
    if lang is not None and topic.lang and lang not in topic.lang:
        return False
    return evaluate(parse_cached(topic.query), title, text)


class Tagger:
    """Tags texts with a watchlist's candidates and topics."""

    def __init__(self, watchlist: Watchlist, snippet_chars: int | None = None, max_snippets: int | None = None) -> None:
        defaults = default_settings()
        self.snippet_chars = defaults.snippet_chars if snippet_chars is None else snippet_chars
        self.max_snippets = defaults.max_snippets if max_snippets is None else max_snippets
        self._order = [c.id for c in watchlist.candidates] + [t.id for t in watchlist.topics]
        self._candidate_ids = {c.id for c in watchlist.candidates}
        self._topic_lang = {t.id: t.lang for t in watchlist.topics if t.lang}
        self._topics = watchlist.topics
        self._gender: dict[str, str | None] = {}
        self._cues: dict[str, list[_Cue]] = {}
        self._root = _Node()
        for candidate in watchlist.candidates:
            self._add_candidate(candidate)
        for topic in watchlist.topics:
            for keyword in topic.keywords:
                self._add(keyword, _Entry("topic", topic.id, how="keyword"))
            for phrase in topic.exclude:
                self._add(phrase, _Entry("exclude", topic.id))
        self.alias_count = sum(len(c.names) for c in watchlist.candidates)

    def _add_candidate(self, candidate: Candidate) -> None:
        self._gender[candidate.id] = _gender(candidate)
        self._cues[candidate.id] = [
            _Cue(tuple(_WORD.findall(fold(cue)[0])), tuple(_WORD.findall(_strip_accents(cue))), _is_acronym(cue))
            for cue in candidate.cues
        ]
        self._add(candidate.name, _Entry("candidate", candidate.id, how="name"))
        for text in candidate.aliases:
            option = candidate.alias(text)
            case = _auto_case(text, option.ambiguous) if option.case == "auto" else option.case
            written = tuple(_WORD.findall(_strip_accents(text)))
            self._add(text, _Entry("candidate", candidate.id, case, written, option.ambiguous, how="alias"))
        if candidate.variants:
            for variant in name_variants(candidate.name):
                entry = _Entry("candidate", candidate.id, variant.case, (), False, variant.dots, variant.dotted,
                               variant.capitals, "variant")
                self._add_words(variant.words, entry)
        for phrase in candidate.exclude:
            self._add(phrase, _Entry("exclude", candidate.id))

    def _add(self, phrase: str, entry: _Entry) -> None:
        self._add_words(tuple(_WORD.findall(fold(phrase)[0])), entry)

    def _add_words(self, tokens: Sequence[str], entry: _Entry) -> None:
        if not tokens:
            return
        node = self._root
        for token in tokens:
            node = node.children.setdefault(token, _Node())
        if entry not in node.entries:
            node.entries.append(entry)

    # -- matching one field ------------------------------------------------------------

    def _raw(self, f: _Field) -> list[tuple[int, int, _Entry]]:
        """Every trie match as (first word, last word, entry); the hot loop."""
        words, starts, folded = f.words, f.starts, f.folded
        ends = f.ends
        children = self._root.children
        separator = _SEPARATOR.fullmatch
        raw: list[tuple[int, int, _Entry]] = []
        count = len(words)
        for i, token in enumerate(words):
            node = children.get(token)
            j = i
            while node is not None:
                for entry in node.entries:
                    raw.append((i, j, entry))
                if not node.children or j + 1 >= count:
                    break
                if not separator(folded, ends[j], starts[j + 1]):
                    break
                j += 1
                node = node.children.get(words[j])
        return raw

    def _written(self, f: _Field, i: int, j: int, entry: _Entry) -> str:
        """Whether words i..j are written the way ``entry`` requires: "ok", "no", or
        "lowercase" (right but for capitals a "capitalised" alias needs)."""
        if not entry.dots and any(not _NO_DOT.fullmatch(f.gap(k)) for k in range(i, j)):
            return "no"
        for position in entry.dotted:
            k = i + position
            if f.folded[f.ends[k] : f.ends[k] + 1] != ".":
                return "no"
        for k in range(i, min(j + 1, i + entry.capitals)):
            if not f.original(k).isupper():
                return "no"
        case = entry.case
        if case == "any":
            return "ok"
        if case == "exact":
            return "ok" if tuple(_strip_accents(f.original(k)) for k in range(i, j + 1)) == entry.written else "no"
        # capitalised: every word starts with a capital ("Roy", "ROY", not "roy").
        return "ok" if all(f.original(k)[:1].isupper() for k in range(i, j + 1)) else "lowercase"

    def _hits(self, f: _Field, field_name: str) -> list[_Hit]:
        raw = self._raw(f)
        if not raw:
            return []
        excluded = [(i, j, entry.owner) for i, j, entry in raw if entry.kind == "exclude"]
        kept: list[tuple[int, int, _Entry]] = []
        lowercase: set[tuple[int, int, _Entry]] = set()
        for i, j, entry in raw:
            if entry.kind == "exclude":
                continue
            if any(owner == entry.owner and s <= i and j <= e for s, e, owner in excluded):
                continue
            written = self._written(f, i, j, entry)
            if written == "no" or (written == "lowercase" and not entry.ambiguous):
                continue
            if written == "lowercase":
                # Automatic captions and some forums have no capitals at all: "madame martin"
                # still names her, a bare "martin" or "royal" says nothing.
                lowercase.add((i, j, entry))
            kept.append((i, j, entry))
        # Of overlapping matches for one owner ("Claire Martin" and "Martin"), keep the
        # longest; of two equal ones, the unambiguous.
        kept.sort(key=lambda m: (m[0], -(m[1] - m[0]), m[2].ambiguous))
        named: dict[int, str] = {}
        for i, j, entry in kept:
            if entry.kind == "candidate":
                for k in range(i, j + 1):
                    named.setdefault(k, entry.owner)
        hits: list[_Hit] = []
        last_end: dict[str, int] = {}
        for i, j, entry in kept:
            if i <= last_end.get(entry.owner, -1):
                continue
            last_end[entry.owner] = j
            start, end = f.origin[f.starts[i]], f.origin[f.ends[j] - 1] + 1
            hit = _Hit(Match(entry.kind, entry.owner, field_name, start, end, entry.how), entry.ambiguous)
            if entry.ambiguous:
                hit.veto = self._veto(f, i, j, entry.owner, named)
                hit.lowercase = (i, j, entry) in lowercase
                hit.cued = not hit.veto and self._cued(f, i, j, entry.owner, titles_only=hit.lowercase)
            hits.append(hit)
        return hits

    # -- ambiguous aliases -------------------------------------------------------------

    def _veto(self, f: _Field, i: int, j: int, owner: str, named: dict[int, str]) -> str:
        """Why the words around i..j make the alias something other than the candidate
        ("" when nothing does). ``named``: word → candidate, for the words of every match."""
        folded = f.folded
        before = folded[f.starts[i] - 2 : f.starts[i]] if f.starts[i] >= 2 else ""
        after = folded[f.ends[j] : f.ends[j] + 2]
        # Joined by a hyphen to another word: "Saint-Martin", "Port-Royal", "Île-de-France";
        # but "le duel Roy-Martin" joins two candidates.
        if len(before) == 2 and before[1] == "-" and before[0].isalnum() and named.get(i - 1, owner) == owner:
            return "hyphen"
        if len(after) == 2 and after[0] == "-" and after[1].isalnum() and named.get(j + 1, owner) == owner:
            return "hyphen"
        if i > 0:
            previous = f.words[i - 1]
            gap = f.gap(i - 1)
            adjacent = bool(_ADJACENT.fullmatch(gap))
            # "la France", "en France", "across France": no surname takes an article, nor
            # a preposition of places.
            if (adjacent or gap == "'") and (previous in _DETERMINERS or previous in _PLACE_PREPOSITIONS):
                return "determiner"
            # "in central France", "en Haute France".
            if i > 1 and adjacent and f.words[i - 2] in _PLACE_PREPOSITIONS and _ADJACENT.fullmatch(f.gap(i - 2)):
                return "determiner"
            written = f.original(i - 1)
            if previous in _TITLES:
                # "M. Martin" for Claire Martin is someone else.
                gender = self._title_gender(f, i - 1)
                wanted = self._gender.get(owner)
                if gender and wanted and gender != wanted:
                    return "gender"
            elif len(previous) == 1 and written.isupper() and folded[f.ends[i - 1] : f.ends[i - 1] + 1] == ".":
                # Another person's initial: "P. Martin" (the candidate's own is a variant).
                return f"homonym:{previous}."
            elif adjacent and written[:1].isupper() and previous not in _FUNCTION_WORDS:
                # Next to another name: "Paul Martin", "Radio France". In capitals, only a
                # first name tells ("PAUL MARTIN"); "TRIBUNE MARTIN" says nothing.
                if not written.isupper() or previous in _FIRST_NAMES:
                    return f"homonym:{previous}"
            if self._after_place(f, i):
                return "place"
            # A dateline names a place: "BRENNAC, France —" opening a wire story.
            if i <= 3 and gap.strip() == "," and written.isupper() and len(written) > 1:
                return "dateline"
        if j + 1 < len(f.words) and _ADJACENT.fullmatch(f.gap(j)):
            following = f.original(j + 1)
            # "Martin Luther", "France Inter", "France 2", "Royal Canin".
            if following[:1].isdigit():
                return "following"
            if following[:1].isupper() and not following.isupper() and f.words[j + 1] not in _FUNCTION_WORDS:
                if named.get(j + 1, owner) == owner:
                    return "following"
        return ""

    @staticmethod
    def _after_place(f: _Field, i: int) -> bool:
        """"rue Martin", "lycée Jean-Roy", "avenue de France", "place du Roy"."""
        if i > 0 and f.words[i - 1] in _NAMED_THINGS and _ADJACENT.fullmatch(f.gap(i - 1)):
            return True
        k = i - 1
        # Skip up to two linking words ("de", "de la", "d'").
        for _ in range(2):
            if k >= 0 and f.words[k] in _PLACE_LINKS:
                k -= 1
        if k < 0 or f.words[k] not in _PLACE_WORDS:
            return False
        # One phrase, not "…sur la place. Martin…".
        return all(_SEPARATOR.fullmatch(f.gap(n)) and "." not in f.gap(n) for n in range(k, i))

    def _title_gender(self, f: _Field, k: int) -> str:
        """The gender the title at word k says, from its form or its article ("la maire")."""
        gender = _TITLES.get(f.words[k], "")
        if gender:
            return gender
        if k > 0 and f.words[k - 1] in ("la", "le"):
            return "f" if f.words[k - 1] == "la" else "m"
        return ""

    def _cued(self, f: _Field, i: int, j: int, owner: str, titles_only: bool = False) -> bool:
        """Whether a civility, a title or one of the candidate's cues stands next to i..j
        (with ``titles_only``, a civility or title right before it)."""
        wanted = self._gender.get(owner)
        # Before: "Mme Martin", "la candidate Martin", "le maire sortant Roy".
        k = i - 1
        if k >= 0 and f.words[k] in _TITLE_ADJECTIVES and _ADJACENT.fullmatch(f.gap(k)):
            k -= 1
        if k >= 0 and f.words[k] in _TITLES and _SEPARATOR.fullmatch(f.gap(k)):
            gender = self._title_gender(f, k)
            if not (gender and wanted and gender != wanted):
                return True
        if titles_only:
            return False
        # After: "Martin, la candidate écologiste", "Roy (le maire sortant)".
        k = j + 1
        if k < len(f.words) and _AFTER_CUE.fullmatch(f.gap(j)):
            if f.words[k] in ("la", "le", "l") and k + 1 < len(f.words):
                k += 1
            if f.words[k] in _TITLES and f.words[k] not in ("m", "liste", "parole", "camarade"):
                gender = self._title_gender(f, k)
                if not (gender and wanted and gender != wanted):
                    return True
        # The candidate's own cues (party, list, office) within a few words either side.
        cues = self._cues.get(owner)
        if cues:
            low, high = max(0, i - 12), min(len(f.words), j + 13)
            window = f.words[low:high]
            for cue in cues:
                size = len(cue.words)
                for start in range(len(window) - size + 1):
                    if tuple(window[start : start + size]) == cue.words:
                        if cue.exact and tuple(_strip_accents(f.original(low + start + n)) for n in range(size)) != cue.written:
                            continue
                        return True
        return False

    def _resolve(self, hits: Iterable[_Hit]) -> list[Match]:
        """Keep unambiguous matches, and ambiguous ones with a cue or context in these hits.

        Context: the candidate named without ambiguity in the same document, more often
        than any other bearer of the name it also names ("Lucien Roy", twice, in a story
        about the rugby club, makes a bare "Roy" his, not the mayor's).
        """
        hits = list(hits)
        named: dict[str, int] = {}
        others: dict[str, dict[str, int]] = {}
        for hit in hits:
            if not hit.ambiguous:
                named[hit.match.owner] = named.get(hit.match.owner, 0) + 1
            elif hit.veto.startswith("homonym:"):
                bearers = others.setdefault(hit.match.owner, {})
                bearers[hit.veto] = bearers.get(hit.veto, 0) + 1
        result: list[Match] = []
        for hit in hits:
            match = hit.match
            if hit.ambiguous:
                if hit.veto or (hit.lowercase and not hit.cued):
                    continue
                if hit.cued:
                    match = Match(match.kind, match.owner, match.field, match.start, match.end, "ambiguous+cue")
                elif named.get(match.owner, 0) > max(others.get(match.owner, {}).values(), default=0):
                    match = Match(match.kind, match.owner, match.field, match.start, match.end, "ambiguous+context")
                else:
                    continue
            result.append(match)
        return result

    # -- public ------------------------------------------------------------------------

    def find(self, text: str, field_name: str = "text") -> list[Match]:
        """Every counted match in ``text`` (exclusions applied), in reading order; ``text``
        is the whole context ambiguous aliases get."""
        return self._resolve(self._hits(_Field(text), field_name))

    def snippet(self, text: str, start: int, end: int, field_name: str) -> Snippet:
        """Up to ``snippet_chars`` on each side, cut at word boundaries."""
        left = max(0, start - self.snippet_chars)
        right = min(len(text), end + self.snippet_chars)
        if left > 0:
            space = text.find(" ", left, start)
            left = space + 1 if space != -1 else left
        if right < len(text):
            space = text.rfind(" ", end, right)
            right = space if space != -1 else right
        raw = text[left:right]
        prefix = "…" if left > 0 else ""
        suffix = "…" if right < len(text) else ""
        # Collapse whitespace but keep the match offsets right.
        before = " ".join(raw[: start - left].split())
        match = " ".join(raw[start - left : end - left].split())
        after = " ".join(raw[end - left :].split())
        head = prefix + before + (" " if before and raw[start - left - 1 : start - left].isspace() else "")
        tail = (" " if after and raw[end - left : end - left + 1].isspace() else "") + after + suffix
        return Snippet(head + match + tail, len(head), len(head) + len(match), field_name)

    def tag(self, title: str, text: str, lang: str | None = None) -> TagResult:
        """Tag a document's title and text together (an ambiguous alias in the text counts
        when the title names the candidate). ``lang``: topics restricted to other languages
        are left out; an unknown language keeps them."""
        hits = self._hits(_Field(title), "title") + self._hits(_Field(text), "text")
        matches = self._resolve(hits)
        if lang is not None and self._topic_lang:
            matches = [m for m in matches if lang in self._topic_lang.get(m.owner, (lang,))]
        counts: dict[str, int] = {}
        snippets: dict[str, list[Snippet]] = {}
        spans: dict[str, list[Span]] = {}
        for match in matches:
            counts[match.owner] = counts.get(match.owner, 0) + 1
            spans.setdefault(match.owner, []).append(Span(match.field, match.start, match.end))
            kept = snippets.setdefault(match.owner, [])
            if len(kept) < self.max_snippets:
                source = title if match.field == "title" else text
                kept.append(self.snippet(source, match.start, match.end, match.field))
        # A topic with a boolean query is decided by its query; the others by their keywords.
        topics = [t.id for t in self._topics if matches_topic(t, title, text, t.id in counts, lang)]
        ordered = [ident for ident in self._order if ident in counts and (ident in self._candidate_ids or ident in topics)]
        return TagResult(
            candidates=[i for i in ordered if i in self._candidate_ids],
            topics=topics,
            mentions={ident: Mention(counts[ident], tuple(snippets[ident]), tuple(spans[ident])) for ident in ordered},
            matches=matches,
        )

    def apply(self, document: Document) -> Document:
        """Set ``candidates``, ``topics`` and ``mentions`` on ``document`` (and return it).

        A reply in a forum thread and a reader's comment carry the thread's (or the post's)
        title for display, but their authors did not write it: only their own text counts.
        """
        inherited_title = document.kind == "comment" or (document.kind == "forum_post" and (document.position or 1) > 1)
        result = self.tag("" if inherited_title else document.title, document.text, document.lang)
        document.candidates = result.candidates
        document.topics = result.topics
        document.mentions = result.mentions
        return document
