"""A message found by repetition, cleaned of what the software adds to it (signatures,
edit notes, buttons and like counters, "X a écrit :" lines), and its quotes' labels.
"""

from __future__ import annotations

import copy
import re

import lxml.html

from traceur.parse.forums.jsondata import drop_quote_lead_ins
from traceur.parse.forums.quotes import generic_citations
from traceur.parse.html import spaced_text, squash
from traceur.textnorm import fold_plain

# What a post's buttons and counters say: nobody's words. Folded (no accents, lower case).
_ACTION_WORDS = frozenset(
    (
        "repondre citer citation signaler modifier editer supprimer effacer partager aime "
        "j'aime jaime like likes merci remercier remerciements remonter multi-citation "
        "multiquote quote reply report edit delete share avertir moderer alerter"
    ).split()
)
_EDIT_NOTE = re.compile(
    r"^(?:derniere (?:edition|modification)|(?:message )?(?:modifie|edite)|edited)\b.{0,160}$"
)
_SIGNATURE = re.compile(r"signature|(?:^|[\s_-])sig(?:$|[\s_-])", re.I)


# "Citation", "Quote", "Zitat" heading a quote, the quoted author on the next line.
_QUOTE_LABEL = re.compile(r"^(?:citation|citer|quote|zitat|cita)\b")


def labelled_citations(quote: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """A quote's attribution: what quotes.generic_citations knows, or a short first
    element that starts with a quote label ("Citation<br>Bob")."""
    found = generic_citations(quote)
    # The innermost element the quote opens with (<div><small>Citation<br>Bob</small>…).
    first = quote
    while not (first.text or "").strip():
        children = [child for child in first if isinstance(child.tag, str)]
        if not children:
            break
        first = children[0]
    label = fold_plain(spaced_text(first))
    if first is not quote and first not in found and len(label) <= 80 and _QUOTE_LABEL.match(label):
        found.append(first)
    return found


def _is_action_bar(node: lxml.html.HtmlElement) -> bool:
    """A row of buttons or counters ("Répondre Citer Signaler", "J'aime 3")."""
    if not node.xpath(".//a | .//button | .//span") and node.tag not in ("a", "button"):
        return False
    words = re.findall(r"[a-z'+-]+", fold_plain(squash(node.text_content())))
    return bool(words) and all(word in _ACTION_WORDS for word in words)


def without_boilerplate(body: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """A copy of a message without what the software adds to it: signatures, edit
    notes, buttons and like counters, and the "X a écrit :" line above a quote."""
    body = copy.deepcopy(body)
    for node in list(body.iterdescendants()):
        if not isinstance(node.tag, str) or node.getparent() is None:
            continue
        marks = " ".join(filter(None, (node.get("class"), node.get("id"))))
        text = fold_plain(squash(node.text_content()))
        if (
            _SIGNATURE.search(marks)
            or (node.tag != "blockquote" and _is_action_bar(node))
            or (len(text) < 200 and _EDIT_NOTE.match(text))
        ):
            node.drop_tree()
    drop_quote_lead_ins(body)
    return body
