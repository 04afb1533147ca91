"""While an app moves to its own database its tables are frozen: every write to them, by any
path, answers 503 with Retry-After and changes nothing; reads and the other apps go on."""

import datetime
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.utils import timezone

from apps.bookings.models import Booking
from apps.catalog import services as catalog
from apps.catalog.models import Departure, SeatHold, Tour
from apps.catalog.tasks import release_stale_holds
from apps.payments.models import Payment
from kernel import extraction, write_guard
from kernel.management import moving
from kernel.outages import TRANSIENT
from tests.bookings.journey import booking_request, new_key
from tests.factories import DepartureFactory
from tests.payments.helpers import CHARGES, charge_body

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def departure():
    return DepartureFactory()


class CatalogGuard:
    """Takes and lifts a write guard on the catalog's tables, as the extraction does."""

    def __init__(self, conn):
        self.conn = conn
        self.tables = moving.installed_tables("catalog")

    def __call__(self, kind: str = write_guard.FREEZE) -> None:
        with self.conn.transaction():
            write_guard.install(self.conn, "catalog", self.tables, kind)

    def lift(self) -> None:
        for kind in write_guard.GUARDS:
            with self.conn.transaction():
                write_guard.remove(self.conn, self.tables, kind)


@pytest.fixture
def guard():
    with extraction.connect(moving.monolith_url(), autocommit=True) as conn:
        catalog_guard = CatalogGuard(conn)
        yield catalog_guard
        catalog_guard.lift()


def assert_writes_paused(response, detail: str) -> None:
    assert response.status_code == 503, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    assert int(response["Retry-After"]) > 0
    problem = response.json()
    assert problem["type"] == "urn:tourism:problem:writes-paused"
    assert detail in problem["detail"]


def test_the_freeze_waits_for_the_writes_in_flight_and_refuses_every_write_after(departure, guard):
    capacity = "UPDATE catalog_departure SET capacity = %s WHERE id = %s"
    with (
        extraction.connect(moving.monolith_url(), autocommit=True) as writer,
        ThreadPoolExecutor(max_workers=1) as operator,
    ):
        with writer.transaction():
            writer.execute(capacity, [30, departure.id])
            freezing = operator.submit(moving.freeze, guard.conn, "catalog", guard.tables)
            time.sleep(0.5)
            assert not freezing.done()  # waiting for the write in flight to commit
        assert freezing.result(timeout=10) is True

        with pytest.raises(psycopg.OperationalError, match="paused"):
            writer.execute(capacity, [40, departure.id])
    assert Departure.objects.get(pk=departure.pk).capacity == 30


def test_a_staff_edit_of_a_frozen_app_is_a_503_and_changes_nothing(staff_api, departure, guard):
    guard()
    tour = departure.tour
    response = staff_api.patch(
        f"/api/catalog/tours/{tour.slug}/", {"title": "Renamed"}, format="json"
    )
    assert_writes_paused(response, "Writes to catalog are paused")
    assert Tour.objects.get(pk=tour.pk).title == tour.title


def test_a_booking_that_holds_frozen_seats_is_a_503_that_leaves_nothing_behind(
    api, departure, guard
):
    guard()
    key = new_key()
    response = api.post(
        "/api/bookings/", booking_request(departure.id), HTTP_IDEMPOTENCY_KEY=key, format="json"
    )
    assert_writes_paused(response, "catalog")
    assert not Booking.objects.exists()
    assert not SeatHold.objects.exists()
    assert not Payment.objects.exists()


def test_the_same_booking_goes_through_once_the_freeze_is_lifted(api, departure, guard):
    key = new_key()
    guard()
    paused = api.post(
        "/api/bookings/", booking_request(departure.id), HTTP_IDEMPOTENCY_KEY=key, format="json"
    )
    assert paused.status_code == 503
    guard.lift()

    response = api.post(
        "/api/bookings/", booking_request(departure.id), HTTP_IDEMPOTENCY_KEY=key, format="json"
    )
    assert response.status_code == 201, response.content[:300]
    assert SeatHold.objects.get().seats == 2


def test_a_payment_whose_confirmation_meets_the_freeze_is_confirmed_on_retry_never_recharged(
    api, departure, guard
):
    booking = api.post(
        "/api/bookings/", booking_request(departure.id), HTTP_IDEMPOTENCY_KEY=new_key()
    ).json()

    def pay():
        return api.post(
            f"/api/bookings/{booking['reference']}/pay",
            {"payment_method": "tok_visa"},
            headers={"X-Booking-Token": booking["access_token"]},
        )

    guard()
    assert_writes_paused(pay(), "catalog")  # charged, but its seats cannot be confirmed yet
    guard.lift()

    response = pay()
    assert response.status_code == 200, response.content[:300]
    assert response.json()["status"] == "confirmed"
    assert Payment.objects.filter(status=Payment.Status.SUCCEEDED).count() == 1
    assert SeatHold.objects.get().status == SeatHold.Status.CONFIRMED


def test_reads_of_a_frozen_app_and_writes_of_the_others_go_on(api, internal_api, departure, guard):
    guard()
    tours = api.get("/api/catalog/tours/")
    assert tours.status_code == 200
    assert tours.json()["count"] == 1

    charge = internal_api.post(CHARGES, charge_body(), format="json")
    assert charge.status_code == 201, charge.content[:300]
    assert Payment.objects.get().status == Payment.Status.SUCCEEDED


def test_a_periodic_task_writing_a_frozen_app_fails_as_an_outage_and_works_later(departure, guard):
    hold = catalog.departure_hold_seats(departure_id=departure.id, seats=2, key="stale")
    SeatHold.objects.filter(pk=hold.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1)
    )
    guard()

    # An outage to Celery (kernel.tasks): retried with backoff, never dead-lettered.
    with pytest.raises(TRANSIENT):
        release_stale_holds()
    assert SeatHold.objects.get().status == SeatHold.Status.HELD

    guard.lift()
    assert release_stale_holds() == 1


def test_a_write_to_an_app_that_moved_away_is_refused_for_good(staff_api, departure, guard):
    guard(write_guard.READ_ONLY)
    response = staff_api.delete(f"/api/catalog/tours/{departure.tour.slug}/")
    assert_writes_paused(response, "catalog has moved to its own database")
    assert Tour.objects.exists()
