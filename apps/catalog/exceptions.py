"""The catalog's domain errors; published to other apps through apps.catalog.client."""

from kernel.problems import DomainError


class DepartureNotFound(DomainError):
    status = 404
    code = "departure-not-found"
    title = "No such departure"


class DepartureNotBookable(DomainError):
    status = 409
    code = "departure-not-bookable"
    title = "This departure cannot be booked"


class SeatsUnavailable(DomainError):
    status = 409
    code = "seats-unavailable"
    title = "Not enough seats left on this departure"


class HoldNotFound(DomainError):
    status = 404
    code = "hold-not-found"
    title = "No seat hold with this key"


class HoldKeyReused(DomainError):
    status = 422
    code = "hold-key-reused"
    title = "This hold key was already used for a different hold"


class CapacityBelowSeatsTaken(DomainError):
    status = 409
    code = "capacity-below-seats-taken"
    title = "The capacity is below the seats already held or booked"


class DepartureInUse(DomainError):
    status = 409
    code = "departure-in-use"
    title = "This departure has seat holds or bookings and cannot be deleted"


class TourInUse(DomainError):
    status = 409
    code = "tour-in-use"
    title = "This tour has departures with seat holds or bookings and cannot be deleted"
