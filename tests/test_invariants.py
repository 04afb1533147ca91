"""The invariant checker that fault scenarios call: it holds after a normal journey and
names each way a broken database breaks it."""

import pytest

from apps.bookings.models import Booking
from apps.catalog.models import Departure
from apps.payments.models import Payment
from tests import servers
from tests.bookings.journey import booking_request, new_key
from tests.factories import DepartureFactory
from tests.invariants import assert_invariants, invariant_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def journey(api):
    """One departure with a confirmed booking of 2 seats and an unpaid one of 3."""
    departure = DepartureFactory(capacity=6)
    bookings = []
    for seats in (2, 3):
        response = api.post(
            "/api/bookings/",
            booking_request(departure.id, seats),
            format="json",
            headers={"Idempotency-Key": new_key()},
        )
        bookings.append(response.json())
    paid = api.post(
        f"/api/bookings/{bookings[0]['reference']}/pay",
        {"payment_method": "tok_visa"},
        format="json",
        headers={"X-Booking-Token": bookings[0]["access_token"]},
    )
    assert paid.status_code == 200
    return departure, bookings


def test_a_normal_journey_keeps_the_invariant(journey):
    assert_invariants()


@pytest.mark.postgres
def test_the_same_checks_run_on_databases_given_by_url(journey):
    url = servers.test_database_url()
    assert invariant_violations(catalog=url, bookings=url, payments=url) == []


def test_seats_booked_without_a_confirmed_booking_break_it(journey):
    departure, _ = journey
    Departure.objects.filter(pk=departure.pk).update(seats_booked=3)
    assert invariant_violations() == [
        f"departure {departure.id}: 3 seats booked but confirmed bookings have 2"
    ]


def test_seats_held_without_an_open_hold_break_it(journey):
    departure, _ = journey
    Departure.objects.filter(pk=departure.pk).update(seats_held=1)
    assert invariant_violations() == [
        f"departure {departure.id}: 1 seats held but open holds have 3"
    ]


def test_a_kept_payment_of_a_cancelled_booking_breaks_it(journey):
    _, bookings = journey
    Booking.objects.filter(reference=bookings[0]["reference"]).update(status="cancelled")
    [problem] = [p for p in invariant_violations() if p.startswith("payment")]
    assert bookings[0]["reference"] in problem


def test_a_second_kept_payment_of_a_confirmed_booking_breaks_it(journey):
    _, bookings = journey
    first = Payment.objects.get(booking_reference=bookings[0]["reference"])
    Payment.objects.create(
        key="a-second-charge",
        booking_reference=first.booking_reference,
        amount=first.amount,
        currency=first.currency,
        payment_method="tok_visa",
        status="succeeded",
        gateway="sandbox",
        gateway_charge_id="ch_2",
    )
    assert invariant_violations() == [
        f"payment a-second-charge of {first.booking_reference} succeeded but is neither the "
        "payment of a confirmed booking nor refunded"
    ]
