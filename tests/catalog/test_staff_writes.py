"""Anyone may read the catalog; staff with the model permissions (as in the admin) may
change it, and bad input or a conflict is a clear problem that changes nothing."""

import pytest

from apps.catalog import services
from apps.catalog.models import Departure, Tour
from tests.factories import (
    CategoryFactory,
    DepartureFactory,
    DestinationFactory,
    TourFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def new_tour(**changes) -> dict:
    return {
        "slug": "new-tour",
        "title": "New tour",
        "summary": "Fresh",
        "destination": DestinationFactory().slug,
        "category": CategoryFactory().slug,
        "duration_days": 4,
        "price_from": "450.00",
        "is_published": True,
        **changes,
    }


def held(departure: Departure, seats: int) -> Departure:
    services.departure_hold_seats(departure_id=departure.pk, seats=seats, key=f"k{departure.pk}")
    departure.refresh_from_db()
    return departure


def test_anonymous_cannot_create_a_tour(api):
    response = api.post("/api/catalog/tours/", new_tour(), format="json")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert not Tour.objects.filter(slug="new-tour").exists()


def test_a_customer_account_cannot_delete_a_tour(api):
    tour = TourFactory()
    api.force_authenticate(UserFactory())
    assert api.delete(f"/api/catalog/tours/{tour.slug}/").status_code == 403
    assert Tour.objects.filter(pk=tour.pk).exists()


def test_staff_creates_and_then_changes_a_tour(staff_api):
    assert staff_api.post("/api/catalog/tours/", new_tour(), format="json").status_code == 201
    response = staff_api.patch(
        "/api/catalog/tours/new-tour/", {"price_from": "399.00"}, format="json"
    )
    assert response.status_code == 200
    assert str(Tour.objects.get(slug="new-tour").price_from) == "399.00"


def test_staff_schedule_change_and_delete_a_departure(staff_api):
    tour = TourFactory()
    created = staff_api.post(
        "/api/catalog/departures/",
        {"tour": tour.slug, "starts_on": "2031-05-01", "price": "250.00", "capacity": 12},
        format="json",
    )
    assert created.status_code == 201
    url = f"/api/catalog/departures/{created.json()['id']}/"
    changed = staff_api.patch(url, {"price": "260.00"}, format="json").json()
    assert (changed["price"], changed["capacity"], changed["seats_available"]) == (
        "260.00",
        12,
        12,
    )
    assert staff_api.delete(url).status_code == 204
    assert not tour.departures.exists()


# --- Model permissions, the same as the admin's -------------------------------------


def test_staff_without_permissions_cannot_change_the_catalog(staff_api_with):
    client = staff_api_with()
    departure = DepartureFactory()
    tour = departure.tour
    assert client.post("/api/catalog/tours/", new_tour(), format="json").status_code == 403
    patch = client.patch(
        f"/api/catalog/departures/{departure.pk}/", {"price": "1.00"}, format="json"
    )
    assert patch.status_code == 403
    assert patch.json()["type"] == "urn:tourism:problem:permission-denied"
    assert client.delete(f"/api/catalog/tours/{tour.slug}/").status_code == 403
    departure.refresh_from_db()
    assert (str(departure.price), Tour.objects.filter(pk=tour.pk).exists()) == ("320.00", True)


def test_each_write_needs_its_own_permission(staff_api_with):
    departure = DepartureFactory()
    url = f"/api/catalog/departures/{departure.pk}/"
    may_change = staff_api_with("catalog.change_departure")
    assert may_change.patch(url, {"price": "300.00"}, format="json").status_code == 200
    assert may_change.delete(url).status_code == 403
    may_add = staff_api_with("catalog.add_tour")
    assert may_add.post("/api/catalog/tours/", new_tour(), format="json").status_code == 201
    may_delete = staff_api_with("catalog.delete_departure")
    assert may_delete.delete(url).status_code == 204


# --- Unpublished tours -----------------------------------------------------------------


@pytest.fixture
def draft():
    return DepartureFactory(tour__is_published=False, tour__title="Secret draft")


def test_staff_list_and_read_unpublished_tours(staff_api_with, draft):
    client = staff_api_with("catalog.view_tour")
    listed = client.get("/api/catalog/tours/").json()["results"]
    assert [tour["slug"] for tour in listed] == [draft.tour.slug]
    detail = client.get(f"/api/catalog/tours/{draft.tour.slug}/").json()
    assert detail["is_published"] is False
    assert [d["id"] for d in detail["departures"]] == [draft.pk]


def test_staff_read_and_change_departures_of_unpublished_tours(staff_api_with, draft):
    client = staff_api_with("catalog.change_departure")
    url = f"/api/catalog/departures/{draft.pk}/"
    assert client.get(url).json()["id"] == draft.pk
    assert client.patch(url, {"capacity": 30}, format="json").status_code == 200
    assert Departure.objects.get(pk=draft.pk).capacity == 30


def test_staff_change_an_unpublished_tour(staff_api_with, draft):
    client = staff_api_with("catalog.change_tour")
    url = f"/api/catalog/tours/{draft.tour.slug}/"
    assert client.patch(url, {"is_published": True}, format="json").status_code == 200
    assert Tour.objects.get(pk=draft.tour.pk).is_published


@pytest.mark.parametrize("as_staff_without_permissions", [False, True])
def test_others_do_not_see_unpublished_tours(
    api, staff_api_with, draft, as_staff_without_permissions
):
    client = staff_api_with() if as_staff_without_permissions else api
    assert client.get("/api/catalog/tours/").json()["count"] == 0
    assert client.get(f"/api/catalog/tours/{draft.tour.slug}/").status_code == 404
    assert client.get(f"/api/catalog/departures/{draft.pk}/").status_code == 404
    assert "Secret draft" not in client.get("/api/catalog/departures/").content.decode()


# --- Conflicts and bad input ---------------------------------------------------------


def test_staff_cannot_shrink_a_departure_below_the_seats_taken(staff_api):
    departure = held(DepartureFactory(capacity=10), 6)
    response = staff_api.patch(
        f"/api/catalog/departures/{departure.id}/",
        {"capacity": 5, "price": "1.00"},
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["type"] == "urn:tourism:problem:capacity-below-seats-taken"
    assert body["errors"] == {"capacity": ["6 seat(s) are already held or booked."]}
    departure.refresh_from_db()
    assert (departure.capacity, str(departure.price), departure.seats_held) == (10, "320.00", 6)


def test_staff_may_shrink_a_departure_down_to_the_seats_taken(staff_api):
    departure = held(DepartureFactory(capacity=10), 6)
    url = f"/api/catalog/departures/{departure.id}/"
    assert staff_api.patch(url, {"capacity": 6}, format="json").json()["seats_available"] == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("duration_days", 0), ("price_from", "-1.00")],
)
def test_a_tour_that_breaks_a_rule_is_a_400_naming_the_field(staff_api, field, value):
    created = staff_api.post("/api/catalog/tours/", new_tour(**{field: value}), format="json")
    assert created.status_code == 400
    assert list(created.json()["errors"]) == [field]
    assert not Tour.objects.filter(slug="new-tour").exists()
    tour = TourFactory()
    changed = staff_api.patch(f"/api/catalog/tours/{tour.slug}/", {field: value}, format="json")
    assert changed.status_code == 400
    assert list(changed.json()["errors"]) == [field]
    tour.refresh_from_db()
    assert (tour.duration_days, str(tour.price_from)) == (3, "300.00")


