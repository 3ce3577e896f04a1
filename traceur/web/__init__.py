"""The volunteers' web app (``traceur web``): Starlette, Jinja2 templates, no JavaScript build.

Adding pages: create a module ``traceur/web/routes_<area>.py`` that exports ``routes``, a
list of Starlette routes; ``create_app`` (``app.py``) finds every ``routes_*`` module by
itself, in name order, so no other file changes. A module may also export
``placeholder_routes``, served only while no other module serves the same path. A page
handler looks like::

    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from traceur.web.security import require_user
    from traceur.web.templating import render

    async def dashboard(request: Request) -> Response:
        user = require_user(request)                  # or require_user(request, "coordination")
        store = request.app.state.store               # the configured Store (SQLite or ES)
        return render(request, "tableau_de_bord.html", {"figures": ...})

    routes = [Route("/tableau-de-bord", dashboard, methods=["GET"])]

Templates live in ``traceur/web/templates/`` and extend ``base.html`` (blocks ``title``,
``head``, ``content``); they get ``user`` and ``csrf_field()``. Every ``<form
method="post">`` puts ``{{ csrf_field() }}`` inside it: ``CsrfMiddleware`` refuses any POST
without this session's token before the handler runs (``fetch`` callers send the
``X-CSRF-Token`` header). Store calls block: run them with
``starlette.concurrency.run_in_threadpool`` (or write a plain ``def`` handler). The
accounts database (users, tokens, saved searches; ``accounts.py``) is reached with
``with accounts_db(request) as db:``. The Content-Security-Policy forbids inline scripts
and ``style=""`` attributes: style with classes in ``static/style.css``.
"""
