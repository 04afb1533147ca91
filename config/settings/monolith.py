"""The monolith: every app in one process, on one database."""

from .base import *  # noqa: F403
from .base import beat_schedule, platform_apps, project_apps

PROJECT_APPS = project_apps("monolith")
INSTALLED_APPS = platform_apps(PROJECT_APPS)
CELERY_BEAT_SCHEDULE = beat_schedule("monolith")
