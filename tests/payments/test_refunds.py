"""Money goes back on a succeeded payment, once."""

import pytest

from apps.payments.models import Payment, Refund
from tests.payments.helpers import CHARGES, REFUNDS, charge_body, paid

pytestmark = pytest.mark.django_db

PROBLEM = "urn:tourism:problem:"


def refund(client, **overrides):
    return client.post(REFUNDS, {"key": "refund-1", "payment_key": "pay-1", **overrides})


def test_a_refund_gives_back_the_whole_amount_by_default(internal_api):
    paid()
    response = refund(internal_api)
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["amount"], body["payment_key"]) == ("succeeded", "640.00", "pay-1")
    assert Payment.objects.get().status == Payment.Status.REFUNDED


def test_a_partial_refund(internal_api):
    paid()
    assert refund(internal_api, amount="100.00").json()["amount"] == "100.00"
    assert Refund.objects.get().amount == 100


def test_refunding_again_with_the_same_key_refunds_once(internal_api):
    paid()
    first = refund(internal_api).json()
    assert refund(internal_api).json() == first
    assert Refund.objects.count() == 1


def test_a_second_refund_under_another_key_is_refused(internal_api):
    paid()
    refund(internal_api)
    response = refund(internal_api, key="refund-2")
    assert response.status_code == 409
    assert response.json()["type"] == f"{PROBLEM}payment-not-refundable"
    assert Refund.objects.count() == 1


def test_reusing_a_refund_key_for_another_amount_is_a_422(internal_api):
    paid()
    refund(internal_api, amount="100.00")
    response = refund(internal_api, amount="200.00")
    assert response.status_code == 422
    assert response.json()["type"] == f"{PROBLEM}refund-key-reused"


def test_only_a_succeeded_payment_can_be_refunded(internal_api):
    internal_api.post(CHARGES, charge_body(payment_method="tok_declined"), format="json")
    response = refund(internal_api)
    assert response.status_code == 409
    assert response.json()["type"] == f"{PROBLEM}payment-not-refundable"
    assert not Refund.objects.exists()


def test_refunding_more_than_was_paid_is_a_422(internal_api):
    paid()
    response = refund(internal_api, amount="640.01")
    assert response.status_code == 422
    assert response.json()["type"] == f"{PROBLEM}refund-amount-invalid"
    assert Payment.objects.get().status == Payment.Status.SUCCEEDED


def test_refunding_an_unknown_payment_is_a_404(internal_api):
    response = refund(internal_api, payment_key="nope")
    assert response.status_code == 404
    assert response.json()["type"] == f"{PROBLEM}payment-not-found"


def test_a_refund_that_hits_a_gateway_outage_stays_pending_and_completes_on_retry(
    internal_api, provider
):
    internal_api.post(CHARGES, charge_body(), format="json")
    provider.fail_next(1)
    assert refund(internal_api).status_code == 503
    assert Refund.objects.get().status == Refund.Status.PENDING
    assert Payment.objects.get().status == Payment.Status.SUCCEEDED
    assert refund(internal_api).json()["status"] == "succeeded"
    assert Payment.objects.get().status == Payment.Status.REFUNDED


@pytest.mark.parametrize(
    "body",
    [
        {"payment_key": "pay-1"},
        {"key": "refund-1", "payment_key": "pay-1", "amount": "0"},
        {"key": "refund-1", "payment_key": "pay-1", "amount": "x"},
    ],
)
def test_bad_refund_requests_are_400_problems_and_persist_nothing(internal_api, body):
    paid()
    response = internal_api.post(REFUNDS, body)
    assert response.status_code == 400
    assert response.json()["errors"]
    assert not Refund.objects.exists()
