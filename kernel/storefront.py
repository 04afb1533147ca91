"""The storefront's build served by Django, for ``make run`` only.

Everywhere else a web server serves ``frontend/dist`` (the gateway's nginx, the frontend
container) and ``DJANGO_STOREFRONT_ROOT`` is empty. Under ``make run`` nothing stands in
front of Django, so it names the build: every path outside ``/api/``, ``/admin/``,
``/internal/`` and ``/static/`` is then the shop, a file of the build or ``index.html`` for
the shop's own routes. Hashed assets are cached for a year; ``index.html`` is revalidated.
"""

from django.conf import settings
from django.http import Http404
from django.urls import re_path
from django.views.static import serve

from kernel.problems import not_found, problem

YEAR = 365 * 24 * 3600


def storefront(request, path: str):
    root = settings.STOREFRONT_ROOT
    try:
        response = serve(request, path or "index.html", document_root=root)
    except Http404:
        if path.startswith("assets/"):
            return not_found(request)
        try:
            response = serve(request, "index.html", document_root=root)
        except Http404:
            return problem(
                503,
                code="storefront-not-built",
                detail="The storefront is not built: run `make shop` (it needs Node.js 20.19+).",
            )
    immutable = path.startswith("assets/")
    response["Cache-Control"] = f"public, max-age={YEAR}, immutable" if immutable else "no-cache"
    return response


ROUTE = re_path(r"^(?!(?:api|admin|internal|static)(?:/|$))(?P<path>.*)$", storefront)


def urlpatterns() -> list:
    """The storefront's catch-all route, to put last: only when Django serves the build."""
    return [ROUTE] if settings.STOREFRONT_ROOT else []
