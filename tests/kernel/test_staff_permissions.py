"""Staff APIs answer to Django's model permissions, and nothing about them is a 500."""

import pytest

pytestmark = pytest.mark.django_db


def test_writing_to_an_api_index_is_a_405_problem(staff_api):
    response = staff_api.post("/api/catalog/", {}, format="json")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"


def test_an_inactive_staff_account_has_no_permissions(staff_api, staff):
    staff.is_active = False
    staff.save()
    assert staff_api.get("/api/payments/payments/").status_code == 403
