"""Adding a fifth app: in a copy of the code, a new app ``reviews`` needs its package, one
line in ``config.environment.APPS`` and its settings profile, and nothing else in Python.
The platform then collects its wiring: its processes and environment, its periodic tasks,
the outbox events it consumes, its queue, its URLs and its import contract; and its
settings read nothing outside the environment contract. docs/adding-an-app.md lists the
deploy files that follow (``tests/deploy/test_parity.py`` checks them)."""

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.deploy.tools import ROOT, binary, settings_reads

APPS_LINE = 'APPS = ("catalog", "bookings", "payments", "notifications")'

# The new app's package: what docs/adding-an-app.md shows.
PACKAGE = {
    "__init__.py": '"""Reviews: what customers say about the tours they took."""\n',
    "apps.py": """
        from django.apps import AppConfig


        class ReviewsConfig(AppConfig):
            name = "apps.reviews"
            label = "reviews"
            verbose_name = "Reviews"
        """,
    "wiring.py": """
        from kernel.wiring import Wiring

        WIRING = Wiring(
            processes=("web", "worker", "beat"),
            beat_schedule={"reviews-digest": {"task": "reviews.digest", "schedule": 3600.0}},
            consumes={"booking.confirmed": "reviews.invite"},
        )
        """,
    "tasks.py": """
        from celery import shared_task


        @shared_task(name="reviews.invite")
        def invite(*, event: dict) -> None:
            pass


        @shared_task(name="reviews.digest")
        def digest() -> None:
            pass
        """,
    "urls.py": """
        urlpatterns = []
        internal_urlpatterns = []
        """,
}
PROFILE = '''
    """The reviews service: only its own app (plus Django and the platform) runs here."""

    from .base import *  # noqa: F403
    from .base import beat_schedule, platform_apps, project_apps

    PROJECT_APPS = project_apps("reviews")
    INSTALLED_APPS = platform_apps(PROJECT_APPS)
    CELERY_BEAT_SCHEDULE = beat_schedule("reviews")
    '''

# What the platform made of it, per profile, as JSON.
INSPECT = """
import json, django
from django.conf import settings
from django.urls import get_resolver
django.setup()
from config import celery, environment
print(json.dumps({
    "processes": environment.PROCESSES,
    "web": environment.process("reviews", "web").argv,
    "required": {name: sorted(environment.required(name)) for name in environment.PROFILES},
    "installed": settings.PROJECT_APPS,
    "beat": sorted(settings.CELERY_BEAT_SCHEDULE),
    "routes": settings.OUTBOX_ROUTES["booking.confirmed"],
    "queues": sorted(queue.name for queue in celery.app.conf.task_queues),
    "urls": sorted(str(pattern.pattern) for pattern in get_resolver().url_patterns),
}))
"""
KNOWN = "import json; from config import environment; print(json.dumps([*environment.known()]))"
ENVIRONMENT = {"PATH": "/usr/bin:/bin", "DJANGO_DEBUG": "1", "DATABASE_URL": "sqlite://:memory:"}


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """A copy of the code with the reviews app added in exactly the documented places."""
    tree = tmp_path_factory.mktemp("fifth-app")
    ignore = shutil.ignore_patterns("__pycache__")
    for package in ("apps", "config", "kernel"):
        shutil.copytree(ROOT / package, tree / package, ignore=ignore)
    for name in ("manage.py", "pyproject.toml"):
        shutil.copy(ROOT / name, tree / name)
    environment = tree / "config" / "environment.py"
    assert environment.read_text().count(APPS_LINE) == 1
    environment.write_text(
        environment.read_text().replace(APPS_LINE, APPS_LINE.replace(")", ', "reviews")'))
    )
    for name, text in PACKAGE.items():
        write(tree / "apps" / "reviews" / name, text)
    write(tree / "config" / "settings" / "reviews.py", PROFILE)
    return tree


def run(tree: Path, *args: str, profile: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=tree,
        env={**ENVIRONMENT, "DJANGO_SETTINGS_MODULE": f"config.settings.{profile}"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def inspect(tree: Path, profile: str) -> dict:
    result = run(tree, "-c", INSPECT, profile=profile)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_new_profile_runs_its_apps_processes_with_its_peers_urls(tree):
    seen = inspect(tree, "reviews")
    assert seen["processes"]["reviews"] == ["web", "worker", "beat"]
    assert seen["web"][0] == "gunicorn"
    assert "CATALOG_SERVICE_URL" in seen["required"]["reviews"]
    # every other service learns where it is; the monolith installs it
    assert "REVIEWS_SERVICE_URL" in seen["required"]["bookings"]
    assert "REVIEWS_SERVICE_URL" not in seen["required"]["monolith"]


def test_its_service_installs_it_and_runs_its_wiring(tree):
    seen = inspect(tree, "reviews")
    assert seen["installed"] == ["apps.reviews"]
    assert "reviews-digest" in seen["beat"]
    assert "reviews" in seen["queues"]
    assert {"api/reviews/", "internal/reviews/"} <= set(seen["urls"])


def test_the_events_it_consumes_reach_its_queue_from_every_profile(tree):
    for profile in ("bookings", "monolith"):
        seen = inspect(tree, profile)
        assert ["reviews.invite", "reviews"] in seen["routes"], profile
        assert "reviews" in seen["queues"], profile
    monolith = inspect(tree, "monolith")
    assert "apps.reviews" in monolith["installed"] and "reviews-digest" in monolith["beat"]


@pytest.mark.parametrize("profile", ["reviews", "monolith"])
def test_every_profile_passes_django_checks(tree, profile):
    result = run(tree, "manage.py", "check", "--fail-level", "WARNING", profile=profile)
    assert result.returncode == 0, result.stdout + result.stderr


def test_its_settings_read_nothing_outside_the_contract(tree):
    known = run(tree, "-c", KNOWN, profile="reviews").stdout
    assert settings_reads("reviews", root=tree) - set(json.loads(known)) == set()


def test_the_import_contracts_cover_it(tree):
    (tree / "apps" / "reviews" / "selectors.py").write_text("from apps.bookings import models\n")
    try:
        result = subprocess.run(
            [binary("lint-imports")], cwd=tree, capture_output=True, text=True, timeout=120
        )
    finally:
        (tree / "apps" / "reviews" / "selectors.py").unlink()
    assert result.returncode != 0
    assert "apps.reviews.selectors -> apps.bookings.models" in result.stdout
