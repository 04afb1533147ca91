"""Writes to the catalog. Seats move only through these functions."""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError
from django.utils import timezone

from kernel.problems import DomainError

from .exceptions import (
    CapacityBelowSeatsTaken,
    DepartureInUse,
    DepartureNotBookable,
    DepartureNotFound,
    HoldKeyReused,
    HoldNotFound,
    SeatsUnavailable,
    TourInUse,
)
from .models import Departure, SeatHold, Tour


def departure_hold_seats(*, departure_id: int, seats: int, key: str) -> SeatHold:
    """Set ``seats`` aside on a departure. Calling again with the same key returns the
    same hold; the capacity check is a conditional UPDATE backed by a CHECK constraint,
    so concurrent holds can never oversell."""
    existing = SeatHold.objects.select_related("departure__tour").filter(key=key).first()
    if existing:
        return _same_hold(existing, departure_id=departure_id, seats=seats)

    departure = Departure.objects.select_related("tour").filter(pk=departure_id).first()
    if departure is None:
        raise DepartureNotFound(f"Departure {departure_id} does not exist.")
    if not departure.tour.is_published or departure.starts_on <= timezone.localdate():
        raise DepartureNotBookable(f"Departure {departure_id} is not open for booking.")

    try:
        with transaction.atomic():
            hold = SeatHold.objects.create(key=key, departure=departure, seats=seats)
            taken = Departure.objects.filter(
                pk=departure_id,
                capacity__gte=F("seats_held") + F("seats_booked") + seats,
            ).update(seats_held=F("seats_held") + seats)
            if not taken:
                raise SeatsUnavailable(
                    f"Departure {departure_id} has fewer than {seats} seat(s) left."
                )
    except IntegrityError:
        # A concurrent call with the same key won the insert: answer with its hold.
        hold = SeatHold.objects.select_related("departure__tour").get(key=key)
        return _same_hold(hold, departure_id=departure_id, seats=seats)
    return hold


def _same_hold(hold: SeatHold, *, departure_id: int, seats: int) -> SeatHold:
    if hold.departure_id != departure_id or hold.seats != seats:
        raise HoldKeyReused(f"Hold key {hold.key!r} was used for another departure or seat count.")
    return hold


def _locked_hold(key: str) -> SeatHold:
    hold = (
        SeatHold.objects.select_for_update(of=("self",))
        .select_related("departure__tour")
        .filter(key=key)
        .first()
    )
    if hold is None:
        raise HoldNotFound(f"No seat hold with key {key!r}.")
    return hold


@transaction.atomic
def seat_hold_confirm(*, key: str) -> SeatHold:
    """Turn held seats into booked seats. Confirming twice changes nothing."""
    hold = _locked_hold(key)
    if hold.status == SeatHold.Status.CONFIRMED:
        return hold
    if hold.status == SeatHold.Status.RELEASED:
        raise SeatsUnavailable(f"Hold {key!r} was released; its seats are no longer set aside.")
    Departure.objects.filter(pk=hold.departure_id).update(
        seats_held=F("seats_held") - hold.seats, seats_booked=F("seats_booked") + hold.seats
    )
    hold.status = SeatHold.Status.CONFIRMED
    hold.save(update_fields=["status", "updated_at"])
    return hold


@transaction.atomic
def seat_hold_release(*, key: str) -> SeatHold:
    """Give a hold's seats back, whether held or already booked. Releasing twice changes
    nothing."""
    hold = _locked_hold(key)
    if hold.status == SeatHold.Status.HELD:
        Departure.objects.filter(pk=hold.departure_id).update(
            seats_held=F("seats_held") - hold.seats
        )
    elif hold.status == SeatHold.Status.CONFIRMED:
        Departure.objects.filter(pk=hold.departure_id).update(
            seats_booked=F("seats_booked") - hold.seats
        )
    else:
        return hold
    hold.status = SeatHold.Status.RELEASED
    hold.save(update_fields=["status", "updated_at"])
    return hold


def _staff_fields(model) -> frozenset[str]:
    return frozenset(
        field.name
        for field in model._meta.concrete_fields
        if field.editable and not field.primary_key
    )


# What staff may set: the seat counters are not editable; they move only through the hold
# functions above.
TOUR_FIELDS = _staff_fields(Tour)
DEPARTURE_FIELDS = _staff_fields(Departure)


