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
