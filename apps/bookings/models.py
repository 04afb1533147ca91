import secrets
import uuid

from django.db import models
from django.db.models import Q

REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U


def new_reference() -> str:
    return "TB-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def new_access_token() -> str:
    return secrets.token_urlsafe(24)


class Booking(models.Model):
    """Seats on one departure for one customer. The departure lives in the catalog: only
    its id and a snapshot of what was booked are kept here."""

    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment"
        CONFIRMED = "confirmed"
        CANCELLED = "cancelled"
        EXPIRED = "expired"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=12, unique=True, default=new_reference, editable=False)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT, db_index=True
    )
    customer_name = models.CharField(max_length=200)
    customer_email = models.EmailField(db_index=True)

    departure_id = models.PositiveBigIntegerField(db_index=True)
    tour_title = models.CharField(max_length=200)
    tour_slug = models.SlugField(max_length=140)
    starts_on = models.DateField(db_index=True)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    seats = models.PositiveIntegerField()
    total = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)

    hold_expires_at = models.DateTimeField()
    access_token = models.CharField(max_length=64, default=new_access_token, editable=False)
    payment_attempt = models.PositiveIntegerField(default=0, editable=False)
    payment_key = models.CharField(max_length=100, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    expired_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="booking_seats_positive"),
            models.CheckConstraint(condition=Q(total__gte=0), name="booking_total_not_negative"),
        ]
        indexes = [models.Index(fields=["status", "hold_expires_at"])]

    def __str__(self) -> str:
        return f"{self.reference} ({self.status})"

    @property
    def hold_key(self) -> str:
        """The key of this booking's seat hold in the catalog."""
        return f"booking-{self.id}"

    @property
    def charge_key(self) -> str:
        """The payment key of the current payment attempt; a decline moves to the next one."""
        return f"booking-{self.id}-charge-{self.payment_attempt}"


class IdempotencyRecord(models.Model):
    """The first answer to a POST /api/bookings/ with a given Idempotency-Key."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress"
        COMPLETED = "completed"

    key = models.CharField(max_length=255, unique=True)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.key} ({self.state})"
