"""What the admin's departure and tour pages post, for tests that save them."""

from django.urls import reverse


def departure_page(departure, **changes) -> tuple[str, dict]:
    data = {
        "tour": departure.tour_id,
        "starts_on": departure.starts_on.isoformat(),
        "price": departure.price,
        "capacity": departure.capacity,
        **changes,
    }
    return reverse("admin:catalog_departure_change", args=[departure.pk]), data


def tour_page_with_one_departure(tour, departure_id=None, **departure) -> tuple[str, dict]:
    data = {
        "slug": tour.slug,
        "title": tour.title,
        "summary": tour.summary,
        "destination": tour.destination_id,
        "category": tour.category_id,
        "duration_days": tour.duration_days,
        "price_from": tour.price_from,
        "currency": tour.currency,
        "is_published": "on",
        "departures-TOTAL_FORMS": 1,
        "departures-INITIAL_FORMS": 1 if departure_id else 0,
        "departures-MIN_NUM_FORMS": 0,
        "departures-MAX_NUM_FORMS": 1000,
        "departures-0-id": departure_id or "",
        "departures-0-tour": tour.pk,
        **{f"departures-0-{name}": value for name, value in departure.items()},
    }
    return reverse("admin:catalog_tour_change", args=[tour.pk]), data


def tour_page_deleting(departure) -> tuple[str, dict]:
    """The tour page with its departure's "Delete?" box ticked."""
    return tour_page_with_one_departure(
        departure.tour,
        departure.pk,
        starts_on=departure.starts_on,
        price=departure.price,
        capacity=departure.capacity,
        DELETE="on",
    )
