"""Staff look up payments and refunds; nobody else may."""

import pytest

from apps.payments import services
from tests.factories import UserFactory
from tests.payments.helpers import paid

pytestmark = pytest.mark.django_db

PAYMENTS = "/api/payments/payments/"
REFUNDS = "/api/payments/refunds/"


@pytest.mark.parametrize("url", [PAYMENTS, REFUNDS])
def test_anonymous_visitors_are_refused(api, url):
    response = api.get(url)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("url", [PAYMENTS, REFUNDS])
def test_customer_accounts_are_refused(api, url):
    paid()
    api.force_authenticate(UserFactory())
    assert api.get(url).status_code == 403


@pytest.mark.parametrize(
    ("url", "permissions"),
    [(PAYMENTS, ()), (REFUNDS, ()), (PAYMENTS, ("payments.view_refund",))],
)
def test_staff_without_the_view_permission_are_refused(staff_api_with, url, permissions):
    paid()
    response = staff_api_with(*permissions).get(url)
    assert response.status_code == 403
    assert response.json()["type"] == "urn:tourism:problem:permission-denied"


def test_staff_read_what_they_have_the_view_permission_for(staff_api_with):
    payment = paid()
    client = staff_api_with("payments.view_payment")
    assert client.get(PAYMENTS).json()["count"] == 1
    assert client.get(f"{PAYMENTS}{payment.pk}/").status_code == 200
    assert client.get(REFUNDS).status_code == 403


def test_staff_list_payments_filtered_by_status_and_booking(staff_api):
    paid("a", reference="TB-AAAAA")
    paid("b", reference="TB-BBBBB")
    services.payment_refund(key="refund-b", payment_key="b")
    body = staff_api.get(PAYMENTS).json()
    assert body["count"] == 2
    refunded = staff_api.get(PAYMENTS, {"status": "refunded"}).json()["results"]
    assert [p["key"] for p in refunded] == ["b"]
    by_booking = staff_api.get(PAYMENTS, {"booking_reference": "TB-AAAAA"}).json()["results"]
    assert [p["key"] for p in by_booking] == ["a"]


def test_staff_see_one_payment(staff_api):
    payment = paid()
    body = staff_api.get(f"{PAYMENTS}{payment.pk}/").json()
    assert (body["key"], body["status"], body["amount"]) == ("pay-1", "succeeded", "640.00")
    assert body["gateway"] == "sandbox"
    assert body["gateway_charge_id"] == payment.gateway_charge_id


def test_staff_list_and_see_refunds(staff_api):
    paid("a", reference="TB-AAAAA")
    refund = services.payment_refund(key="refund-a", payment_key="a")
    listed = staff_api.get(REFUNDS, {"booking_reference": "TB-AAAAA"}).json()["results"]
    assert [r["key"] for r in listed] == ["refund-a"]
    body = staff_api.get(f"{REFUNDS}{refund.pk}/").json()
    assert (body["payment_key"], body["amount"], body["status"]) == ("a", "640.00", "succeeded")


@pytest.mark.parametrize("count", [3, 30])
def test_lists_run_a_constant_number_of_queries(staff_api, django_assert_max_num_queries, count):
    for n in range(count):
        paid(f"pay-{n}")
        services.payment_refund(key=f"refund-{n}", payment_key=f"pay-{n}")
    for url in (PAYMENTS, REFUNDS):
        # The staff user's permissions (own and groups', once per user), COUNT, one page.
        with django_assert_max_num_queries(4):
            response = staff_api.get(url, {"page_size": 50})
        assert len(response.json()["results"]) == count
