import pytest
from django.db import transaction

from deploy.local.smtp_sink import SmtpSink
from kernel.outbox import emit
from tests.conftest import require
from tests.messaging import RABBITMQ_URL, QueuePrefix, rabbitmq_reachable


@pytest.fixture
def emit_committed(django_capture_on_commit_callbacks):
    """Emit in a transaction that commits, running what waits for the commit."""

    def emit_and_commit(event):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            return emit(event)

    return emit_and_commit


@pytest.fixture(scope="module")
def queues():
    """RabbitMQ queues unique to this test module, removed afterwards."""
    require(rabbitmq_reachable(), f"needs RabbitMQ at {RABBITMQ_URL}")
    prefix = QueuePrefix()
    yield prefix
    prefix.delete_all()


@pytest.fixture(scope="module")
def smtp():
    """A mail server on loopback that keeps what it receives."""
    with SmtpSink() as sink:
        yield sink
