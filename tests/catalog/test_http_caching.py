"""Browsers and the gateway may reuse a public tours page for a few seconds and revalidate
it with its ETag; what a signed-in account sees is never shared (docs/api.md, Freshness)."""

import pytest

from tests.factories import DepartureFactory, TourFactory

pytestmark = pytest.mark.django_db

TOURS = "/api/catalog/tours/"


def cache_control(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


@pytest.mark.parametrize("path", [TOURS, f"{TOURS}lisbon-trams/"])
def test_public_tours_pages_may_be_reused_for_five_seconds(api, path):
    TourFactory(slug="lisbon-trams")
    response = api.get(path)
    assert response.status_code == 200
    assert cache_control(response) == {"public", "max-age=5"}
    assert {"Authorization", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}


def test_the_same_page_again_with_its_etag_is_304_without_a_body(api):
    TourFactory(slug="lisbon-trams")
    first = api.get(f"{TOURS}lisbon-trams/")
    again = api.get(f"{TOURS}lisbon-trams/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_a_seat_taken_changes_the_etag(api):
    departure = DepartureFactory(tour__slug="lisbon-trams")
    first = api.get(f"{TOURS}lisbon-trams/")
    departure.seats_held = 1
    departure.save()
    after = api.get(f"{TOURS}lisbon-trams/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200
    assert after.json()["departures"][0]["seats_available"] == departure.capacity - 1


def test_what_staff_see_is_private(staff_api_with):
    TourFactory(slug="draft", is_published=False)
    response = staff_api_with("catalog.view_tour").get(TOURS)
    assert [tour["slug"] for tour in response.json()["results"]] == ["draft"]
    assert "private" in cache_control(response) and "public" not in cache_control(response)


def test_errors_and_bookings_are_not_public(api):
    assert "Cache-Control" not in api.get(f"{TOURS}no-such-tour/")
    assert "public" not in api.get("/api/bookings/NOPE/").get("Cache-Control", "")
