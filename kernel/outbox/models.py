import uuid

from django.db import models


class OutboxEvent(models.Model):
    """An event waiting to be published (or already published) to the broker."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
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
        """What consumers receive."""
        return {
            "id": str(self.id),
            "type": self.type,
            "created_at": self.created_at.isoformat(),
            "payload": self.payload,
        }
