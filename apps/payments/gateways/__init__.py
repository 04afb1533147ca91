"""Payment gateways. ``PAYMENT_GATEWAY`` picks one: ``sandbox``, or the base URL of the
HTTP provider (with ``PAYMENT_GATEWAY_API_KEY``)."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .base import (
    GatewayCharge,
    GatewayRefund,
    GatewayRejectedRequest,
    GatewayUnavailable,
    PaymentGateway,
)
from .http import HttpGateway
from .sandbox import SandboxGateway

__all__ = [
    "GatewayCharge",
    "GatewayRefund",
    "GatewayRejectedRequest",
    "GatewayUnavailable",
    "PaymentGateway",
    "get_gateway",
]


def get_gateway() -> PaymentGateway:
    choice = settings.PAYMENT_GATEWAY
    if choice == "sandbox":
        return SandboxGateway()
    if not choice.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"PAYMENT_GATEWAY is {choice!r}; set it to 'sandbox' or the payment provider's "
            "base URL (https://...)."
        )
    return HttpGateway(
        base_url=choice,
        api_key=settings.PAYMENT_GATEWAY_API_KEY,
        connect_timeout=settings.PAYMENT_GATEWAY_CONNECT_TIMEOUT_SECONDS,
        read_timeout=settings.PAYMENT_GATEWAY_READ_TIMEOUT_SECONDS,
    )
