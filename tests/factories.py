import dataclasses
import datetime
import uuid
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.bookings import events
from apps.catalog.models import Category, Departure, Destination, Tour


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("correct-horse-battery")


class DestinationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Destination
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Place {n}")
    slug = factory.LazyAttribute(lambda d: d.name.lower().replace(" ", "-"))
    country = "Portugal"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.LazyAttribute(lambda c: c.name.lower().replace(" ", "-"))


class TourFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tour

    title = factory.Sequence(lambda n: f"Tour number {n}")
    slug = factory.LazyAttribute(lambda t: t.title.lower().replace(" ", "-"))
    summary = "A lovely few days."
    destination = factory.SubFactory(DestinationFactory)
    category = factory.SubFactory(CategoryFactory)
    duration_days = 3
    price_from = Decimal("300.00")
    is_published = True


class DepartureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Departure

    tour = factory.SubFactory(TourFactory)
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    capacity = 10
    price = Decimal("320.00")


def booking_event(
    event_type: type[events.BookingEvent] = events.BookingConfirmed, **changes
) -> events.BookingEvent:
    """A booking event as the bookings app emits it (no refund, unless ``refund`` says)."""
    reference = changes.pop("reference", f"TB-{uuid.uuid4().hex[:6].upper()}")
    fields = {
        "booking_id": uuid.uuid4(),
        "reference": reference,
        "status": event_type.TYPE.partition(".")[2],
        "customer": events.Customer(name="Ada Lovelace", email="ada@example.com"),
        "tour": events.Tour(title="Tastes of Lisbon", slug="tastes-of-lisbon"),
        "departure_id": 12,
        "starts_on": datetime.date(2026, 12, 6),
        "seats": 2,
        "total": Decimal("640.00"),
        "currency": "EUR",
        "manage_url": f"http://127.0.0.1:8000/bookings/{reference}#token=secret-token",
    }
    if "refund" in {field.name for field in dataclasses.fields(event_type)}:
        fields["refund"] = None
    return event_type(**{**fields, **changes})
