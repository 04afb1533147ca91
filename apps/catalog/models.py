from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q


class Destination(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    country = models.CharField(max_length=80)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.country}"


class Category(models.Model):
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Tour(models.Model):
    # Field validators mirror the CHECK constraints, so the admin's forms and the API's
    # serializers refuse (naming the field) what the database would refuse.
    slug = models.SlugField(max_length=140, unique=True)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    destination = models.ForeignKey(Destination, on_delete=models.PROTECT, related_name="tours")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="tours")
    duration_days = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    price_from = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(max_length=3, default="EUR")
    image_url = models.URLField(blank=True)
    is_published = models.BooleanField(default=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_days__gte=1), name="tour_duration_positive"
            ),
            models.CheckConstraint(condition=Q(price_from__gte=0), name="tour_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title


class Departure(models.Model):
    tour = models.ForeignKey(Tour, on_delete=models.CASCADE, related_name="departures")
    starts_on = models.DateField()
    capacity = models.PositiveIntegerField()
    price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    seats_held = models.PositiveIntegerField(default=0, editable=False)
    seats_booked = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["starts_on", "id"]
        indexes = [models.Index(fields=["tour", "starts_on"])]
        constraints = [
            # The database, not Python, guarantees that a departure is never oversold.
            models.CheckConstraint(
                condition=Q(seats_held__gte=0)
                & Q(seats_booked__gte=0)
                & Q(capacity__gte=F("seats_held") + F("seats_booked")),
                name="departure_seats_within_capacity",
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="departure_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.tour} on {self.starts_on:%Y-%m-%d}"

    @property
    def seats_available(self) -> int | None:
        if self.capacity is None:  # an unsaved, blank admin row
            return None
        return self.capacity - self.seats_held - self.seats_booked


class SeatHold(models.Model):
    """Seats set aside on a departure under a caller-supplied idempotency key."""

    class Status(models.TextChoices):
        HELD = "held"
        CONFIRMED = "confirmed"
        RELEASED = "released"

    key = models.CharField(max_length=100, unique=True)
    departure = models.ForeignKey(Departure, on_delete=models.PROTECT, related_name="holds")
    seats = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="seat_hold_seats_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.seats} seat(s) on {self.departure_id} [{self.status}]"
