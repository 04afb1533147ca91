"""Staff change a departure while customers hold seats on it, on the real PostgreSQL
server: every seat held is counted, and the departure is never oversold.

Each test pauses the staff's write just before its UPDATE reaches the database, lets a
customer hold seats meanwhile, then lets the staff's write go on."""

import pytest
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from apps.catalog import services
from apps.catalog.exceptions import SeatsUnavailable
from apps.catalog.models import Departure, SeatHold, Tour
from tests.catalog.admin_pages import (
    departure_page,
    tour_page_deleting,
    tour_page_with_one_departure,
)
from tests.factories import DepartureFactory
from tests.interleaving import run_interleaved

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def api_edit(staff, departure, capacity):
    client = APIClient()
    client.force_authenticate(staff)
    changes = {"price": "350.00"}
    if capacity != departure.capacity:
        changes["capacity"] = capacity
    response = client.patch(f"/api/catalog/departures/{departure.pk}/", changes, format="json")
    assert response.status_code == 200, response.content


def admin_departure_page_edit(staff, departure, capacity):
    client = Client()
    client.force_login(staff)
    url, data = departure_page(departure, price="350.00", capacity=capacity)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()


def admin_tour_page_edit(staff, departure, capacity):
    client = Client()
    client.force_login(staff)
    url, data = tour_page_with_one_departure(
        departure.tour,
        departure.pk,
        starts_on=departure.starts_on,
        price="350.00",
        capacity=capacity,
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()


def customer_holds(departure_id: int, seats: int) -> bool:
    try:
        services.departure_hold_seats(departure_id=departure_id, seats=seats, key="meanwhile")
    except SeatsUnavailable:
        return False
    return True


STAFF_EDITS = [api_edit, admin_departure_page_edit, admin_tour_page_edit]


def edit_while_a_customer_holds(staff, staff_edit, *, capacity: int) -> tuple[Departure, bool]:
    """15 of 20 seats held; staff set the price and ``capacity`` while a customer holds
    3 more."""
    departure = DepartureFactory(capacity=20)
    services.departure_hold_seats(departure_id=departure.pk, seats=15, key="earlier")
    _, customer_held = run_interleaved(
        lambda: staff_edit(staff, departure, capacity),
        lambda: customer_holds(departure.pk, 3),
        paused_before='UPDATE "catalog_departure"',
    )
    departure = Departure.objects.get(pk=departure.pk)
    open_holds = SeatHold.objects.filter(departure=departure, status=SeatHold.Status.HELD)
    assert departure.seats_held == open_holds.aggregate(seats=Sum("seats"))["seats"]
    assert departure.seats_held + departure.seats_booked <= departure.capacity
    assert departure.price == 350
    return departure, customer_held


@pytest.mark.parametrize("staff_edit", STAFF_EDITS)
def test_a_hold_made_during_a_staff_price_change_is_counted(staff, staff_edit):
    departure, customer_held = edit_while_a_customer_holds(staff, staff_edit, capacity=20)
    assert customer_held
    assert (departure.capacity, departure.seats_held) == (20, 18)


@pytest.mark.parametrize("staff_edit", STAFF_EDITS)
def test_a_hold_made_during_a_staff_capacity_change_is_counted(staff, staff_edit):
    departure, customer_held = edit_while_a_customer_holds(staff, staff_edit, capacity=18)
    assert customer_held
    assert (departure.capacity, departure.seats_held) == (18, 18)


@pytest.mark.parametrize("staff_edit", STAFF_EDITS)
def test_a_hold_that_no_longer_fits_the_new_capacity_is_refused(staff, staff_edit):
    departure, customer_held = edit_while_a_customer_holds(staff, staff_edit, capacity=16)
    assert not customer_held
    assert (departure.capacity, departure.seats_held) == (16, 15)


def test_a_hold_racing_the_deletion_of_its_departure_is_refused(staff):
    departure = DepartureFactory()
    client = APIClient()
    client.force_authenticate(staff)
    deleted, customer_held = run_interleaved(
        lambda: client.delete(f"/api/catalog/departures/{departure.pk}/").status_code,
        lambda: customer_holds(departure.pk, 2),
        paused_before='DELETE FROM "catalog_departure"',
    )
    assert (deleted, customer_held) == (204, False)
    assert not SeatHold.objects.exists()


def signed_in(staff) -> Client:
    client = Client()
    client.force_login(staff)
    return client


def admin_delete_departure(staff, departure):
    url = reverse("admin:catalog_departure_delete", args=[departure.pk])
    return signed_in(staff).post(url, {"post": "yes"}, follow=True)


def admin_delete_tour(staff, departure):
    url = reverse("admin:catalog_tour_delete", args=[departure.tour_id])
    return signed_in(staff).post(url, {"post": "yes"}, follow=True)


def admin_delete_selected_tours(staff, departure):
    other = DepartureFactory().tour  # deletable: kept all the same, nothing half-done
    selected = {"action": "delete_selected", "_selected_action": [other.pk, departure.tour_id]}
    changelist = reverse("admin:catalog_tour_changelist")
    return signed_in(staff).post(changelist, {**selected, "post": "yes"}, follow=True)


def admin_delete_on_the_tour_page(staff, departure):
    return signed_in(staff).post(*tour_page_deleting(departure), follow=True)


@pytest.mark.parametrize(
    "staff_delete",
    [
        admin_delete_departure,
        admin_delete_tour,
        admin_delete_selected_tours,
        admin_delete_on_the_tour_page,
    ],
)
def test_a_hold_landing_after_the_admin_checked_the_delete_keeps_the_departure(staff, staff_delete):
    """The admin found nothing protected; a customer holds seats before the delete
    locks the departure: staff read why it was kept."""
    departure = DepartureFactory()
    tours = Tour.objects.count()
    page, customer_held = run_interleaved(
        lambda: staff_delete(staff, departure),
        lambda: customer_holds(departure.pk, 2),
        paused_before='SELECT .* FROM "catalog_departure" .* FOR UPDATE',  # the delete's lock
    )
    assert customer_held
    assert page.status_code == 200
    assert "seat holds or bookings" in page.content.decode()
    assert Departure.objects.filter(pk=departure.pk, seats_held=2).exists()
    assert Tour.objects.count() == tours + (admin_delete_selected_tours is staff_delete)
