"""One URL space in every profile: each installed app mounts its public API at
/api/<app>/ and its service-to-service endpoints at /internal/<app>/."""

from importlib import import_module

from django.apps import apps
from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from kernel import health, storefront
from kernel.schema import InternalSchemaView, ProductSchemaView, remote_apps


def api_index(request):
    """GET /api/: where each installed app's API and the docs are."""
    labels = [*PROJECT_LABELS, *remote_apps()]
    links = {label: request.build_absolute_uri(f"/api/{label}/") for label in labels}
    links["schema"] = request.build_absolute_uri("/api/schema/")
    links["docs"] = request.build_absolute_uri("/api/docs/")
    return JsonResponse(links)


handler400 = "kernel.problems.bad_request"
handler403 = "kernel.problems.permission_denied"
handler404 = "kernel.problems.not_found"
handler500 = "kernel.problems.server_error"

PROJECT_LABELS = [c.label for c in apps.get_app_configs() if c.name.startswith("apps.")]

urlpatterns = [
    path("api/", api_index, name="api-index"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/schema/", ProductSchemaView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
]

for label in PROJECT_LABELS:
    urls = import_module(f"apps.{label}.urls")
    urlpatterns += [
        path(f"api/{label}/", include((urls.urlpatterns, label))),
        path(f"internal/{label}/", include((urls.internal_urlpatterns, f"{label}-internal"))),
        path(f"internal/{label}/schema", InternalSchemaView.as_view()),
    ]

# Last: every other path is the storefront's, which Django serves only under make run.
urlpatterns += storefront.urlpatterns()
