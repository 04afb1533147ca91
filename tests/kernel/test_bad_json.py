"""Hostile JSON is a 400 problem on every endpoint, never a 500."""

import pytest

from kernel.parsers import MAX_JSON_DEPTH
from tests.kernel.test_problem_details import assert_problem

pytestmark = pytest.mark.django_db

BRACKETS = "[" * 10_000


def nested(depth: int) -> str:
    return '{"a": ' * (depth - 1) + "{}" + "}" * (depth - 1)


def test_ten_kilobytes_of_brackets_is_a_400_problem(api):
    response = api.post("/api/bookings/", data=BRACKETS, content_type="application/json")
    body = assert_problem(response, 400)
    assert "nested" in body["detail"]


def test_internal_endpoints_reject_deep_json_the_same_way(internal_api):
    response = internal_api.post(
        "/internal/catalog/holds/", data=BRACKETS, content_type="application/json"
    )
    assert_problem(response, 400)


def test_json_nested_just_past_the_limit_is_refused_and_at_the_limit_is_read(api):
    too_deep = api.post(
        "/api/bookings/", data=nested(MAX_JSON_DEPTH + 1), content_type="application/json"
    )
    assert_problem(too_deep, 400)
    at_limit = api.post(
        "/api/bookings/", data=nested(MAX_JSON_DEPTH), content_type="application/json"
    )
    body = assert_problem(at_limit, 400)
    assert "departure_id" in body["errors"]  # parsed, then validated


@pytest.mark.parametrize(
    "body",
    [
        '{"departure_id": 1, "seats": 1, "customer": {"name": "Ada\\u0000", "email": "a@b.c"}}',
        '{"departure_id": 1, "seats": 1, "customer": {"name\\u0000": "Ada"}}',
    ],
)
def test_a_nul_character_anywhere_in_the_body_is_a_400_problem(api, body):
    response = api.post("/api/bookings/", data=body, content_type="application/json")
    body = assert_problem(response, 400)
    assert "NUL" in body["detail"]


def test_a_staff_write_naming_a_related_slug_with_a_nul_is_a_400_not_a_500(staff_api):
    response = staff_api.post(
        "/api/catalog/tours/",
        data='{"title": "T", "destination": "lis\\u0000bon"}',
        content_type="application/json",
    )
    assert_problem(response, 400)
