"""One OpenAPI document for the whole product, in every topology.

In the monolith ``/api/schema/`` describes every app. In services mode each process knows
only its own app, so the service that answers ``/api/schema/`` asks every other service
for its part (``/internal/<app>/schema``, with the service token) and merges them: clients
get the same document either way.

How each operation is described (its problem responses) is in :mod:`kernel.openapi`.
"""

import logging

from django.conf import settings
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response

from kernel.internal import InternalView
from kernel.problems import DomainError
from kernel.service_client import ServiceClient, app_is_local

logger = logging.getLogger(__name__)


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
    def _get_schema_response(self, request):
        response = super()._get_schema_response(request)
        for app in remote_apps():
            try:
                merge(response.data, ServiceClient(app).get("schema"))
            except DomainError as exc:  # that service is down: serve what is known
                logger.warning("The %s API is missing from /api/schema/: %s", app, exc)
        return response


class InternalSchemaView(InternalView):
    """``/internal/<app>/schema``: this process's part, for the merge above."""

    def get(self, request):
        return Response(own_schema(request))
