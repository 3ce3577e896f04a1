"""The templates (Jinja2, autoescaped) and ``render``, the one way pages answer with HTML.

Every template extends ``base.html`` and gets ``request``, ``user`` (the logged-in
``User`` or None), ``role_labels`` and the ``csrf_field()`` function for its forms.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from traceur.privacy.pseudonyms import display_author
from traceur.web.accounts import ROLE_LABELS
from traceur.web.security import csrf_field, current_user

TEMPLATES_DIR = Path(__file__).resolve().with_name("templates")
STATIC_DIR = Path(__file__).resolve().with_name("static")


def _context(request: Request) -> dict[str, Any]:
    return {"user": current_user(request), "role_labels": ROLE_LABELS}


def make_templates() -> Jinja2Templates:
    # Autoescape on every template, whatever its extension: crawled text reaches them all.
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["csrf_field"] = csrf_field
    # A pseudonymised author shows as "auteur·rice #3f9a", never as the whole stored hash.
    env.filters["auteur"] = display_author
    return Jinja2Templates(env=env, context_processors=[_context])


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """The page ``template`` with ``context``, for this request."""
    templates: Jinja2Templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request, template, context or {}, status_code=status_code
    )
    return response
