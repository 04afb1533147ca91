"""A real Prometheus (Debian's package) scrapes real processes on loopback: the monolith
under gunicorn with two workers, a Celery worker (prefork) and the outbox relay, on this
test's PostgreSQL and RabbitMQ. The booking figures move by exactly what the test did,
summed across the gunicorn workers; the alert rules load and evaluate; and the dashboard
names only metrics these processes export."""

import concurrent.futures
import contextlib
import json
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import pytest
import yaml

from deploy.local.processes import free_port
from deploy.local.smtp_sink import SmtpSink
from tests.bookings.journey import booking_request, new_key
from tests.conftest import require
from tests.factories import DepartureFactory
from tests.messaging import (
    RABBITMQ_URL,
    QueuePrefix,
    broker_topology,
    rabbitmq_reachable,
    wait_until,
)
from tests.observability.test_alert_rules import OBSERVABILITY, RULES

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

REFUSED = "mailbox-full@example.com"
DASHBOARD = OBSERVABILITY / "dashboard.json"


class Prometheus:
    """The prometheus binary scraping ``targets`` (job -> host:port) every second."""

    def __init__(self, targets: dict[str, str]):
        self.workdir = Path(tempfile.mkdtemp(prefix="prometheus-"))
        shutil.copy(RULES, self.workdir / RULES.name)
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [RULES.name],
            "scrape_configs": [
                {"job_name": job, "static_configs": [{"targets": [target]}]}
                for job, target in targets.items()
            ],
        }
        (self.workdir / "prometheus.yml").write_text(yaml.safe_dump(config))
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log = (self.workdir / "prometheus.log").open("w")
        self.process = subprocess.Popen(
            [
                "prometheus",
                f"--config.file={self.workdir / 'prometheus.yml'}",
                f"--storage.tsdb.path={self.workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_until(self.ready, timeout=30, what=f"Prometheus ready; its log: {self.log.name}")

    def ready(self) -> bool:
        with contextlib.suppress(httpx.HTTPError):
            return httpx.get(f"{self.url}/-/ready", timeout=1).status_code == 200
        return False

    def api(self, path: str, **params) -> dict:
        answer = httpx.get(f"{self.url}/api/v1/{path}", params=params, timeout=5).json()
        assert answer["status"] == "success", answer
        return answer["data"]

    def value(self, query: str) -> float | None:
        result = self.api("query", query=query)["result"]
        return float(result[0]["value"][1]) if result else None

    def settled(self, expected: dict[str, float]) -> dict[str, float | None]:
        """The value of each query once all reached what is ``expected`` and a few more
        scrapes went by (or what they were when waiting ran out)."""
        with contextlib.suppress(AssertionError):
            wait_until(
                lambda: all(self.value(query) == value for query, value in expected.items()),
                timeout=30,
                what=f"{expected}",
                interval=0.5,
            )
        time.sleep(3)
        return {query: self.value(query) for query in expected}

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def processes(django_db_setup, django_db_blocker):
    require(shutil.which("prometheus") is not None, "needs prometheus (make prometheus)")
    require(rabbitmq_reachable(), f"needs RabbitMQ at {RABBITMQ_URL}")
    queues = QueuePrefix()
    with contextlib.ExitStack() as stack, django_db_blocker.unblock():
        stack.callback(queues.delete_all)
        smtp = stack.enter_context(SmtpSink())
        smtp.refused.add(REFUSED)
        common = {
            "CELERY_BROKER_URL": RABBITMQ_URL,
            "CELERY_QUEUE_PREFIX": queues.prefix,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
            "TASK_MAX_RETRIES": "0",  # a refused email is dead-lettered at once
            "DJANGO_LOG_FORMAT": "json",
        }
        topology = stack.enter_context(broker_topology(queues, extra_env=common))
        web = topology.launch("monolith", env={"WEB_CONCURRENCY": "2"})
        ports = {"worker": free_port(), "relay": free_port()}
        for kind, port in ports.items():
            topology.launch("monolith", kind, env={"METRICS_PORT": str(port)})
        targets = {
            "monolith": web.url.removeprefix("http://"),
            "monolith-worker": f"127.0.0.1:{ports['worker']}",
            "monolith-relay": f"127.0.0.1:{ports['relay']}",
        }
        prometheus = Prometheus(targets)
        stack.callback(prometheus.close)
        wait_until(
            lambda: prometheus.value("count(up == 1)") == len(targets),
            timeout=30,
            what=f"Prometheus scrapes {sorted(targets)}",
        )
        yield web, prometheus


def test_the_booking_figures_move_by_exactly_what_was_done(processes):
    web, prometheus = processes
    assert prometheus.value('sum(tourism_bookings_total{transition="created"})') == 0
    departure = DepartureFactory(capacity=20)
    client = httpx.Client(base_url=web.url, timeout=30)

    def book(email: str) -> dict:
        created = client.post(
            "/api/bookings/",
            json=booking_request(departure.id, seats=2, email=email),
            headers={"Idempotency-Key": new_key()},
        )
        assert created.status_code == 201, created.text
        return created.json()

    emails = ["ada@example.com", "grace@example.com", "edsger@example.com", REFUSED]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:  # spread over both workers
        bookings = list(pool.map(book, emails))

    def act(booking: dict, action: str, **body) -> int:
        headers = {"X-Booking-Token": booking["access_token"]}
        path = f"/api/bookings/{booking['reference']}/{action}"
        return client.post(path, json=body or None, headers=headers).status_code

    assert act(bookings[0], "pay", payment_method="tok_declined") == 402
    for booking in bookings[:2] + bookings[3:]:
        assert act(booking, "pay", payment_method="tok_visa") == 200
    assert act(bookings[1], "cancel") == 200

    expected = {
        'sum(tourism_bookings_total{transition="created"})': 4,
        'sum(tourism_bookings_total{transition="confirmed"})': 3,
        'sum(tourism_bookings_total{transition="cancelled"})': 1,
        'sum(tourism_bookings_total{transition="expired"})': 0,
        'sum(tourism_payment_gateway_calls_total{operation="charge", outcome="declined"})': 1,
        'sum(tourism_payment_gateway_calls_total{operation="charge", outcome="succeeded"})': 3,
        'sum(tourism_payment_gateway_calls_total{operation="refund", outcome="succeeded"})': 1,
        "sum(tourism_seats_held)": 2,  # the one booking never paid
        # the relay publishes one event per confirmation and cancellation
        'sum(tourism_outbox_published_total{job="monolith-relay"})': 4,
        # the worker, in its prefork child, sends each email; the refused one fails for good
        'sum(tourism_tasks_total{task="notifications.send_booking_email", outcome="succeeded"})': 3,
        'sum(tourism_email_failures_total{final="true"})': 1,
        "sum(tourism_dead_letter_messages)": 1,
        "sum(tourism_outbox_backlog)": 0,
    }
    assert prometheus.settled(expected) == expected


def test_requests_are_timed_per_route_and_the_rules_evaluate(processes):
    web, prometheus = processes
    for slug in ("lisbon", "porto"):  # one route, whatever the path
        httpx.get(f"{web.url}/api/catalog/tours/{slug}/", timeout=10)
    count = 'sum(tourism_http_request_duration_seconds_count{route="api/catalog/tours/<slug>/"})'
    assert prometheus.settled({count: 2}) == {count: 2}
    rules = [rule for group in prometheus.api("rules")["groups"] for rule in group["rules"]]
    assert rules and {rule["health"] for rule in rules} == {"ok"}, rules


def test_log_lines_are_json_with_the_request_id(processes):
    web = processes[0]
    refused = httpx.post(
        f"{web.url}/api/bookings/?token=secret-token",
        content=b"{",
        headers={"X-Request-ID": "scrape-test-400", "Content-Type": "application/json"},
    )
    assert refused.status_code == 400

    def tagged() -> list[dict]:
        lines = [json.loads(line) for line in web.output.text().splitlines()]  # gunicorn's too
        return [line for line in lines if line["request_id"] == "scrape-test-400"]

    wait_until(lambda: len(tagged()) == 2, timeout=10, what="the request's two log lines")
    app, access = tagged()
    assert app["level"] == "WARNING" and app["logger"] == "django.request"
    assert app["message"] == "Bad Request: /api/bookings/"
    assert (app["trace_id"], app["span_id"]) == ("", "")
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", app["timestamp"])
    assert access["logger"] == "gunicorn.access"
    assert '"POST /api/bookings/?token=*** HTTP/1.1" 400' in access["message"]
    assert "secret-token" not in web.output.text()


def promql_metric_names(expression: str) -> set[str]:
    """The metric names in a PromQL expression: identifiers that are not functions (followed
    by "("), label names (inside {}), grouping labels, ranges or keywords."""
    expression = re.sub(r'"[^"]*"', "", expression)  # label values
    expression = re.sub(r"\{[^}]*\}", "{}", expression)  # label matchers
    expression = re.sub(
        r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expression
    )
    expression = re.sub(r"\[[^\]]*\]", "", expression)  # ranges
    names = set(re.findall(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()", expression))
    return names - {"by", "without", "and", "or", "unless", "offset", "bool", "le", "inf", "Inf"}


def test_the_dashboard_and_the_rules_name_only_exported_metrics(processes):
    prometheus = processes[1]
    exported = set(prometheus.api("label/__name__/values"))
    panels = json.loads(DASHBOARD.read_text())["panels"]
    expressions = [target["expr"] for panel in panels for target in panel.get("targets", [])]
    groups = yaml.safe_load(RULES.read_text())["groups"]
    expressions += [rule["expr"] for group in groups for rule in group["rules"]]
    named = set().union(*(promql_metric_names(expression) for expression in expressions))
    assert len(expressions) > 10 and "tourism_bookings_total" in named
    assert named - exported == set()
