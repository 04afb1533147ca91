"""Servers for tests: the project's processes, started by the local runner
(``deploy/local/topology.py``) on this test run's database, and stand-ins for a
dependency that hangs or is down."""

import contextlib
import os
import socket
import uuid
from collections.abc import Iterator

import redis
from django.conf import settings
from django.db import connection

from deploy.local.processes import Process, free_port
from deploy.local.topology import Topology, free_ports

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# What the processes of a test run are given besides their profile's contract: the
# in-process cache and no rate limits (tests of the limits set their own).
TEST_ENV = {"CACHE_URL": "locmemcache://", "THROTTLE_RATES": "off"}


def redis_reachable() -> bool:
    with contextlib.suppress(redis.RedisError):
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    return False


def test_database_url() -> str:
    """The URL of the database this test run uses, for processes the test starts."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def run_topology(*, extra_env: dict[str, str] | None = None, **options) -> Topology:
    """The runner for the processes of a test: every profile on this test run's database,
    tasks in-process unless ``broker_url`` says otherwise, this process's service token,
    free ports, and no restarts (a test that kills a process means it)."""
    arguments = {
        "ports": free_ports(),
        "database_prefix": f"test_{uuid.uuid4().hex[:8]}",
        "database_url": test_database_url(),
        "broker_url": "",
        "queue_prefix": "",
        "service_token": settings.SERVICE_TOKEN,
        "restart": False,
        "echo": None,
    }
    return Topology("monolith", extra_env=TEST_ENV | (extra_env or {}), **(arguments | options))


@contextlib.contextmanager
def serve(profile: str, **env: str) -> Iterator[Process]:
    """gunicorn with ``config.settings.<profile>`` (its ``url``, its ``output``)."""
    with run_topology() as topology:
        yield topology.launch(profile, env=env)


@contextlib.contextmanager
def silent_server() -> Iterator[str]:
    """A TCP server that accepts connections and never answers: a hung dependency."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def closed_url() -> str:
    """A loopback URL nothing listens on: a dependency that is down."""
    return f"http://127.0.0.1:{free_port()}"
