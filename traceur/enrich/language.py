"""Which language a document is written in, from its most common words.

A veille crawl meets French pages mostly, and English, German, Spanish, Italian, Dutch
or Portuguese ones on the same sites (a press agency's foreign desk, a forum's
international section). Telling them apart needs no model: each language's function
words ("le", "the", "der", "el", "il", "het", "o"…) make up a large share of any running
text, so counting them over the first few thousand words is enough for a page of
prose. Words several languages share ("de", "la", "en") count for each of them, split
between them, so they never decide alone.

Short texts (a title, a one-line comment) are left undecided (None): guessing there
would drop good documents from sources restricted to a language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from traceur.textnorm import fold_plain

# Function words, accent-folded like the text they are compared with. Chosen for being
# frequent in running prose (press, forums, captions); a word in several lists is shared.
_PROFILES: dict[str, str] = {
    "fr": """le la les des du de un une et est pour que qui dans sur avec pas ce cette ces au aux
        nous vous elle il ils elles ont sont mais ou donc ne plus par se sa son ses leur leurs ete
        etre fait tres aussi comme tout tous sans chez depuis apres avant selon dont lui je on
        etait avait sera peut ainsi encore notre votre quand meme deux""",
    "en": """the and is are for that with this was were have has not but you they from which of to
        in on it be by at as an or his her their there been will would can could about into than
        them what when who all more one also other said after its our we had""",
    "de": """der die das und ist nicht ein eine einen dem den des mit von zu auf fur sich auch es im
        wird werden sind war wurde bei nach aus wie oder aber nur noch so hat haben sie er wir ich
        ihr dass um uber zum zur vor durch kann einer eines schon""",
    "es": """el la los las de del y que en un una es por con para no se su sus al lo como mas pero
        fue ha son esta tambien entre sobre este o cuando muy sin ya hay desde todo ser le les nos
        estan han sido porque""",
    "it": """il lo la le gli di del della delle dei degli che e un una per con non si sono al alla
        nel nella da dal anche come piu ma ha hanno questo questa sul sulla essere stato tra fra ci
        quando dopo molto ancora""",
    "nl": """de het een en van is dat die in op te met zijn niet voor er aan ook als bij door maar
        om wordt werd worden nog naar uit hij ze zij wij deze dit heeft hebben over tot was kan
        geen meer""",
    "pt": """o a os as de do da dos das em no na nos nas um uma que e para com por nao se mais mas
        foi ao aos como seu sua tambem ser esta sao pelo pela entre ja muito quando ou""",
}
LANGUAGES: tuple[str, ...] = tuple(_PROFILES)
LANGUAGE_NAMES = {
    "fr": "French",
    "en": "English",
    "de": "German",
    "es": "Spanish",
    "it": "Italian",
    "nl": "Dutch",
    "pt": "Portuguese",
}


def _weights(profiles: dict[str, str]) -> dict[str, tuple[tuple[str, float], ...]]:
    """word → ((language, weight), …): a word k languages share weighs 1/k in each."""
    owners: dict[str, list[str]] = {}
    for code, words in profiles.items():
        for word in set(words.split()):
            owners.setdefault(word, []).append(code)
    return {
        word: tuple((code, 1.0 / len(codes)) for code in codes) for word, codes in owners.items()
    }


_WEIGHTS = _weights(_PROFILES)
_WORD = re.compile(r"[^\W\d_]+")
# Enough running text to recognise a language from its function words.
MIN_WORDS = 12
MIN_SCORE = 3.0
# The winner must lead the runner-up by this factor, or the text stays undecided.
MIN_LEAD = 1.5
# The first words say it all; reading more only costs time on long pages.
_SAMPLE_CHARS = 20000


def language_scores(text: str) -> dict[str, float]:
    """Each language's weighted count of function words in ``text`` (languages without any
    omitted)."""
    scores: dict[str, float] = {}
    for word in _WORD.findall(fold_plain(text[:_SAMPLE_CHARS])):
        for code, weight in _WEIGHTS.get(word, ()):
            scores[code] = scores.get(code, 0.0) + weight
    return scores


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of ``text``'s language (one of ``LANGUAGES``), or None when the
    text is too short or too mixed to tell."""
    if len(_WORD.findall(text[:2000])) < MIN_WORDS:
        return None
    scores = language_scores(text)
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    best, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if score < MIN_SCORE or score < MIN_LEAD * runner_up:
        return None
    return best


def document_language(title: str, text: str, declared: str | None) -> str | None:
    """What a document is written in: what its words say, else what its page declared.

    Pages often declare a language their template was made for (``<html lang="en">`` on
    a French WordPress blog), so the text has the last word whenever it is long enough.
    """
    detected = detect_language(f"{title}\n{text}")
    if detected is not None:
        return detected
    if declared:
        return declared.split("-")[0].split("_")[0].strip().lower() or None
    return None


def accepts(languages: Iterable[str], lang: str | None) -> bool:
    """Whether a document in ``lang`` passes a restriction to ``languages``.

    No restriction passes everything; a document whose language is unknown passes too,
    since dropping it would lose what cannot be checked.
    """
    wanted = tuple(languages)
    return not wanted or lang is None or lang in wanted
