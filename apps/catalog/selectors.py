"""Reads from the catalog."""

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from .models import Departure, Tour


def departures_upcoming() -> QuerySet[Departure]:
    return Departure.objects.filter(starts_on__gt=timezone.localdate())


def departures_with_seats(queryset: QuerySet[Departure]) -> QuerySet[Departure]:
    return queryset.filter(capacity__gt=F("seats_held") + F("seats_booked"))


def tour_list(*, published_only: bool = True) -> QuerySet[Tour]:
    """Tours (published ones unless told otherwise, as staff are) with their next
    departure date, ready for a list page."""
    next_departure = Subquery(
        departures_upcoming()
        .filter(tour=OuterRef("pk"))
        .order_by("starts_on")
        .values("starts_on")[:1]
    )
    tours = Tour.objects.filter(is_published=True) if published_only else Tour.objects.all()
    return tours.select_related("destination", "category").annotate(next_departure=next_departure)


TOUR_LIST_COLUMNS = (
    "slug",
    "title",
    "summary",
    "destination__slug",
    "destination__name",
    "destination__country",
    "category__slug",
    "category__name",
    "duration_days",
    "price_from",
    "currency",
    "image_url",
    "next_departure",
)


def tour_list_rows(queryset: QuerySet[Tour]) -> QuerySet:
    """A ``tour_list()`` queryset (filtered, ordered) as plain rows of the list's columns:
    no model instances to build, which is most of a list page's cost."""
    return queryset.values(*TOUR_LIST_COLUMNS)


def tours_departing(
    queryset: QuerySet[Tour], *, after=None, before=None, only_available: bool = False
) -> QuerySet[Tour]:
    """Tours with at least one upcoming departure in the window (and with seats left)."""
    departures = departures_upcoming().filter(tour=OuterRef("pk"))
    if after:
        departures = departures.filter(starts_on__gte=after)
    if before:
        departures = departures.filter(starts_on__lte=before)
    if only_available:
        departures = departures_with_seats(departures)
    return queryset.filter(Exists(departures))


def tour_detail(*, published_only: bool = True) -> QuerySet[Tour]:
    """Tours with their upcoming departures prefetched."""
    return tour_list(published_only=published_only).prefetch_related(
        Prefetch("departures", queryset=departures_upcoming(), to_attr="upcoming_departures")
    )


def departure_detail(*, published_only: bool = True) -> QuerySet[Departure]:
    departures = Departure.objects.select_related("tour")
    return departures.filter(tour__is_published=True) if published_only else departures
