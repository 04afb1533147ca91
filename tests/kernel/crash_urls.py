"""The project's URLs plus one view that fails, to see what a 500 looks like, and a
middleware that meets a database outage after the view (as a session being saved does)."""

from django.db import OperationalError
from django.urls import path

from config.urls import handler404, handler500
from config.urls import urlpatterns as project_urlpatterns


def crash(request):
    raise RuntimeError("boom")


class DatabaseGoneAfterTheView:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self.get_response(request)
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


urlpatterns = [path("crash", crash), path("api/crash", crash), *project_urlpatterns]

__all__ = ["handler404", "handler500", "urlpatterns"]
