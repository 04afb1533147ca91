"""The HTTP gateway against a stub of the provider, over real HTTP."""

from decimal import Decimal

import pytest

from apps.payments.gateways import (
    GatewayRejectedRequest,
    GatewayUnavailable,
    get_gateway,
)
from apps.payments.models import Payment
from tests.payments.helpers import CHARGES, REFUNDS, charge_body


def charge(gateway, *, key="idem-1", method="tok_visa", amount="640.00"):
    return gateway.charge(
        idempotency_key=key,
        amount=Decimal(amount),
        currency="EUR",
        payment_method=method,
        description="Booking TB-7K2Q9",
    )


def test_a_good_card_is_charged_in_minor_units(provider):
    result = charge(get_gateway(), amount="640.10")
    assert result.status == "succeeded"
    assert result.id.startswith("ch_")
    ((request, _),) = provider.state.charges.values()
    assert request["amount"] == 64010
    assert request["source"] == "tok_visa"


@pytest.mark.parametrize(
    ("token", "decline_code"),
    [("tok_declined", "card_declined"), ("tok_insufficient_funds", "insufficient_funds")],
)
def test_a_402_is_a_decline_with_the_providers_code(provider, token, decline_code):
    result = charge(get_gateway(), method=token)
    assert (result.status, result.decline_code) == ("declined", decline_code)


def test_charges_reuse_one_connection_to_the_provider(provider):
    for number in range(3):
        assert charge(get_gateway(), key=f"idem-{number}").status == "succeeded"
    assert provider.charge_count == 3
    assert len(provider.state.connections) == 1


def test_a_restarted_provider_is_reached_on_a_new_connection(provider):
    assert charge(get_gateway(), key="idem-before").status == "succeeded"

    with provider.restarted() as restarted:  # the pooled connection to it is now stale
        assert charge(get_gateway(), key="idem-after").status == "succeeded"
        assert restarted.charge_count == 2
        assert len(restarted.state.connections) == 2  # the stale one was dropped, not reused


def test_the_same_idempotency_key_returns_the_same_charge(provider):
    gateway = get_gateway()
    assert charge(gateway) == charge(gateway)
    assert provider.charge_count == 1


def test_a_provider_500_is_unavailable(provider):
    provider.fail_next(1)
    with pytest.raises(GatewayUnavailable, match="HTTP 500"):
        charge(get_gateway())


def test_a_slow_provider_times_out_as_unavailable(provider):
    provider.delay_next(1, seconds=2)
    with pytest.raises(GatewayUnavailable, match="ReadTimeout"):
        charge(get_gateway())


def test_an_unreachable_provider_is_unavailable(settings):
    settings.PAYMENT_GATEWAY = "http://127.0.0.1:9"  # discard port: nothing listens
    with pytest.raises(GatewayUnavailable, match="ConnectError"):
        charge(get_gateway())


def test_a_wrong_api_key_is_a_bug_not_an_outage(provider, settings):
    settings.PAYMENT_GATEWAY_API_KEY = "sk_wrong"
    with pytest.raises(GatewayRejectedRequest, match="HTTP 401"):
        charge(get_gateway())


def test_a_refund_gives_back_a_charge(provider):
    gateway = get_gateway()
    charged = charge(gateway)
    refund = gateway.refund(idempotency_key="re-1", charge_id=charged.id, amount=Decimal("40"))
    assert refund.id.startswith("re_")
    ((request, _),) = provider.state.refunds.values()
    assert request == {"charge": charged.id, "amount": 4000}


def test_refunding_an_unknown_charge_is_a_bug(provider):
    with pytest.raises(GatewayRejectedRequest, match="HTTP 404"):
        get_gateway().refund(idempotency_key="re-1", charge_id="ch_nope", amount=Decimal(1))


@pytest.mark.django_db
def test_a_charge_that_timed_out_is_retried_with_the_same_key_and_charged_once(
    provider, internal_api
):
    provider.delay_next(1, seconds=2)
    first = internal_api.post(CHARGES, charge_body(), format="json")
    assert first.status_code == 503
    assert Payment.objects.get().status == Payment.Status.PENDING
    assert provider.charge_count == 1  # the provider did charge; only its answer was late

    retry = internal_api.post(CHARGES, charge_body(), format="json")
    assert retry.status_code == 201
    assert retry.json()["status"] == "succeeded"
    assert provider.charge_count == 1
    payment = Payment.objects.get()
    assert payment.attempts == 2
    ((_, answer),) = provider.state.charges.values()
    assert payment.gateway_charge_id == answer.body["id"]


@pytest.mark.django_db
def test_a_decline_through_the_provider_is_a_402(provider, internal_api):
    response = internal_api.post(CHARGES, charge_body(payment_method="tok_declined"), format="json")
    assert response.status_code == 402
    assert response.json()["decline_code"] == "card_declined"
    assert Payment.objects.get().gateway == "http"


@pytest.mark.django_db
def test_a_refund_through_the_provider(provider, internal_api):
    internal_api.post(CHARGES, charge_body(), format="json")
    body = {"key": "refund-1", "payment_key": "pay-1"}
    for _ in range(2):
        response = internal_api.post(REFUNDS, body, format="json")
        assert response.status_code == 201
        assert response.json()["status"] == "succeeded"
    assert provider.refund_count == 1
    ((request, _),) = provider.state.refunds.values()
    assert request["amount"] == 64000
