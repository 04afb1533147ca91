"""Each profile starts on its own; production settings refuse to run without secrets."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from config import environment

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "tours.example.com",
    "DATABASE_URL": "postgres://tourism@db.example.com:5432/tourism",
    "SERVICE_TOKEN": secrets.token_urlsafe(32),
}


def manage(*args: str, profile: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": f"config.settings.{profile}", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("profile", environment.PROFILES)
def test_production_settings_pass_the_deploy_checklist(profile):
    result = manage("check", "--deploy", "--fail-level", "WARNING", profile=profile, **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_production_settings_refuse_to_start_without_their_secrets(missing):
    env = {key: value for key, value in PRODUCTION.items() if key != missing}
    result = manage("check", profile="monolith", **env)
    assert result.returncode != 0
    assert f"{missing} is required" in result.stderr


def installed_apps(profile: str, **env: str) -> subprocess.CompletedProcess:
    """Starts Django with ``profile`` and prints the labels of the project apps it installs."""
    script = (
        "import json, django; django.setup();"
        "from django.apps import apps;"
        "print(json.dumps([c.label for c in apps.get_app_configs() if c.name.startswith('apps.')]))"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": f"config.settings.{profile}",
            "DJANGO_DEBUG": "1",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("profile", environment.PROFILES)
def test_each_profile_installs_exactly_its_apps(profile):
    expected = set(environment.APPS) if profile == "monolith" else {profile}
    result = installed_apps(profile)
    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stdout)) == expected


@pytest.mark.parametrize(
    ("remote", "installed"),
    [
        ("catalog", ["bookings", "payments", "notifications"]),
        ("catalog, payments", ["bookings", "notifications"]),
    ],
)
def test_a_hybrid_monolith_installs_every_app_but_its_remote_ones(remote, installed):
    urls = {"CATALOG_SERVICE_URL": "http://catalog:8000", "PAYMENTS_SERVICE_URL": "http://p:8000"}
    result = installed_apps("monolith", REMOTE_APPS=remote, **urls)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == installed


EVERY_URL = {environment.service_url(app): "http://elsewhere:8000" for app in environment.APPS}


@pytest.mark.parametrize(
    ("remote", "urls", "error"),
    [
        ("catalog,reviews", EVERY_URL, "REMOTE_APPS names no app: reviews"),
        (",".join(environment.APPS), EVERY_URL, "REMOTE_APPS names every app"),
        ("catalog", {"CATALOG_SERVICE_URL": ""}, "set CATALOG_SERVICE_URL to where it is served"),
    ],
)
def test_a_hybrid_monolith_refuses_to_start_with_a_wrong_remote_apps(remote, urls, error):
    result = installed_apps("monolith", REMOTE_APPS=remote, **urls)
    assert result.returncode != 0
    assert error in result.stderr


def test_production_settings_refuse_to_make_the_development_login():
    result = manage("ensure_staff", profile="monolith", **PRODUCTION)
    assert result.returncode != 0
    assert "runs only with DJANGO_DEBUG=1" in result.stderr
    assert "admin / admin" not in result.stdout
