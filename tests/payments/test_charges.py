"""Another service charges a booking through the internal endpoint (sandbox gateway)."""

import pytest

from apps.payments.models import Payment
from tests.payments.helpers import CHARGES, charge_body

pytestmark = pytest.mark.django_db

PROBLEM = "urn:tourism:problem:"


def test_the_success_token_charges_and_answers_with_the_charge(internal_api):
    response = internal_api.post(CHARGES, charge_body(), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "succeeded"
    assert body["amount"] == "640.00"
    assert body["booking_reference"] == "TB-7K2Q9"
    payment = Payment.objects.get(key="pay-1")
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.gateway_charge_id.startswith("ch_sandbox_")


@pytest.mark.parametrize(
    ("token", "decline_code"),
    [
        ("tok_declined", "card_declined"),
        ("tok_insufficient_funds", "insufficient_funds"),
        ("tok_unheard_of", "invalid_payment_method"),
    ],
)
def test_declined_tokens_are_402_problems_with_the_decline_code(internal_api, token, decline_code):
    response = internal_api.post(CHARGES, charge_body(payment_method=token), format="json")
    assert response.status_code == 402
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == f"{PROBLEM}payment-declined"
    assert response.json()["decline_code"] == decline_code
    assert Payment.objects.get(key="pay-1").status == Payment.Status.DECLINED


def test_a_gateway_outage_is_a_503_and_leaves_the_payment_pending(internal_api):
    response = internal_api.post(
        CHARGES, charge_body(payment_method="tok_gateway_error"), format="json"
    )
    assert response.status_code == 503
    assert response["Retry-After"]
    assert response.json()["type"] == f"{PROBLEM}payment-gateway-unavailable"
    payment = Payment.objects.get(key="pay-1")
    assert payment.status == Payment.Status.PENDING
    assert payment.attempts == 1
    assert payment.last_error


def test_charging_again_with_the_same_key_charges_nothing_more(internal_api):
    first = internal_api.post(CHARGES, charge_body(), format="json").json()
    second = internal_api.post(CHARGES, charge_body(), format="json").json()
    assert first == second
    assert Payment.objects.count() == 1
    assert Payment.objects.get().attempts == 1


def test_a_declined_key_gives_the_same_decline_again_without_asking_the_gateway(internal_api):
    internal_api.post(CHARGES, charge_body(payment_method="tok_declined"), format="json")
    again = internal_api.post(CHARGES, charge_body(payment_method="tok_declined"), format="json")
    assert again.status_code == 402
    assert again.json()["decline_code"] == "card_declined"
    assert Payment.objects.get().attempts == 1


@pytest.mark.parametrize(
    "change", [{"amount": "641.00"}, {"currency": "USD"}, {"payment_method": "tok_declined"}]
)
def test_reusing_a_key_for_another_payment_is_a_422_and_changes_nothing(internal_api, change):
    internal_api.post(CHARGES, charge_body(), format="json")
    response = internal_api.post(CHARGES, charge_body(**change), format="json")
    assert response.status_code == 422
    assert response.json()["type"] == f"{PROBLEM}payment-key-reused"
    payment = Payment.objects.get()
    assert (str(payment.amount), payment.currency, payment.status) == ("640.00", "EUR", "succeeded")


def test_a_charge_can_be_read_back_by_its_key(internal_api):
    created = internal_api.post(CHARGES, charge_body(), format="json").json()
    assert internal_api.get(f"{CHARGES}pay-1").json() == created
    missing = internal_api.get(f"{CHARGES}nope")
    assert missing.status_code == 404
    assert missing.json()["type"] == f"{PROBLEM}payment-not-found"


@pytest.mark.parametrize(
    "body",
    [
        {k: v for k, v in charge_body().items() if k != "key"},
        charge_body(amount="0.00"),
        charge_body(amount="-5"),
        charge_body(amount="12.345"),
        charge_body(amount="ten"),
        charge_body(currency="euro"),
        charge_body(payment_method=""),
    ],
)
def test_bad_charge_requests_are_400_problems_and_persist_nothing(internal_api, body):
    response = internal_api.post(CHARGES, body, format="json")
    assert response.status_code == 400
    assert response.json()["title"] == "The request is not valid"
    assert response.json()["errors"]
    assert not Payment.objects.exists()


def test_internal_endpoints_reject_calls_without_the_service_token(api):
    response = api.post(CHARGES, charge_body(), format="json")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert api.get(f"{CHARGES}pay-1").status_code == 403
    assert not Payment.objects.exists()


def test_internal_endpoints_reject_a_wrong_service_token(api):
    api.credentials(HTTP_X_SERVICE_TOKEN="guessed")
    assert api.post(CHARGES, charge_body(), format="json").status_code == 403
    assert not Payment.objects.exists()


@pytest.mark.parametrize("key", ["%00", "k" * 101], ids=["NUL", "over 100 characters"])
def test_looking_up_a_charge_by_a_malformed_key_is_a_400_problem(internal_api, key):
    response = internal_api.get(f"/internal/payments/charges/{key}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


SETTLE = f"{CHARGES}settle"


def test_settling_a_key_never_charged_voids_it_so_a_late_charge_is_declined(internal_api):
    settled = internal_api.post(SETTLE, charge_body(), format="json")
    assert settled.status_code == 200
    assert (settled.json()["status"], settled.json()["decline_code"]) == ("declined", "voided")
    late = internal_api.post(CHARGES, charge_body(), format="json")
    assert late.status_code == 402
    assert late.json()["decline_code"] == "voided"
    assert Payment.objects.get().attempts == 0  # the gateway was never asked


def test_settling_a_charge_made_answers_with_it(internal_api):
    internal_api.post(CHARGES, charge_body(), format="json")
    settled = internal_api.post(SETTLE, charge_body(), format="json")
    assert settled.json()["status"] == "succeeded"
    assert Payment.objects.get().attempts == 1


def test_settling_a_charge_the_gateway_still_cannot_answer_leaves_it_pending(internal_api):
    body = charge_body(payment_method="tok_gateway_error")
    assert internal_api.post(CHARGES, body, format="json").status_code == 503
    settled = internal_api.post(SETTLE, body, format="json")
    assert settled.status_code == 200
    assert settled.json()["status"] == "pending"


def test_settling_with_other_terms_is_422(internal_api):
    internal_api.post(CHARGES, charge_body(), format="json")
    response = internal_api.post(SETTLE, charge_body(amount="1.00"), format="json")
    assert response.status_code == 422
