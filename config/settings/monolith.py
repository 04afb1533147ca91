"""The monolith: every app in one process, on one database."""

from .base import *  # noqa: F403
from .base import beat_schedule, platform_apps

PROJECT_APPS = ["apps.catalog", "apps.bookings", "apps.payments", "apps.notifications"]
INSTALLED_APPS = platform_apps(PROJECT_APPS)
CELERY_BEAT_SCHEDULE = beat_schedule(PROJECT_APPS)
