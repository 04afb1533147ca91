import secrets
import uuid

from django.db import models
from django.db.models import Q

import kernel.idempotency

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
    payment_key = models.CharField(
        max_length=100, blank=True, editable=False, help_text="The charge that paid for it."
    )
    payment_lease_until = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="A payment, cancellation or expiry is moving money for it until then.",
    )

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


class PaymentAttempt(models.Model):
    """One try at paying a booking, each with its own payment key. It is recorded before
    payments is asked to charge, so a charge whose answer was lost is known, and settled
    later (kept if it pays for the booking, refunded otherwise)."""

    class Outcome(models.TextChoices):
        UNKNOWN = "unknown", "Unknown (the answer was lost)"
        SUCCEEDED = "succeeded"
        FAILED = "failed", "Failed (declined or never charged)"
        REFUNDED = "refunded"

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="payment_attempts")
    number = models.PositiveIntegerField()
    payment_method = models.CharField(max_length=100)
    outcome = models.CharField(
        max_length=10, choices=Outcome.choices, default=Outcome.UNKNOWN, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["booking", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "number"], name="payment_attempt_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.outcome})"

    @property
    def key(self) -> str:
        """The payment key of this attempt's charge (and, with ``-refund``, of its refund)."""
        return f"booking-{self.booking_id}-charge-{self.number}"


class IdempotencyRecord(kernel.idempotency.IdempotencyRecord):
    """The first answer to a POST /api/bookings/ with a given Idempotency-Key."""

    booking_id = models.UUIDField(
        default=uuid.uuid4,
        help_text="The id of the booking made under this key: a retry that takes over an "
        "unfinished request makes the same seat hold and the same booking.",
    )
