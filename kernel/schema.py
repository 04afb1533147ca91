"""One OpenAPI document for the whole product, in every topology.

In the monolith ``/api/schema/`` describes every app. In services mode each process knows
only its own app, so the service that answers ``/api/schema/`` asks every other service
for its part (``/internal/<app>/schema``, with the service token) and merges them: clients
get the same document either way.

The document only changes when the code of a process does, so each process keeps the one it
merged for ``CACHE_SECONDS`` (a service redeployed meanwhile shows its changes within that
time); a document that lacks the part of a service that did not answer is never kept, so
the next request asks again. How each operation is described (its problem responses) is
in :mod:`kernel.openapi`.
"""

import logging
import time

from django.conf import settings
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response

from kernel.internal import InternalView
from kernel.problems import DomainError
from kernel.service_client import ServiceClient, app_is_local

logger = logging.getLogger(__name__)

CACHE_SECONDS = 60


def own_schema(request) -> dict:
    """This process's part of the API: the apps it installs."""
    return SchemaGenerator().get_schema(request=request, public=True)


def merge(schema: dict, part: dict) -> dict:
    schema["paths"] = dict(sorted({**schema.get("paths", {}), **part.get("paths", {})}.items()))
    components = schema.setdefault("components", {})
    for section, entries in part.get("components", {}).items():
        merged = {**components.get(section, {}), **entries}
        components[section] = dict(sorted(merged.items()))
    return schema


def remote_apps() -> list[str]:
    return [app for app, url in settings.SERVICE_URLS.items() if url and not app_is_local(app)]


class ProductSchemaView(SpectacularAPIView):
    kept: tuple[float, dict] | None = None  # (monotonic expiry, document), per process

    def _get_schema_response(self, request):
        kept = ProductSchemaView.kept
        if kept is not None and kept[0] > time.monotonic():
            filename = self._get_filename(request, version=None)
            return Response(
                kept[1], headers={"Content-Disposition": f'inline; filename="{filename}"'}
            )
        response = super()._get_schema_response(request)
        complete = True
        for app in remote_apps():
            try:
                merge(response.data, ServiceClient(app).get("schema"))
            except DomainError as exc:  # that service is down: serve what is known
                logger.warning("The %s API is missing from /api/schema/: %s", app, exc)
                complete = False
        if complete:
            ProductSchemaView.kept = (time.monotonic() + CACHE_SECONDS, response.data)
        return response


class InternalSchemaView(InternalView):
    """``/internal/<app>/schema``: this process's part, for the merge above."""

    def get(self, request):
        return Response(own_schema(request))
