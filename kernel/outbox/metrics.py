"""What an operator watches of the outbox and the queues, read when a web process is
scraped (``kernel.metrics.add_reading``): events waiting, how long the oldest has waited,
and the messages in this profile's dead-letter queues (kernel/outbox/queues.py)."""

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone
from kombu import Connection

from kernel.metrics import add_reading

from . import queues
from .models import OutboxEvent

BROKER_TIMEOUT_SECONDS = 2


def _unpublished() -> dict:
    return OutboxEvent.objects.filter(published_at__isnull=True).aggregate(
        count=Count("pk"), oldest=Min("created_at")
    )


def outbox_backlog() -> float:
    return _unpublished()["count"]


def outbox_lag_seconds() -> float:
    oldest = _unpublished()["oldest"]
    return (timezone.now() - oldest).total_seconds() if oldest else 0.0


def dead_letters() -> list[tuple[tuple[str], float]]:
    """Messages in the dead-letter queue of each app this profile installs (a passive
    declare over AMQP: no management API needed). A queue not declared yet holds none."""
    if not settings.CELERY_BROKER_URL:
        return []
    counts = []
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT_SECONDS) as broker:
        for label in queues.installed_labels():
            name = queues.dead_letter_queue(label).name
            channel = broker.channel()
            try:
                _, count, _ = channel.queue_declare(name, passive=True)
            except broker.channel_errors:
                count = 0
            finally:
                broker.maybe_close_channel(channel)
            counts.append(((name,), count))
    return counts


def add_readings() -> None:
    add_reading("tourism_outbox_backlog", "Outbox events not published yet.", outbox_backlog)
    add_reading(
        "tourism_outbox_lag_seconds",
        "Age of the oldest unpublished outbox event (0 when none waits).",
        outbox_lag_seconds,
    )
    add_reading(
        "tourism_dead_letter_messages",
        "Messages in each dead-letter queue of this profile's apps.",
        dead_letters,
        labels=("queue",),
    )
