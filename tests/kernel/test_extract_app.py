"""Moving an app out of the monolith's database into its own and back: extract_app,
lift_freeze, merge_app_back and drop_extracted, on real PostgreSQL databases."""

import io
import json
import uuid

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from apps.catalog.models import Departure, Tour
from kernel import extraction, write_guard
from kernel.management import moving
from kernel.outbox.models import OutboxEvent
from tests.bookings.journey import booking_request, new_key
from tests.factories import DepartureFactory

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CATALOG_TABLES = [
    "catalog_category",
    "catalog_departure",
    "catalog_destination",
    "catalog_seathold",
    "catalog_tour",
]


@pytest.fixture
def target():
    """The URL of a database that does not exist yet; dropped afterwards."""
    name = f"{connection.settings_dict['NAME'].removeprefix('test_')}_{uuid.uuid4().hex[:8]}"
    url = extraction.url(connection.settings_dict | {"NAME": name})
    yield url
    with psycopg.connect(extraction.url(connection.settings_dict), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(autouse=True)
def no_guards_left():
    yield
    with extraction.connect(moving.monolith_url(), autocommit=True) as conn:
        for app in ("catalog", "bookings"):
            tables = write_guard.guarded_tables(conn, app)
            for guard in write_guard.GUARDS:
                write_guard.remove(conn, tables, guard)


def run(command: str, *args: str) -> dict:
    out = io.StringIO()
    call_command(command, *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def refused(command: str, *args: str) -> tuple[CommandError, dict]:
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command(command, *args, "--json", stdout=out)
    return error.value, json.loads(out.getvalue())


def query(url: str, sql: str, *params):
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def catalog_with_a_hold(api) -> Departure:
    departure = DepartureFactory(capacity=12)
    DepartureFactory(tour=departure.tour)
    response = api.post(
        "/api/bookings/", booking_request(departure.id, 3), HTTP_IDEMPOTENCY_KEY=new_key()
    )
    assert response.status_code == 201, response.content[:300]
    return departure


def test_extracting_copies_every_table_verified_and_keeps_the_monolith_frozen(
    api, staff_api, target
):
    departure = catalog_with_a_hold(api)

    report = run("extract_app", "catalog", "--target", target)

    assert report["status"] == "extracted"
    assert (report["froze"], report["copied"]) == (True, True)
    tables = {table["name"]: table for table in report["tables"]}
    assert sorted(tables) == CATALOG_TABLES
    assert all(table["matches"] for table in tables.values())
    assert tables["catalog_departure"]["rows"] == 2
    assert tables["catalog_seathold"]["rows"] == 1
    held = "SELECT capacity, seats_held FROM catalog_departure WHERE id = %s"
    assert query(target, held, departure.id) == [(12, 3)]
    # The service hands out ids after the monolith's, never one of them again.
    next_id = query(target, "SELECT nextval('catalog_departure_id_seq')")[0][0]
    assert next_id > departure.id + 1

    tour = departure.tour
    edit = staff_api.patch(f"/api/catalog/tours/{tour.slug}/", {"title": "New"})
    assert edit.status_code == 503
    assert api.get(f"/api/catalog/tours/{departure.tour.slug}/").status_code == 200

    again = run("extract_app", "catalog", "--target", target)
    assert (again["status"], again["froze"], again["copied"]) == ("extracted", False, False)

    with psycopg.connect(target) as conn:  # the copy changes before the switch
        conn.execute("UPDATE catalog_tour SET title = 'Tampered' WHERE id = %s", [tour.id])
    error, report = refused("extract_app", "catalog", "--target", target)
    assert (error.returncode, report["status"]) == (3, "mismatch")
    assert "catalog_tour" in report["error"]
    assert "catalog_departure" not in report["error"]


def test_a_copy_that_differs_from_the_monolith_is_refused_and_nothing_switches(staff_api, target):
    departure = DepartureFactory(capacity=10)
    extraction.create_database(target)
    moving.migrate_service("catalog", target)
    with psycopg.connect(target, autocommit=True) as conn:  # a copy that goes wrong
        conn.execute(
            """
            CREATE FUNCTION corrupt() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN NEW.capacity := NEW.capacity + 1; RETURN NEW; END $$;
            CREATE TRIGGER corrupt BEFORE INSERT ON catalog_departure
            FOR EACH ROW EXECUTE FUNCTION corrupt();
            """
        )

    error, report = refused("extract_app", "catalog", "--target", target)

    assert error.returncode == 3
    assert "catalog_departure" in str(error)
    assert report["status"] == "mismatch"
    assert query(target, "SELECT count(*) FROM catalog_departure") == [(0,)]  # rolled back
    # The monolith stays authoritative: the freeze this run took is lifted.
    tour = departure.tour
    edit = staff_api.patch(f"/api/catalog/tours/{tour.slug}/", {"title": "Still ours"})
    assert edit.status_code == 200, edit.content[:300]


def test_a_dry_run_reports_what_would_move_and_writes_nothing(target):
    DepartureFactory.create_batch(3)

    report = run("extract_app", "catalog", "--dry-run", "--target", target)

    assert report["status"] == "dry-run"
    rows = {table["table"]: table["rows"] for table in report["tables"]}
    assert rows["catalog_departure"] == 3
    assert rows["catalog_tour"] == 3
    assert all(table["bytes"] > 0 for table in report["tables"])
    assert report["estimated_freeze_seconds"] >= 0
    name = psycopg.conninfo.conninfo_to_dict(target)["dbname"]
    assert not query(moving.monolith_url(), "SELECT 1 FROM pg_database WHERE datname = %s", name)
    with extraction.connect(moving.monolith_url()) as conn:
        assert write_guard.guarded_tables(conn, "catalog") == []


def test_rolling_back_brings_the_services_changes_home(api, staff_api, target):
    departure = catalog_with_a_hold(api)
    run("extract_app", "catalog", "--target", target)
    assert run("lift_freeze", "catalog")["status"] == "read-only"
    # The service takes writes: a new tour, a changed departure.
    with psycopg.connect(target) as conn:
        conn.execute("UPDATE catalog_departure SET capacity = 40 WHERE id = %s", [departure.id])
        conn.execute(
            "INSERT INTO catalog_tour (slug, title, summary, description, destination_id, "
            "category_id, duration_days, price_from, currency, image_url, is_published, "
            "created_at, updated_at) SELECT 'made-there', 'Made there', summary, description, "
            "destination_id, category_id, duration_days, price_from, currency, image_url, "
            "true, now(), now() FROM catalog_tour LIMIT 1"
        )

    report = run("merge_app_back", "catalog", "--source", target)

    assert report["status"] == "merged"
    assert all(table["matches"] for table in report["tables"])
    assert Departure.objects.get(pk=departure.pk).capacity == 40
    assert Tour.objects.filter(slug="made-there").exists()
    edit = staff_api.patch(f"/api/catalog/tours/{departure.tour.slug}/", {"title": "Home"})
    assert edit.status_code == 200, edit.content[:300]
    # The service's copy stays frozen: a write that still reaches it is refused.
    with psycopg.connect(target) as conn, pytest.raises(psycopg.OperationalError):
        conn.execute("DELETE FROM catalog_seathold")


def test_the_apps_outbox_events_move_with_it(target):
    def event(type_: str, **fields) -> OutboxEvent:
        return OutboxEvent.objects.create(type=type_, version="1.0", payload={}, **fields)

    waiting = event("booking.confirmed")
    published = event("booking.cancelled", published_at=timezone.now())
    others = event("payment.settled")

    report = run("extract_app", "bookings", "--target", target)

    assert report["outbox_events"] == 2
    moved = query(target, "SELECT id, published_at IS NULL FROM outbox_outboxevent ORDER BY 2")
    assert moved == [(published.id, False), (waiting.id, True)]  # its relay publishes one
    assert list(OutboxEvent.objects.values_list("id", flat=True)) == [others.id]


def test_dropping_the_old_tables_needs_yes_the_app_moved_and_the_freeze_lifted():
    with extraction.connect(moving.monolith_url(), autocommit=True) as conn:
        with conn.transaction():
            write_guard.install(conn, "catalog", CATALOG_TABLES, write_guard.FREEZE)
        error, _ = refused("drop_extracted", "catalog", "--yes")
        assert "lift_freeze" in str(error)
        with conn.transaction():
            write_guard.remove(conn, CATALOG_TABLES, write_guard.FREEZE)
            write_guard.install(conn, "catalog", CATALOG_TABLES, write_guard.READ_ONLY)

    error, _ = refused("drop_extracted", "catalog", "--yes")
    assert "REMOTE_APPS" in str(error)
    without_catalog = [app for app in settings.INSTALLED_APPS if app != "apps.catalog"]
    with override_settings(INSTALLED_APPS=without_catalog):
        error, report = refused("drop_extracted", "catalog")
        assert error.returncode == 1
        assert "--yes" in str(error)
        assert report["tables"] == CATALOG_TABLES

        assert run("drop_extracted", "catalog", "--yes")["status"] == "dropped"

    try:
        tables = query(moving.monolith_url(), "SELECT tablename FROM pg_tables")
        assert not {name for (name,) in tables} & set(CATALOG_TABLES)
    finally:
        call_command("migrate", "catalog", verbosity=0)  # the app's history went with them
    assert Tour.objects.count() == 0


def test_extracting_into_the_monolith_database_itself_is_refused(staff_api):
    tour = DepartureFactory().tour

    error, report = refused("extract_app", "catalog", "--target", moving.monolith_url())

    assert (error.returncode, report["status"]) == (1, "refused")
    assert "same database" in report["error"]
    edit = staff_api.patch(f"/api/catalog/tours/{tour.slug}/", {"title": "Still ours"})
    assert edit.status_code == 200, edit.content[:300]
