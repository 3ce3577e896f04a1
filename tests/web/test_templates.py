"""The templates keep to the Content-Security-Policy: no inline script, no style attribute,
no event-handler attribute (the browser would refuse them, and a volunteer would see a page
half working). Checked on every template, whoever adds one."""

from __future__ import annotations

import re

import pytest

from traceur.web.templating import TEMPLATES_DIR

TEMPLATES = sorted(TEMPLATES_DIR.glob("*.html"))
FORBIDDEN = {
    "a style attribute (use a class in static/style.css)": re.compile(r"\sstyle\s*=", re.I),
    "an inline script (use a file in static/)": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I),
    "an event-handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
    "output marked safe (escape, then build Markup in Python)": re.compile(r"\|\s*safe\b"),
}


def test_there_are_templates_to_check() -> None:
    assert {"base.html", "connexion.html", "erreur.html"} <= {path.name for path in TEMPLATES}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_template_has_no_inline_script_style_or_handler(template: object) -> None:
    text = template.read_text(encoding="utf-8")  # type: ignore[attr-defined]
    found = [why for why, pattern in FORBIDDEN.items() if pattern.search(text)]
    assert not found, f"{template}: {', '.join(found)}"


def test_every_post_form_carries_the_csrf_field() -> None:
    for template in TEMPLATES:
        text = template.read_text(encoding="utf-8")
        for form in re.findall(r"<form[^>]*method=\"post\"[^>]*>.*?</form>", text, re.S | re.I):
            assert "csrf_field()" in form, f"{template.name}: a POST form without csrf_field()"
