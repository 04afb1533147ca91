"""Celery tasks that consume outbox events (routed here by settings.OUTBOX_ROUTES)."""

from celery import shared_task
from django.conf import settings

from . import services

MAX_BACKOFF_SECONDS = 600


def backoff_seconds(retries: int) -> int:
    """Exponential: the base, then twice that, four times, ... at most ten minutes."""
    return min(settings.TASK_RETRY_BACKOFF_SECONDS * 2**retries, MAX_BACKOFF_SECONDS)


@shared_task(name="notifications.send_booking_email", bind=True, max_retries=None)
def send_booking_email(self, *, event: dict) -> None:
    """Email the customer about a booking event, once per event id. A failure is retried
    with exponential backoff; after the last retry the task fails, its message is
    rejected, and RabbitMQ moves it to the notifications dead-letter queue."""
    try:
        services.notification_deliver(event=event)
    except Exception as exc:  # a mail server or database hiccup: whatever failed, retry
        # In-process (no broker) there is nothing to wait for a retry with: staff resend.
        final = self.request.is_eager or self.request.retries >= settings.TASK_MAX_RETRIES
        error = f"{exc.__class__.__name__}: {exc}"
        services.notification_record_failure(event_id=event["id"], error=error, final=final)
        if final:
            raise
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
