"""Between the monolith and services: the monolith with some apps served on their own
(``REMOTE_APPS``), and the switch that moves one more app out while customers keep coming."""

import threading
from collections import Counter

import httpx
import psycopg
import pytest

from tests.e2e.conftest import manage_json, running_topology
from tests.e2e.customers import hold_one_seat, staff_session
from tests.messaging import wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def first_departure(gateway: httpx.Client) -> dict:
    tours = gateway.get("/api/catalog/tours/", params={"available": "true"}).json()["results"]
    tour = gateway.get(f"/api/catalog/tours/{tours[0]['slug']}/").json()
    return next(d for d in tour["departures"] if d["seats_available"] >= 2)


def count(topology, database: str, table: str) -> int:
    with psycopg.connect(topology.database_url(database)) as connection:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608


def test_a_monolith_with_the_catalog_remote_serves_the_journey_through_the_catalog_service(
    smtp_sink,
):
    with running_topology("monolith", smtp_sink, extracted=("catalog",)) as topology:
        assert topology.processes["monolith"].env["REMOTE_APPS"] == "catalog"
        guest = httpx.Client(base_url=topology.gateway_url, timeout=30)
        departure = first_departure(guest)  # the catalog service, on its own database

        created = hold_one_seat(guest, departure["id"], "hybrid-journey")  # the monolith's bookings
        assert created.status_code == 201, created.text
        booking = created.json()
        token = {"X-Booking-Token": booking["access_token"]}
        seats = guest.get(f"/api/catalog/departures/{departure['id']}/").json()
        assert seats["seats_available"] == departure["seats_available"] - 1
        paid = guest.post(
            f"/api/bookings/{booking['reference']}/pay",
            json={"payment_method": "tok_visa"},
            headers=token,
        )
        assert paid.status_code == 200, paid.text
        assert paid.json()["status"] == "confirmed"
        wait_until(
            lambda: [m for m in smtp_sink.messages if booking["reference"] in m["Subject"]],
            timeout=30,
            what="confirmation email",
        )

        # The tours and the held seats are in the catalog's own database; the monolith's
        # catalog tables (there for a move back) stay empty, its bookings are there.
        assert count(topology, "catalog", "catalog_departure") > 0
        assert count(topology, "monolith", "catalog_departure") == 0
        assert count(topology, "monolith", "bookings_booking") == 1

        # One staff login (the monolith's identity) opens the catalog service's admin.
        staff = staff_session(topology.gateway_url)
        assert "Departures" in staff.get("/admin/catalog/").text


