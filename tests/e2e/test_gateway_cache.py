"""The gateway's micro-cache of the public catalog, through the real nginx in front of the
monolith: a page asked again within seconds comes from the cache, with 304 for a client
that has it; nothing personal (a session, a token, a booking) is ever served from it or
stored in it."""

import uuid

import httpx
import pytest

from tests.e2e.conftest import running_topology
from tests.e2e.test_journey_through_the_gateway import staff_session

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture(scope="module")
def gateway(smtp_sink):
    with running_topology("monolith", smtp_sink, gateway_catalog_cache=True) as topology:
        yield topology


def guest(topology) -> httpx.Client:
    return httpx.Client(base_url=topology.gateway_url, timeout=30)


def a_page_nobody_asked_for() -> dict:
    """The tours list under a query of its own (the API ignores parameters it does not
    document, as it would a campaign's tracking tag), so no other test warmed it."""
    return {"utm_campaign": uuid.uuid4().hex}


def test_the_second_guest_gets_the_tours_list_from_the_cache(gateway):
    page = a_page_nobody_asked_for()
    first = guest(gateway).get("/api/catalog/tours/", params=page)
    second = guest(gateway).get("/api/catalog/tours/", params=page)
    assert (first.headers["X-Cache-Status"], second.headers["X-Cache-Status"]) == ("MISS", "HIT")
    assert second.json() == first.json()
    assert second.headers["Cache-Control"] == "public, max-age=5"


def test_a_client_that_has_the_page_gets_304(gateway):
    slug = guest(gateway).get("/api/catalog/tours/").json()["results"][0]["slug"]
    first = guest(gateway).get(f"/api/catalog/tours/{slug}/")
    again = guest(gateway).get(
        f"/api/catalog/tours/{slug}/", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize(
    "personal",
    [
        {"Authorization": "Token not-a-real-one"},
        {"Cookie": "sessionid=someone"},
        {"X-Booking-Token": "x"},
    ],
)
def test_a_personal_request_never_meets_the_cache(gateway, personal):
    page = a_page_nobody_asked_for()
    for _ in range(2):
        response = guest(gateway).get("/api/catalog/tours/", params=page, headers=personal)
        assert response.headers["X-Cache-Status"] == "BYPASS"
    assert (
        guest(gateway).get("/api/catalog/tours/", params=page).headers["X-Cache-Status"] == "MISS"
    )


def test_staff_get_their_own_private_answer(gateway):
    page = a_page_nobody_asked_for()
    guest(gateway).get("/api/catalog/tours/", params=page)  # now cached for guests
    staff = staff_session(gateway.gateway_url).get("/api/catalog/tours/", params=page)
    assert staff.headers["X-Cache-Status"] == "BYPASS"
    assert "private" in staff.headers["Cache-Control"]


def test_bookings_are_never_cached(gateway):
    slug = guest(gateway).get("/api/catalog/tours/").json()["results"][0]["slug"]
    departure = guest(gateway).get(f"/api/catalog/tours/{slug}/").json()["departures"][0]
    booking = {
        "departure_id": departure["id"],
        "seats": 1,
        "customer": {"name": "Ada", "email": "ada@example.com"},
    }
    references = []
    for _ in range(2):
        created = guest(gateway).post(
            "/api/bookings/", json=booking, headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        assert created.status_code == 201, created.text
        assert "X-Cache-Status" not in created.headers
        references.append(created.json()["reference"])
        token = {"X-Booking-Token": created.json()["access_token"]}
        shown = guest(gateway).get(f"/api/bookings/{references[-1]}/", headers=token)
        assert shown.json()["reference"] == references[-1]
        assert "X-Cache-Status" not in shown.headers
    assert references[0] != references[1]
