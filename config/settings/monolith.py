"""The monolith: every app in one process, on one database."""

from .base import *  # noqa: F403
from .base import platform_apps

PROJECT_APPS = ["apps.catalog"]
INSTALLED_APPS = platform_apps(PROJECT_APPS)
