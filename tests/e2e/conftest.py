"""Whole topologies for end-to-end tests: real processes, databases, broker and gateway."""

import contextlib
import json
import shutil
import subprocess
import sys
import uuid

import pytest

from deploy.local.chromium import CHROMIUM, DESKTOP, launch
from deploy.local.processes import ROOT
from deploy.local.smtp_sink import SmtpSink
from deploy.local.topology import Topology, free_ports
from tests.conftest import require
from tests.messaging import RABBITMQ_URL, QueuePrefix, rabbitmq_reachable
from tests.servers import REDIS_URL, redis_reachable


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
# (tested on their own, tests/e2e/test_edge.py) are raised out of their way. They also read
# their own writes at once, so the gateway's micro-cache of the catalog (seats up to 5 s
# old, tested on its own in tests/e2e/test_gateway_cache.py) is off.
UNLIMITED = {
    "gateway_rate_limit": "10000r/s",
    "gateway_rate_burst": 10000,
    "gateway_catalog_cache": False,
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
        "ports": free_ports(),
        "database_prefix": f"tourism_e2e_{run}",
        "broker_url": RABBITMQ_URL,
        "redis_url": REDIS_URL,
        "email_url": sink.url,
        "queue_prefix": queues.prefix,
        "echo": None,  # each process keeps its own output for error messages
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


def manage_json(topology: Topology, *args: str, env: dict[str, str] | None = None) -> dict:
    """``manage.py <args> --json`` with the monolith's settings as they are now (``env``
    overrides), its JSON document; it must succeed."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args, "--json"],
        cwd=ROOT,
        env=topology.shell_environment("monolith") | (env or {}),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def topologies(smtp_sink):
    """Each mode's topology, started when a test first needs it and kept for the whole run
    (starting one takes half a minute; every test makes data of its own)."""
    with contextlib.ExitStack() as stack:
        running = {}

        def get(mode: str) -> Topology:
            if mode not in running:
                running[mode] = stack.enter_context(running_topology(mode, smtp_sink))
            return running[mode]

        yield get


@pytest.fixture(params=["services", "monolith"])
def topology(request, topologies):
    return topologies(request.param)


@pytest.fixture
def services_topology(topologies):
    return topologies("services")


# --- a real browser: Debian's Chromium driven by Playwright ---------------------------------


@pytest.fixture(scope="session")
def browser():
    require(shutil.which(CHROMIUM) is not None, "needs Debian's chromium (make chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, topology):
    """A fresh visitor (no cookies, no storage) on the gateway, in English on a desktop."""
    context = browser.new_context(base_url=topology.gateway_url, viewport=DESKTOP, locale="en-GB")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()
