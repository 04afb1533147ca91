"""Every payment attempt has its own key: an outage or a decline never blocks the next
card, a charge whose answer was lost is found and kept or refunded, and nothing is ever
charged twice (monolith, in-process)."""

import datetime

import pytest
from django.utils import timezone

from apps.bookings import services
from apps.bookings.models import Booking, PaymentAttempt
from apps.bookings.tasks import expire_holds, settle_payments
from apps.payments import client as payments
from apps.payments.models import Payment, Refund
from tests.bookings.journey import booking_request, new_key
from tests.factories import DepartureFactory
from tests.invariants import assert_invariants

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(api) -> dict:
    departure = DepartureFactory(capacity=10, price="250.00")
    response = api.post(
        "/api/bookings/",
        booking_request(departure.id, seats=2),
        format="json",
        headers={"Idempotency-Key": new_key()},
    )
    return response.json()


def pay(api, booking: dict, method: str):
    return api.post(
        f"/api/bookings/{booking['reference']}/pay",
        {"payment_method": method},
        format="json",
        headers={"X-Booking-Token": booking["access_token"]},
    )


def cancel(api, booking: dict):
    return api.post(
        f"/api/bookings/{booking['reference']}/cancel",
        headers={"X-Booking-Token": booking["access_token"]},
    )


def kept_charges(booking: dict) -> int:
    return Payment.objects.filter(
        booking_reference=booking["reference"], status="succeeded"
    ).count()


@pytest.mark.parametrize(("first", "refused"), [("tok_gateway_error", 503), ("tok_declined", 402)])
def test_after_a_failed_attempt_another_card_pays_once(api, booking, first, refused):
    assert pay(api, booking, first).status_code == refused
    paid = pay(api, booking, "tok_visa")
    assert paid.status_code == 200, paid.content
    assert paid.json()["status"] == "confirmed"
    assert kept_charges(booking) == 1
    assert_invariants()


def test_cancelling_after_a_gateway_outage_charges_nothing(api, booking):
    assert pay(api, booking, "tok_gateway_error").status_code == 503
    assert cancel(api, booking).json()["status"] == "cancelled"
    assert kept_charges(booking) == 0
    assert_invariants()


def lose_the_answer(api, booking: dict, provider) -> None:
    """Pay while the provider answers too late: it charges, the site hears nothing."""
    provider.delay_next(1, seconds=2.0)
    assert pay(api, booking, "tok_visa").status_code == 503
    assert provider.charge_count == 1


def test_a_charge_whose_answer_was_lost_pays_for_the_next_attempt(api, booking, provider):
    lose_the_answer(api, booking, provider)
    paid = pay(api, booking, "tok_visa")
    assert paid.json()["status"] == "confirmed"
    assert provider.charge_count == 1  # the lost charge was found, not made again
    assert kept_charges(booking) == 1
    assert_invariants()


def test_cancel_refunds_a_charge_whose_answer_was_lost(api, booking, provider):
    lose_the_answer(api, booking, provider)
    assert cancel(api, booking).json()["status"] == "cancelled"
    assert provider.refund_count == 1
    assert Refund.objects.get().payment.booking_reference == booking["reference"]
    assert_invariants()


def test_expiry_refunds_a_charge_whose_answer_was_lost(api, booking, provider):
    lose_the_answer(api, booking, provider)
    Booking.objects.filter(reference=booking["reference"]).update(
        hold_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert expire_holds() == 1
    assert Booking.objects.get(reference=booking["reference"]).status == "expired"
    assert provider.refund_count == 1
    assert_invariants()


def test_a_lost_charge_found_after_another_card_paid_is_refunded(api, booking, provider):
    lose_the_answer(api, booking, provider)
    provider.fail_next(1)  # the provider cannot say yet how the lost charge ended
    assert pay(api, booking, "tok_visa").json()["status"] == "confirmed"
    assert provider.charge_count == 2

    assert settle_payments() == 1
    assert provider.refund_count == 1
    assert kept_charges(booking) == 1
    assert_invariants()


def test_a_charge_that_lands_after_another_attempt_confirmed_the_booking_is_refunded(api, booking):
    """What a payment whose lease ran out meets when it finally gets its charge."""
    assert pay(api, booking, "tok_visa").json()["status"] == "confirmed"
    confirmed = Booking.objects.get(reference=booking["reference"])
    late = PaymentAttempt.objects.create(booking=confirmed, number=1, payment_method="tok_visa")
    payments.charge(
        key=late.key,
        amount=confirmed.total,
        currency="EUR",
        payment_method="tok_visa",
        booking_reference=confirmed.reference,
    )
    assert services._booking_confirm(booking=confirmed, paid=late).status == "confirmed"
    late.refresh_from_db()
    assert late.outcome == "refunded"
    assert kept_charges(booking) == 1
    assert_invariants()


def test_a_booking_claimed_by_a_payment_in_progress_is_busy_until_its_lease_ends(api, booking):
    reference = booking["reference"]
    in_a_while = timezone.now() + datetime.timedelta(minutes=1)
    Booking.objects.filter(reference=reference).update(payment_lease_until=in_a_while)
    for response in (pay(api, booking, "tok_visa"), cancel(api, booking)):
        assert response.status_code == 409
        assert response.json()["type"].endswith("booking-busy")
    assert kept_charges(booking) == 0

    a_while_ago = timezone.now() - datetime.timedelta(seconds=1)
    Booking.objects.filter(reference=reference).update(payment_lease_until=a_while_ago)
    assert pay(api, booking, "tok_visa").json()["status"] == "confirmed"
