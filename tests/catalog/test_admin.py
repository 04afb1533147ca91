"""Staff manage the catalog in the Django admin."""

import pytest
from django.urls import reverse

from apps.catalog import services
from apps.catalog.models import Departure, Tour
from tests.catalog.admin_pages import (
    departure_page,
    tour_page_deleting,
    tour_page_with_one_departure,
)
from tests.conftest import staff_user
from tests.factories import CategoryFactory, DepartureFactory, DestinationFactory, TourFactory

pytestmark = pytest.mark.django_db


def test_tour_list_shows_seats_available_in_a_constant_number_of_queries(
    admin_client, django_assert_max_num_queries
):
    for capacity in (5, 7):
        departure = DepartureFactory(capacity=capacity, tour__title=f"Tour with {capacity}")
    url = reverse("admin:catalog_tour_changelist")
    with django_assert_max_num_queries(12) as few:
        admin_client.get(url)
    DepartureFactory.create_batch(15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert departure.tour.title in response.content.decode()


def test_upcoming_filter_and_search(admin_client):
    DepartureFactory(tour__title="Sunny Crete")
    TourFactory(title="Rainy Bergen")
    url = reverse("admin:catalog_tour_changelist")
    upcoming = admin_client.get(url, {"upcoming": "yes"}).content.decode()
    assert "Sunny Crete" in upcoming and "Rainy Bergen" not in upcoming
    found = admin_client.get(url, {"q": "bergen"}).content.decode()
    assert "Rainy Bergen" in found and "Sunny Crete" not in found


def test_unpublish_action(admin_client):
    tour = TourFactory()
    admin_client.post(
        reverse("admin:catalog_tour_changelist"),
        {"action": "unpublish", "_selected_action": [tour.pk]},
    )
    assert not Tour.objects.get(pk=tour.pk).is_published


def test_publishing_needs_the_change_permission(client):
    tour = TourFactory()
    client.force_login(staff_user("catalog.view_tour"))
    changelist = reverse("admin:catalog_tour_changelist")
    assert tour.title in client.get(changelist).content.decode()
    client.post(changelist, {"action": "unpublish", "_selected_action": [tour.pk]})
    assert Tour.objects.get(pk=tour.pk).is_published


def test_tour_page_shows_departures_inline(admin_client):
    departure = DepartureFactory(capacity=13)
    response = admin_client.get(reverse("admin:catalog_tour_change", args=[departure.tour.pk]))
    assert response.status_code == 200
    assert 'name="departures-0-capacity"' in response.content.decode()


def held(departure, seats: int):
    services.departure_hold_seats(departure_id=departure.pk, seats=seats, key=f"k{departure.pk}")
    return departure


def test_a_capacity_below_the_seats_taken_is_a_form_error(admin_client):
    departure = held(DepartureFactory(capacity=10), 6)
    url, data = departure_page(departure, capacity=5, price="1.00")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "6 seat(s) are already held or booked" in response.content.decode()
    departure.refresh_from_db()
    assert (departure.capacity, str(departure.price), departure.seats_held) == (10, "320.00", 6)


def test_a_negative_price_is_a_form_error(admin_client):
    departure = DepartureFactory()
    url, data = departure_page(departure, price="-5")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.keys() == {"price"}
    departure.refresh_from_db()
    assert str(departure.price) == "320.00"


@pytest.mark.parametrize(("field", "value"), [("duration_days", 0), ("price_from", "-1")])
def test_a_tour_breaking_a_rule_is_a_form_error(admin_client, field, value):
    data = {
        "slug": "new-tour",
        "title": "New tour",
        "summary": "Fresh",
        "destination": DestinationFactory().pk,
        "category": CategoryFactory().pk,
        "duration_days": 3,
        "price_from": "100",
        "currency": "EUR",
        "departures-TOTAL_FORMS": 0,
        "departures-INITIAL_FORMS": 0,
        "departures-MIN_NUM_FORMS": 0,
        "departures-MAX_NUM_FORMS": 1000,
    }
    url = reverse("admin:catalog_tour_add")
    response = admin_client.post(url, {**data, field: value})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.keys() == {field}
    assert admin_client.post(url, data).status_code == 302
    assert Tour.objects.get(slug="new-tour").duration_days == 3


def test_staff_schedule_a_departure_on_the_tour_page(admin_client):
    tour = TourFactory()
    url, data = tour_page_with_one_departure(
        tour, starts_on="2031-05-01", price="250.00", capacity=12
    )
    assert admin_client.post(url, data).status_code == 302
    assert [(str(d.price), d.capacity) for d in tour.departures.all()] == [("250.00", 12)]


def test_the_tour_page_refuses_a_capacity_below_the_seats_taken(admin_client):
    departure = held(DepartureFactory(capacity=10), 6)
    url, data = tour_page_with_one_departure(
        departure.tour, departure.pk, starts_on=departure.starts_on, price="1.00", capacity=5
    )
    response = admin_client.post(url, data)
    assert "6 seat(s) are already held or booked" in response.content.decode()
    departure.refresh_from_db()
    assert (departure.capacity, str(departure.price)) == (10, "320.00")


def test_the_tour_page_does_not_delete_a_departure_with_holds(admin_client):
    departure = held(DepartureFactory(), 2)
    response = admin_client.post(*tour_page_deleting(departure))
    assert response.status_code == 200
    assert "protected" in response.content.decode()
    assert Departure.objects.filter(pk=departure.pk).exists()


def test_a_departure_with_holds_is_not_deleted(admin_client):
    departure = held(DepartureFactory(), 2)
    url = reverse("admin:catalog_departure_delete", args=[departure.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert "Cannot delete departure" in response.content.decode()
    assert Departure.objects.filter(pk=departure.pk).exists()


def test_a_tour_with_holds_is_not_deleted_but_one_without_is(admin_client):
    kept = held(DepartureFactory(), 2).tour
    gone = DepartureFactory().tour
    changelist = reverse("admin:catalog_tour_changelist")
    selected = {"action": "delete_selected", "_selected_action": [kept.pk, gone.pk]}
    response = admin_client.post(changelist, {**selected, "post": "yes"})
    assert "Cannot delete" in response.content.decode()
    admin_client.post(changelist, {**selected, "_selected_action": [gone.pk], "post": "yes"})
    assert list(Tour.objects.all()) == [kept]
    assert kept.departures.count() == 1
