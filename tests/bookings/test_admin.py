"""Staff find and cancel bookings in the admin, through the same service as the API."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.bookings.models import Booking
from tests.bookings.journey import booking_request, new_key
from tests.conftest import staff_user
from tests.factories import DepartureFactory
from tests.interleaving import run_interleaved

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:bookings_booking_changelist")


@pytest.fixture
def departure():
    return DepartureFactory(capacity=10)


def make_booking(api, departure, email: str) -> Booking:
    response = api.post(
        "/api/bookings/",
        booking_request(departure.id, seats=2, email=email),
        format="json",
        headers={"Idempotency-Key": new_key()},
    )
    return Booking.objects.get(reference=response.json()["reference"])


def test_search_by_reference_or_email_and_filter_by_status(admin_client, api, departure):
    ada = make_booking(api, departure, "ada@example.com")
    bob = make_booking(api, departure, "bob@example.com")
    by_reference = admin_client.get(CHANGELIST, {"q": ada.reference}).content.decode()
    assert ada.reference in by_reference and bob.reference not in by_reference
    by_email = admin_client.get(CHANGELIST, {"q": "bob@example.com"}).content.decode()
    assert bob.reference in by_email and ada.reference not in by_email
    confirmed = admin_client.get(CHANGELIST, {"status__exact": "confirmed"}).content.decode()
    assert ada.reference not in confirmed


def test_the_cancel_action_releases_the_seats(admin_client, api, departure):
    booking = make_booking(api, departure, "ada@example.com")
    response = admin_client.post(
        CHANGELIST, {"action": "cancel", "_selected_action": [booking.pk]}, follow=True
    )
    assert "1 booking(s) cancelled." in response.content.decode()
    booking.refresh_from_db()
    departure.refresh_from_db()
    assert booking.status == "cancelled"
    assert departure.seats_held == 0


def test_audit_fields_are_read_only(admin_client, api, departure):
    booking = make_booking(api, departure, "ada@example.com")
    page = admin_client.get(reverse("admin:bookings_booking_change", args=[booking.pk]))
    html = page.content.decode()
    assert 'name="customer_email"' in html
    assert 'name="total"' not in html and 'name="status"' not in html


def test_the_change_page_shows_each_payment_attempt_read_only(admin_client, api, departure):
    booking = make_booking(api, departure, "ada@example.com")
    for method in ("tok_declined", "tok_visa"):
        api.post(
            f"/api/bookings/{booking.reference}/pay",
            {"payment_method": method},
            format="json",
            headers={"X-Booking-Token": booking.access_token},
        )
    html = admin_client.get(reverse("admin:bookings_booking_change", args=[booking.pk])).content
    html = html.decode()
    assert f"booking-{booking.pk}-charge-0" in html and f"booking-{booking.pk}-charge-1" in html
    assert "Failed (declined or never charged)" in html
    assert 'name="payment_attempts-0-outcome"' not in html


def test_the_cancel_action_needs_the_change_permission(client, api, departure):
    booking = make_booking(api, departure, "ada@example.com")
    client.force_login(staff_user("bookings.view_booking"))
    client.post(CHANGELIST, {"action": "cancel", "_selected_action": [booking.pk]})
    booking.refresh_from_db()
    assert booking.status == "pending_payment"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_correcting_the_email_while_the_guest_pays_keeps_the_payment(client, staff, api):
    booking = make_booking(api, DepartureFactory(), "ada@exmaple.com")
    client.force_login(staff)
    page = reverse("admin:bookings_booking_change", args=[booking.pk])

    def correct_the_email():
        data = {"customer_name": booking.customer_name, "customer_email": "ada@example.com"}
        assert client.post(page, data).status_code == 302

    def guest_pays():
        response = APIClient().post(
            f"/api/bookings/{booking.reference}/pay",
            {"payment_method": "tok_visa"},
            format="json",
            headers={"X-Booking-Token": booking.access_token},
        )
        assert response.status_code == 200

    run_interleaved(correct_the_email, guest_pays, paused_before='UPDATE "bookings_booking"')

    booking.refresh_from_db()
    assert (booking.status, booking.customer_email) == ("confirmed", "ada@example.com")
    assert booking.payment_key
