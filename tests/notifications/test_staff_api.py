"""Staff read the notification log at /api/notifications/ and may resend an email."""

import pytest
from django.urls import reverse

from apps.bookings.events import BookingCancelled, BookingConfirmed
from apps.notifications.models import Notification
from tests.conftest import staff_user
from tests.factories import booking_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(emit_committed):
    event = emit_committed(booking_event(BookingConfirmed, reference="TB-AAA111"))
    return Notification.objects.get(event_id=event.id)


def test_only_staff_may_read_the_log(api, sent):
    response = api.get("/api/notifications/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


def test_staff_without_permissions_may_neither_read_nor_resend(staff_api_with, sent, mailoutbox):
    client = staff_api_with()
    assert client.get("/api/notifications/").status_code == 403
    assert client.get(f"/api/notifications/{sent.pk}/").status_code == 403
    assert client.post(f"/api/notifications/{sent.pk}/resend/").status_code == 403
    assert len(mailoutbox) == 1


def test_the_view_permission_reads_and_the_change_permission_resends(
    staff_api_with, sent, mailoutbox
):
    reader = staff_api_with("notifications.view_notification")
    assert reader.get("/api/notifications/").json()["count"] == 1
    assert reader.post(f"/api/notifications/{sent.pk}/resend/").status_code == 403
    assert len(mailoutbox) == 1
    editor = staff_api_with("notifications.change_notification")
    assert editor.post(f"/api/notifications/{sent.pk}/resend/").status_code == 200
    assert len(mailoutbox) == 2


def test_the_list_filters_by_status_kind_and_reference(staff_api, sent, emit_committed):
    emit_committed(booking_event(BookingCancelled, reference="TB-BBB222"))

    def references(**query):
        rows = staff_api.get("/api/notifications/", query).json()["results"]
        return [row["booking_reference"] for row in rows]

    assert references() == ["TB-BBB222", "TB-AAA111"]
    assert references(kind="booking_cancelled") == ["TB-BBB222"]
    assert references(booking_reference="TB-AAA111") == ["TB-AAA111"]
    assert references(status="failed") == []


def test_the_list_runs_a_constant_number_of_queries(
    staff_api, emit_committed, django_assert_max_num_queries
):
    emit_committed(booking_event(BookingConfirmed))
    with django_assert_max_num_queries(10) as few:
        staff_api.get("/api/notifications/")
    for _ in range(10):
        emit_committed(booking_event(BookingConfirmed))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = staff_api.get("/api/notifications/")
    assert response.json()["count"] == 11


def test_the_detail_shows_the_event_payload(staff_api, sent):
    body = staff_api.get(f"/api/notifications/{sent.pk}/").json()
    assert body["status"] == "sent"
    assert body["payload"]["reference"] == "TB-AAA111"


def test_staff_can_resend_an_email(staff_api, sent, mailoutbox):
    response = staff_api.post(f"/api/notifications/{sent.pk}/resend/")
    assert response.status_code == 200
    assert response.json()["attempts"] == 2
    assert [email.subject for email in mailoutbox][-1] == sent.subject
    assert len(mailoutbox) == 2


def test_the_admin_resend_action(client, staff, sent, mailoutbox):
    client.force_login(staff)
    url = reverse("admin:notifications_notification_changelist")
    assert "TB-AAA111" in client.get(url).content.decode()

    client.post(url, {"action": "resend", "_selected_action": [sent.pk]})

    assert len(mailoutbox) == 2
    assert Notification.objects.get(pk=sent.pk).attempts == 2


def test_the_admin_resend_action_needs_the_change_permission(client, sent, mailoutbox):
    client.force_login(staff_user("notifications.view_notification"))
    url = reverse("admin:notifications_notification_changelist")
    assert "TB-AAA111" in client.get(url).content.decode()

    client.post(url, {"action": "resend", "_selected_action": [sent.pk]})

    assert len(mailoutbox) == 1
    assert Notification.objects.get(pk=sent.pk).attempts == 1
