"""Quoted text of earlier posts, kept apart from the quoting author's own words, so a
quote of someone else is never tagged as theirs.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable

import lxml.html

from traceur.parse.html import html_text, squash
from traceur.parse.posts import is_ancestor
from traceur.textnorm import fold_plain

Finder = Callable[[lxml.html.HtmlElement], list[lxml.html.HtmlElement]]


def xpath_finder(xpath: str) -> Finder:
    def find(element: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
        return list(element.xpath(xpath))

    return find


def split_quotes(
    content: lxml.html.HtmlElement,
    quote: Finder,
    citation: Finder,
    junk_xpath: str | None = None,
) -> tuple[str, tuple[str, ...]]:
    """(the author's own words, the quoted texts) of a message element.

    Every quote block, nested ones included, gives one entry of ``quotes`` with its own
    text only (the quote it quotes is its own entry, and the "X a écrit :" line is
    dropped). The message text keeps everything outside the outermost quotes."""
    content = copy.deepcopy(content)
    if junk_xpath:
        for node in content.xpath(junk_xpath):
            node.drop_tree()
    quote_nodes = quote(content)
    quotes: list[str] = []
    for node in quote_nodes:
        own = copy.deepcopy(node)
        for inner in quote(own):
            if inner is not own:
                inner.drop_tree()
        for cite in citation(own):
            if cite is not own:
                cite.drop_tree()
        text = html_text(own)
        if text:
            quotes.append(text)
    for node in quote_nodes:
        if not any(other is not node and is_ancestor(other, node) for other in quote_nodes):
            node.drop_tree()
    return html_text(content), tuple(quotes)


_QUOTE_CLASS = re.compile(
    r"^(?:[a-z0-9]+[-_])*(?:quote|citation|cite)(?:[-_]?(?:box|block|content|container|wrap|message|text))?$",
    re.I,
)


def generic_quotes(content: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    # Unknown engines: <blockquote>, a long <q>, or an element whose class *is* a quote
    # ("quote", "citation", "post-quote", "quotecontent"), not one that merely names a
    # part of it ("citation-auteur", "quotetitle": those are attributions).
    found = []
    for node in content.iterdescendants():
        if not isinstance(node.tag, str):
            continue
        if (
            node.tag == "blockquote"
            or (node.tag == "q" and len(squash(node.text_content())) > 20)
            or any(_QUOTE_CLASS.match(token) for token in (node.get("class") or "").split())
        ):
            found.append(node)
    # "ipsQuote_citation" looks like a quote by its name but is a quote's attribution line.
    return [
        node
        for node in found
        if not any(
            other is not node and is_ancestor(other, node) and node in generic_citations(other)
            for other in found
        )
    ]


_ATTRIBUTION = re.compile(
    r"(a ecrit|ecrivait|a dit|wrote|said|citation de|posted by|poste par)\s*:?\s*$"
)
_ATTRIBUTION_CLASS = re.compile(
    r"title|titre|auteur|author|cite|citation|header|posted|source|expandlink|expand-link", re.I
)


def generic_citations(quote: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    # Unknown engines label quotes in many ways: a <cite>, a child with a telling class,
    # or a bold first line ending in "a écrit :".
    found: list[lxml.html.HtmlElement] = list(quote.xpath(".//cite"))
    for child in quote.iterdescendants():
        if not isinstance(child.tag, str) or child in found:
            continue
        if _ATTRIBUTION_CLASS.search(child.get("class") or "") or (
            child.tag in ("b", "strong", "span", "div", "p")
            and len(squash(child.text_content())) < 80
            and _ATTRIBUTION.search(fold_plain(squash(child.text_content())))
        ):
            found.append(child)
    return found
