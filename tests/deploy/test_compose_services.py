"""compose.yaml for real: every app in its own container behind the published gateway."""

import httpx
import pytest

from tests.deploy.containers import running
from tests.deploy.test_compose import one_shot
from tests.deploy.tools import compose_config
from tests.e2e.test_journey_through_the_gateway import (  # the same journey, run here too
    test_browse_book_pay_cancel_and_manage,  # noqa: F401
)

pytestmark = [pytest.mark.slow, pytest.mark.containers]


@pytest.fixture(scope="module")
def topology(images):
    yield from running("services", images)


def hold(gateway: httpx.Client, *, key: str) -> dict:
    tours = gateway.get("/api/catalog/tours/", params={"available": "true"}).json()["results"]
    tour = gateway.get(f"/api/catalog/tours/{tours[-1]['slug']}/").json()
    departure = next(d for d in tour["departures"] if d["seats_available"] >= 1)
    created = gateway.post(
        "/api/bookings/",
        json={
            "departure_id": departure["id"],
            "seats": 1,
            "customer": {"name": "Grace", "email": "grace@example.com"},
        },
        headers={"Idempotency-Key": key},
    )
    assert created.status_code == 201, created.text
    return created.json()


def test_every_service_is_healthy_and_every_one_shot_job_exited_0(topology):
    services = topology.containers()
    declared = topology.compose("config", "--services").split()
    assert sorted(services) == sorted(declared)
    model = compose_config(topology.combination)["services"]
    for name, container in services.items():
        if one_shot(model[name]):
            assert (container["State"], container["ExitCode"]) == ("exited", 0), name
        else:
            assert (container["State"], container["Health"]) == ("running", "healthy"), name


def test_the_shop_is_served_at_the_root_and_on_its_own_routes(topology):
    for path in ("/", "/tours/any-tour"):  # a client-side route gets the shop too
        page = httpx.get(f"{topology.gateway_url}{path}", timeout=30)
        assert page.status_code == 200, path
        assert '<div id="root">' in page.text, path


def test_an_app_container_stops_the_others_keep_serving_and_it_rejoins(topology):
    gateway = httpx.Client(base_url=topology.gateway_url, timeout=30)

    topology.compose("stop", "payments")
    assert gateway.get("/api/catalog/tours/").status_code == 200
    booking = hold(gateway, key="compose-restart")  # bookings and catalog, not payments

    topology.up("payments")
    paid = gateway.post(
        f"/api/bookings/{booking['reference']}/pay",
        json={"payment_method": "tok_visa"},
        headers={"X-Booking-Token": booking["access_token"]},
    )
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "confirmed"


def test_data_survives_down_and_up_and_down_v_removes_it(topology):
    gateway = httpx.Client(base_url=topology.gateway_url, timeout=30)
    booking = hold(gateway, key="compose-volumes")
    token = {"X-Booking-Token": booking["access_token"]}

    topology.down()
    assert topology.volumes(), "down removed the named volumes"
    topology.up()
    kept = gateway.get(f"/api/bookings/{booking['reference']}/", headers=token)
    assert kept.status_code == 200, kept.text

    topology.down(volumes=True)
    assert topology.volumes() == []
    assert topology.containers() == {}
