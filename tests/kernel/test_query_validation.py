"""A filter or page parameter the API cannot read is a 400 problem naming it, never
quietly ignored (which would list everything, or the first page, as if it were read)."""

import pytest

from tests.factories import TourFactory
from tests.kernel.test_problem_details import assert_problem

pytestmark = pytest.mark.django_db

TOURS = "/api/catalog/tours/"


@pytest.mark.parametrize(
    "params",
    [
        {"departs_after": ""},
        {"departs_before": "2026-02-30"},
        {"departs_after": "next week"},
        {"price_min": "-1"},
        {"price_max": "-0.01"},
        {"available": ""},
        {"available": "maybe"},
        {"ordering": "seats"},
        {"ordering": ""},
        {"page": "two"},
        {"page": "0"},
        {"page": "-1"},
        {"page_size": "ten"},
        {"page_size": ""},
        {"page_size": "0"},
        {"page_size": "101"},
        {"page_size": "1.5"},
    ],
    ids=lambda params: "&".join(f"{k}={v}" for k, v in params.items()),
)
def test_an_unreadable_tour_filter_is_a_400_problem_naming_it(api, params):
    TourFactory()
    body = assert_problem(api.get(TOURS, params), 400)
    assert list(body["errors"]) == list(params)


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/catalog/departures/", {"starts_on__gte": ""}),
        ("/api/bookings/", {"starts_after": "2026-13-01"}),
        ("/api/bookings/", {"status": ""}),
        ("/api/bookings/", {"departure_id": "first"}),
        ("/api/notifications/", {"created_after": "yesterday"}),
        ("/api/payments/payments/", {"status": "lost"}),
        ("/api/payments/refunds/", {"page_size": "all"}),
    ],
)
def test_every_list_rejects_what_it_cannot_read(staff_api, url, params):
    body = assert_problem(staff_api.get(url, params), 400)
    assert list(body["errors"]) == list(params)


def test_a_page_past_the_last_is_a_404_problem(api):
    TourFactory()
    assert_problem(api.get(TOURS, {"page": 2}), 404)


def test_readable_values_still_filter(api):
    TourFactory(slug="cheap", price_from=100)
    TourFactory(slug="dear", price_from=900)
    response = api.get(TOURS, {"price_max": "100.00", "available": "false", "page_size": 100})
    assert [tour["slug"] for tour in response.json()["results"]] == ["cheap"]


def test_an_empty_text_search_means_no_search(api):
    TourFactory(slug="any")
    assert [tour["slug"] for tour in api.get(TOURS, {"search": ""}).json()["results"]] == ["any"]


def test_a_date_time_with_any_offset_iso_8601_allows_filters(staff_api):
    # PostgreSQL refuses offsets beyond 15:59; ISO 8601 (and Python) allow up to 23:59.
    response = staff_api.get("/api/notifications/", {"created_before": "2030-01-01T00:00:00-22:56"})
    assert response.status_code == 200, response.content
