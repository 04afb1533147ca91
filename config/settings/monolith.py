"""The monolith: every app in one process, on one database; or, in a hybrid, every app but
the ``REMOTE_APPS`` (comma-separated), which their own processes serve and this one calls
over HTTP at their ``<APP>_SERVICE_URL`` (docs/services-mode.md)."""

from django.core.exceptions import ImproperlyConfigured

from config import environment

from .base import *  # noqa: F403
from .base import SERVICE_URLS, beat_schedule, env, platform_apps, project_apps

try:
    REMOTE_APPS = environment.remote_apps(env.str("REMOTE_APPS", default=""))
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
for _app in REMOTE_APPS:
    if not SERVICE_URLS[_app]:
        raise ImproperlyConfigured(
            f"REMOTE_APPS names {_app}: set {environment.service_url(_app)} to where it is served."
        )

PROJECT_APPS = project_apps("monolith", REMOTE_APPS)
INSTALLED_APPS = platform_apps(PROJECT_APPS)
CELERY_BEAT_SCHEDULE = beat_schedule("monolith", REMOTE_APPS)
