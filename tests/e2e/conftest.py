"""Whole topologies for end-to-end tests: real processes, databases, broker and gateway."""

import shutil
import uuid

import pytest

from deploy.local.topology import DEFAULT_PORTS, Topology
from tests.conftest import require
from tests.messaging import RABBITMQ_URL, QueuePrefix, SmtpSink, rabbitmq_reachable
from tests.servers import free_port


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


def running_topology(mode: str, sink: SmtpSink):
    require(shutil.which("nginx") is not None, "needs nginx (apt-get install -y nginx-light)")
    require(postgres_reachable(), "needs PostgreSQL on 127.0.0.1:5432")
    require(rabbitmq_reachable(), "needs RabbitMQ on 127.0.0.1:5672")
    run = uuid.uuid4().hex[:8]
    queues = QueuePrefix()
    topology = Topology(
        mode,
        ports={name: free_port() for name in DEFAULT_PORTS},
        database_prefix=f"tourism_e2e_{run}",
        broker_url=RABBITMQ_URL,
        email_url=f"smtp://127.0.0.1:{sink.port}",
        queue_prefix=queues.prefix,
        echo=lambda line: None,  # each process keeps its own output for error messages
    )
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
    yield from running_topology(request.param, smtp_sink)


@pytest.fixture(scope="module")
def services_topology(smtp_sink):
    yield from running_topology("services", smtp_sink)


# --- a real browser: Debian's Chromium driven by Playwright ---------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="session")
def browser():
    require(shutil.which(CHROMIUM) is not None, "needs Debian's chromium (make chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, topology):
    """A fresh visitor (no cookies, no storage) on the gateway, in English on a desktop."""
    context = browser.new_context(base_url=topology.gateway_url, viewport=DESKTOP, locale="en-GB")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()
