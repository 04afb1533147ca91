"""Every error is RFC 9457 problem details with a clear message."""

import pytest

PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["type"].startswith("urn:tourism:problem:")
    return body


def test_unknown_url_is_a_404_problem(client):
    body = assert_problem(client.get("/no/such/page"), 404)
    assert "/no/such/page" in body["detail"]


@pytest.mark.django_db
def test_wrong_method_is_a_405_problem(staff_api):
    assert_problem(staff_api.put("/api/catalog/tours/"), 405)


@pytest.mark.django_db
def test_malformed_json_is_a_400_problem(staff_api):
    response = staff_api.post(
        "/api/catalog/tours/", data="{not json", content_type="application/json"
    )
    assert_problem(response, 400)


@pytest.mark.django_db
def test_invalid_filter_value_is_a_400_problem(api):
    body = assert_problem(api.get("/api/catalog/tours/", {"price_min": "cheap"}), 400)
    assert "price_min" in body["errors"]


def test_an_unexpected_failure_is_a_500_problem(client, settings):
    settings.ROOT_URLCONF = "tests.kernel.crash_urls"
    client.raise_request_exception = False
    body = assert_problem(client.get("/crash"), 500)
    assert "boom" not in body["detail"]


@pytest.mark.parametrize("prefix", ["/api/", "/internal/"])
def test_with_debug_on_an_unknown_api_url_is_still_a_404_problem(client, settings, prefix):
    settings.DEBUG = True
    assert_problem(client.get(f"{prefix}no/such/endpoint"), 404)


def test_with_debug_on_an_unexpected_api_failure_is_still_a_500_problem(client, settings):
    settings.DEBUG = True
    settings.ROOT_URLCONF = "tests.kernel.crash_urls"
    client.raise_request_exception = False
    body = assert_problem(client.get("/api/crash"), 500)
    assert "boom" not in body["detail"]


@pytest.mark.parametrize("debug", [False, True])
def test_a_database_outage_outside_any_view_is_a_503_problem(client, settings, debug):
    settings.DEBUG = debug
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.kernel.crash_urls.DatabaseGoneAfterTheView"]
    client.raise_request_exception = False
    response = client.get("/healthz")
    body = assert_problem(response, 503)
    assert body["type"] == "urn:tourism:problem:database-unavailable"
    assert response["Retry-After"]
