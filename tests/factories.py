import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

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
