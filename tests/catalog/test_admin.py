"""Staff manage the catalog in the Django admin."""

import pytest
from django.urls import reverse

from apps.catalog.models import Tour
from tests.factories import DepartureFactory, TourFactory

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


def test_tour_page_shows_departures_inline(admin_client):
    departure = DepartureFactory(capacity=13)
    response = admin_client.get(reverse("admin:catalog_tour_change", args=[departure.tour.pk]))
    assert response.status_code == 200
    assert 'name="departures-0-capacity"' in response.content.decode()
