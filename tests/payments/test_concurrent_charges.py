"""Simultaneous retries of one payment key, on the real PostgreSQL server."""

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from apps.payments import services
from apps.payments.exceptions import PaymentInProgress
from apps.payments.models import Payment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CALLERS = 12


def try_charge(_) -> str:
    try:
        return services.payment_charge(
            key="same-key",
            amount=Decimal("640.00"),
            currency="EUR",
            payment_method="tok_visa",
            booking_reference="TB-7K2Q9",
        ).status
    except PaymentInProgress:
        return "in-progress"
    finally:
        connection.close()


def test_simultaneous_charges_with_one_key_charge_once(provider):
    provider.delay_next(CALLERS, seconds=0.2)  # keep the first call at the gateway a while
    with ThreadPoolExecutor(max_workers=CALLERS) as pool:
        results = list(pool.map(try_charge, range(CALLERS)))
    assert set(results) <= {"succeeded", "in-progress"}
    assert "succeeded" in results
    assert provider.charge_count == 1
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.attempts == 1
