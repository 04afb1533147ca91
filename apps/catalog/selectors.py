"""Reads from the catalog."""

import functools
import operator

from django.db import connections
from django.db.models import (
    BooleanField,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.lookups import Contains
from django.utils import timezone

from .models import Departure, Destination, Tour


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


class EqualsAnyOf(Func):
    """``column = ANY(ARRAY(subquery))``: PostgreSQL runs the subquery once, before the
    scan, and an index on the column can then serve the condition, also inside an OR
    (``column IN (subquery)`` there is checked row by row)."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        column, subquery = (compiler.compile(e) for e in self.get_source_expressions())
        return f"{column[0]} = ANY(ARRAY{subquery[0]})", (*column[1], *subquery[1])


def search_text(*fields: str) -> Func:
    """The fields as the search index holds them: joined by spaces, accents removed,
    lower case (``catalog_search_text``, created by the catalog's migration 0003)."""
    return Func(
        *map(F, fields),
        function="catalog_search_text",
        arg_joiner=" || ' ' || ",
        output_field=TextField(),
    )


def search_term(term: str) -> Func:
    return Func(Value(term), function="catalog_search_text", output_field=TextField())


def tours_matching(queryset: QuerySet[Tour], *, text: str, ranked: bool = True) -> QuerySet[Tour]:
    """Tours whose title, summary or destination (name or country) contains every word of
    ``text`` (accents and case ignored, parts of words too), best title match first unless
    not ``ranked`` (the caller orders them otherwise).

    On PostgreSQL a trigram index answers the title and summary part (docs/performance.md);
    elsewhere (SQLite under ``make run``) it is a plain ``icontains`` scan."""
    terms = text.split()
    if connections[queryset.db].vendor != "postgresql":
        for term in terms:
            queryset = queryset.filter(
                Q(title__icontains=term)
                | Q(summary__icontains=term)
                | Q(destination__name__icontains=term)
                | Q(destination__country__icontains=term)
            )
        return queryset
    for term in terms:
        destinations = Destination.objects.filter(
            Contains(search_text("name", "country"), search_term(term))
        )
        # One condition on the tours themselves, so PostgreSQL ORs two index scans (the
        # trigram index and the destination's) instead of reading every tour.
        queryset = queryset.filter(
            Q(Contains(search_text("title", "summary"), search_term(term)))
            | Q(EqualsAnyOf(F("destination_id"), Subquery(destinations.order_by().values("pk"))))
        )
    if not (terms and ranked):
        return queryset
    title_match = functools.reduce(
        operator.add,
        (
            Func(
                search_term(term),
                search_text("title"),
                function="word_similarity",
                output_field=FloatField(),
            )
            for term in terms
        ),
    )
    return queryset.alias(relevance=title_match).order_by("-relevance", "title", "pk")


def tour_detail(*, published_only: bool = True) -> QuerySet[Tour]:
    """Tours with their upcoming departures prefetched."""
    return tour_list(published_only=published_only).prefetch_related(
        Prefetch("departures", queryset=departures_upcoming(), to_attr="upcoming_departures")
    )


def departure_detail(*, published_only: bool = True) -> QuerySet[Departure]:
    departures = Departure.objects.select_related("tour")
    return departures.filter(tour__is_published=True) if published_only else departures
