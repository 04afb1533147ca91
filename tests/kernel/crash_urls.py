"""The project's URLs plus one view that fails, to see what a 500 looks like."""

from django.urls import path

from config.urls import handler404, handler500
from config.urls import urlpatterns as project_urlpatterns


def crash(request):
    raise RuntimeError("boom")


urlpatterns = [path("crash", crash), path("api/crash", crash), *project_urlpatterns]

__all__ = ["handler404", "handler500", "urlpatterns"]
