from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "apps.catalog"
    label = "catalog"
    verbose_name = "Tour catalog"

    def ready(self):
        from django.db.models import Sum

        from kernel.metrics import add_reading

        from .models import Departure

        add_reading(
            "tourism_seats_held",
            "Seats held for bookings not paid yet, over every departure.",
            lambda: Departure.objects.aggregate(held=Sum("seats_held"))["held"] or 0,
        )
