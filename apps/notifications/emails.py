"""The emails: which one an event gets, and how it is rendered (HTML and plain text)."""

from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .models import Notification

KIND_OF_EVENT = {
    "booking.confirmed": Notification.Kind.BOOKING_CONFIRMED,
    "booking.cancelled": Notification.Kind.BOOKING_CANCELLED,
    "booking.expired": Notification.Kind.BOOKING_EXPIRED,
}

SUBJECTS = {
    Notification.Kind.BOOKING_CONFIRMED: "Your booking {reference} is confirmed: {tour}",
    Notification.Kind.BOOKING_CANCELLED: "Your booking {reference} is cancelled",
    Notification.Kind.BOOKING_EXPIRED: "Your booking {reference} has expired",
}


class UnknownEvent(ValueError):
    """No email is made for this event type."""


def kind_of(event_type: str) -> str:
    try:
        return KIND_OF_EVENT[event_type]
    except KeyError:
        raise UnknownEvent(f"No email is sent for {event_type!r} events.") from None


def subject_for(kind: str, payload: dict) -> str:
    return SUBJECTS[kind].format(reference=payload["reference"], tour=payload["tour"]["title"])


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
