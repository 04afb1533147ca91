"""The emails: which one an event gets, and how it is rendered (HTML and plain text)."""

from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from apps.bookings.events import BookingCancelled, BookingConfirmed, BookingEvent, BookingExpired

from .models import Notification

KIND_OF_EVENT = {
    BookingConfirmed: Notification.Kind.BOOKING_CONFIRMED,
    BookingCancelled: Notification.Kind.BOOKING_CANCELLED,
    BookingExpired: Notification.Kind.BOOKING_EXPIRED,
}

SUBJECTS = {
    Notification.Kind.BOOKING_CONFIRMED: "Your booking {reference} is confirmed: {tour}",
    Notification.Kind.BOOKING_CANCELLED: "Your booking {reference} is cancelled",
    Notification.Kind.BOOKING_EXPIRED: "Your booking {reference} has expired",
}


def subject_for(kind: str, event: BookingEvent) -> str:
    return SUBJECTS[kind].format(reference=event.reference, tour=event.tour.title)


def message_id(event_id) -> str:
    """The same for every sending of one event's email (a redelivery, a staff resend), so
    mail clients and people can tell a repeat from a new email."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    return f"<event-{event_id}@{domain}>"


def build_email(notification: Notification, *, connection=None) -> EmailMultiAlternatives:
    context = {"booking": notification.payload}
    template = f"notifications/email/{notification.kind}"
    email = EmailMultiAlternatives(
        subject=notification.subject,
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
        headers={
            "Message-ID": message_id(notification.event_id),
            "X-Event-ID": str(notification.event_id),
        },
        connection=connection,
    )
    email.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return email
