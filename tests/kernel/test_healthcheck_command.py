"""`manage.py healthcheck`, the health of the worker, beat and relay, run as a real process."""

import subprocess
import sys

import pytest

from deploy.local.processes import ROOT, free_port
from tests.conftest import require
from tests.messaging import RABBITMQ_URL, rabbitmq_reachable
from tests.servers import run_topology

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.slow]


def healthcheck(**env: str) -> subprocess.CompletedProcess:
    with run_topology(broker_url=RABBITMQ_URL) as topology:
        environment = topology.shell_environment("monolith") | env
    return subprocess.run(
        [sys.executable, "manage.py", "healthcheck"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_passes_when_the_databases_and_the_broker_answer():
    require(rabbitmq_reachable(), f"needs RabbitMQ at {RABBITMQ_URL}")
    result = healthcheck()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok: database:default, broker"


def test_it_fails_with_the_reason_when_the_database_is_down():
    closed = f"postgres://postgres@127.0.0.1:{free_port()}/tourism"
    result = healthcheck(DATABASE_URL=closed, CELERY_BROKER_URL="")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "CommandError: not ready: database:default error: OperationalError"
    ]


def test_it_fails_with_the_reason_when_the_broker_is_down():
    result = healthcheck(CELERY_BROKER_URL=f"amqp://guest:guest@127.0.0.1:{free_port()}//")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "CommandError: not ready: broker error: OperationalError"
    ]
