"""Links read from a parsed page: what a site crawl can follow."""

from __future__ import annotations

from traceur.parse.html import parse_html
from traceur.parse.links import page_links

PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>Rubrique Politique – La Dépêche du Bocage</title></head><body>
<nav><a href="/">Accueil</a> <a href="/politique/">Politique</a>
<a href="javascript:void(0)">Menu</a> <a href="mailto:redaction@depeche-bocage.example">Écrire</a>
<a href="tel:+33200000000">Standard</a></nav>
<ul class="teasers">
<li><a href="articles/conseil-du-12-mars.html#commentaires">Le conseil du 12 mars</a></li>
<li><a href="http://www.depeche-bocage.example:8081/articles/budget.html">Budget voté</a></li>
<li><a href="//cdn.depeche-bocage.example/pdf/ordre-du-jour.pdf">Ordre du jour (PDF)</a></li>
<li><a href="articles/conseil-du-12-mars.html">Le conseil du 12 mars (doublon)</a></li>
</ul>
<map name="carte"><area href="/cantons/bocage-nord.html" alt="Bocage nord"></map>
<a href="ftp://archives.depeche-bocage.example/">Archives FTP</a>
<a>Sans lien</a>
</body></html>"""


def test_links_are_absolute_distinct_in_page_order_and_web_only() -> None:
    root = parse_html(PAGE)
    assert root is not None
    assert page_links(root, "http://www.depeche-bocage.example:8081/politique/") == [
        "http://www.depeche-bocage.example:8081/",
        "http://www.depeche-bocage.example:8081/politique/",
        "http://www.depeche-bocage.example:8081/politique/articles/conseil-du-12-mars.html",
        "http://www.depeche-bocage.example:8081/articles/budget.html",
        "http://cdn.depeche-bocage.example/pdf/ordre-du-jour.pdf",
        "http://www.depeche-bocage.example:8081/cantons/bocage-nord.html",
    ]


def test_a_base_element_decides_what_relative_links_resolve_against() -> None:
    root = parse_html(
        '<html><head><base href="https://forum.bocage.example/forum/"></head>'
        '<body><a href="showthread.php?t=12">Sujet</a></body></html>'
    )
    assert root is not None
    assert page_links(root, "https://forum.bocage.example/index.php") == [
        "https://forum.bocage.example/forum/showthread.php?t=12"
    ]
