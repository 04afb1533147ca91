"""Builds a believable demo catalog. Safe to run again: it creates only what is missing."""

import datetime
import random
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from apps.catalog.models import Category, Departure, Destination, Tour

DESTINATIONS = [
    ("Lisbon", "Portugal"),
    ("Porto", "Portugal"),
    ("Seville", "Spain"),
    ("Barcelona", "Spain"),
    ("Florence", "Italy"),
    ("Amalfi Coast", "Italy"),
    ("Santorini", "Greece"),
    ("Crete", "Greece"),
    ("Reykjavik", "Iceland"),
    ("Marrakech", "Morocco"),
    ("Kyoto", "Japan"),
    ("Cusco", "Peru"),
]
CATEGORIES = ["Food & wine", "Hiking", "Culture", "Beach", "Adventure", "Photography"]
THEMES = {
    "Food & wine": ("Tastes of {place}", "Markets, family kitchens and wine cellars of {place}."),
    "Hiking": ("{place} on foot", "Trails and viewpoints around {place}, at an easy pace."),
    "Culture": ("Hidden {place}", "Old quarters, museums and local guides in {place}."),
    "Beach": ("{place} by the sea", "Coves, boat days and long lunches near {place}."),
    "Adventure": ("Wild {place}", "Kayaks, canyons and nights under the stars near {place}."),
    "Photography": ("{place} in golden light", "Sunrise walks and photo lessons in {place}."),
}
TOURS_PER_DESTINATION = 3
DEPARTURES_PER_TOUR = 6
DAYS_BETWEEN_DEPARTURES = 21


class Command(BaseCommand):
    help = "Load demo destinations, categories, tours and departures (idempotent)."

    def handle(self, *args, **options):
        rng = random.Random(2026)  # noqa: S311 - the same demo catalog on every machine
        categories = [
            Category.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
            for name in CATEGORIES
        ]
        created_tours = created_departures = 0
        first_departure = timezone.localdate() + datetime.timedelta(days=7)
        for index, (place, country) in enumerate(DESTINATIONS, start=1):
            with transaction.atomic():
                destination, _ = Destination.objects.get_or_create(
                    slug=slugify(place),
                    defaults={"name": place, "country": country},
                )
                for offset in range(TOURS_PER_DESTINATION):
                    category = categories[(index + offset) % len(categories)]
                    tour, created = self._tour(rng, destination, category)
                    created_tours += created
                    created_departures += self._departures(rng, tour, first_departure)
            self.stdout.write(f"[{index:2}/{len(DESTINATIONS)}] {place}, {country}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo catalog ready: {created_tours} tour(s) and {created_departures} "
                f"departure(s) added ({Tour.objects.count()} tours in all)."
            )
        )

    def _tour(self, rng, destination, category):
        title_pattern, summary_pattern = THEMES[category.name]
        title = title_pattern.format(place=destination.name)
        duration = rng.choice([1, 3, 4, 5, 7, 8, 10])
        price = Decimal(rng.randrange(90, 320, 5) * duration)
        return Tour.objects.get_or_create(
            slug=slugify(title),
            defaults={
                "title": title,
                "summary": summary_pattern.format(place=destination.name),
                "description": (
                    f"{duration} day(s) in {destination.name}, {destination.country}, "
                    f"with a local guide and a small group."
                ),
                "destination": destination,
                "category": category,
                "duration_days": duration,
                "price_from": price,
                "is_published": True,
            },
        )

    def _departures(self, rng, tour, first_departure):
        created = 0
        for number in range(DEPARTURES_PER_TOUR):
            starts_on = first_departure + datetime.timedelta(
                days=number * DAYS_BETWEEN_DEPARTURES + rng.randrange(0, 7)
            )
            _, was_created = Departure.objects.get_or_create(
                tour=tour,
                starts_on=starts_on,
                defaults={
                    "capacity": rng.choice([8, 12, 16, 20]),
                    "price": tour.price_from + Decimal(rng.randrange(0, 4) * 25),
                },
            )
            created += was_created
        return created
