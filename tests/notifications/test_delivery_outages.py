"""Outages while emails are delivered, for real: a Celery worker process reaches the
database and the mail server through TCP proxies that the test cuts (RabbitMQ, the relay
and the servers themselves keep running). An outage delays an email; it never sends the
message to the dead-letter queue nor leaves an email sent twice or not at all."""

import pytest
from celery import current_app
from django.db import transaction
from kombu import Connection

from apps.bookings.events import BookingConfirmed, Customer
from apps.notifications.models import Notification
from kernel.outbox import emit
from kernel.outbox.queues import queue as work_queue
from tests.factories import booking_event
from tests.messaging import RABBITMQ_URL, broker_topology, wait_until
from tests.proxy import TcpProxy
from tests.servers import test_database_url as database_url

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# More retries than TASK_MAX_RETRIES (2 here) allows a message that fails for another reason.
ATTEMPTS_DURING_OUTAGE = 3
MAX_RETRIES = 2


@pytest.fixture(scope="module")
def links(django_db_setup, smtp):
    """The worker's ways to its database and to the mail server."""
    with (
        TcpProxy.in_front_of(database_url()) as database,
        TcpProxy(smtp.port) as mail_server,
    ):
        yield {"database": database, "mail server": mail_server}


@pytest.fixture(scope="module")
def topology(queues, links):
    retries = {"TASK_MAX_RETRIES": str(MAX_RETRIES), "TASK_RETRY_BACKOFF_SECONDS": "1"}
    with broker_topology(queues, extra_env=retries) as topology:
        yield topology


@pytest.fixture(scope="module")
def worker(topology, links):
    env = {
        "DATABASE_URL": links["database"].route(database_url()),
        "EMAIL_URL": f"smtp://127.0.0.1:{links['mail server'].port}",
    }
    process = topology.launch("monolith", "worker", env=env)
    yield process
    process.stop()


@pytest.fixture(scope="module")
def relay(topology, worker):
    process = topology.launch("monolith", "relay", env={"OUTBOX_SWEEP_SECONDS": "0.5"})
    yield process
    process.stop()


@pytest.fixture(autouse=True)
def broker_configured(settings, relay, queues):
    """This test process emits as a web process with a broker does: into the outbox."""
    settings.CELERY_BROKER_URL = RABBITMQ_URL
    settings.CELERY_QUEUE_PREFIX = queues.prefix


def retries(worker, task_name: str) -> int:
    return sum(task_name in line and " retry: " in line for line in worker.output)


def wait_out_an_outage(link: TcpProxy, worker, task_name: str, queues, queue: str):
    """Let the task fail for as long as a limited retry would have allowed, then restore."""
    before = retries(worker, task_name)
    wait_until(
        lambda: (
            retries(worker, task_name) >= before + ATTEMPTS_DURING_OUTAGE
            or queues.message_count(f"{queue}.dead-letter")
        ),
        timeout=60,
        what=f"{task_name} failed {ATTEMPTS_DURING_OUTAGE} times",
        interval=0.2,
    )
    link.restore()


@pytest.mark.parametrize("outage", ["database", "mail server"])
def test_an_email_waits_out_an_outage_and_is_sent_once(outage, links, worker, smtp, queues):
    links[outage].cut()
    try:
        with transaction.atomic():
            event = emit(booking_event(BookingConfirmed))
        wait_out_an_outage(links[outage], worker, "send_booking_email", queues, "notifications")
    finally:
        links[outage].restore()

    wait_until(lambda: smtp.for_event(event.id), timeout=60, what="the email is sent")
    wait_until(
        lambda: Notification.objects.get(event_id=event.id).status == "sent",
        timeout=10,
        what="its log row says sent",
    )
    assert len(smtp.for_event(event.id)) == 1
    assert queues.message_count("notifications.dead-letter") == 0


def test_a_database_outage_after_sending_sends_again_recognisably_and_says_sent(
    links, worker, smtp, queues
):
    """The one window left: the mail server took the email, the row could not say so."""
    stalled_before = smtp.stalled_sessions
    smtp.stall("DATA")
    try:
        with transaction.atomic():
            event = emit(booking_event(BookingConfirmed))
        wait_until(
            lambda: smtp.stalled_sessions > stalled_before,
            timeout=30,
            what="the worker is handing the email over",
        )
        links["database"].cut()
    finally:
        smtp.resume()  # the mail server takes the email; the worker cannot record it
    try:
        wait_out_an_outage(links["database"], worker, "send_booking_email", queues, "notifications")
    finally:
        links["database"].restore()

    wait_until(
        lambda: Notification.objects.get(event_id=event.id).status == "sent",
        timeout=60,
        what="its log row says sent",
    )
    first, again = smtp.for_event(event.id)
    assert first["Message-ID"] == again["Message-ID"] == f"<event-{event.id}@localhost>"
    assert queues.message_count("notifications.dead-letter") == 0


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_a_periodic_task_waits_out_a_database_outage(links, worker, queues):
    links["database"].cut()
    try:
        with Connection(RABBITMQ_URL) as connection:  # what beat sends every 30 s
            current_app.send_task(
                "outbox.sweep", queue=work_queue("catalog"), producer=connection.Producer()
            )
        wait_out_an_outage(links["database"], worker, "outbox.sweep", queues, "catalog")
    finally:
        links["database"].restore()

    wait_until(
        lambda: any("outbox.sweep" in line and "succeeded" in line for line in worker.output),
        timeout=60,
        what="the sweep ran once the database was back",
    )
    assert queues.message_count("catalog.dead-letter") == 0


def test_an_outage_does_not_use_up_the_retries_of_a_refused_recipient(links, worker, smtp, queues):
    smtp.refused.add("mailbox-full@example.com")  # a temporary 451 once the server is back
    links["mail server"].cut()
    try:
        with transaction.atomic():
            customer = Customer(name="Ada", email="mailbox-full@example.com")
            event = emit(booking_event(BookingConfirmed, customer=customer))
        wait_out_an_outage(
            links["mail server"], worker, "send_booking_email", queues, "notifications"
        )
    finally:
        links["mail server"].restore()

    wait_until(
        lambda: queues.message_count("notifications.dead-letter"),
        timeout=90,
        what="the refused email is dead-lettered",
    )
    notification = Notification.objects.get(event_id=event.id)
    assert notification.attempts == ATTEMPTS_DURING_OUTAGE + 1 + MAX_RETRIES
    assert "SMTPRecipientsRefused" in notification.last_error
