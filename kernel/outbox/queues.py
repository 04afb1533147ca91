"""The RabbitMQ topology that events and tasks travel through, and how a message ends in a
dead-letter queue: the whole story, in one place.

**Topology.** One durable topic exchange; one quorum queue per project app (named after its
label, routing key = queue name) plus ``platform`` for profiles without an app; a task
named ``<label>.<name>`` runs on its app's queue, the outbox sweep on the profile's own
app's queue. Topic, not direct, so Celery's native delayed delivery can carry retries with
a countdown. Every name starts with ``CELERY_QUEUE_PREFIX``. ``config/celery.py`` applies
``celery_settings`` and connects ``declare_and_consume_own_queues``.

**How a message ends, and where it goes.**

1. It succeeds: acknowledged (late: only once the task returned, ``task_acks_late``).
2. The database or the mail server is away (``kernel/outages.py``): the base of every task,
   ``kernel.tasks.Task``, retries it after ``TASK_RETRY_BACKOFF_SECONDS`` times 1, 2, 4, ...
   until the outage ends. Never dead-lettered.
3. It fails for another reason: its task retries it ``TASK_MAX_RETRIES`` times with Celery's
   ``retry_backoff`` (``apps/notifications/tasks.py``), then raises; an event it cannot read
   (``IncompatibleEvent``) raises at once. The worker rejects a failed message
   (``task_acks_on_failure`` off), and RabbitMQ moves it to the queue's dead-letter
   exchange, then to ``<queue>.dead-letter``.
4. Its worker dies, or it runs past its time limit: it goes back to its queue
   (``task_reject_on_worker_lost``, ``task_acks_on_timeout`` off). After
   ``DELIVERY_LIMIT`` deliveries the queue dead-letters it, so a message that keeps killing
   its worker does not block the queue.

Dead-lettering is at-least-once (``x-dead-letter-strategy``, which needs ``x-overflow:
reject-publish``): a message is not lost on its way. docs/architecture.md, "Events and
workers", says why the queues are quorum queues.
"""

from django.conf import settings
from kombu import Exchange, Queue

QUORUM = {"x-queue-type": "quorum"}
# Deliveries of one message (worker crashes, time limits) before it is dead-lettered.
DELIVERY_LIMIT = 5
PLATFORM_QUEUE = "platform"  # for profiles that install no project app

# The acknowledgement that sends each outcome above where it belongs.
ACKNOWLEDGEMENT = {
    "task_acks_late": True,
    "task_reject_on_worker_lost": True,
    "task_acks_on_failure": False,
    "task_acks_on_timeout": False,
}


def name(base: str) -> str:
    return f"{settings.CELERY_QUEUE_PREFIX}{base}"


def exchange() -> Exchange:
    return Exchange(name("tourism"), type="topic", durable=True)


def dead_letter_exchange() -> Exchange:
    return Exchange(name("tourism.dead-letter"), type="direct", durable=True)


def queue(base: str) -> Queue:
    """The work queue ``base``: messages that fail for good, or are delivered more than
    ``DELIVERY_LIMIT`` times, move to its dead-letter queue."""
    return Queue(
        name(base),
        exchange(),
        routing_key=name(base),
        durable=True,
        queue_arguments={
            **QUORUM,
            "x-delivery-limit": DELIVERY_LIMIT,
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


def installed_labels() -> list[str]:
    return [name.removeprefix("apps.") for name in settings.PROJECT_APPS]


def celery_settings() -> dict:
    """Queues, routes and acknowledgement, read lazily: the settings are not loaded when
    ``config/celery.py`` imports."""
    own = installed_labels()
    names = sorted({PLATFORM_QUEUE, *own, *route_queue_names()})
    routes = {f"{label}.*": {"queue": name(label)} for label in names}
    routes["outbox.*"] = {"queue": name(own[0] if own else PLATFORM_QUEUE)}
    return {
        **ACKNOWLEDGEMENT,
        "task_queues": [queue(label) for label in names],
        "task_default_queue": name(PLATFORM_QUEUE),
        "task_default_exchange": exchange().name,
        "task_default_exchange_type": "topic",
        "task_default_routing_key": name(PLATFORM_QUEUE),
        "task_routes": routes,
        "task_create_missing_queues": False,
    }


def declare_and_consume_own_queues(sender, instance, **kwargs):
    """When a worker starts: declare every queue (and its dead-letter queue) this profile
    knows, then consume only the platform queue and those of the apps this profile
    installs (``-Q`` narrows that further)."""
    known = instance.app.amqp.queues
    with instance.app.connection_for_write() as connection:
        channel = connection.default_channel
        for queue_name in list(known):
            label = queue_name.removeprefix(name(""))
            queue(label).bind(channel).declare()
            dead_letter_queue(label).bind(channel).declare()
    own = {name(label) for label in [PLATFORM_QUEUE, *installed_labels()]}
    for queue_name in list(known.consume_from):
        if queue_name not in own:
            known.deselect(queue_name)
