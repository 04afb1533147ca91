"""RabbitMQ for the messaging tests: queues unique to this run, and the runner for Celery
worker and relay processes on them (tests/proxy.py cuts them off)."""

import contextlib
import os
import time
import uuid

import amqp
from kombu import Connection

from deploy.local.topology import Topology
from tests.servers import run_topology

RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")


def rabbitmq_reachable() -> bool:
    with contextlib.suppress(Exception), Connection(RABBITMQ_URL, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        return True
    return False


def wait_until(condition, *, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(interval)
    raise AssertionError(f"Not within {timeout}s: {what}")


LABELS = ("platform", "catalog", "bookings", "payments", "notifications")


class QueuePrefix:
    """Queue and exchange names unique to one test run, removed afterwards."""

    def __init__(self, prefix: str | None = None):
        self.prefix = prefix or f"test-{uuid.uuid4().hex[:10]}."

    def message_count(self, queue_name: str) -> int:
        with Connection(RABBITMQ_URL) as conn:
            _, count, _ = conn.default_channel.queue_declare(self.prefix + queue_name, passive=True)
            return count

    def dead_letters(self) -> dict[str, list[str]]:
        """The task of each message in this run's dead-letter queues, by queue. The messages
        stay there: never acknowledged, they return to their queue when the channel closes."""
        letters = {}
        with Connection(RABBITMQ_URL) as conn:
            for label in LABELS:
                channel = conn.channel()
                letters[label] = []
                with contextlib.suppress(amqp.exceptions.NotFound):
                    while message := channel.basic_get(f"{self.prefix}{label}.dead-letter"):
                        letters[label].append(message.headers.get("task", "?"))
                with contextlib.suppress(Exception):  # NotFound closed it already
                    channel.close()
        return letters

    def delete_all(self) -> None:
        """Every queue and exchange the project declares under this prefix."""
        self.delete(
            queues=[*LABELS, *(f"{label}.dead-letter" for label in LABELS)],
            exchanges=["tourism", "tourism.dead-letter"],
        )

    def delete(self, *, queues: list[str], exchanges: list[str]) -> None:
        with Connection(RABBITMQ_URL) as conn:
            for name in queues:
                with contextlib.suppress(Exception):
                    conn.channel().queue_delete(self.prefix + name)
            for name in exchanges:
                with contextlib.suppress(Exception):
                    conn.channel().exchange_delete(self.prefix + name)


def broker_topology(
    queues: QueuePrefix, *, extra_env: dict[str, str] | None = None, **options
) -> Topology:
    """The runner for this test run's processes on RabbitMQ, with ``queues``' prefix; at
    most two database connections each."""
    return run_topology(
        broker_url=RABBITMQ_URL,
        queue_prefix=queues.prefix,
        extra_env={"DATABASE_POOL_MAX_SIZE": "2", **(extra_env or {})},
        **options,
    )
