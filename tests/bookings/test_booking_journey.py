"""A guest books a tour in the monolith: hold, pay, confirm, cancel, expire."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.bookings.events import EVENTS, BookingConfirmed
from apps.bookings.models import Booking
from apps.bookings.tasks import expire_holds
from apps.catalog.models import Departure
from apps.payments.models import Payment, Refund
from kernel.outbox.events import Envelope
from kernel.outbox.models import OutboxEvent
from tests.bookings.journey import booking_request, new_key
from tests.factories import DepartureFactory

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/bookings/"


def book(api, departure, seats=2, key=None, **headers):
    return api.post(
        BOOKINGS,
        booking_request(departure.id, seats),
        format="json",
        headers={"Idempotency-Key": key or new_key(), **headers},
    )


def seats(departure: Departure) -> tuple[int, int]:
    departure.refresh_from_db()
    return departure.seats_held, departure.seats_booked


def as_guest(api, booking: dict):
    api.credentials(HTTP_X_BOOKING_TOKEN=booking["access_token"])
    return api


@pytest.fixture
def departure():
    return DepartureFactory(capacity=10, price="250.00")


def test_browse_hold_pay_and_confirm(api, departure):
    tour = api.get("/api/catalog/tours/").json()["results"][0]
    detail = api.get(f"/api/catalog/tours/{tour['slug']}/").json()
    departure_id = detail["departures"][0]["id"]
    assert departure_id == departure.id

    created = book(api, departure, seats=2)
    assert created.status_code == 201, created.content
    booking = created.json()
    assert booking["status"] == "pending_payment"
    assert booking["total"] == "500.00"
    assert booking["currency"] == "EUR"
    assert booking["departure"]["tour_title"] == departure.tour.title
    assert booking["hold_expires_at"] and booking["access_token"]
    assert seats(departure) == (2, 0)

    paid = as_guest(api, booking).post(
        f"{BOOKINGS}{booking['reference']}/pay", {"payment_method": "tok_visa"}, format="json"
    )
    assert paid.status_code == 200, paid.content
    assert paid.json()["status"] == "confirmed"
    assert seats(departure) == (0, 2)
    assert Payment.objects.get(booking_reference=booking["reference"]).status == "succeeded"


def test_a_declined_card_leaves_the_booking_payable_with_another_card(api, departure):
    booking = book(api, departure).json()
    guest = as_guest(api, booking)
    pay = f"{BOOKINGS}{booking['reference']}/pay"

    declined = guest.post(pay, {"payment_method": "tok_declined"}, format="json")
    assert declined.status_code == 402
    assert declined["Content-Type"] == "application/problem+json"
    assert guest.get(f"{BOOKINGS}{booking['reference']}/").json()["status"] == "pending_payment"
    assert seats(departure) == (2, 0)

    paid = guest.post(pay, {"payment_method": "tok_visa"}, format="json")
    assert paid.json()["status"] == "confirmed"
    statuses = sorted(
        Payment.objects.filter(booking_reference=booking["reference"]).values_list(
            "status", flat=True
        )
    )
    assert statuses == ["declined", "succeeded"]


def test_paying_twice_charges_once(api, departure):
    booking = book(api, departure).json()
    guest = as_guest(api, booking)
    for _ in range(2):
        response = guest.post(
            f"{BOOKINGS}{booking['reference']}/pay", {"payment_method": "tok_visa"}, format="json"
        )
        assert response.json()["status"] == "confirmed"
    assert (
        Payment.objects.filter(booking_reference=booking["reference"], status="succeeded").count()
        == 1
    )
    assert seats(departure) == (0, 2)


def test_an_unpaid_hold_expires_and_gives_the_seats_back(api, departure):
    booking = book(api, departure).json()
    Booking.objects.filter(reference=booking["reference"]).update(
        hold_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert expire_holds.delay().get() == 1
    assert Booking.objects.get(reference=booking["reference"]).status == "expired"
    assert seats(departure) == (0, 0)

    late = as_guest(api, booking).post(
        f"{BOOKINGS}{booking['reference']}/pay", {"payment_method": "tok_visa"}, format="json"
    )
    assert late.status_code == 409
    assert not Payment.objects.filter(booking_reference=booking["reference"]).exists()


def test_paying_after_the_hold_ran_out_expires_the_booking(api, departure):
    booking = book(api, departure).json()
    Booking.objects.filter(reference=booking["reference"]).update(
        hold_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = as_guest(api, booking).post(
        f"{BOOKINGS}{booking['reference']}/pay", {"payment_method": "tok_visa"}, format="json"
    )
    assert response.status_code == 409
    assert Booking.objects.get(reference=booking["reference"]).status == "expired"
    assert seats(departure) == (0, 0)


def test_cancelling_a_confirmed_booking_refunds_and_releases(api, departure):
    booking = book(api, departure, seats=3).json()
    guest = as_guest(api, booking)
    guest.post(
        f"{BOOKINGS}{booking['reference']}/pay", {"payment_method": "tok_visa"}, format="json"
    )
    for _ in range(2):
        cancelled = guest.post(f"{BOOKINGS}{booking['reference']}/cancel")
        assert cancelled.status_code == 200
        assert cancelled.json()["status"] == "cancelled"
    assert seats(departure) == (0, 0)
    payment = Payment.objects.get(booking_reference=booking["reference"])
    assert payment.status == "refunded"
    assert Refund.objects.filter(payment=payment).count() == 1


def test_cancelling_an_unpaid_booking_releases_the_hold(api, departure):
    booking = book(api, departure).json()
    assert (
        as_guest(api, booking).post(f"{BOOKINGS}{booking['reference']}/cancel").json()["status"]
        == "cancelled"
    )
    assert seats(departure) == (0, 0)


def test_an_expired_booking_cannot_be_cancelled(api, departure):
    booking = book(api, departure).json()
    Booking.objects.filter(reference=booking["reference"]).update(
        hold_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    expire_holds.delay()
    response = as_guest(api, booking).post(f"{BOOKINGS}{booking['reference']}/cancel")
    assert response.status_code == 409


def test_the_guest_is_emailed_on_confirmation_and_cancellation(
    api, departure, mailoutbox, django_capture_on_commit_callbacks
):
    booking = book(api, departure).json()
    guest = as_guest(api, booking)
    with django_capture_on_commit_callbacks(execute=True):
        guest.post(
            f"{BOOKINGS}{booking['reference']}/pay", {"payment_method": "tok_visa"}, format="json"
        )
    assert [m.to for m in mailoutbox] == [["ada@example.com"]]
    confirmation = mailoutbox[0]
    assert booking["reference"] in confirmation.subject + confirmation.body
    # The storefront's page, the token in the fragment: no server log or Referer sees it.
    link = f"http://127.0.0.1:8000/bookings/{booking['reference']}#token={booking['access_token']}"
    assert link in confirmation.body

    with django_capture_on_commit_callbacks(execute=True):
        guest.post(f"{BOOKINGS}{booking['reference']}/cancel")
    assert len(mailoutbox) == 2
    assert "cancel" in mailoutbox[1].subject.lower()


def test_the_confirmation_event_carries_the_booking_and_the_request_that_paid(api, departure):
    booking = book(api, departure).json()
    as_guest(api, booking).post(
        f"{BOOKINGS}{booking['reference']}/pay",
        {"payment_method": "tok_visa"},
        format="json",
        headers={"X-Request-ID": "pay-req-42"},
    )

    envelope = Envelope.from_message(OutboxEvent.objects.get(type="booking.confirmed").envelope())
    assert (envelope.version, envelope.request_id) == (BookingConfirmed.VERSION, "pay-req-42")
    confirmed = envelope.event(EVENTS)
    assert isinstance(confirmed, BookingConfirmed)
    assert (confirmed.reference, confirmed.seats, confirmed.total) == (
        booking["reference"],
        2,
        Decimal("500.00"),
    )
