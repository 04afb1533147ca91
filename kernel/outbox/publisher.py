"""How an outbox event reaches its consumers: through RabbitMQ with publisher confirms,
or, with no broker configured, by running the consuming Celery tasks in this process."""

import logging

from amqp.exceptions import AMQPError, MessageNacked
from celery import current_app
from django.conf import settings
from kombu.exceptions import KombuError

from kernel import tracing

from . import queues
from .models import OutboxEvent

logger = logging.getLogger(__name__)

BROKER_ERRORS = (OSError, KombuError, AMQPError, MessageNacked)


class PublishFailed(Exception):
    """The event could not be handed over; it stays in the outbox for the next try."""


def routes(event_type: str) -> list[tuple[str, str]]:
    return settings.OUTBOX_ROUTES.get(event_type, [])


class BrokerPublisher:
    """Publishes to RabbitMQ over one connection, kept open between events. With
    ``confirm_publish`` on, each publish returns only after the broker confirmed it."""

    def __init__(self):
        self._connection = None
        self._producer = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def publish(self, event: OutboxEvent) -> None:
        try:
            producer = self._producer or self._connect()
            for task_name, queue in routes(event.type):
                current_app.send_task(
                    task_name,
                    kwargs={"event": event.envelope()},
                    queue=queues.queue(queue),
                    producer=producer,
                    retry=False,
                    headers=tracing.inject(),  # the task's span continues this trace
                )
        except BROKER_ERRORS as exc:
            self.close()
            raise PublishFailed(f"{exc.__class__.__name__}: {exc}") from exc

    def _connect(self):
        self._connection = current_app.connection_for_write(settings.CELERY_BROKER_URL)
        self._connection.ensure_connection(max_retries=1)
        self._producer = self._connection.Producer()
        return self._producer

    def close(self) -> None:
        if self._connection is not None:
            self._connection.collect()  # drop it without talking to a broker that may be gone
        self._connection = self._producer = None


class InProcessPublisher:
    """The embedded default: run each consuming task here, now (Celery eager mode)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        pass

    def publish(self, event: OutboxEvent) -> None:
        for task_name, _ in routes(event.type):
            task = current_app.tasks.get(task_name)
            if task is None:
                raise PublishFailed(
                    f"{task_name} does not run in this process and no broker is set."
                )
            try:
                task.apply(kwargs={"event": event.envelope()}, throw=True)
            except Exception:  # the consumer failed: it was delivered; its own log says why
                logger.exception("%s failed for event %s", task_name, event.id)


def publisher() -> BrokerPublisher | InProcessPublisher:
    """The publisher for this process's configuration."""
    return BrokerPublisher() if settings.CELERY_BROKER_URL else InProcessPublisher()