def test_extracting_apps_from_a_running_monolith_drops_no_request(smtp_sink):
    """Payments, then notifications, move out (their data needs no copy here: a fresh
    demo has no payment and no email) while a client keeps browsing, holding seats and
    asking for payments and notifications through the gateway: no connection error and no
    5xx, before, during or after each switch. Then the confirmation email of a payment is
    sent once, by the notifications service."""
    with running_topology("monolith", smtp_sink) as topology:
        gateway = httpx.Client(base_url=topology.gateway_url, timeout=30)
        departure = first_departure(gateway)
        outcomes: Counter = Counter()
        failures: list[str] = []
        switched = threading.Event()

        def ask(client: httpx.Client, method: str, path: str | None, key: str):
            """One request, sent again once if the kept-alive connection it went on was
            closed before any answer: a reloading gateway's old workers close their idle
            connections, and a request can cross that close on the wire. HTTP clients
            send it again on a new connection (RFC 9112, 9.3.1), as browsers do; the
            hold carries its Idempotency-Key, so a second try never holds twice."""
            for attempt in (1, 2):
                try:
                    if path is None:
                        return hold_one_seat(client, departure["id"], key)
                    return client.request(method, path)
                except (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError):
                    if attempt == 2:
                        raise
                    outcomes["sent again on a new connection"] += 1

        def keep_asking():
            client = httpx.Client(base_url=topology.gateway_url, timeout=30)
            for number in range(100_000):
                for method, path in [
                    ("GET", "/api/catalog/tours/"),
                    ("GET", "/api/payments/payments/"),  # anonymous: 403 from either
                    ("GET", "/api/notifications/notifications/"),
                    ("POST", None),
                    ("GET", "/admin/login/"),
                ]:
                    try:
                        response = ask(client, method, path, f"switch-{number}")
                    except httpx.HTTPError as exc:
                        failures.append(f"{method} {path}: {exc!r}")
                        continue
                    outcomes[response.status_code] += 1
                    if response.status_code >= 500:
                        failures.append(f"{method} {path}: {response.status_code}")
                if switched.is_set():
                    return

        client = threading.Thread(target=keep_asking)
        client.start()
        try:
            wait_until(lambda: sum(outcomes.values()) > 20, timeout=30, what="requests flowing")
            topology.extract("payments")
            topology.extract("notifications")
            after_switch = sum(outcomes.values())
            wait_until(
                lambda: sum(outcomes.values()) > after_switch + 20,
                timeout=30,
                what="requests after the switch",
            )
        finally:
            switched.set()
            client.join()

        assert failures == []
        assert outcomes[200] and outcomes[201] and outcomes[403], outcomes
        assert topology.processes["monolith"].env["REMOTE_APPS"] == "payments,notifications"
        assert list(topology.processes)[-1] == "gateway"  # the first to stop, still

        # A payment now goes to the payments service and its own database, the email to
        # the notifications service's worker, once.
        created = hold_one_seat(gateway, first_departure(gateway)["id"], "after-the-switch")
        assert created.status_code == 201, created.text
        paid = gateway.post(
            f"/api/bookings/{created.json()['reference']}/pay",
            json={"payment_method": "tok_visa"},
            headers={"X-Booking-Token": created.json()["access_token"]},
        )
        assert paid.status_code == 200, paid.text
        assert count(topology, "payments", "payments_payment") == 1
        reference = created.json()["reference"]
        (confirmation,) = wait_until(
            lambda: [m for m in smtp_sink.messages if reference in m["Subject"]],
            timeout=30,
            what="confirmation email",
        )
        assert confirmation["To"] == "bo@example.com"
        assert count(topology, "notifications", "notifications_notification") == 1
        assert count(topology, "monolith", "notifications_notification") == 0


def test_the_last_app_out_is_services_mode_and_it_can_come_back(smtp_sink):
    """Bookings, the one app the monolith still serves, moves out: the monolith's processes
    stop and the topology is services mode, identity still in the monolith's database (the
    same staff login works). Then it moves back, and the monolith serves it again."""
    before = ("catalog", "payments", "notifications")
    with running_topology("monolith", smtp_sink, extracted=before) as topology:
        gateway = httpx.Client(base_url=topology.gateway_url, timeout=30)
        created = hold_one_seat(gateway, first_departure(gateway)["id"], "before-the-last-move")
        assert created.status_code == 201, created.text
        booking = created.json()
        token = {"X-Booking-Token": booking["access_token"]}

        target = topology.database_url("bookings")
        assert manage_json(topology, "extract_app", "bookings", "--target", target)["froze"]
        topology.extract("bookings")
        # No monolith setting names every app remote: the monolith's commands run with the
        # last step's REMOTE_APPS (they need only its database).
        last_step = {"REMOTE_APPS": ",".join(before)}
        assert manage_json(topology, "lift_freeze", "bookings", env=last_step)["status"]
        assert topology.mode == "services"
        assert not [name for name in topology.processes if name.startswith("monolith")]

        mine = gateway.get(f"/api/bookings/{booking['reference']}/", headers=token)
        assert mine.status_code == 200, mine.text  # from the bookings service's database
        again = hold_one_seat(gateway, first_departure(gateway)["id"], "in-services-mode")
        assert again.status_code == 201, again.text
        staff = staff_session(topology.gateway_url)  # the monolith's identity tables
        assert "Bookings" in staff.get("/admin/bookings/").text
        assert count(topology, "bookings", "bookings_booking") == 2

        merged = manage_json(
            topology, "merge_app_back", "bookings", "--source", target, env=last_step
        )
        assert merged["status"] == "merged", merged
        topology.merge_back("bookings")
        assert topology.mode == "monolith" and "monolith" in topology.processes
        assert "bookings" not in topology.processes
        assert topology.processes["monolith"].env["REMOTE_APPS"] == ",".join(before)
        reference, access = again.json()["reference"], again.json()["access_token"]
        back = gateway.get(f"/api/bookings/{reference}/", headers={"X-Booking-Token": access})
        assert back.status_code == 200, back.text
        assert count(topology, "monolith", "bookings_booking") == 2
