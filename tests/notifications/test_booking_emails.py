"""With no broker (the embedded default), committed booking events become emails at once."""

import uuid
from decimal import Decimal

import pytest
from django.db import transaction

from apps.bookings.events import BookingCancelled, BookingConfirmed, BookingExpired, Money
from apps.notifications.models import Notification
from apps.notifications.tasks import send_booking_email
from deploy.local.processes import free_port
from kernel import request_id
from kernel.outbox import emit
from kernel.outbox.events import IncompatibleEvent
from kernel.outbox.models import OutboxEvent
from tests.factories import booking_event

pytestmark = pytest.mark.django_db


def test_a_confirmed_booking_gets_one_confirmation_email(emit_committed, mailoutbox):
    confirmed = booking_event(BookingConfirmed, reference="TB-7K3QX9")
    event = emit_committed(confirmed)

    [email] = mailoutbox
    assert email.to == ["ada@example.com"]
    assert email.subject == "Your booking TB-7K3QX9 is confirmed: Tastes of Lisbon"
    for fact in ("TB-7K3QX9", "Tastes of Lisbon", "2026-12-06", "Seats:     2", "640.00 EUR"):
        assert fact in email.body
    assert confirmed.manage_url in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert confirmed.manage_url.replace("&", "&amp;") in html
    event.refresh_from_db()
    assert event.published_at is not None
    notification = Notification.objects.get(event_id=event.id)
    assert (notification.status, notification.attempts) == ("sent", 1)


def test_in_process_the_email_is_logged_with_the_request_that_caused_it(emit_committed, caplog):
    caplog.handler.addFilter(request_id.RequestIdLogFilter())
    token = request_id.carry("pay-req-77")  # the request that pays, emits and, here, sends
    try:
        emit_committed(booking_event(BookingConfirmed, reference="TB-RQ77AB"))
        after_the_email = request_id.current_request_id()
    finally:
        request_id.reset(token)

    [sent] = [record for record in caplog.records if "TB-RQ77AB" in record.getMessage()]
    assert sent.request_id == "pay-req-77"
    assert after_the_email == "pay-req-77"  # the rest of the request keeps its id


def test_the_cancellation_email_mentions_the_refund(emit_committed, mailoutbox):
    refund = Money(amount=Decimal("640.00"), currency="EUR")
    emit_committed(booking_event(BookingCancelled, refund=refund))

    [email] = mailoutbox
    assert "is cancelled" in email.subject
    assert "We are refunding 640.00 EUR" in email.body
    assert "640.00 EUR</strong>" in email.alternatives[0][0]


def test_an_expired_booking_gets_the_expiry_email(emit_committed, mailoutbox):
    emit_committed(booking_event(BookingExpired))

    [email] = mailoutbox
    assert "has expired" in email.subject
    assert "not paid in time" in email.body


def test_an_event_of_a_rolled_back_transaction_sends_nothing(
    django_capture_on_commit_callbacks, mailoutbox
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        emit(booking_event(BookingConfirmed))
        raise RuntimeError("the booking failed after the event was recorded")

    assert not OutboxEvent.objects.exists()
    assert mailoutbox == []


def test_the_same_event_delivered_twice_sends_one_email(emit_committed, mailoutbox):
    event = emit_committed(booking_event(BookingConfirmed))

    send_booking_email.apply(kwargs={"event": event.envelope()}, throw=True)  # redelivered

    assert len(mailoutbox) == 1
    assert Notification.objects.get(event_id=event.id).status == "sent"


def test_a_mail_server_that_is_down_does_not_fail_the_committed_change(emit_committed, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()

    event = emit_committed(booking_event(BookingConfirmed))  # does not raise

    notification = Notification.objects.get(event_id=event.id)
    assert (notification.status, notification.attempts) == ("failed", 1)  # staff may resend
    assert "ConnectionRefusedError" in notification.last_error


def test_a_resent_email_carries_the_message_id_of_the_first(emit_committed, mailoutbox, staff_api):
    event = emit_committed(booking_event(BookingConfirmed))
    notification = Notification.objects.get(event_id=event.id)

    assert staff_api.post(f"/api/notifications/{notification.pk}/resend/").status_code == 200

    first, resent = (email.message()["Message-ID"] for email in mailoutbox)
    assert first == resent == f"<event-{event.id}@localhost>"


def test_an_event_sent_before_events_carried_a_version_is_still_emailed(mailoutbox):
    """A message published before the envelope had a version and a request id."""
    payload = {**booking_event(BookingConfirmed, reference="TB-OLD001").payload(), "refund": None}
    legacy = {
        "id": str(uuid.uuid4()),
        "type": "booking.confirmed",
        "created_at": "2026-11-20T10:00:00+00:00",
        "payload": payload,
    }
    send_booking_email.apply(kwargs={"event": legacy}, throw=True)

    [email] = mailoutbox
    assert email.subject == "Your booking TB-OLD001 is confirmed: Tastes of Lisbon"


@pytest.mark.parametrize(
    ("version", "changes", "reason"),
    [
        ("2.0", {}, "version 2.0 is not readable here"),
        ("1.0", {"customer": None}, "the required field 'customer' is missing"),
        ("1.0", {"seats": "two"}, "seats: expected int"),
        ("1.0", {"total": "a lot"}, "total: 'a lot' is not a Decimal"),
    ],
)
def test_an_event_this_app_cannot_read_is_refused_and_sends_nothing(
    mailoutbox, version, changes, reason
):
    payload = {**booking_event(BookingConfirmed).payload(), **changes}
    payload = {name: value for name, value in payload.items() if value is not None}  # left out
    event = OutboxEvent.objects.create(type="booking.confirmed", version=version, payload=payload)

    with pytest.raises(IncompatibleEvent, match=reason):
        send_booking_email.apply(kwargs={"event": event.envelope()}, throw=True)
    assert mailoutbox == []
    assert not Notification.objects.exists()


@pytest.mark.parametrize("message", ["booking.confirmed", ["booking.confirmed"], None])
def test_a_message_that_is_no_envelope_is_refused_as_unreadable(mailoutbox, message):
    with pytest.raises(IncompatibleEvent, match="envelope: expected an object"):
        send_booking_email.apply(kwargs={"event": message}, throw=True)
    assert mailoutbox == []


def test_a_newer_minor_version_is_read_without_the_fields_it_added(mailoutbox):
    payload = {**booking_event(BookingConfirmed).payload(), "pickup_point": "Rossio"}
    event = OutboxEvent.objects.create(type="booking.confirmed", version="1.7", payload=payload)

    send_booking_email.apply(kwargs={"event": event.envelope()}, throw=True)

    [email] = mailoutbox
    assert "Rossio" not in email.body
