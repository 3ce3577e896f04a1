"""Pages made of repeated posts (forum threads, comment lists): find the post bodies.

Main-content extractors keep one block of a page and drop the rest as boilerplate,
which on a forum thread throws away most of the posts. Here the posts are found by
their markup: the repeated element (same tag and class) that holds most of the
page's text, narrowed to the repeated element inside it that holds the message itself
(without the author's profile box) when there is one.
"""

from __future__ import annotations

from collections import defaultdict

import lxml.html

_DROP = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "template",
    "svg",
)
MIN_POST_CHARS = 15


def _text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def groups(root: lxml.html.HtmlElement) -> dict[tuple[str, str], list[lxml.html.HtmlElement]]:
    groups: dict[tuple[str, str], list[lxml.html.HtmlElement]] = defaultdict(list)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        classes = " ".join(sorted((element.get("class") or "").split()))
        if not classes:
            continue
        groups[(element.tag, classes)].append(element)
    return groups


def total(elements: list[lxml.html.HtmlElement]) -> int:
    return sum(len(_text(e)) for e in elements)


def is_ancestor(ancestor: lxml.html.HtmlElement, element: lxml.html.HtmlElement) -> bool:
    parent = element.getparent()
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.getparent()
    return False


def usable(elements: list[lxml.html.HtmlElement]) -> list[lxml.html.HtmlElement]:
    # Nested members (a quote styled like a post) would count their text twice.
    outer = [e for e in elements if not any(o is not e and is_ancestor(o, e) for o in elements)]
    return [e for e in outer if len(_text(e)) >= MIN_POST_CHARS]


def find_post_blocks(html: str) -> list[lxml.html.HtmlElement]:
    """The post bodies of a thread-like page, in page order; [] when there is no repetition."""
    try:
        root = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return []
    for element in root.xpath("|".join(f"//{tag}" for tag in _DROP)):
        element.drop_tree()
    candidates = {key: usable(members) for key, members in groups(root).items()}
    candidates = {key: members for key, members in candidates.items() if len(members) >= 2}
    if not candidates:
        return []
    best = max(candidates.values(), key=total)
    best_total = total(best)
    page_total = len(_text(root))
    if page_total == 0 or best_total < 0.3 * page_total:
        return []
    # Narrow to the message bodies: a group whose members sit one per post and still
    # hold most of the posts' text.
    while True:
        inner = [
            members
            for members in candidates.values()
            if members is not best
            and len(members) == len(best)
            and all(is_ancestor(b, m) for b, m in zip(best, members, strict=True))
            and total(members) >= 0.6 * total(best)
        ]
        if not inner:
            return best
        best = max(inner, key=total)


def post_texts(html: str) -> list[str]:
    """The text of each post (line breaks kept)."""
    texts = []
    for block in find_post_blocks(html):
        for br in block.iter("br"):
            br.tail = "\n" + (br.tail or "")
        lines = [" ".join(line.split()) for line in block.text_content().splitlines()]
        texts.append("\n".join(line for line in lines if line))
    return texts
