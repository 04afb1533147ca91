"""PostgreSQL going away and coming back, through real HTTP: the server processes reach
the test's database through a TCP proxy that the test cuts (the server keeps running)."""

import contextlib

import httpx
import pytest

from tests.bookings.journey import booking_request, new_key
from tests.factories import DepartureFactory
from tests.proxy import TcpProxy
from tests.servers import closed_url, serve
from tests.servers import test_database_url as database_url

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# The catalog waits this long for a connection before it answers 503, well within the
# time its caller waits for it (SERVICE_TIMEOUT_SECONDS).
POOL_TIMEOUT = {"DATABASE_POOL_TIMEOUT": "1"}


@pytest.fixture(scope="module")
def database_link(django_db_setup):
    with TcpProxy.in_front_of(database_url()) as proxy:
        yield proxy


@contextlib.contextmanager
def outage(link: TcpProxy, how: str = "cut"):
    """The database refuses connections (cut) or stops answering (hang) meanwhile."""
    getattr(link, how)()
    try:
        yield
    finally:
        link.restore()


@pytest.fixture(scope="module")
def monolith(database_link, django_db_blocker):
    env = {"DATABASE_URL": database_link.route(database_url()), "DJANGO_DEBUG": "1"}
    with django_db_blocker.unblock(), serve("monolith", **env) as server:
        yield httpx.Client(base_url=server.url, timeout=30)


def assert_database_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text[:300]
    assert response.headers["Content-Type"] == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0
    assert response.json()["type"] == "urn:tourism:problem:database-unavailable"


def test_an_api_request_while_the_database_is_down_is_a_503_problem(monolith, database_link):
    with outage(database_link):
        assert_database_unavailable(monolith.get("/api/catalog/tours/"))


def test_an_admin_page_while_the_database_is_down_is_a_503_problem_not_a_debug_page(
    monolith, database_link
):
    monolith.cookies.set("sessionid", "a-session-the-database-must-be-asked-about")
    try:
        with outage(database_link):
            response = monolith.get("/admin/", headers={"Accept": "text/html"})
    finally:
        monolith.cookies.clear()
    assert_database_unavailable(response)


def test_the_first_request_after_the_database_comes_back_succeeds(monolith, database_link):
    assert monolith.get("/api/catalog/tours/").status_code == 200  # a pooled connection

    with outage(database_link):  # every connection the pool holds dies
        pass

    response = monolith.get("/api/catalog/tours/")
    assert response.status_code == 200, response.text[:300]


def test_the_first_request_after_a_long_outage_succeeds(monolith, database_link):
    """While the database is down the pool retries, each time after twice as long: the
    retries give up within seconds, so the first request after the outage connects at once
    rather than waiting for a retry scheduled long after the database came back."""
    with outage(database_link):
        for _ in range(3):  # 5 s each, the pool's timeout: retries 1, 2, 4, 8 s apart
            assert_database_unavailable(monolith.get("/api/catalog/tours/"))

    response = monolith.get("/api/catalog/tours/")
    assert response.status_code == 200, response.text[:300]


def test_a_service_whose_database_is_down_makes_its_caller_answer_503(
    database_link, django_db_blocker
):
    departure = DepartureFactory()
    catalog_env = {"DATABASE_URL": database_link.route(database_url()), **POOL_TIMEOUT}
    with django_db_blocker.unblock(), serve("catalog", **catalog_env) as catalog:
        callers_env = {"CATALOG_SERVICE_URL": catalog.url, "PAYMENTS_SERVICE_URL": closed_url()}
        with serve("bookings", **callers_env) as bookings, outage(database_link):
            response = httpx.post(
                f"{bookings.url}/api/bookings/",
                json=booking_request(departure.id, 1),
                headers={"Idempotency-Key": new_key()},
                timeout=30,
            )
    assert response.status_code == 503, response.text[:300]
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "catalog" in response.json()["detail"]


PROBE_TIMEOUT_SECONDS = 5  # what compose's and the chart's readiness probes wait for /readyz


@pytest.mark.parametrize("how", ["cut", "hang"])
def test_readiness_answers_a_probe_in_time_while_both_databases_are_down(
    how, database_link, django_db_blocker
):
    with TcpProxy.in_front_of(database_url()) as identity_link:
        env = {
            "DATABASE_URL": database_link.route(database_url()),
            "IDENTITY_DATABASE_URL": identity_link.route(database_url()),
            "CELERY_BROKER_URL": "",
        }
        with (
            django_db_blocker.unblock(),
            serve("catalog", **env) as catalog,
            outage(database_link, how),
            outage(identity_link, how),
        ):
            response = httpx.get(f"{catalog.url}/readyz", timeout=PROBE_TIMEOUT_SECONDS)
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert set(checks) == {"database:default", "database:identity"}
    assert all(result.startswith("error: ") for result in checks.values()), checks
