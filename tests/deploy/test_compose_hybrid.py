"""A hybrid step of compose.hybrid.yaml for real: the monolith up with its demo data and a
paid booking, the catalog and payments moved out as docs/migrating.md says (`extract_app`,
`up` with hybrid/catalog-payments.env, `lift_freeze`), each then answered by its own
containers behind the same gateway. The other steps are checked statically
(test_compose.py, test_parity.py)."""

import uuid

import httpx
import pytest

from tests.deploy.containers import ComposeProject
from tests.deploy.test_compose_services import (  # the same checks as in both modes
    hold,
    test_browse_book_pay_cancel_and_manage,  # noqa: F401
    test_every_service_is_healthy_and_every_one_shot_job_exited_0,  # noqa: F401
)
from tests.deploy.tools import compose_config
from tests.e2e.customers import staff_session

pytestmark = [pytest.mark.slow, pytest.mark.containers]

STEP = "monolith+catalog+payments"
EXTRACTED = ("catalog", "payments")


def pay(gateway: httpx.Client, booking: dict, **headers: str) -> httpx.Response:
    return gateway.post(
        f"/api/bookings/{booking['reference']}/pay",
        json={"payment_method": "tok_visa"},
        headers={"X-Booking-Token": booking["access_token"], **headers},
    )


def manage(project: ComposeProject, *command: str) -> str:
    return project.compose("exec", "-T", "monolith", "python", "manage.py", *command)


@pytest.fixture(scope="module")
def extraction(images):
    """The hybrid step's project, and a booking paid in the monolith before the move."""
    with ComposeProject("monolith", images) as monolith:
        monolith.up()
        gateway = httpx.Client(base_url=monolith.gateway_url, timeout=30)
        before = hold(gateway, key="hybrid-before")
        assert pay(gateway, before).status_code == 200
        # Its demo one-shot is done; the step's files no longer run it.
        monolith.compose("rm", "--force", "demo-monolith")
        services = compose_config(STEP)["services"]
        for app in EXTRACTED:
            target = services[app]["environment"]["DATABASE_URL"]
            manage(monolith, "extract_app", app, "--target", target)
        with ComposeProject(STEP, images, name=monolith.name, ports=monolith.ports) as step:
            step.up()
            for app in EXTRACTED:
                manage(step, "lift_freeze", app)
            yield step, before


@pytest.fixture(scope="module")
def topology(extraction):
    return extraction[0]


def served_by(topology: ComposeProject, request_id: str) -> set[str]:
    """Which of the gateway's, the monolith's and the extracted apps' web containers logged
    a request with this X-Request-ID (each access log line carries it)."""
    return {
        service
        for service in ("gateway", "monolith", *EXTRACTED)
        if f"request_id={request_id}" in topology.compose("logs", "--no-color", service)
    }


def test_the_monolith_calls_the_extracted_apps_containers_over_http(topology):
    gateway = httpx.Client(base_url=topology.gateway_url, timeout=30)
    booking = hold(gateway, key="hybrid-remote")
    request_id = f"hybrid-pay-{uuid.uuid4().hex}"

    paid = pay(gateway, booking, **{"X-Request-ID": request_id})

    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "confirmed"
    # The gateway sends the payment to the monolith (bookings), which charges through the
    # payments container and confirms the seats through the catalog's, with the same id.
    assert {"gateway", "monolith", "payments", "catalog"} <= served_by(topology, request_id)
    read = f"hybrid-read-{uuid.uuid4().hex}"
    tours = gateway.get(
        "/api/catalog/tours/", params={"search": read}, headers={"X-Request-ID": read}
    )
    assert tours.status_code == 200, tours.text
    assert served_by(topology, read) == {"gateway", "catalog"}


def test_a_booking_paid_before_the_move_has_its_payment_in_the_payments_container(extraction):
    topology, before = extraction
    gateway = httpx.Client(base_url=topology.gateway_url, timeout=30)
    token = {"X-Booking-Token": before["access_token"]}
    booking = gateway.get(f"/api/bookings/{before['reference']}/", headers=token)
    assert booking.json()["status"] == "confirmed", booking.text

    request_id = f"hybrid-payment-{uuid.uuid4().hex}"
    listed = staff_session(topology.gateway_url).get(
        "/api/payments/payments/",
        params={"booking_reference": before["reference"]},
        headers={"X-Request-ID": request_id},
    )
    (payment,) = listed.json()["results"]  # copied by extract_app into its own database
    assert payment["status"] == "succeeded"
    assert served_by(topology, request_id) == {"gateway", "payments"}


def test_the_catalog_container_stopped_its_reads_fail_the_monoliths_keep_serving(extraction):
    topology, before = extraction
    gateway = httpx.Client(base_url=topology.gateway_url, timeout=30)
    token = {"X-Booking-Token": before["access_token"]}
    departure = f"/api/catalog/departures/{before['departure']['id']}/"

    topology.compose("stop", "catalog")
    unavailable = gateway.get(departure)
    assert unavailable.status_code == 503
    assert unavailable.json()["type"] == "urn:tourism:problem:service-unavailable"
    assert gateway.get(f"/api/bookings/{before['reference']}/", headers=token).status_code == 200

    topology.up("catalog")
    assert gateway.get(departure).status_code == 200
