"""The catalog's published client: the only module other apps may import.

Calls the catalog's services in-process when the catalog is installed in this process,
and its ``/internal/catalog/`` endpoints over HTTP otherwise (``CATALOG_SERVICE_URL``).
Every function is idempotent by its ``key``, so HTTP calls are retried on failure.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from kernel.problems import ServiceUnavailable
from kernel.service_client import ServiceClient, app_is_local

from .exceptions import (
    DepartureNotBookable,
    DepartureNotFound,
    HoldKeyReused,
    HoldNotFound,
    SeatsUnavailable,
)

__all__ = [
    "DepartureNotBookable",
    "DepartureNotFound",
    "Hold",
    "HoldKeyReused",
    "HoldNotFound",
    "SeatsUnavailable",
    "ServiceUnavailable",
    "confirm_hold",
    "hold_seats",
    "release_hold",
]


@dataclass(frozen=True)
class Hold:
    """Seats set aside on a departure, with a snapshot of what was held."""

    key: str
    departure_id: int
    seats: int
    status: str
    unit_price: Decimal
    currency: str
    tour_title: str
    tour_slug: str
    starts_on: datetime.date

    @classmethod
    def from_json(cls, data: dict) -> "Hold":
        return cls(
            key=data["key"],
            departure_id=data["departure_id"],
            seats=data["seats"],
            status=data["status"],
            unit_price=Decimal(data["unit_price"]),
            currency=data["currency"],
            tour_title=data["tour_title"],
            tour_slug=data["tour_slug"],
            starts_on=datetime.date.fromisoformat(data["starts_on"]),
        )


_http = ServiceClient(
    "catalog",
    errors=[DepartureNotBookable, DepartureNotFound, HoldKeyReused, HoldNotFound, SeatsUnavailable],
)


def _local(service, **kwargs) -> Hold:
    from .serializers import HoldSerializer

    return Hold.from_json(HoldSerializer(service(**kwargs)).data)


def hold_seats(*, departure_id: int, seats: int, key: str) -> Hold:
    """Set seats aside; raises SeatsUnavailable, DepartureNotFound, DepartureNotBookable."""
    if app_is_local("catalog"):
        from .services import departure_hold_seats

        return _local(departure_hold_seats, departure_id=departure_id, seats=seats, key=key)
    body = {"key": key, "departure_id": departure_id, "seats": seats}
    return Hold.from_json(_http.post("holds/", body, idempotent=True))


def confirm_hold(*, key: str) -> Hold:
    """Turn held seats into booked seats."""
    if app_is_local("catalog"):
        from .services import seat_hold_confirm

        return _local(seat_hold_confirm, key=key)
    return Hold.from_json(_http.post(f"holds/{key}/confirm", idempotent=True))


def release_hold(*, key: str) -> Hold:
    """Give the seats back (held or booked)."""
    if app_is_local("catalog"):
        from .services import seat_hold_release

        return _local(seat_hold_release, key=key)
    return Hold.from_json(_http.post(f"holds/{key}/release", idempotent=True))
