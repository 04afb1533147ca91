"""Writes to the outbox: record an event, publish what is waiting."""

import datetime
import logging

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from kernel import tracing
from kernel.metrics import OUTBOX_PUBLISH_FAILURES, OUTBOX_PUBLISHED
from kernel.request_id import OUTSIDE_REQUEST, current_request_id

from .events import Event
from .models import OutboxEvent
from .publisher import InProcessPublisher, PublishFailed

logger = logging.getLogger(__name__)

NOTIFY_CHANNEL = "outbox"
BATCH_SIZE = 100


def outbox_emit(*, event: Event) -> OutboxEvent:
    """Record an event in the caller's transaction, with the id of the request being
    served and the context of the current span (the relay continues its trace). It is
    published only once that transaction commits: relays hear PostgreSQL's NOTIFY, which
    is delivered at commit; with no broker configured, the consumers run in-process right
    after commit."""
    request_id = current_request_id()
    event = OutboxEvent.objects.create(
        type=event.TYPE,
        version=event.VERSION,
        payload=event.payload(),
        request_id="" if request_id == OUTSIDE_REQUEST else request_id,
        traceparent=tracing.traceparent(),
    )
    if not settings.CELERY_BROKER_URL:
        transaction.on_commit(_publish_in_process, robust=True)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [NOTIFY_CHANNEL, str(event.id)])
    return event


def _publish_in_process() -> None:
    with InProcessPublisher() as in_process:
        outbox_publish_pending(publisher=in_process)


def outbox_publish_pending(*, publisher, batch_size: int = BATCH_SIZE) -> int:
    """Publish unpublished events, oldest first, and mark each published once its
    publisher has handed it over (for RabbitMQ: confirmed it). Rows are locked with SKIP
    LOCKED, so several relays can run at once. Stops at the first failure (the broker is
    unreachable), recording it on the event; returns how many were published."""
    published = 0
    while True:
        with transaction.atomic():
            batch = list(
                OutboxEvent.objects.select_for_update(skip_locked=True)
                .filter(published_at__isnull=True)
                .order_by("created_at")[:batch_size]
            )
            done, failure = [], None
            for event in batch:
                try:
                    with tracing.continued(
                        "outbox publish",
                        event.traceparent,
                        {
                            "messaging.message.id": str(event.id),
                            "event.type": event.type,
                            tracing.REQUEST_ID: event.request_id or OUTSIDE_REQUEST,
                        },
                    ):
                        publisher.publish(event)
                except PublishFailed as exc:
                    failure = str(exc)
                    OutboxEvent.objects.filter(pk=event.pk).update(
                        attempts=F("attempts") + 1, last_error=failure[:2000]
                    )
                    break
                done.append(event.pk)
            OutboxEvent.objects.filter(pk__in=done).update(
                published_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
            )
        published += len(done)
        OUTBOX_PUBLISHED.inc(len(done))
        if failure:
            OUTBOX_PUBLISH_FAILURES.inc()
            logger.warning("Outbox: publishing failed, events wait for the next try: %s", failure)
        if failure or len(batch) < batch_size:
            return published


def outbox_prune_published(*, now: datetime.datetime | None = None) -> int:
    """Delete events published more than OUTBOX_RETENTION_DAYS ago (consumers dedupe by
    event id on their side); unpublished events are never pruned. Returns how many."""
    age = datetime.timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    old = OutboxEvent.objects.filter(published_at__lt=(now or timezone.now()) - age)
    return old.delete()[0]
