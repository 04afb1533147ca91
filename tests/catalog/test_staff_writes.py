"""Anyone may read the catalog; only staff may change it."""

import pytest

from apps.catalog.models import Tour
from tests.factories import CategoryFactory, DepartureFactory, DestinationFactory, TourFactory

pytestmark = pytest.mark.django_db


def new_tour() -> dict:
    return {
        "slug": "new-tour",
        "title": "New tour",
        "summary": "Fresh",
        "destination": DestinationFactory().slug,
        "category": CategoryFactory().slug,
        "duration_days": 4,
        "price_from": "450.00",
        "is_published": True,
    }


def test_anonymous_cannot_create_a_tour(api):
    response = api.post("/api/catalog/tours/", new_tour(), format="json")
    assert response.status_code in (401, 403)
    assert response["Content-Type"] == "application/problem+json"
    assert not Tour.objects.filter(slug="new-tour").exists()


def test_a_customer_account_cannot_delete_a_tour(api):
    from tests.factories import UserFactory

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


def test_staff_cannot_shrink_a_departure_below_the_seats_taken(staff_api):
    departure = DepartureFactory(capacity=10)
    departure.seats_booked = 6
    departure.save()
    response = staff_api.patch(
        f"/api/catalog/departures/{departure.id}/", {"capacity": 5}, format="json"
    )
    assert response.status_code == 400
    assert "capacity" in response.json()["errors"]
    departure.refresh_from_db()
    assert departure.capacity == 10
