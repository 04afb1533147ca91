"""A visitor browses the catalog: search, filters, ordering and pages."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import CategoryFactory, DepartureFactory, DestinationFactory, TourFactory

pytestmark = pytest.mark.django_db

TOURS = "/api/catalog/tours/"


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [tour["slug"] for tour in response.json()["results"]]


def test_only_published_tours_are_listed(api):
    TourFactory(slug="visible")
    TourFactory(slug="draft", is_published=False)
    assert slugs(api.get(TOURS)) == ["visible"]


def test_search_matches_title_summary_and_destination(api):
    lisbon = DestinationFactory(name="Lisbon", slug="lisbon")
    TourFactory(slug="tram", title="Tram rides", destination=lisbon)
    TourFactory(slug="wine", title="Douro wine", summary="Port cellars and vineyards")
    TourFactory(slug="other", title="Glaciers")
    assert slugs(api.get(TOURS, {"search": "lisbon"})) == ["tram"]
    assert slugs(api.get(TOURS, {"search": "CELLARS"})) == ["wine"]
    assert slugs(api.get(TOURS, {"search": "nothing-like-this"})) == []


def test_filter_by_destination_and_category(api):
    kyoto, hiking = DestinationFactory(slug="kyoto"), CategoryFactory(slug="hiking")
    TourFactory(slug="kyoto-hike", destination=kyoto, category=hiking)
    TourFactory(slug="kyoto-food", destination=kyoto)
    TourFactory(slug="elsewhere-hike", category=hiking)
    assert sorted(slugs(api.get(TOURS, {"destination": "kyoto"}))) == ["kyoto-food", "kyoto-hike"]
    assert slugs(api.get(TOURS, {"destination": "kyoto", "category": "hiking"})) == ["kyoto-hike"]


def test_filter_by_price_range(api):
    for slug, price in [("cheap", "100"), ("middle", "500"), ("dear", "2000")]:
        TourFactory(slug=slug, price_from=Decimal(price))
    assert slugs(api.get(TOURS, {"price_min": 200, "price_max": 1000})) == ["middle"]


def test_date_window_and_availability_apply_to_the_same_departure(api):
    full_in_window = DepartureFactory(tour__slug="full-then-free", starts_on=days(10), capacity=2)
    full_in_window.seats_booked = 2
    full_in_window.save()
    DepartureFactory(tour=full_in_window.tour, starts_on=days(60))
    DepartureFactory(tour__slug="free-in-window", starts_on=days(12))
    DepartureFactory(tour__slug="past-only", starts_on=days(-5))

    window = {"departs_after": days(5).isoformat(), "departs_before": days(20).isoformat()}
    assert sorted(slugs(api.get(TOURS, window))) == ["free-in-window", "full-then-free"]
    assert slugs(api.get(TOURS, {**window, "available": "true"})) == ["free-in-window"]
    assert sorted(slugs(api.get(TOURS, {"available": "true"}))) == [
        "free-in-window",
        "full-then-free",
    ]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("price", ["b", "c", "a"]),
        ("-price", ["a", "c", "b"]),
        ("duration", ["c", "a", "b"]),
        ("title", ["a", "b", "c"]),
        ("next_departure", ["b", "a", "c"]),
    ],
)
def test_ordering(api, ordering, expected):
    a = TourFactory(slug="a", title="Alps", price_from=900, duration_days=5)
    b = TourFactory(slug="b", title="Baltic", price_from=100, duration_days=9)
    c = TourFactory(slug="c", title="Crete", price_from=500, duration_days=2)
    DepartureFactory(tour=a, starts_on=days(20))
    DepartureFactory(tour=b, starts_on=days(10))
    DepartureFactory(tour=c, starts_on=days(30))
    assert slugs(api.get(TOURS, {"ordering": ordering})) == expected


def test_pages_carry_count_and_links(api):
    TourFactory.create_batch(25)
    first = api.get(TOURS).json()
    assert first["count"] == 25
    assert len(first["results"]) == 20
    assert first["previous"] is None
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 5
    assert second["next"] is None
    assert len(api.get(TOURS, {"page_size": 7}).json()["results"]) == 7


def test_list_shows_destination_category_and_next_departure(api):
    departure = DepartureFactory(tour__slug="x", starts_on=days(15))
    DepartureFactory(tour=departure.tour, starts_on=days(40))
    tour = api.get(TOURS).json()["results"][0]
    assert tour["destination"]["slug"] == departure.tour.destination.slug
    assert tour["category"]["slug"] == departure.tour.category.slug
    assert tour["next_departure"] == days(15).isoformat()
    assert tour["price_from"] == "300.00"


@pytest.mark.parametrize("page_size", [5, 50])
def test_tour_list_runs_a_constant_number_of_queries(api, page_size, django_assert_num_queries):
    for _ in range(page_size):
        DepartureFactory()
    with django_assert_num_queries(1):  # the page, its total counted beside its rows
        response = api.get(TOURS, {"page_size": page_size, "ordering": "price"})
    assert len(response.json()["results"]) == page_size


def test_tour_detail_lists_upcoming_departures_with_seats_available(api):
    upcoming = DepartureFactory(tour__slug="detail", starts_on=days(20), capacity=12)
    upcoming.seats_held, upcoming.seats_booked = 2, 3
    upcoming.save()
    DepartureFactory(tour=upcoming.tour, starts_on=days(-3))
    body = api.get(f"{TOURS}detail/").json()
    assert body["slug"] == "detail"
    assert body["departures"] == [
        {
            "id": upcoming.id,
            "starts_on": days(20).isoformat(),
            "price": "320.00",
            "capacity": 12,
            "seats_available": 7,
        }
    ]


def test_unpublished_tour_detail_is_a_404_problem(api):
    TourFactory(slug="secret", is_published=False)
    response = api.get(f"{TOURS}secret/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_departure_detail(api):
    departure = DepartureFactory(capacity=9)
    body = api.get(f"/api/catalog/departures/{departure.id}/").json()
    assert body["tour"] == departure.tour.slug
    assert body["seats_available"] == 9


@pytest.mark.parametrize("kind", ["tours", "destinations", "categories"])
@pytest.mark.parametrize("slug", ["%00", "caf%C3%A9", "a%20b"])
def test_an_address_that_cannot_be_a_slug_is_a_404_problem(api, kind, slug):
    response = api.get(f"/api/catalog/{kind}/{slug}/")
    assert response.status_code == 404, response.content
    assert response["Content-Type"] == "application/problem+json"
