"""The fault suite: a bounded stream of customers books and pays through the gateway of
the services topology while staff edit departures, the payments process hangs, processes
are killed with SIGKILL, and PostgreSQL and RabbitMQ are cut off through TCP proxies this
test owns. Each fault is injected at a fixed point of the stream; afterwards the tests
below check what customers and the business would notice. docs/resilience.md explains it.
"""

import contextlib
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
import pytest

from deploy.local.smtp_sink import SmtpSink
from deploy.local.topology import Topology
from tests.e2e.conftest import running_topology
from tests.e2e.customers import Customer, Exchange, StaffEditor, Stream
from tests.invariants import invariant_violations
from tests.messaging import RABBITMQ_URL, QueuePrefix, wait_until
from tests.proxy import TcpProxy

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

POSTGRES_URL = "postgres://postgres@127.0.0.1:5432"
DATABASE_CUT_SECONDS = 10
BROKER_CUT_SECONDS = 30
RECOVERY_SECONDS = 180  # how long processes and deliveries may take to catch up
STAFF_EDITS = 40
SEATS_PER_DEPARTURE = 14  # room for every customer of the stream and a few stray holds
# What the stream needs configured: no rate limit in its way (it is one client address
# booking 34 times), idempotency leases and task retries short enough for a bounded run.
ENVIRONMENT = {
    "THROTTLE_RATES": "off",
    "REQUEST_LEASE_SECONDS": "5",
    "TASK_RETRY_BACKOFF_SECONDS": "1",
}


# --- faults -----------------------------------------------------------------------------


@contextlib.contextmanager
def hung(topology: Topology, name: str):
    """The process is frozen (SIGSTOP): connections are accepted by the kernel, never
    answered, until it resumes (SIGCONT)."""
    process = topology.processes[name]
    process.send_signal(signal.SIGSTOP)
    try:
        yield
    finally:
        process.send_signal(signal.SIGCONT)


@contextlib.contextmanager
def cut(proxy: TcpProxy, *, seconds: float):
    """The server behind ``proxy`` is gone for ``seconds``, whatever runs meanwhile."""
    proxy.cut()
    restore_at = time.monotonic() + seconds
    try:
        yield
    finally:
        time.sleep(max(0.0, restore_at - time.monotonic()))
        proxy.restore()


def requests_waiting(port: int) -> int:
    """Loopback connections to ``port`` holding bytes nobody has read: requests that
    reached a frozen server (Linux's /proc/net/tcp: local address, state, queues)."""
    waiting = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, _, state, queues = line.split()[1:5]
        established = state == "01"
        if established and int(local.split(":")[1], 16) == port and queues[-8:] != "0" * 8:
            waiting += 1
    return waiting


# --- the stream -------------------------------------------------------------------------


@dataclass
class FaultRun:
    topology: Topology
    stream: Stream
    sink: SmtpSink
    queues: QueuePrefix
    database_proxy: TcpProxy
    broker_proxy: TcpProxy
    customers: list[Customer] = field(default_factory=list)
    killed: dict[str, list[int]] = field(default_factory=dict)  # name: pids killed
    database_cuts: int = 0

    def kill(self, name: str) -> None:
        pid = self.topology.processes[name].send_signal(signal.SIGKILL)  # restarted
        self.killed.setdefault(name, []).append(pid)

    def database_url(self, app: str) -> str:
        """Straight to PostgreSQL, not through the proxy."""
        return f"{POSTGRES_URL}/{self.topology.database(app)}"


def roomy_departures(stream: Stream, count: int) -> list[dict]:
    client = httpx.Client(base_url=stream.gateway_url, timeout=60)
    tours = stream.send(client, "GET", "/api/catalog/tours/", params={"page_size": 50}).json()
    departures = []
    for tour in tours["results"]:
        detail = stream.send(client, "GET", f"/api/catalog/tours/{tour['slug']}/").json()
        departures += [
            departure
            for departure in detail["departures"]
            if departure["seats_available"] >= SEATS_PER_DEPARTURE
        ]
    assert len(departures) >= count, "the demo data has too few roomy departures"
    return departures[:count]


