"""Whole topologies for end-to-end tests: real processes, databases, broker and gateway."""

import contextlib
import shutil
import uuid

import pytest

from deploy.local.topology import DEFAULT_PORTS, Topology
from tests.conftest import require
from tests.messaging import RABBITMQ_URL, QueuePrefix, SmtpSink, rabbitmq_reachable
from tests.servers import REDIS_URL, free_port, redis_reachable


def postgres_reachable() -> bool:
    import psycopg

    try:
        psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


@pytest.fixture(scope="session")
def smtp_sink():
    with SmtpSink() as sink:
        yield sink


# The journeys and fault runs send more than a customer would, from one address: the limits
# (tested on their own, tests/e2e/test_edge.py) are raised out of their way.
UNLIMITED = {
    "gateway_rate_limit": "10000r/s",
    "gateway_rate_burst": 10000,
    "extra_env": {"THROTTLE_RATES": "off"},
}


@contextlib.contextmanager
def running_topology(mode: str, sink: SmtpSink, queues: QueuePrefix | None = None, **options):
    """A prepared, started topology with databases and queues of its own, removed after;
    ``options`` override the Topology's arguments (no rate limits unless they say so)."""
    require(shutil.which("nginx") is not None, "needs nginx (apt-get install -y nginx-light)")
    require(postgres_reachable(), "needs PostgreSQL on 127.0.0.1:5432")
    require(rabbitmq_reachable(), "needs RabbitMQ on 127.0.0.1:5672")
    require(redis_reachable(), "needs Redis on 127.0.0.1:6379")
    run = uuid.uuid4().hex[:8]
    queues = queues or QueuePrefix()
    arguments = {
        "ports": {name: free_port() for name in DEFAULT_PORTS},
        "database_prefix": f"tourism_e2e_{run}",
        "broker_url": RABBITMQ_URL,
        "redis_url": REDIS_URL,
        "email_url": f"smtp://127.0.0.1:{sink.port}",
        "queue_prefix": queues.prefix,
        "echo": lambda line: None,  # each process keeps its own output for error messages
    }
    topology = Topology(mode, **(arguments | UNLIMITED | options))
    try:
        with topology:
            topology.prepare()
            topology.start()
            yield topology
    finally:
        topology.drop_databases()
        queues.delete_all()


@pytest.fixture(scope="module", params=["services", "monolith"])
def topology(request, smtp_sink):
    with running_topology(request.param, smtp_sink) as running:
        yield running


@pytest.fixture(scope="module")
def services_topology(smtp_sink):
    with running_topology("services", smtp_sink) as running:
        yield running
