"""The Celery app: configured from Django settings under the ``CELERY_`` namespace.

Every task's base is ``kernel.tasks.Task``: a database or mail server outage is retried
with backoff until it ends, never dead-lettered.

Queues (see kernel/outbox/queues.py): one per project app, named after its label; a task
named ``<label>.<name>`` runs on its app's queue. The outbox sweep runs on the queue of
this profile's own app, so it sweeps this profile's database. A worker consumes the
queues of the apps its profile installs (``-Q`` narrows that further).
"""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.monolith")

app = Celery("tourism", task_cls="kernel.tasks:Task")  # retries infrastructure outages
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

PLATFORM_QUEUE = "platform"  # for profiles that install no project app


def installed_labels() -> list[str]:
    from django.conf import settings

    return [name.removeprefix("apps.") for name in settings.PROJECT_APPS]


def topology() -> dict:
    """Queues and routes, read lazily: the settings are not loaded when this imports."""
    from kernel.outbox import queues

    own = installed_labels()
    names = sorted({PLATFORM_QUEUE, *own, *queues.route_queue_names()})
    routes = {f"{label}.*": {"queue": queues.name(label)} for label in names}
    routes["outbox.*"] = {"queue": queues.name(own[0] if own else PLATFORM_QUEUE)}
    return {
        "task_queues": [queues.queue(label) for label in names],
        "task_default_queue": queues.name(PLATFORM_QUEUE),
        "task_default_exchange": queues.exchange().name,
        "task_default_exchange_type": "topic",
        "task_default_routing_key": queues.name(PLATFORM_QUEUE),
        "task_routes": routes,
        "task_create_missing_queues": False,
    }


app.add_defaults(topology)


@signals.celeryd_after_setup.connect
def consume_own_queues(sender, instance, **kwargs):
    """Declare every queue (and its dead-letter queue) this profile knows, then consume
    only the platform queue and those of the apps this profile installs."""
    from kernel.outbox import queues

    known = instance.app.amqp.queues
    with instance.app.connection_for_write() as connection:
        channel = connection.default_channel
        for queue_name in list(known):
            label = queue_name.removeprefix(queues.name(""))
            queues.queue(label).bind(channel).declare()
            queues.dead_letter_queue(label).bind(channel).declare()
    own = {queues.name(label) for label in [PLATFORM_QUEUE, *installed_labels()]}
    for queue_name in list(known.consume_from):
        if queue_name not in own:
            known.deselect(queue_name)