def cards_for(number: int) -> list[str]:
    """Most customers pay at once; some are declined or hit a provider error first."""
    return {1: ["tok_declined", "tok_visa"], 2: ["tok_gateway_error", "tok_visa"]}.get(
        number % 5, ["tok_visa"]
    )


def run_stream(run: FaultRun) -> None:
    """The fixed sequence of waves of customers, each with its fault."""
    topology, stream, sink = run.topology, run.stream, run.sink
    departures = roomy_departures(stream, 4)
    run.customers = [
        stream.customer(number, departure_id=departures[number % 4]["id"], cards=cards_for(number))
        for number in range(34)
    ]
    pending = iter(run.customers)
    pool = ThreadPoolExecutor(max_workers=8)

    def wave(size: int) -> list[Customer]:
        return [next(pending) for _ in range(size)]

    def each(step, customers: list[Customer]) -> None:
        list(pool.map(step, customers))

    def during(fault: str) -> None:
        stream.fault = fault

    def kill_bookings_while_waiting_at(frozen: str, step, customers: list[Customer]) -> None:
        """Freeze ``frozen``, send every customer's ``step``, kill the bookings process
        once each request waits at the frozen one, then let that one go on."""
        with hung(topology, frozen):
            answers = [pool.submit(step, customer) for customer in customers]

            def every_unanswered_request_waits() -> bool:
                unanswered = sum(not answer.done() for answer in answers)
                return requests_waiting(topology.ports[frozen]) >= unanswered

            wait_until(
                every_unanswered_request_waits,
                timeout=60,
                what=f"every request waiting at the frozen {frozen} process",
            )
            run.kill("bookings")
        for answer in answers:
            answer.result()

    during("none")
    each(Customer.book, wave(4))

    during("staff edit departures")
    customers = wave(6)
    editor = StaffEditor(stream, departures, edits=STAFF_EDITS)
    editor.start()
    each(Customer.book, customers)
    editor.join()

    during("none")
    customers = wave(4)
    each(Customer.hold, customers)
    during("payments hung")
    with hung(topology, "payments"):
        each(Customer.pay_once, customers)
    during("payments resumed")
    each(Customer.pay, customers)

    during("bookings killed while holding")
    customers = wave(3)
    kill_bookings_while_waiting_at("catalog", Customer.hold_once, customers)
    each(Customer.hold, customers)
    during("bookings killed while paying")
    holding = [customer for customer in customers if customer.booking]
    kill_bookings_while_waiting_at("payments", Customer.pay_once, holding)
    each(Customer.pay, customers)

    during("relay killed")
    customers = wave(4)
    each(Customer.hold, customers)
    run.kill("bookings-relay")
    stalled = sink.stalled_sessions
    sink.stall()  # the next email the worker sends waits in the middle of its SMTP session
    try:
        each(Customer.pay, customers)
        during("notification worker killed while sending")
        wait_until(
            lambda: sink.stalled_sessions > stalled,
            timeout=RECOVERY_SECONDS,
            what="the notification worker in the middle of sending an email",
        )
        run.kill("notifications-worker")
    finally:
        sink.resume()

    customers = wave(4)
    each(Customer.hold, customers[:2])
    during("PostgreSQL cut")
    run.database_cuts += 1
    with cut(run.database_proxy, seconds=DATABASE_CUT_SECONDS):
        each(Customer.pay_once, customers[:2])
        each(Customer.hold_once, customers[2:])
    during("PostgreSQL back")
    each(Customer.book, customers)

    during("RabbitMQ cut")
    with cut(run.broker_proxy, seconds=BROKER_CUT_SECONDS):
        each(Customer.book, wave(5))

    during("none")
    each(Customer.book, wave(4))
    pool.shutdown()


@pytest.fixture(scope="module")
def fault_run(smtp_sink) -> FaultRun:
    queues = QueuePrefix()
    with (
        TcpProxy.in_front_of(POSTGRES_URL) as database,
        TcpProxy.in_front_of(RABBITMQ_URL) as broker,
        running_topology(
            "services",
            smtp_sink,
            queues=queues,
            postgres_url=database.route(POSTGRES_URL),
            broker_url=broker.route(RABBITMQ_URL),
            extra_env=ENVIRONMENT,
        ) as topology,
    ):
        run = FaultRun(topology, Stream(topology.gateway_url), smtp_sink, queues, database, broker)
        run_stream(run)
        run.stream.fault = "after the faults"
        yield run


