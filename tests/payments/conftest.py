import pytest

from tests.payments.stub_provider import API_KEY, StubProvider


@pytest.fixture
def provider(settings):
    """The HTTP gateway, pointed at a local stub provider with short timeouts."""
    with StubProvider() as stub:
        settings.PAYMENT_GATEWAY = stub.url
        settings.PAYMENT_GATEWAY_API_KEY = API_KEY
        settings.PAYMENT_GATEWAY_CONNECT_TIMEOUT_SECONDS = 1.0
        settings.PAYMENT_GATEWAY_READ_TIMEOUT_SECONDS = 0.5
        yield stub
