"""The public edge as attackers and unlucky clients meet it, through the real nginx gateway
in front of the monolith (debug on, as under ``make services``): every error is problem
details, limits answer 429 with Retry-After, tokens stay out of logs, pages carry a CSP,
and no server tells its version."""

import json
import random
import re
import socket

import httpx
import pytest

from tests.e2e.conftest import running_topology
from tests.e2e.test_journey_through_the_gateway import emails_for
from tests.messaging import wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def edge(smtp_sink):
    with running_topology(
        "monolith",
        smtp_sink,
        gateway_rate_limit="5r/s",
        gateway_rate_burst=10,
        extra_env={"THROTTLE_RATES": "holds=2/hour"},
    ) as topology:
        yield topology


def client_of_its_own(topology) -> httpx.Client:
    """A client from a loopback address of its own: the gateway and the apps count it apart
    from every other test's requests."""
    address = f"127.{random.randint(1, 250)}.{random.randint(1, 250)}.{random.randint(2, 250)}"
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=topology.gateway_url, transport=transport, timeout=30)


def assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text[:300]
    assert response.headers["Content-Type"] == PROBLEM, response.text[:300]
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def raw_request(topology, request_line: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", topology.ports["gateway"])) as connection:
        connection.sendall(request_line + b"\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        return b"".join(iter(lambda: connection.recv(65536), b""))


def departure_id(client: httpx.Client) -> int:
    slug = client.get("/api/catalog/tours/").json()["results"][0]["slug"]
    return client.get(f"/api/catalog/tours/{slug}/").json()["departures"][0]["id"]


# --- errors the gateway makes --------------------------------------------------------------


def test_a_body_over_the_limit_is_a_413_problem(edge):
    response = client_of_its_own(edge).post("/api/bookings/", content=b"x" * (11 * 1024 * 1024))
    assert_problem(response, 413)


def test_a_body_over_16_kb_reaches_the_app(edge):
    """nginx buffers such a body to a file first, which its worker must be able to write."""
    response = client_of_its_own(edge).post(
        "/api/bookings/", json={"departure_id": "x", "note": "x" * 40_000}
    )
    body = assert_problem(response, 400)
    assert "departure_id" in body["errors"]


def test_an_overlong_uri_is_a_414_problem(edge):
    response = client_of_its_own(edge).get("/api/catalog/tours/", params={"q": "a" * 20_000})
    assert_problem(response, 414)


def test_a_malformed_request_is_a_400_problem(edge):
    head, _, body = raw_request(edge, b"GET /api/catalog/%00 HTTP/1.1").partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert f"Content-Type: {PROBLEM}".encode() in head
    assert b'"status": 400' in body


def test_a_request_id_that_is_not_one_never_reaches_a_problem_body(edge):
    forged = b'x", "status": 200, "injected": "yes'
    head, _, body = raw_request(
        edge,
        b"POST /api/bookings/ HTTP/1.1\r\nContent-Length: 20000000\r\nX-Request-ID: " + forged,
    ).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    problem = json.loads(body)  # still JSON, with the gateway's own fields only
    assert problem["status"] == 413 and "injected" not in problem
    assert f"X-Request-ID: {problem['request_id']}".encode() in head


# --- errors the chart's Ingress controller makes, answered by the storefront's server ------


def storefront(topology) -> httpx.Client:
    """The storefront's server directly, as ingress-nginx reaches its default backend."""
    return httpx.Client(base_url=f"http://127.0.0.1:{topology.ports['storefront']}", timeout=30)


@pytest.mark.parametrize("status", [413, 502, 503, 504])
def test_an_error_the_ingress_controller_makes_is_a_problem_with_its_status(edge, status):
    response = storefront(edge).post("/", headers={"X-Code": str(status), "Accept": "*/*"})
    assert_problem(response, status)


def test_an_app_with_no_ready_pod_behind_the_ingress_is_a_503_problem(edge):
    """With no endpoint for an app's rule, ingress-nginx proxies to the default backend."""
    response = storefront(edge).post("/api/bookings/", json={})
    assert_problem(response, 503)
    assert int(response.headers["Retry-After"]) > 0


def test_the_storefront_still_serves_the_shop(edge):
    response = storefront(edge).get("/tours/somewhere")
    assert response.status_code == 200 and "text/html" in response.headers["Content-Type"]


def test_going_over_the_gateway_rate_is_a_429_problem_with_retry_after(edge):
    client = client_of_its_own(edge)
    responses = [client.get("/api/") for _ in range(30)]
    throttled = [response for response in responses if response.status_code == 429]
    assert throttled, [response.status_code for response in responses]
    assert_problem(throttled[0], 429)
    assert int(throttled[0].headers["Retry-After"]) > 0


# --- errors the app makes, debug on ----------------------------------------------------------


def test_an_unknown_api_url_is_a_404_problem_with_debug_on(edge):
    assert_problem(client_of_its_own(edge).get("/api/catalog/no-such-endpoint/"), 404)


def test_ten_kilobytes_of_brackets_is_a_400_problem(edge):
    response = client_of_its_own(edge).post(
        "/api/bookings/", content=b"[" * 10_000, headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 400)


def test_holds_over_the_limit_of_one_client_are_429_problems(edge):
    client, departure = client_of_its_own(edge), departure_id(client_of_its_own(edge))

    def hold(who: httpx.Client, n: int) -> httpx.Response:
        return who.post(
            "/api/bookings/",
            json={
                "departure_id": departure,
                "seats": 1,
                "customer": {"name": "Eve", "email": f"eve{n}@example.com"},
            },
            headers={"Idempotency-Key": f"edge-{random.getrandbits(64)}"},
        )

    assert [hold(client, n).status_code for n in range(2)] == [201, 201]
    throttled = hold(client, 2)
    assert_problem(throttled, 429)
    assert int(throttled.headers["Retry-After"]) > 0
    assert hold(client_of_its_own(edge), 3).status_code == 201  # another client


# --- what responses and logs reveal ----------------------------------------------------------


@pytest.mark.parametrize("url", ["/admin/login/", "/api/docs/", "/"])
def test_pages_carry_one_content_security_policy(edge, url):
    """The apps' pages, and whatever nginx serves itself (the storefront's paths)."""
    response = client_of_its_own(edge).get(url)
    (policy,) = response.headers.get_list("Content-Security-Policy")
    assert "script-src 'self'" in policy


def test_no_server_tells_its_version(edge):
    through_gateway = client_of_its_own(edge).get("/api/catalog/tours/")
    direct = httpx.get(f"{edge.url('monolith')}/api/catalog/tours/")
    for response in (through_gateway, direct):
        assert not re.search(r"\d", response.headers.get("Server", "")), response.headers


def test_a_guest_token_never_reaches_the_logs(edge):
    secret = f"guest-token-{random.getrandbits(64):x}"
    client_of_its_own(edge).get("/api/bookings/BK-NOPE/", params={"token": secret})
    for name in ("gateway", "monolith"):
        process = edge.processes[name]
        wait_until(
            lambda process=process: any("BK-NOPE/?token=***" in line for line in process.output),
            timeout=10,
            what=f"the {name} access log line",
        )
        assert not any(secret in line for line in process.output), name


def html_of(message) -> str:
    (part,) = [part for part in message.walk() if part.get_content_type() == "text/html"]
    return part.get_payload(decode=True).decode()


def test_emails_carry_the_guests_name_escaped_and_nothing_else_they_wrote(edge, smtp_sink):
    guest = client_of_its_own(edge)
    link = '<a href="https://evil.example/prize">Claim your prize</a>'
    created = guest.post(
        "/api/bookings/",
        json={
            "departure_id": departure_id(guest),
            "seats": 1,
            "customer": {"name": link, "email": "victim@example.com"},
        },
        headers={"Idempotency-Key": f"edge-{random.getrandbits(64)}"},
    ).json()
    reference, token = created["reference"], {"X-Booking-Token": created["access_token"]}
    guest.post(f"/api/bookings/{reference}/pay", json={"payment_method": "tok_visa"}, headers=token)
    guest.post(f"/api/bookings/{reference}/cancel", headers=token)

    wait_until(
        lambda: len(emails_for(smtp_sink, reference)) == 2,
        timeout=30,
        what="the confirmation and cancellation emails",
    )
    for message in emails_for(smtp_sink, reference):
        html = html_of(message)
        assert "&lt;a href=&quot;https://evil.example/prize&quot;&gt;" in html
        assert 'href="https://evil.example' not in html
        assert "evil.example" not in message["Subject"]


def test_a_name_over_several_lines_is_refused(edge):
    guest = client_of_its_own(edge)
    response = guest.post(
        "/api/bookings/",
        json={
            "departure_id": departure_id(guest),
            "seats": 1,
            "customer": {
                "name": "Ada\n\nYour card was declined: call us",
                "email": "a@example.com",
            },
        },
        headers={"Idempotency-Key": f"edge-{random.getrandbits(64)}"},
    )
    body = assert_problem(response, 400)
    assert "name" in body["errors"]["customer"]


# --- last: a service down -----------------------------------------------------------------


def test_a_stopped_app_is_a_503_problem_with_retry_after_and_comes_back(edge):
    client = client_of_its_own(edge)
    edge.stop("monolith")
    try:
        response = client.get("/api/catalog/tours/")
        body = assert_problem(response, 503)
        assert body["type"] == "urn:tourism:problem:service-unavailable"
        assert int(response.headers["Retry-After"]) > 0
    finally:
        edge.start("monolith")
    assert client.get("/api/catalog/tours/").status_code == 200
