"""The real thing: RabbitMQ on this machine, a Celery worker process, the outbox relay
process and an SMTP server on loopback. Each run uses queues of its own."""

import json
import threading
from decimal import Decimal

import pytest
from celery import current_app
from django.db import transaction
from kombu import Connection

from apps.bookings.events import BookingCancelled, BookingConfirmed, Customer, Money
from apps.notifications.models import Notification
from kernel import request_id
from kernel.outbox import emit
from kernel.outbox.models import OutboxEvent
from kernel.outbox.queues import queue as work_queue
from tests.factories import booking_event
from tests.messaging import RABBITMQ_URL, broker_topology, wait_until
from tests.proxy import TcpProxy

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

REFUSED = "mailbox-full@example.com"


@pytest.fixture(scope="module")
def smtp(smtp):
    smtp.refused.add(REFUSED)
    return smtp


@pytest.fixture(scope="module")
def topology(queues, smtp, django_db_setup):
    retries = {"TASK_MAX_RETRIES": "2", "TASK_RETRY_BACKOFF_SECONDS": "1"}
    with broker_topology(queues, email_url=smtp.url, extra_env=retries) as topology:
        yield topology


class Workers:
    """The worker in service; a test may kill it and start another."""

    def __init__(self, topology):
        self.topology = topology
        self.started = []
        self.start()

    def start(self) -> None:
        name = f"worker-{len(self.started) + 1}"
        self.started.append(self.topology.launch("monolith", "worker", name=name))

    def kill_and_replace(self) -> None:
        self.started[-1].kill()
        self.start()


@pytest.fixture(scope="module")
def workers(topology):
    return Workers(topology)


@pytest.fixture(scope="module")
def broker_link():
    """The relay reaches RabbitMQ through this proxy, which a test can cut."""
    proxy = TcpProxy.in_front_of(RABBITMQ_URL)
    yield proxy
    proxy.close()


@pytest.fixture(scope="module")
def relay(topology, broker_link, workers):
    env = {"CELERY_BROKER_URL": broker_link.route(RABBITMQ_URL), "OUTBOX_SWEEP_SECONDS": "0.5"}
    process = topology.launch("monolith", "relay", env=env)
    yield process
    process.stop()


@pytest.fixture(autouse=True)
def broker_configured(settings, relay):
    """This test process emits as a web process with a broker does: into the outbox."""
    settings.CELERY_BROKER_URL = RABBITMQ_URL


def emit_committed(event) -> OutboxEvent:
    with transaction.atomic():
        return emit(event)


def emit_caused_by(caused_by: str, event) -> OutboxEvent:
    """As a web request with this X-Request-ID emits it: the worker's lines carry it."""
    token = request_id.carry(caused_by)
    try:
        return emit_committed(event)
    finally:
        request_id.reset(token)


def lines_carrying(worker, caused_by: str) -> list[str]:
    return [line for line in worker.output if f"[{caused_by}]" in line]


def exactly_one_email(smtp, event, timeout: float = 15):
    wait_until(lambda: smtp.for_event(event.id), timeout=timeout, what=f"email for {event}")
    wait_until(lambda: delivered(event) == "sent", timeout=5, what="the log says sent")
    [message] = smtp.for_event(event.id)
    return message


def delivered(event) -> str | None:
    return Notification.objects.filter(event_id=event.id).values_list("status", flat=True).first()


def test_a_confirmed_booking_sends_exactly_one_confirmation_email(smtp):
    event = emit_committed(booking_event(BookingConfirmed, reference="TB-7K3QX9"))

    message = exactly_one_email(smtp, event)
    assert message["Subject"] == "Your booking TB-7K3QX9 is confirmed: Tastes of Lisbon"
    assert message["To"] == "ada@example.com"
    event.refresh_from_db()
    assert event.published_at is not None


def test_a_cancelled_booking_sends_the_cancellation_email(smtp):
    refund = Money(amount=Decimal("640.00"), currency="EUR")
    event = emit_committed(booking_event(BookingCancelled, refund=refund))

    message = exactly_one_email(smtp, event)
    assert "is cancelled" in message["Subject"]
    text = message.get_payload(0).get_payload(decode=True).decode()
    assert "We are refunding 640.00 EUR" in text


def test_the_worker_logs_its_work_with_the_request_id_that_caused_the_event(smtp, workers):
    caused_by = "req-email-7K3QX9"
    event = emit_caused_by(caused_by, booking_event(BookingConfirmed, reference="TB-RQ7K3Q"))

    exactly_one_email(smtp, event)
    worker = workers.started[-1]

    def carrying() -> list[str]:
        return lines_carrying(worker, caused_by)

    # The task's own line, then Celery's (written once it returns).
    wait_until(lambda: any("succeeded" in line for line in carrying()), timeout=5, what="lines")
    sent = "Sent the booking_confirmed email of booking TB-RQ7K3Q"
    assert any(sent in line for line in carrying()), worker.tail()


def test_an_event_waits_in_the_outbox_while_the_broker_is_unreachable(smtp, broker_link):
    broker_link.cut()
    try:
        event = emit_committed(booking_event(BookingConfirmed))  # commits regardless

        waiting = wait_until(
            lambda: OutboxEvent.objects.filter(pk=event.pk, attempts__gte=2).first(),
            timeout=15,
            what="the relay tried and failed twice",
        )
        assert waiting.published_at is None and waiting.last_error
        assert smtp.for_event(event.id) == []
    finally:
        broker_link.restore()

    exactly_one_email(smtp, event)
    event.refresh_from_db()
    assert event.published_at is not None


