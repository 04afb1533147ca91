from django.db import models


class Notification(models.Model):
    """The log of one email sent (or being sent) for one event. The event id is unique,
    so an event delivered twice sends one email."""

    class Kind(models.TextChoices):
        BOOKING_CONFIRMED = "booking_confirmed", "Booking confirmed"
        BOOKING_CANCELLED = "booking_cancelled", "Booking cancelled"
        BOOKING_EXPIRED = "booking_expired", "Booking expired"

    class Status(models.TextChoices):
        PENDING = "pending"  # received; not sent yet, or waiting for a retry
        SENT = "sent"
        FAILED = "failed"  # retries exhausted; the message is in the dead-letter queue

    event_id = models.UUIDField(unique=True)
    event_type = models.CharField(max_length=100)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    recipient = models.EmailField()
    subject = models.CharField(max_length=200)
    booking_reference = models.CharField(max_length=20, db_index=True)
    payload = models.JSONField(help_text="The event's payload, from which the email is made.")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient} ({self.booking_reference})"
