"""The whole product through the public gateway only, the same test code against the
services topology (one process and one database per app) and the monolith."""

import re

import httpx
import pytest

from config import environment
from tests.e2e.customers import staff_session
from tests.invariants import assert_invariants
from tests.messaging import wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def emails_for(sink, reference: str) -> list:
    return [m for m in sink.messages if reference in m["Subject"]]


def test_browse_book_pay_cancel_and_manage(topology, smtp_sink):
    guest = httpx.Client(base_url=topology.gateway_url, timeout=30)

    tours = guest.get("/api/catalog/tours/", params={"available": "true"}).json()
    assert tours["count"] > 0
    tour = guest.get(f"/api/catalog/tours/{tours['results'][0]['slug']}/").json()
    departure = next(d for d in tour["departures"] if d["seats_available"] >= 2)

    created = guest.post(
        "/api/bookings/",
        json={
            "departure_id": departure["id"],
            "seats": 2,
            "customer": {"name": "Ada", "email": "ada@example.com"},
        },
        headers={"Idempotency-Key": f"e2e-{departure['id']}-{topology.mode}"},
    )
    assert created.status_code == 201, created.text
    booking = created.json()
    reference, token = booking["reference"], {"X-Booking-Token": booking["access_token"]}
    seats_left = guest.get(f"/api/catalog/departures/{departure['id']}/").json()["seats_available"]
    assert seats_left == departure["seats_available"] - 2

    paid = guest.post(
        f"/api/bookings/{reference}/pay", json={"payment_method": "tok_visa"}, headers=token
    )
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "confirmed"
    (confirmation,) = wait_until(
        lambda: emails_for(smtp_sink, reference), timeout=30, what="confirmation email"
    )
    assert confirmation["To"] == "ada@example.com"

    cancelled = guest.post(f"/api/bookings/{reference}/cancel", headers=token)
    assert cancelled.json()["status"] == "cancelled"
    wait_until(
        lambda: len(emails_for(smtp_sink, reference)) == 2, timeout=30, what="cancellation email"
    )
    assert len(emails_for(smtp_sink, reference)) == 2
    assert (
        guest.get(f"/api/catalog/departures/{departure['id']}/").json()["seats_available"]
        == departure["seats_available"]
    )

    staff = staff_session(topology.gateway_url)
    (payment,) = staff.get(
        "/api/payments/payments/", params={"booking_reference": reference}
    ).json()["results"]
    assert payment["status"] == "refunded"

    tours_page = staff.get("/admin/catalog/tour/", params={"q": tour["title"]}).text
    tour_id = re.search(r'href="/admin/catalog/tour/(\d+)/change/', tours_page).group(1)
    assert tour["title"] in staff.get(f"/admin/catalog/tour/{tour_id}/change/").text
    bookings_page = staff.get("/admin/bookings/booking/", params={"q": reference}).text
    booking_url = re.search(
        r'href="(/admin/bookings/booking/[0-9a-f-]+/change/)', bookings_page
    ).group(1)
    assert reference in staff.get(booking_url).text

    # Seats and money add up, read from each app's own database: the monolith's for the
    # apps it serves (a hybrid step's mode names the others: "monolith+catalog+payments").
    apps = ("catalog", "bookings", "payments")
    apart = topology.mode.split("+")[1:]
    database = {
        app: app if topology.mode == "services" or app in apart else "monolith" for app in apps
    }
    assert_invariants(**{app: topology.database_url(name) for app, name in database.items()})


def test_the_admin_index_leads_to_every_apps_section(topology):
    index = staff_session(topology.gateway_url).get("/admin/").text
    for app in environment.APPS:
        assert f'href="/admin/{app}/"' in index


def test_one_api_document_describes_every_app(topology):
    gateway = httpx.Client(base_url=topology.gateway_url, timeout=30)
    schema = gateway.get("/api/schema/", params={"format": "json"}).json()
    prefixes = {path.split("/")[2] for path in schema["paths"]}
    assert prefixes == set(environment.APPS)
    assert gateway.get("/api/docs/").status_code == 200


def test_internal_endpoints_are_not_reachable_from_outside(topology):
    response = httpx.post(f"{topology.gateway_url}/internal/catalog/holds/", json={})
    assert response.status_code == 404
