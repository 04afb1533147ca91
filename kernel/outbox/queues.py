"""The RabbitMQ topology that events travel through.

One durable topic exchange; one quorum queue per consuming app (routing key = queue
name), each with a dead-letter queue that collects the messages its consumers gave up on.
Topic, not direct, so Celery's native delayed delivery can carry retries with a countdown.
Every name starts with ``CELERY_QUEUE_PREFIX``.
"""

from django.conf import settings
from kombu import Exchange, Queue

QUORUM = {"x-queue-type": "quorum"}


def name(base: str) -> str:
    return f"{settings.CELERY_QUEUE_PREFIX}{base}"


def exchange() -> Exchange:
    return Exchange(name("tourism"), type="topic", durable=True)


def dead_letter_exchange() -> Exchange:
    return Exchange(name("tourism.dead-letter"), type="direct", durable=True)


def queue(base: str) -> Queue:
    """The work queue ``base``: messages that fail for good, or are delivered more than
    ``CELERY_QUEUE_DELIVERY_LIMIT`` times, move to its dead-letter queue."""
    return Queue(
        name(base),
        exchange(),
        routing_key=name(base),
        durable=True,
        queue_arguments={
            **QUORUM,
            "x-delivery-limit": settings.CELERY_QUEUE_DELIVERY_LIMIT,
            "x-dead-letter-exchange": dead_letter_exchange().name,
            "x-dead-letter-routing-key": name(base),
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",  # at-least-once dead-lettering requires it
        },
    )


def dead_letter_queue(base: str) -> Queue:
    return Queue(
        name(f"{base}.dead-letter"),
        dead_letter_exchange(),
        routing_key=name(base),
        durable=True,
        queue_arguments=QUORUM,
    )


def route_queue_names() -> set[str]:
    """Every queue that some event is routed to (unprefixed)."""
    return {queue for routes in settings.OUTBOX_ROUTES.values() for _, queue in routes}