def test_a_negative_departure_price_is_a_400_naming_the_field(staff_api):
    departure = DepartureFactory()
    response = staff_api.patch(
        f"/api/catalog/departures/{departure.pk}/", {"price": "-5"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["price"]
    departure.refresh_from_db()
    assert str(departure.price) == "320.00"


def test_a_departure_with_holds_cannot_be_deleted(staff_api):
    departure = held(DepartureFactory(), 2)
    response = staff_api.delete(f"/api/catalog/departures/{departure.pk}/")
    assert response.status_code == 409
    assert response.json()["type"] == "urn:tourism:problem:departure-in-use"
    assert Departure.objects.filter(pk=departure.pk).exists()


def test_a_tour_with_holds_on_a_departure_cannot_be_deleted(staff_api):
    departure = held(DepartureFactory(), 2)
    DepartureFactory(tour=departure.tour)
    response = staff_api.delete(f"/api/catalog/tours/{departure.tour.slug}/")
    assert response.status_code == 409
    assert response.json()["type"] == "urn:tourism:problem:tour-in-use"
    assert Departure.objects.filter(tour=departure.tour).count() == 2


def test_a_tour_whose_departures_nobody_holds_is_deleted_with_them(staff_api):
    departure = DepartureFactory()
    assert staff_api.delete(f"/api/catalog/tours/{departure.tour.slug}/").status_code == 204
    assert not Departure.objects.filter(pk=departure.pk).exists()