def test_a_worker_killed_mid_task_still_sends_exactly_one_email(smtp, workers):
    smtp.stall()
    stalled_before = smtp.stalled_sessions
    try:
        event = emit_committed(booking_event(BookingConfirmed))
        wait_until(
            lambda: smtp.stalled_sessions > stalled_before,
            timeout=15,
            what="the worker is talking to the mail server",
        )
        workers.kill_and_replace()  # SIGKILL: no ack was sent, so RabbitMQ redelivers
    finally:
        smtp.resume()

    exactly_one_email(smtp, event, timeout=20)
    assert Notification.objects.get(event_id=event.id).attempts == 2


def test_a_worker_stopped_while_the_mail_server_answers_sends_exactly_one_email(smtp, workers):
    """A rolling restart stops a worker with SIGTERM to its whole process group, as
    dumb-init does in a container: its pool process gets it too. Here it arrives while the
    mail server has kept the email but not answered yet. The worker ends the hand-over and
    records it first; the message, given back to the queue, sends nothing again."""
    caused_by = "req-email-stopped"
    worker = workers.started[-1]
    stopping = threading.Thread(target=worker.stop)  # SIGTERM to the group, as a rollout
    smtp.stall("REPLY")
    stalled_before = smtp.stalled_sessions
    try:
        event = emit_caused_by(caused_by, booking_event(BookingConfirmed))
        wait_until(
            lambda: smtp.stalled_sessions > stalled_before,
            timeout=15,
            what="the mail server kept the email and has not answered",
        )
        stopping.start()
        wait_until(
            lambda: "Warm shutdown" in worker.output.text(),
            timeout=10,
            what="the worker is stopping",
        )
    finally:
        smtp.resume()
    stopping.join()
    workers.start()
    successor = workers.started[-1]

    # Its successor runs the message again (the stopped worker gave it back): it finds the
    # email sent.
    wait_until(
        lambda: any("succeeded" in line for line in lines_carrying(successor, caused_by)),
        timeout=20,
        what="the successor ran the message again",
    )
    exactly_one_email(smtp, event)


def test_a_message_that_always_fails_ends_in_the_dead_letter_queue(smtp, queues, staff_api):
    doomed = emit_committed(
        booking_event(BookingConfirmed, customer=Customer(name="X", email=REFUSED))
    )
    fine = emit_committed(booking_event(BookingConfirmed))

    exactly_one_email(smtp, fine)  # the failing message does not block the queue
    wait_until(
        lambda: queues.message_count("notifications.dead-letter") == 1,
        timeout=30,
        what="the failing message is dead-lettered",
    )
    notification = Notification.objects.get(event_id=doomed.id)
    assert (notification.status, notification.attempts) == ("failed", 3)  # 1 try + 2 retries
    assert "SMTPRecipientsRefused" in notification.last_error
    listed = staff_api.get("/api/notifications/", {"status": "failed"}).json()["results"]
    assert [row["event_id"] for row in listed] == [str(doomed.id)]


def test_an_event_of_an_unknown_major_version_is_dead_lettered_at_once(smtp, queues):
    newer = booking_event(BookingConfirmed).payload()
    with transaction.atomic():  # as a producer of a version this consumer does not know
        doomed = OutboxEvent.objects.create(type="booking.confirmed", version="2.0", payload=newer)
    fine = emit_committed(booking_event(BookingConfirmed))

    exactly_one_email(smtp, fine)
    wait_until(
        lambda: str(doomed.id) in dead_lettered(queues),
        timeout=30,
        what="the unreadable event is dead-lettered",
    )
    assert dead_lettered(queues)[str(doomed.id)] == 0  # not retried: no retry can mend it
    assert smtp.for_event(doomed.id) == []
    assert not Notification.objects.filter(event_id=doomed.id).exists()


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_an_envelope_with_a_malformed_id_is_dead_lettered_at_once(smtp, queues, settings):
    event = booking_event(BookingConfirmed)
    malformed = {
        "id": "not-a-uuid",
        "type": event.TYPE,
        "version": event.VERSION,
        "occurred_at": "2026-11-29T16:00:00+00:00",
        "payload": event.payload(),
    }
    settings.CELERY_QUEUE_PREFIX = queues.prefix
    with Connection(RABBITMQ_URL) as connection:  # as a producer with a bug would send it
        current_app.send_task(
            "notifications.send_booking_email",
            kwargs={"event": malformed},
            queue=work_queue("notifications"),
            producer=connection.Producer(),
        )

    wait_until(
        lambda: "not-a-uuid" in dead_lettered(queues),
        timeout=30,
        what="the unreadable event is dead-lettered",
    )
    assert dead_lettered(queues)["not-a-uuid"] == 0  # not retried: no retry can mend it


def dead_lettered(queues) -> dict[str, int]:
    """The event id and retries of each message in the notifications dead-letter queue.
    The messages stay there: never acknowledged, they return when the channel closes."""
    found = {}
    with Connection(RABBITMQ_URL) as conn:
        channel = conn.channel()
        while message := channel.basic_get(f"{queues.prefix}notifications.dead-letter"):
            _, kwargs, _ = json.loads(message.body)
            found[kwargs["event"]["id"]] = message.headers["retries"]
        channel.close()
    return found
