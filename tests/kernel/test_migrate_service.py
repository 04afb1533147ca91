"""migrate_service on real PostgreSQL databases: a hybrid's extracted service migrated
first, its identity database being the monolith's, leaves the monolith's own migrations to
the monolith's job (a fresh install runs every migrate job at once)."""

import os
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from kernel import extraction

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def fresh_database():
    """A factory of URLs of new empty databases; dropped afterwards."""
    names = []

    def make() -> str:
        names.append(f"{connection.settings_dict['NAME']}_{uuid.uuid4().hex[:8]}")
        url = extraction.url(connection.settings_dict | {"NAME": names[-1]})
        extraction.create_database(url)
        return url

    yield make
    server = extraction.url(connection.settings_dict | {"NAME": "postgres"})
    with psycopg.connect(server, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate_service(profile: str, **environment: str) -> None:
    env = {name: value for name, value in os.environ.items() if name != "REMOTE_APPS"}
    env |= {"DJANGO_SETTINGS_MODULE": f"config.settings.{profile}", **environment}
    subprocess.run(
        [sys.executable, "manage.py", "migrate_service", "--verbosity", "0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        timeout=300,
    )


def tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {name for (name,) in rows}


def catalog_permissions(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT count(*) FROM auth_permission JOIN django_content_type"
            " ON auth_permission.content_type_id = django_content_type.id"
            " WHERE django_content_type.app_label = 'catalog'"
        ).fetchone()[0]


def test_a_service_migrated_first_on_the_monoliths_database_leaves_it_the_monoliths_tables(
    fresh_database,
):
    monolith, catalog = fresh_database(), fresh_database()

    migrate_service("catalog", DATABASE_URL=catalog, IDENTITY_DATABASE_URL=monolith)
    assert "auth_user" in tables(monolith)
    assert "catalog_tour" in tables(catalog)
    assert not tables(monolith) & {"catalog_tour", "outbox_outboxevent"}
    assert catalog_permissions(monolith) > 0  # staff permissions live with identity

    migrate_service("monolith", DATABASE_URL=monolith)
    assert {"catalog_tour", "bookings_booking", "outbox_outboxevent"} <= tables(monolith)
