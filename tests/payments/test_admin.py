"""Staff find payments in the admin, read-only."""

import pytest
from django.urls import reverse

from apps.payments import services
from tests.payments.helpers import paid

pytestmark = pytest.mark.django_db


def test_search_by_booking_reference_and_filter_by_status(admin_client):
    paid("a", reference="TB-FINDME")
    paid("b", reference="TB-OTHER")
    services.payment_refund(key="refund-b", payment_key="b")
    url = reverse("admin:payments_payment_changelist")
    found = admin_client.get(url, {"q": "findme"}).content.decode()
    assert "TB-FINDME" in found and "TB-OTHER" not in found
    refunded = admin_client.get(url, {"status__exact": "refunded"}).content.decode()
    assert "TB-OTHER" in refunded and "TB-FINDME" not in refunded


def test_payments_are_read_only_and_show_their_refund(admin_client):
    payment = paid()
    services.payment_refund(key="refund-1", payment_key="pay-1")
    assert admin_client.get(reverse("admin:payments_payment_add")).status_code == 403
    page = admin_client.get(reverse("admin:payments_payment_change", args=[payment.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "refund-1" in content
    assert 'name="amount"' not in content  # nothing to edit


def test_refund_list_runs_a_constant_number_of_queries(admin_client, django_assert_max_num_queries):
    paid("a")
    services.payment_refund(key="refund-a", payment_key="a")
    url = reverse("admin:payments_refund_changelist")
    with django_assert_max_num_queries(12) as few:
        admin_client.get(url)
    for n in range(10):
        paid(f"pay-{n}")
        services.payment_refund(key=f"refund-{n}", payment_key=f"pay-{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client.get(url)
    assert response.status_code == 200
