"""Guests see only their own booking; staff see every booking."""

import pytest

from apps.bookings.models import Booking
from tests.bookings.journey import booking_request, new_key
from tests.factories import DepartureFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(api):
    departure = DepartureFactory()
    response = api.post(
        "/api/bookings/",
        booking_request(departure.id),
        format="json",
        headers={"Idempotency-Key": new_key()},
    )
    return response.json()


def detail(booking) -> str:
    return f"/api/bookings/{booking['reference']}/"


def test_the_guest_reads_the_booking_with_its_token_in_a_header_or_the_link(api, booking):
    by_header = api.get(detail(booking), headers={"X-Booking-Token": booking["access_token"]})
    assert by_header.status_code == 200
    assert by_header.json()["reference"] == booking["reference"]
    by_link = api.get(detail(booking), {"token": booking["access_token"]})
    assert by_link.status_code == 200
    assert "access_token" not in by_link.json()


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_without_the_right_token_the_booking_does_not_exist(api, booking, token):
    headers = {"X-Booking-Token": token} if token else {}
    response = api.get(detail(booking), headers=headers)
    assert response.status_code == 404
    assert response.json()["type"] == "urn:tourism:problem:booking-not-found"
    assert "Ada" not in response.content.decode()


def test_a_stranger_cannot_cancel_someone_elses_booking(api, booking):
    response = api.post(f"{detail(booking)}cancel", headers={"X-Booking-Token": "x"})
    assert response.status_code == 404
    check = api.get(detail(booking), headers={"X-Booking-Token": booking["access_token"]})
    assert check.json()["status"] == "pending_payment"


def test_staff_read_any_booking_and_list_them(staff_api, booking):
    assert staff_api.get(detail(booking)).status_code == 200
    listed = staff_api.get("/api/bookings/").json()
    assert [b["reference"] for b in listed["results"]] == [booking["reference"]]


def test_customers_cannot_list_bookings(api, booking):
    assert api.get("/api/bookings/").status_code == 403
    api.force_authenticate(UserFactory())
    assert api.get("/api/bookings/").status_code == 403


@pytest.mark.parametrize("size", [3, 30])
def test_staff_list_filters_and_runs_constant_queries(staff_api, size, django_assert_num_queries):
    departure = DepartureFactory(capacity=100)
    for n in range(size):
        staff_api.post(
            "/api/bookings/",
            booking_request(departure.id, seats=1, email=f"guest{n}@example.com"),
            format="json",
            headers={"Idempotency-Key": new_key()},
        )
    # The staff user's permissions (own and groups'), COUNT and one page.
    with django_assert_num_queries(4):
        response = staff_api.get("/api/bookings/", {"status": "pending_payment", "page_size": 50})
    assert response.json()["count"] == size
    found = staff_api.get("/api/bookings/", {"search": "guest1@example.com"}).json()
    assert found["count"] == 1


def test_staff_without_the_booking_permission_are_refused(staff_api_with, booking):
    client = staff_api_with("catalog.view_tour")
    assert client.get("/api/bookings/").status_code == 403
    read = client.get(detail(booking))
    assert read.status_code == 403
    assert read.json()["type"] == "urn:tourism:problem:permission-denied"
    assert client.post(f"{detail(booking)}cancel").status_code == 403
    assert Booking.objects.get(reference=booking["reference"]).status == "pending_payment"


def test_the_view_permission_reads_but_does_not_cancel(staff_api_with, booking):
    client = staff_api_with("bookings.view_booking")
    assert client.get("/api/bookings/").json()["count"] == 1
    assert client.get(detail(booking)).json()["reference"] == booking["reference"]
    assert client.post(f"{detail(booking)}cancel").status_code == 403
    assert Booking.objects.get(reference=booking["reference"]).status == "pending_payment"


def test_the_change_permission_cancels(staff_api_with, booking):
    response = staff_api_with("bookings.change_booking").post(f"{detail(booking)}cancel")
    assert response.json()["status"] == "cancelled"


def test_staff_without_permissions_still_reach_their_own_booking_by_token(staff_api_with, booking):
    client = staff_api_with()
    token = {"X-Booking-Token": booking["access_token"]}
    assert client.get(detail(booking), headers=token).status_code == 200
    assert client.post(f"{detail(booking)}cancel", headers=token).json()["status"] == "cancelled"
