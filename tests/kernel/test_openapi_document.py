"""The OpenAPI document tells clients every answer they can get: each error as problem
details, the Idempotency-Key's limits, JSON bodies only, the anonymous reads."""

import pytest

from tests.bookings.journey import booking_request
from tests.factories import DepartureFactory
from tests.kernel.test_problem_details import PROBLEM, assert_problem

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        return APIClient().get("/api/schema/", {"format": "json"}).json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def test_every_error_answer_is_documented_as_problem_details(schema):
    assert schema["components"]["schemas"]["ProblemDetails"]["required"] == [
        "type",
        "title",
        "status",
        "detail",
    ]
    for name, operation in operations(schema):
        errors = {s: r for s, r in operation["responses"].items() if int(s) >= 400}
        assert "503" in errors, name
        for status, response in errors.items():
            assert response["description"], f"{name} {status}"
            assert response["content"] == {
                PROBLEM: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}
            }, f"{name} {status}"


@pytest.mark.parametrize(
    ("operation", "statuses"),
    [
        ("GET /api/catalog/tours/", {"400", "404", "503"}),  # filters, pages
        ("GET /api/catalog/tours/{slug}/", {"404", "503"}),
        ("DELETE /api/catalog/departures/{id}/", {"403", "404", "409", "503"}),
        ("GET /api/payments/payments/", {"400", "403", "404", "503"}),
        ("POST /api/bookings/", {"400", "404", "409", "415", "422", "503"}),
        ("POST /api/bookings/{reference}/pay", {"400", "402", "404", "409", "422", "503"}),
        ("POST /api/notifications/{id}/resend/", {"403", "404", "502", "503"}),
    ],
)
def test_each_operation_lists_the_errors_it_can_answer(schema, operation, statuses):
    responses = dict(operations(schema))[operation]["responses"]
    assert statuses <= set(responses)


def test_the_idempotency_key_is_documented_with_its_length_limits(schema, api):
    operation = dict(operations(schema))["POST /api/bookings/"]
    (key,) = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
    assert key["in"] == "header" and key["required"] is True
    assert key["schema"]["minLength"] == 1
    too_long = "k" * (key["schema"]["maxLength"] + 1)
    departure = DepartureFactory()
    response = api.post(
        "/api/bookings/",
        booking_request(departure.id),
        format="json",
        headers={"Idempotency-Key": too_long},
    )
    assert_problem(response, 400)
    departure.refresh_from_db()
    assert departure.seats_held == 0


def test_request_bodies_are_json_only(schema, staff_api):
    for name, operation in operations(schema):
        if "requestBody" in operation:
            assert list(operation["requestBody"]["content"]) == ["application/json"], name
    response = staff_api.post(
        "/api/catalog/departures/", {"tour": "x", "capacity": "3"}, format="multipart"
    )
    assert_problem(response, 415)


def test_anonymous_reads_are_documented_as_needing_no_login(schema):
    by_name = dict(operations(schema))
    assert {} in by_name["GET /api/catalog/tours/"]["security"]
    assert {} not in by_name["POST /api/catalog/tours/"]["security"]
    assert {} not in by_name["GET /api/payments/payments/"]["security"]


def test_path_parameters_say_what_their_route_accepts(schema):
    (slug,) = dict(operations(schema))["GET /api/catalog/tours/{slug}/"]["parameters"]
    assert slug["schema"]["pattern"] == "^[-a-zA-Z0-9_]+$"  # the router takes slugs only
