"""Other apps charge and refund through apps.payments.client, in-process here."""

from decimal import Decimal

import pytest

from apps.payments import client
from apps.payments.models import Payment

pytestmark = pytest.mark.django_db


def charge(**overrides) -> client.Charge:
    return client.charge(
        **{
            "key": "pay-1",
            "amount": Decimal("640.00"),
            "currency": "EUR",
            "payment_method": "tok_visa",
            "booking_reference": "TB-7K2Q9",
            **overrides,
        }
    )


def test_charge_returns_a_charge():
    result = charge()
    assert isinstance(result, client.Charge)
    assert (result.key, result.status, result.amount) == ("pay-1", "succeeded", Decimal("640.00"))
    assert result.id == str(Payment.objects.get().pk)


def test_a_decline_raises_with_its_code():
    with pytest.raises(client.PaymentDeclined) as declined:
        charge(payment_method="tok_insufficient_funds")
    assert declined.value.decline_code == "insufficient_funds"
    assert declined.value.status == 402


def test_a_gateway_outage_raises_a_service_unavailable():
    with pytest.raises(client.ServiceUnavailable) as outage:
        charge(payment_method="tok_gateway_error")
    assert isinstance(outage.value, client.PaymentGatewayUnavailable)


def test_reusing_a_key_raises():
    charge()
    with pytest.raises(client.PaymentKeyReused):
        charge(amount=Decimal("1.00"))


def test_refund_returns_a_refund():
    charge()
    result = client.refund(key="refund-1", payment_key="pay-1", amount=Decimal("40.00"))
    assert result == client.Refund(
        id=result.id,
        key="refund-1",
        payment_key="pay-1",
        amount=Decimal("40.00"),
        status="succeeded",
    )
    with pytest.raises(client.PaymentNotRefundable):
        client.refund(key="refund-2", payment_key="pay-1")
