"""Events leave through the outbox: written with the state change, published after commit
with the broker's confirmation, never lost while the broker is away."""

import json
import threading
import uuid

import pytest
from django.db import connection, transaction
from django.utils import timezone
from kombu import Connection

from apps.bookings.events import EVENTS, BookingCancelled
from deploy.local.processes import Process
from kernel.outbox import emit, queues
from kernel.outbox.events import Envelope
from kernel.outbox.models import OutboxEvent
from kernel.outbox.publisher import BrokerPublisher
from kernel.outbox.services import outbox_publish_pending
from tests.factories import booking_event
from tests.messaging import (
    RABBITMQ_URL,
    broker_topology,
    wait_until,
)
from tests.proxy import TcpProxy
from tests.servers import closed_url
from tests.servers import test_database_url as database_url

EVENT = booking_event(reference="TB-7K3QX9")


@pytest.mark.django_db
def test_an_event_commits_or_rolls_back_with_the_callers_transaction(settings):
    settings.CELERY_BROKER_URL = RABBITMQ_URL
    with transaction.atomic():
        kept = emit(EVENT)
    with pytest.raises(RuntimeError), transaction.atomic():
        emit(booking_event(BookingCancelled))
        raise RuntimeError("the state change failed")

    assert list(OutboxEvent.objects.values_list("id", "type", "payload")) == [
        (kept.id, "booking.confirmed", EVENT.payload())
    ]
    assert kept.published_at is None


@pytest.mark.django_db
def test_an_unreachable_broker_leaves_the_event_waiting_with_the_reason(settings):
    settings.CELERY_BROKER_URL = closed_url().replace("http", "amqp")
    event = emit(EVENT)

    with BrokerPublisher() as publisher:
        assert outbox_publish_pending(publisher=publisher) == 0

    event.refresh_from_db()
    assert event.published_at is None
    assert event.attempts == 1
    assert "Connection refused" in event.last_error


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
# This test process started without a broker (Celery eager); publishing still goes out.
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_relays_running_at_once_publish_each_event_once(broker):
    events = [emit(booking_event(seats=n + 1)) for n in range(40)]

    def relay():
        with BrokerPublisher() as publisher:
            outbox_publish_pending(publisher=publisher, batch_size=5)
        connection.close()

    threads = [threading.Thread(target=relay) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not OutboxEvent.objects.filter(published_at__isnull=True).exists()
    with Connection(RABBITMQ_URL) as conn:
        queue = conn.SimpleQueue(queues.queue("notifications"), no_ack=True)
        messages = [queue.get(timeout=2) for _ in range(queue.qsize())]
    assert {m.headers["task"] for m in messages} == {"notifications.send_booking_email"}
    published = sorted(m.payload[1]["event"]["id"] for m in messages)
    assert published == sorted(str(event.id) for event in events)  # each once, confirmed


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_relay_process_stops_cleanly_on_sigterm(broker):
    with broker_topology(broker) as topology:
        relay = topology.launch("monolith", "relay")
        assert "listening for NOTIFY" in relay.output.text()
        with transaction.atomic():
            event = emit(EVENT)
        wait_until(
            lambda: OutboxEvent.objects.filter(pk=event.pk, published_at__isnull=False).exists(),
            timeout=5,
            what="the relay published the event it was notified of",
        )
        assert relay.stop() == 0  # SIGTERM
        assert "Outbox relay stopped." in relay.output.text()


def published(event: OutboxEvent) -> bool:
    return OutboxEvent.objects.filter(pk=event.pk, published_at__isnull=False).exists()


def relay_failures(relay: Process) -> int:
    return relay.output.text().count("Outbox relay: ")


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("outage", ["database", "broker"])
def test_the_relay_process_outlives_an_outage_and_reconnects_by_itself(broker, outage):
    with (
        TcpProxy.in_front_of(database_url()) as database,
        TcpProxy.in_front_of(RABBITMQ_URL) as rabbitmq,
    ):
        environment = {
            "CELERY_BROKER_URL": rabbitmq.route(RABBITMQ_URL),
            "DATABASE_URL": database.route(database_url()),
            "OUTBOX_SWEEP_SECONDS": "0.5",
        }
        link = {"database": database, "broker": rabbitmq}[outage]
        with broker_topology(broker) as topology:
            relay = topology.launch("monolith", "relay", env=environment)
            link.cut()
            with transaction.atomic():
                during = emit(EVENT)  # this test reaches the database
            wait_until(
                lambda: (
                    relay_failures(relay)
                    or OutboxEvent.objects.filter(pk=during.pk, attempts__gte=1).exists()
                    or not relay.running()
                ),
                timeout=15,
                what=f"the relay felt the {outage} outage",
            )
            assert relay.running(), relay.output.text()
            link.restore()

            wait_until(lambda: published(during), timeout=30, what="published once back")
            with transaction.atomic():
                after = emit(EVENT)
            wait_until(lambda: published(after), timeout=10, what="a new event is published")
            assert relay.running(), relay.output.text()
            assert "Traceback" not in relay.output.text()


@pytest.mark.django_db
def test_the_release_before_event_versions_can_still_emit_once_their_migration_ran():
    """A rolling update migrates first: the running release goes on writing its events,
    with an INSERT that names only the columns it knows, and they read as version 1.0."""
    event_id, payload = uuid.uuid4(), {**EVENT.payload(), "refund": None}
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO outbox_outboxevent (id, type, payload, created_at, attempts, last_error)"
            " VALUES (%s, %s, %s, %s, 0, '')",
            [event_id.hex, "booking.confirmed", json.dumps(payload), timezone.now()],
        )

    event = OutboxEvent.objects.get(pk=event_id)
    assert (event.version, event.request_id, event.traceparent) == ("1.0", "", "")
    assert Envelope.from_message(event.envelope()).event(EVENTS) == EVENT
