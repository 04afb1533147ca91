import uuid

from django.db import models
from django.db.models import Q


class Payment(models.Model):
    """A charge through the payment gateway, made at most once per caller-supplied key."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        DECLINED = "declined"
        REFUNDED = "refunded"

    class Gateway(models.TextChoices):
        SANDBOX = "sandbox"
        HTTP = "http"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.CharField(max_length=100, unique=True, help_text="The caller's idempotency key.")
    booking_reference = models.CharField(max_length=32, db_index=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    payment_method = models.CharField(
        max_length=100, help_text="The gateway's token for the card; never card data."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decline_code = models.CharField(max_length=50, blank=True)
    gateway = models.CharField(max_length=10, choices=Gateway.choices)
    gateway_charge_id = models.CharField(max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Calls made to the gateway.")
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            # A decline code exactly when declined; a charge id once the gateway took it.
            models.CheckConstraint(
                condition=(Q(status="declined") & ~Q(decline_code=""))
                | (~Q(status="declined") & Q(decline_code="")),
                name="payment_decline_code_iff_declined",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "declined"]) | ~Q(gateway_charge_id=""),
                name="payment_charged_has_charge_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} for {self.booking_reference} [{self.status}]"


class Refund(models.Model):
    """Money given back on a succeeded payment, at most once per payment and per key."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.CharField(max_length=100, unique=True, help_text="The caller's idempotency key.")
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="refund")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    gateway_refund_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="pending") | ~Q(gateway_refund_id=""),
                name="refund_succeeded_has_refund_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} back on {self.payment_id} [{self.status}]"
