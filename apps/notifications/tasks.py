"""Celery tasks that consume outbox events (routed here by settings.OUTBOX_ROUTES)."""

from celery import shared_task
from django.conf import settings

from kernel.metrics import EMAIL_FAILURES
from kernel.outages import TRANSIENT
from kernel.outbox.events import IncompatibleEvent
from kernel.tasks import MAX_BACKOFF_SECONDS

from . import services

# Failures that no retry can mend: the message goes to the dead-letter queue at once.
PERMANENT = (IncompatibleEvent,)


@shared_task(
    name="notifications.send_booking_email",
    bind=True,
    autoretry_for=(Exception,),
    # An outage is retried by the base task until it ends, never counted against the limit.
    dont_autoretry_for=(*TRANSIENT, *PERMANENT),
    # Not the task's own max_retries, which would cap the retries of an outage too.
    retry_kwargs={"max_retries": settings.TASK_MAX_RETRIES},
    retry_backoff=settings.TASK_RETRY_BACKOFF_SECONDS,
    retry_backoff_max=MAX_BACKOFF_SECONDS,
    retry_jitter=True,
)
def send_booking_email(self, *, event: dict) -> None:
    """Email the customer about a booking event, once per event id.

    The database or the mail server being unreachable is an outage: the base task retries
    it until it ends. Any other failure (a refused recipient) is retried
    ``TASK_MAX_RETRIES`` times, after a random wait of up to ``TASK_RETRY_BACKOFF_SECONDS``
    times 1, 2, 4, ... (Celery's ``retry_backoff`` with full jitter). Then, or at once for
    an event it cannot read (an unknown type or major version, a required field missing),
    the task fails, its message is rejected, and RabbitMQ moves it to the notifications
    dead-letter queue."""
    try:
        services.notification_deliver(event=event)
    except PERMANENT:
        raise  # an event that cannot be read was not recorded: there is no failure to note
    except Exception as exc:
        if isinstance(exc, TRANSIENT) and not self.request.is_eager:
            raise
        # In-process (no broker) there is nothing to wait for a retry with: staff resend.
        retries = self.request.retries - self.outage_retries()
        final = self.request.is_eager or retries >= settings.TASK_MAX_RETRIES
        error = f"{exc.__class__.__name__}: {exc}"
        services.notification_record_failure(event_id=event.get("id"), error=error, final=final)
        EMAIL_FAILURES.labels(str(final).lower()).inc()
        raise