def _only(fields: dict, allowed: frozenset) -> dict:
    if unknown := set(fields) - allowed:
        raise ValueError(f"Staff cannot set {', '.join(sorted(unknown))}.")
    return fields


def tour_create(*, fields: dict) -> Tour:
    return Tour.objects.create(**_only(fields, TOUR_FIELDS))


def tour_update(*, tour_id: int, changes: dict) -> Tour:
    """Save only the fields that change, so a concurrent write to another field (a
    publish action) is never overwritten with a stale value."""
    tour = Tour.objects.get(pk=tour_id)
    for name, value in _only(changes, TOUR_FIELDS).items():
        setattr(tour, name, value)
    tour.save(update_fields=[*changes, "updated_at"])
    return tour


def _delete_unless_held(records, *, departures, in_use: DomainError) -> None:
    """Delete unless a departure has seat holds (or bookings, which keep their hold).
    The departures stay locked meanwhile, so no hold can be made on one being deleted."""
    with transaction.atomic():
        list(departures.select_for_update())
        try:
            records.delete()
        except ProtectedError as exc:
            raise in_use from exc


def tour_delete(*, tour_id: int) -> None:
    """Delete a tour and its departures, unless a departure has holds or bookings."""
    _delete_unless_held(
        Tour.objects.filter(pk=tour_id),
        departures=Departure.objects.filter(tour_id=tour_id),
        in_use=TourInUse(
            f"Tour {tour_id} has departures with seat holds or bookings; unpublish it instead."
        ),
    )


def departure_create(*, fields: dict) -> Departure:
    return Departure.objects.create(**_only(fields, DEPARTURE_FIELDS))


def _departure_locked(departure_id: int) -> Departure:
    departure = Departure.objects.select_for_update().filter(pk=departure_id).first()
    if departure is None:  # deleted since the caller read it
        raise DepartureNotFound(f"Departure {departure_id} does not exist.")
    return departure


def _check_capacity(departure: Departure, capacity: int) -> None:
    taken = departure.seats_held + departure.seats_booked
    if capacity < taken:
        raise CapacityBelowSeatsTaken(
            f"{taken} seat(s) are already held or booked on departure {departure.pk}.",
            errors={"capacity": [f"{taken} seat(s) are already held or booked."]},
        )


@transaction.atomic
def departure_check_capacity(*, departure_id: int, capacity: int) -> None:
    """Refuse a capacity below the seats taken. The row stays locked until the caller's
    transaction ends, so no hold can slip in before the capacity is saved."""
    _check_capacity(_departure_locked(departure_id), capacity)


@transaction.atomic
def departure_update(*, departure_id: int, changes: dict) -> Departure:
    """Change what staff may change, under the row lock that holds also wait for: only
    the changed fields are written, never the seat counters."""
    departure = _departure_locked(departure_id)
    if "capacity" in changes:
        _check_capacity(departure, changes["capacity"])
    for name, value in _only(changes, DEPARTURE_FIELDS).items():
        setattr(departure, name, value)
    departure.save(update_fields=list(changes))
    return departure


def departure_delete(*, departure_id: int) -> None:
    departures = Departure.objects.filter(pk=departure_id)
    _delete_unless_held(
        departures,
        departures=departures,
        in_use=DepartureInUse(
            f"Departure {departure_id} has seat holds or bookings; it cannot be deleted."
        ),
    )


def tours_set_published(*, tour_ids, published: bool) -> int:
    """Publish or unpublish tours; returns how many changed."""
    return (
        Tour.objects.filter(pk__in=tour_ids)
        .exclude(is_published=published)
        .update(is_published=published, updated_at=timezone.now())
    )


def seat_holds_release_stale(*, now=None) -> int:
    """Release holds that nobody confirmed or released in time (a caller that lost track
    of its hold during an outage). Returns how many were released."""
    cutoff = (now or timezone.now()) - datetime.timedelta(minutes=settings.SEAT_HOLD_MAX_MINUTES)
    stale = SeatHold.objects.filter(status=SeatHold.Status.HELD, created_at__lt=cutoff)
    return sum(
        seat_hold_release(key=key).status == SeatHold.Status.RELEASED
        for key in stale.values_list("key", flat=True)
    )
