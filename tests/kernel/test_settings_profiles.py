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


@pytest.mark.parametrize("profile", environment.PROFILES)
def test_each_profile_installs_exactly_its_apps(profile):
    expected = set(environment.APPS) if profile == "monolith" else {profile}
    script = (
        "import json, django; django.setup();"
        "from django.apps import apps;"
        "print(json.dumps([c.label for c in apps.get_app_configs() if c.name.startswith('apps.')]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": f"config.settings.{profile}",
            "DJANGO_DEBUG": "1",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stdout)) == expected


def test_production_settings_refuse_to_make_the_development_login():
    result = manage("ensure_staff", profile="monolith", **PRODUCTION)
    assert result.returncode != 0
    assert "runs only with DJANGO_DEBUG=1" in result.stderr
    assert "admin / admin" not in result.stdout