def confirmed_references(run: FaultRun) -> set[str]:
    with psycopg.connect(run.database_url("bookings")) as connection:
        rows = connection.execute(
            "SELECT reference FROM bookings_booking WHERE status = 'confirmed'"
        ).fetchall()
    return {str(reference) for (reference,) in rows}


def emails_of_run(run: FaultRun) -> list:
    references = {customer.booking["reference"] for customer in run.customers if customer.booking}
    return [m for m in run.sink.messages if any(r in m["Subject"] for r in references)]


# --- what customers and the business notice ---------------------------------------------


def test_every_process_comes_back_by_itself(fault_run):
    processes = fault_run.topology.processes.values()
    wait_until(
        lambda: all(process.is_ready() for process in processes),
        timeout=RECOVERY_SECONDS,
        what="every process running and ready again",
    )
    for name, pids in fault_run.killed.items():
        assert fault_run.topology.processes[name].popen.pid not in pids, name


def test_no_server_error_but_503_problems(fault_run):
    failures: dict[tuple, list[Exchange]] = {}
    for exchange in filter(Exchange.broken, fault_run.stream.exchanges):
        kind = (exchange.fault, exchange.method, exchange.status)
        failures.setdefault(kind, []).append(exchange)
    assert not failures, "\n".join(
        f"{len(exchanges)} x {kind}, such as {exchanges[0]}" for kind, exchanges in failures.items()
    )


def test_staff_edits_are_saved_while_customers_book(fault_run):
    edits = [exchange for exchange in fault_run.stream.exchanges if exchange.method == "PATCH"]
    assert [edit for edit in edits if edit.status != 200] == []
    assert len(edits) == STAFF_EDITS


def test_every_customer_ends_with_a_confirmed_booking(fault_run):
    unconfirmed = {
        customer.key: f"{status}; {customer.last_answers()}"
        for customer in fault_run.customers
        if (status := customer.current_booking()["status"] if customer.booking else None)
        != "confirmed"
    }
    assert unconfirmed == {}


def test_every_idempotency_key_is_usable_again(fault_run):
    for customer in fault_run.customers:
        first = customer.booking
        answer = customer.hold_once()
        assert answer is not None and answer.status_code == 201, (customer.key, answer.text)
        assert first is not None and answer.json()["reference"] == first["reference"]


def test_seats_and_money_add_up(fault_run):
    violations = invariant_violations(
        catalog=fault_run.database_url("catalog"),
        bookings=fault_run.database_url("bookings"),
        payments=fault_run.database_url("payments"),
    )
    assert not violations, "\n".join(violations)


def test_every_confirmed_booking_is_emailed(fault_run):
    def unsent() -> set[str]:
        subjects = [m["Subject"] for m in fault_run.sink.messages]
        return {
            reference
            for reference in confirmed_references(fault_run)
            if not any(f"{reference} is confirmed" in subject for subject in subjects)
        }

    with contextlib.suppress(AssertionError):
        wait_until(lambda: not unsent(), timeout=RECOVERY_SECONDS, what="every email")
    assert unsent() == set()


def test_no_transient_fault_is_dead_lettered(fault_run):
    letters = fault_run.queues.dead_letters()
    assert not any(letters.values()), letters


def test_email_duplicates_stay_within_the_guarantee(fault_run):
    """An email is repeated only when the notification worker dies, or the database goes
    away, between the mail server's acceptance and the commit that marks it sent: at most
    once per such incident (the worker sends one email at a time), with the Message-ID of
    the email it repeats."""
    by_event: dict[str, list] = {}
    for message in emails_of_run(fault_run):
        by_event.setdefault(message["X-Event-ID"], []).append(message)
    repeats = sum(len(messages) - 1 for messages in by_event.values())
    incidents = len(fault_run.killed["notifications-worker"]) + fault_run.database_cuts
    assert repeats <= incidents
    for messages in by_event.values():
        assert len({message["Message-ID"] for message in messages}) == 1
