"""What only the services topology can show: each app on its own database, and one app
going down without taking the others with it."""

import time

import httpx
import psycopg
import pytest

from config import environment
from tests.e2e.customers import hold_one_seat

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PLATFORM_TABLES = {"django_migrations"}
OUTBOX_TABLES = {"outbox_outboxevent"}
IDENTITY_PREFIXES = ("auth_", "django_", "authtoken_", "axes_")  # axes: login attempts


def tables(topology, database: str) -> set[str]:
    with psycopg.connect(topology.database_url(database)) as connection:
        rows = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    return {name for (name,) in rows}


@pytest.mark.parametrize("app", environment.APPS)
def test_each_service_database_holds_only_its_own_tables(services_topology, app):
    found = tables(services_topology, app)
    own = {name for name in found if name.startswith(f"{app}_")}
    assert own, f"no {app} tables in its database"
    assert found - own <= PLATFORM_TABLES | OUTBOX_TABLES


def test_the_identity_database_holds_only_identity(services_topology):
    found = tables(services_topology, "identity") - OUTBOX_TABLES
    assert {"auth_user", "django_session", "django_admin_log", "authtoken_token"} <= found
    assert all(name.startswith(IDENTITY_PREFIXES) for name in found), found


def booking_count(topology) -> int:
    with psycopg.connect(topology.database_url("bookings")) as connection:
        return connection.execute("SELECT count(*) FROM bookings_booking").fetchone()[0]


def test_a_stopped_catalog_makes_booking_a_quick_503_and_a_restart_heals_it(services_topology):
    gateway = httpx.Client(base_url=services_topology.gateway_url, timeout=30)
    tour = gateway.get("/api/catalog/tours/").json()["results"][0]
    departure_id = gateway.get(f"/api/catalog/tours/{tour['slug']}/").json()["departures"][0]["id"]
    before = booking_count(services_topology)

    services_topology.stop("catalog")
    started = time.monotonic()
    response = hold_one_seat(gateway, departure_id, "while-catalog-is-down")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "catalog" in response.json()["detail"]
    assert elapsed < 10, f"took {elapsed:.1f}s"  # bounded by timeouts and retries, no hang
    assert booking_count(services_topology) == before
    others = gateway.get("/api/payments/payments/")  # still up: refuse anonymous (docs/api.md)
    assert others.status_code == 403, others.text
    assert others.headers["Content-Type"] == "application/problem+json"

    services_topology.start("catalog")
    retried = hold_one_seat(gateway, departure_id, "while-catalog-is-down")
    assert retried.status_code == 201, retried.text
    assert booking_count(services_topology) == before + 1


def test_an_api_document_missing_a_stopped_service_is_not_kept(services_topology):
    """The merged /api/schema/ is kept a minute (kernel/schema.py), but only when complete."""
    gateway = httpx.Client(base_url=services_topology.gateway_url, timeout=30)

    def apps_described() -> set[str]:
        schema = gateway.get("/api/schema/", params={"format": "json"}).json()
        return {path.split("/")[2] for path in schema["paths"]}

    services_topology.stop("payments")
    services_topology.stop("catalog")  # the front service forgets any document it kept
    services_topology.start("catalog")
    try:
        assert "payments" not in apps_described()
    finally:
        services_topology.start("payments")
    assert apps_described() == set(environment.APPS)
