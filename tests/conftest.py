import os

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.messaging import RABBITMQ_URL, QueuePrefix, rabbitmq_reachable
from tests.payments.stub_provider import API_KEY, StubProvider


def require(condition: bool, reason: str) -> None:
    """Skip when a server the test needs is not here; under CI=true that is a failure."""
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must provide this: {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres"):
        require(
            connection.vendor == "postgresql",
            "needs PostgreSQL (set DATABASE_URL=postgres://...; SQLite cannot show this)",
        )


@pytest.fixture
def api():
    return APIClient()


def staff_user(*permissions: str):
    """A staff account with exactly these permissions (``"app_label.codename"``)."""
    user = UserFactory(is_staff=True)
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


@pytest.fixture
def staff(db):
    """A staff account with every model permission (not a superuser)."""
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    return user


@pytest.fixture
def staff_api_with(db):
    """An API client for a staff account with exactly the given permissions."""

    def client_for(*permissions: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(staff_user(*permissions))
        return client

    return client_for


@pytest.fixture
def staff_api(staff):
    client = APIClient()
    client.force_authenticate(staff)
    return client


@pytest.fixture
def internal_api(settings):
    client = APIClient()
    client.credentials(HTTP_X_SERVICE_TOKEN=settings.SERVICE_TOKEN)
    return client


@pytest.fixture
def provider(settings):
    """The HTTP gateway, pointed at a local stub provider with short timeouts."""
    with StubProvider() as stub:
        settings.PAYMENT_GATEWAY = stub.url
        settings.PAYMENT_GATEWAY_API_KEY = API_KEY
        settings.PAYMENT_GATEWAY_CONNECT_TIMEOUT_SECONDS = 1.0
        settings.PAYMENT_GATEWAY_READ_TIMEOUT_SECONDS = 0.5
        yield stub


@pytest.fixture
def broker(settings):
    """This process's settings on RabbitMQ, with queues unique to the test, removed after."""
    require(rabbitmq_reachable(), f"needs RabbitMQ at {RABBITMQ_URL}")
    prefix = QueuePrefix()
    settings.CELERY_BROKER_URL = RABBITMQ_URL
    settings.CELERY_QUEUE_PREFIX = prefix.prefix
    yield prefix
    prefix.delete_all()
