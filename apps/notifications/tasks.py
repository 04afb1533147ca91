"""Celery tasks that consume outbox events (routed here by settings.OUTBOX_ROUTES)."""

from celery import shared_task
from django.conf import settings

from kernel.metrics import EMAIL_FAILURES
from kernel.outages import TRANSIENT
from kernel.tasks import backoff_seconds

from . import services


@shared_task(name="notifications.send_booking_email", bind=True)
def send_booking_email(self, *, event: dict) -> None:
    """Email the customer about a booking event, once per event id.

    The database or the mail server being unreachable is an outage: the base task retries
    it until it ends. Any other failure (a refused recipient, a bad payload) is retried
    ``TASK_MAX_RETRIES`` times with exponential backoff; then the task fails, its message
    is rejected, and RabbitMQ moves it to the notifications dead-letter queue."""
    try:
        services.notification_deliver(event=event)
    except Exception as exc:
        if isinstance(exc, TRANSIENT) and not self.request.is_eager:
            raise
        # In-process (no broker) there is nothing to wait for a retry with: staff resend.
        final = self.request.is_eager or self.request.retries >= settings.TASK_MAX_RETRIES
        error = f"{exc.__class__.__name__}: {exc}"
        services.notification_record_failure(event_id=event["id"], error=error, final=final)
        EMAIL_FAILURES.labels(str(final).lower()).inc()
        if final:
            raise
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
