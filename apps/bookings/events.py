"""The events the bookings app publishes: its contract with the apps that consume them.

Other apps may import this module (and only this one, of the bookings app); it imports
nothing else of the app, so it loads in a process where bookings does not run. Read an
event with ``Envelope.from_message(message).event(EVENTS)``.

Changing an event: a new field with a default is a new minor version, anything else a new
major one (``kernel/outbox/events.py`` says why); ``tests/bookings/event_contracts.json``
records each version and ``tests/bookings/test_event_contracts.py`` fails until the
version and that record agree with the code.
"""

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from kernel.outbox.events import Event


@dataclass(frozen=True)
class Customer:
    name: str
    email: str


@dataclass(frozen=True)
class Tour:
    title: str
    slug: str


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class BookingEvent(Event):
    """What every booking event says about the booking."""

    booking_id: uuid.UUID
    reference: str
    status: str
    customer: Customer
    tour: Tour
    departure_id: int
    starts_on: datetime.date
    seats: int
    total: Decimal
    currency: str
    manage_url: str  # the guest's link to the booking's page, with its access token


@dataclass(frozen=True)
class BookingConfirmed(BookingEvent):
    TYPE = "booking.confirmed"
    VERSION = "1.0"


@dataclass(frozen=True)
class BookingCancelled(BookingEvent):
    TYPE = "booking.cancelled"
    VERSION = "1.0"

    refund: Money | None  # what was given back, if anything was paid


@dataclass(frozen=True)
class BookingExpired(BookingEvent):
    TYPE = "booking.expired"
    VERSION = "1.0"

    refund: Money | None  # a charge whose answer came too late is given back


EVENTS = (BookingConfirmed, BookingCancelled, BookingExpired)
