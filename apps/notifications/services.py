"""Writes: send an event's email exactly once, record failures, resend on staff request."""

import logging

from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kernel import tracing
from kernel.outbox.events import Envelope
from kernel.stopping import stop_signals_held

from .emails import KIND_OF_EVENT, build_email, subject_for
from .exceptions import NotificationNotSent
from .models import Notification

logger = logging.getLogger(__name__)


def notification_deliver(*, event: dict) -> Notification:
    """Send the email for an outbox event (a :class:`~kernel.outbox.events.Envelope`
    message), once. An event that cannot be read (see ``apps.bookings.events``) raises
    :class:`~kernel.outbox.events.IncompatibleEvent` before anything is recorded.

    Delivery is at least once, so the same event may arrive again (a redelivery after a
    worker died, a relay that published twice): the log row, unique by event id and
    locked while sending, makes a second delivery send nothing. Errors propagate (the
    task retries); the attempt is recorded first.

    The mail server is connected to before the row is locked, the row is marked ``sent``
    before the email is handed over (committed only if that succeeds), and the mail
    server is hung up on after the commit: the only step between the server taking the
    email and the row saying ``sent`` is the COMMIT. A request to stop the worker that
    arrives from the lock to the COMMIT waits until after it (``kernel.stopping``). A
    crash (SIGKILL, a power cut) or a database outage there, and only there, sends the
    email again later, with the same ``Message-ID``."""
    envelope = Envelope.from_message(event)
    booking = envelope.event(KIND_OF_EVENT)
    kind = KIND_OF_EVENT[type(booking)]
    notification, _ = Notification.objects.get_or_create(
        event_id=envelope.id,
        defaults={
            "event_type": envelope.type,
            "kind": kind,
            "recipient": booking.customer.email,
            "subject": subject_for(kind, booking),
            "booking_reference": booking.reference,
            "payload": envelope.payload,
        },
    )
    Notification.objects.filter(pk=notification.pk).exclude(status=Notification.Status.SENT).update(
        attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    sending = tracing.child_span(
        "smtp send", {"email.kind": str(kind), "booking.reference": booking.reference}
    )
    with sending, get_connection() as mail_server, stop_signals_held(), transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification.pk)
        if notification.status == Notification.Status.SENT:
            return notification
        _mark_sent(notification)
        build_email(notification, connection=mail_server).send()
    logger.info("Sent the %s email of booking %s (event %s).", kind, booking.reference, envelope.id)
    return notification


def notification_record_failure(*, event_id: str, error: str, final: bool) -> None:
    """Note a failed attempt; ``final`` means no retry follows (the message is being
    dead-lettered), so staff see the notification as failed."""
    status = Notification.Status.FAILED if final else Notification.Status.PENDING
    Notification.objects.filter(event_id=event_id).exclude(status=Notification.Status.SENT).update(
        status=status, last_error=error[:2000], updated_at=timezone.now()
    )


def notification_resend(*, notification_id: int) -> Notification:
    """Send a notification's email again, now, whatever its status (a staff action)."""
    try:
        with transaction.atomic():
            notification = Notification.objects.select_for_update().get(pk=notification_id)
            notification.attempts += 1
            _mark_sent(notification)  # committed only once the email is handed over
            build_email(notification).send()
            return notification
    except (OSError, ConnectionError) as exc:
        error = f"{exc.__class__.__name__}: {exc}"
        Notification.objects.filter(pk=notification_id).update(
            attempts=F("attempts") + 1, last_error=error, updated_at=timezone.now()
        )
        raise NotificationNotSent(f"Notification {notification_id} was not sent: {error}") from exc


def _mark_sent(notification: Notification) -> None:
    notification.status = Notification.Status.SENT
    notification.sent_at = timezone.now()
    notification.last_error = ""
    notification.save(update_fields=["status", "sent_at", "last_error", "attempts", "updated_at"])
