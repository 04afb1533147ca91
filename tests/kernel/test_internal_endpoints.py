"""Every /internal/ endpoint, today's and any added later, refuses a caller without the
service token, staff included: a 403 problem, whatever the method."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def routes(patterns, prefix: str = "") -> list[str]:
    found = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            found.append(route)
    return found


INTERNAL = sorted(
    "/" + route.replace("<str:key>", "some-key")
    for route in routes(get_resolver().url_patterns)
    if route.startswith("internal/")
)


def test_the_internal_endpoints_are_all_found():
    assert "/internal/catalog/holds/" in INTERNAL and "/internal/payments/charges/" in INTERNAL
    assert not any("<" in url for url in INTERNAL), INTERNAL  # each converter filled in


@pytest.mark.parametrize("url", INTERNAL)
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_internal_endpoint_refuses_a_caller_without_the_service_token(api, url, method):
    api.force_authenticate(UserFactory(is_staff=True, is_superuser=True))
    api.credentials(HTTP_X_SERVICE_TOKEN="guessed")
    response = getattr(api, method)(url, {}, format="json")
    assert response.status_code == 403, (url, response.content)
    assert response["Content-Type"] == "application/problem+json"
