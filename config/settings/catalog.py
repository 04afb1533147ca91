"""The catalog service: only its own app (plus Django and the platform) runs here."""

from .base import *  # noqa: F403
from .base import platform_apps

PROJECT_APPS = ["apps.catalog"]
INSTALLED_APPS = platform_apps(PROJECT_APPS)
