"""The notifications service: only its own app (plus Django and the platform) runs here."""

from .base import *  # noqa: F403
from .base import beat_schedule, platform_apps, project_apps

PROJECT_APPS = project_apps("notifications")
INSTALLED_APPS = platform_apps(PROJECT_APPS)
CELERY_BEAT_SCHEDULE = beat_schedule("notifications")
