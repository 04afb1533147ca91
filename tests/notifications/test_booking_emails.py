"""With no broker (the embedded default), committed booking events become emails at once."""

import pytest
from django.db import transaction

from apps.notifications.models import Notification
from apps.notifications.tasks import send_booking_email
from deploy.local.processes import free_port
from kernel.outbox import emit
from kernel.outbox.models import OutboxEvent
from tests.notifications.conftest import booking_payload

pytestmark = pytest.mark.django_db


def test_a_confirmed_booking_gets_one_confirmation_email(emit_committed, mailoutbox):
    payload = booking_payload(reference="TB-7K3QX9")
    event = emit_committed("booking.confirmed", payload)

    [email] = mailoutbox
    assert email.to == ["ada@example.com"]
    assert email.subject == "Your booking TB-7K3QX9 is confirmed: Tastes of Lisbon"
    for fact in ("TB-7K3QX9", "Tastes of Lisbon", "2026-12-06", "Seats:     2", "640.00 EUR"):
        assert fact in email.body
    assert payload["manage_url"] in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert payload["manage_url"].replace("&", "&amp;") in html
    event.refresh_from_db()
    assert event.published_at is not None
    notification = Notification.objects.get(event_id=event.id)
    assert (notification.status, notification.attempts) == ("sent", 1)


def test_the_cancellation_email_mentions_the_refund(emit_committed, mailoutbox):
    refund = {"amount": "640.00", "currency": "EUR"}
    emit_committed("booking.cancelled", booking_payload(status="cancelled", refund=refund))

    [email] = mailoutbox
    assert "is cancelled" in email.subject
    assert "We are refunding 640.00 EUR" in email.body
    assert "640.00 EUR</strong>" in email.alternatives[0][0]


def test_an_expired_booking_gets_the_expiry_email(emit_committed, mailoutbox):
    emit_committed("booking.expired", booking_payload(status="expired"))

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
        emit("booking.confirmed", booking_payload())
        raise RuntimeError("the booking failed after the event was recorded")

    assert not OutboxEvent.objects.exists()
    assert mailoutbox == []


def test_the_same_event_delivered_twice_sends_one_email(emit_committed, mailoutbox):
    event = emit_committed("booking.confirmed", booking_payload())

    send_booking_email.apply(kwargs={"event": event.envelope()}, throw=True)  # redelivered

    assert len(mailoutbox) == 1
    assert Notification.objects.get(event_id=event.id).status == "sent"


def test_a_mail_server_that_is_down_does_not_fail_the_committed_change(emit_committed, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()

    event = emit_committed("booking.confirmed", booking_payload())  # does not raise

    notification = Notification.objects.get(event_id=event.id)
    assert (notification.status, notification.attempts) == ("failed", 1)  # staff may resend
    assert "ConnectionRefusedError" in notification.last_error


def test_a_resent_email_carries_the_message_id_of_the_first(emit_committed, mailoutbox, staff_api):
    event = emit_committed("booking.confirmed", booking_payload())
    notification = Notification.objects.get(event_id=event.id)

    assert staff_api.post(f"/api/notifications/{notification.pk}/resend/").status_code == 200

    first, resent = (email.message()["Message-ID"] for email in mailoutbox)
    assert first == resent == f"<event-{event.id}@localhost>"
