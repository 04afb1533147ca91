"""Abuse has limits: seat holds per client and per customer, pay attempts per booking and
admin logins, counted in the shared Redis by every web process together. Over a limit the
answer is a 429 problem with Retry-After."""

import re
import uuid

import httpx
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from tests.bookings.journey import booking_request, new_key
from tests.conftest import require
from tests.factories import DepartureFactory, UserFactory
from tests.proxy import TcpProxy
from tests.servers import REDIS_URL, redis_reachable, serve, silent_server

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

RATES = "holds=2/hour,holds-per-customer=3/hour,payments-per-booking=2/hour"


@pytest.fixture(scope="module")
def servers(django_db_setup, django_db_blocker):
    """Two monolith processes sharing one cache, as two replicas behind the gateway."""
    require(redis_reachable(), "needs Redis on 127.0.0.1:6379")
    env = {
        "CACHE_URL": f"{REDIS_URL}?key_prefix=test-{uuid.uuid4().hex}",
        "THROTTLE_RATES": RATES,
        "LOGIN_FAILURE_LIMIT": "3",
    }
    with (
        django_db_blocker.unblock(),
        serve("monolith", **env) as one,
        serve("monolith", **env) as two,
    ):
        yield [httpx.Client(base_url=server.url, timeout=30) for server in (one, two)]


def client_address() -> dict:
    """A client of its own: the address the gateway would append to X-Forwarded-For."""
    return {"X-Forwarded-For": f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"}


def hold(server: httpx.Client, departure_id: int, *, email: str, headers: dict):
    return server.post(
        "/api/bookings/",
        json=booking_request(departure_id, seats=1, email=email),
        headers={"Idempotency-Key": new_key(), **headers},
    )


def assert_throttled(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 429
    assert int(response.headers["Retry-After"]) > 0


def test_one_client_holds_seats_only_so_often_whichever_process_it_reaches(servers):
    departure = DepartureFactory(capacity=10)
    client = client_address()
    for server, email in zip(servers, ["a@example.com", "b@example.com"], strict=True):
        assert hold(server, departure.id, email=email, headers=client).status_code == 201

    assert_throttled(hold(servers[0], departure.id, email="c@example.com", headers=client))
    other = hold(servers[1], departure.id, email="c@example.com", headers=client_address())
    assert other.status_code == 201, other.text


def test_one_customer_email_holds_seats_only_so_often_from_any_address(servers):
    departure = DepartureFactory(capacity=10)
    email = f"{uuid.uuid4().hex}@example.com"
    for server in [*servers, servers[0]]:
        created = hold(server, departure.id, email=email, headers=client_address())
        assert created.status_code == 201, created.text

    shouted = email.upper()  # the same mailbox
    assert_throttled(hold(servers[1], departure.id, email=shouted, headers=client_address()))


def test_a_booking_takes_only_so_many_pay_attempts(servers):
    departure = DepartureFactory(capacity=10)
    created = hold(servers[0], departure.id, email="p@example.com", headers=client_address())
    booking = created.json()
    pay = f"/api/bookings/{booking['reference']}/pay"
    token = {"X-Booking-Token": booking["access_token"]}
    for server in servers:
        declined = server.post(
            pay, json={"payment_method": "tok_declined"}, headers={**token, **client_address()}
        )
        assert declined.status_code == 402, declined.text

    card = {"payment_method": "tok_visa"}
    assert_throttled(servers[0].post(pay, json=card, headers={**token, **client_address()}))


def test_strangers_who_know_a_reference_cannot_use_up_its_pay_attempts(servers):
    departure = DepartureFactory(capacity=10)
    created = hold(servers[0], departure.id, email="q@example.com", headers=client_address())
    booking = created.json()
    pay = f"/api/bookings/{booking['reference']}/pay"
    card = {"payment_method": "tok_visa"}
    for wrong in [{}, {"X-Booking-Token": "guessed"}, {"X-Booking-Token": "guessed-too"}]:
        stranger = servers[0].post(pay, json=card, headers={**wrong, **client_address()})
        assert stranger.status_code == 404, stranger.text

    token = {"X-Booking-Token": booking["access_token"]}
    paid = servers[1].post(pay, json=card, headers={**token, **client_address()})
    assert paid.status_code == 200, paid.text


def admin_login(server: httpx.Client, username: str, password: str) -> httpx.Response:
    server.cookies.clear()
    form = server.get("/admin/login/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    return server.post(
        "/admin/login/?next=/admin/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": csrf},
    )


def test_the_admin_login_locks_after_repeated_wrong_passwords(servers):
    staff = UserFactory(is_staff=True)
    for server in servers:
        wrong = admin_login(server, staff.username, "not-the-password")
        assert wrong.status_code == 200 and "Please enter the correct" in wrong.text
    admin_login(servers[0], staff.username, "not-the-password")  # the third: locked out

    locked = admin_login(servers[1], staff.username, "correct-horse-battery")
    assert_throttled(locked)
    assert "sessionid" not in locked.cookies


@pytest.fixture(scope="module")
def cache_down(django_db_setup, django_db_blocker):
    """A monolith whose Redis went away while it ran: its proxy to Redis is cut."""
    require(redis_reachable(), "needs Redis on 127.0.0.1:6379")
    with TcpProxy.in_front_of(REDIS_URL) as redis:
        cache_url = f"{redis.route(REDIS_URL)}?key_prefix=test-{uuid.uuid4().hex}"
        env = {"CACHE_URL": cache_url, "THROTTLE_RATES": RATES, "LOGIN_FAILURE_LIMIT": "3"}
        with django_db_blocker.unblock(), serve("monolith", **env) as server:
            client = httpx.Client(base_url=server.url, timeout=30)
            assert client.get("/api/catalog/tours/").status_code == 200  # Redis in use
            redis.cut()
            yield client


def test_with_the_cache_down_customers_still_book(cache_down):
    departure = DepartureFactory(capacity=10)
    created = hold(cache_down, departure.id, email="d@example.com", headers=client_address())
    assert created.status_code == 201, created.text


def test_with_the_cache_down_staff_still_log_in_and_wrong_passwords_still_lock(cache_down):
    staff = UserFactory(is_staff=True)
    staff.password = PBKDF2PasswordHasher().encode("correct-horse-battery", "some-salt")
    staff.save()  # a hash the server's hashers read (the suite's own is MD5)
    signed_in = admin_login(cache_down, staff.username, "correct-horse-battery")
    assert signed_in.status_code == 302 and "sessionid" in signed_in.cookies, signed_in.text

    for _ in range(2):
        wrong = admin_login(cache_down, staff.username, "not-the-password")
        assert wrong.status_code == 200 and "Please enter the correct" in wrong.text
    admin_login(cache_down, staff.username, "not-the-password")  # the third: locked out
    assert_throttled(admin_login(cache_down, staff.username, "correct-horse-battery"))


def test_a_hanging_cache_is_waited_for_once_not_for_every_limit(django_db_blocker):
    departure = DepartureFactory(capacity=10)
    with silent_server() as hung, django_db_blocker.unblock():
        cache_url = hung.replace("http://", "redis://") + "/0"
        with serve("monolith", CACHE_URL=cache_url, THROTTLE_RATES=RATES) as server:
            client = httpx.Client(base_url=server.url, timeout=60)
            created = hold(client, departure.id, email="h@example.com", headers=client_address())
            assert created.status_code == 201, created.text
            assert client.get("/api/catalog/tours/").status_code == 200
            waits = server.output.text().count("Rate limits not checked")
    assert waits == 1  # four limits on the booking, two on the list: one wait in all
