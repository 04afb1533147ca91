import uuid

from django.db import models

from .events import FIRST_VERSION, Envelope


class OutboxEvent(models.Model):
    """An event waiting to be published (or already published) to the broker."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=100)
    # "<major>.<minor>" of the event type's contract (kernel.outbox.events); rows written
    # before versions were recorded carry the first one, the shape they were written in.
    # The database's defaults let a release that knows neither column go on writing events
    # while a rolling update replaces it.
    version = models.CharField(max_length=20, db_default=FIRST_VERSION)
    payload = models.JSONField()
    request_id = models.CharField(
        max_length=128,
        blank=True,
        db_default="",
        help_text="The X-Request-ID of the request that caused it.",
    )
    traceparent = models.CharField(
        max_length=55,
        blank=True,
        db_default="",
        help_text="The W3C trace context of the span that emitted it, when traced.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(published_at__isnull=True),
                name="outbox_unpublished_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"

    def envelope(self) -> dict:
        """What consumers receive: :class:`~kernel.outbox.events.Envelope` as JSON."""
        return Envelope(
            id=self.id,
            type=self.type,
            version=self.version,
            occurred_at=self.created_at,
            payload=self.payload,
            request_id=self.request_id or None,
            traceparent=self.traceparent or None,
        ).message()
