"""kernel.idempotency on a write endpoint of its own (a ticket office, in this module's
URLconf), stored in the bookings app's records: the workflow is not tied to bookings."""

import pytest
from django.urls import path
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from apps.bookings.models import IdempotencyRecord
from config.urls import handler404, handler500
from kernel.idempotency import idempotent
from kernel.problems import DomainError
from tests.interleaving import run_interleaved

pytestmark = pytest.mark.django_db

ISSUED: list[tuple[str, int]] = []


class SoldOut(DomainError):
    status = 409
    code = "sold-out"
    title = "No tickets are left"


class TicketRequest(serializers.Serializer):
    seats = serializers.IntegerField(min_value=1)


class IssueTickets(APIView):
    permission_classes = [AllowAny]
    throttle_classes = []

    @idempotent(IdempotencyRecord, body=TicketRequest)
    def post(self, request, show, *, data, record):
        if data["seats"] > 4:
            raise SoldOut(f"Fewer than {data['seats']} tickets are left for {show}.")
        if data["seats"] == 3:
            raise RuntimeError("the office lost its printer")
        ISSUED.append((show, data["seats"]))
        return Response({"show": show, "ticket": len(ISSUED)}, status=201)


urlpatterns = [path("tickets/<slug:show>", IssueTickets.as_view())]
__all__ = ["handler404", "handler500", "urlpatterns"]


@pytest.fixture
def office(settings):
    settings.ROOT_URLCONF = __name__
    ISSUED.clear()
    return APIClient(raise_request_exception=False)


def issue(office, show: str, seats: int, key: str = "key-1"):
    return office.post(
        f"/tickets/{show}", {"seats": seats}, format="json", headers={"Idempotency-Key": key}
    )


def test_a_retry_replays_the_first_answer_and_issues_once(office):
    first = issue(office, "hamlet", 2)
    again = issue(office, "hamlet", 2)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() == {"show": "hamlet", "ticket": 1}
    assert again["Idempotent-Replayed"] == "true"
    assert ISSUED == [("hamlet", 2)]


def test_one_key_cannot_serve_another_resource(office):
    issue(office, "hamlet", 2)
    other = issue(office, "macbeth", 2)  # the same body, to another URL

    assert other.status_code == 422
    assert other.json()["type"].endswith("idempotency-key-reused")
    assert ISSUED == [("hamlet", 2)]


def test_a_refusal_is_kept_and_replayed(office):
    first = issue(office, "hamlet", 5)
    again = issue(office, "hamlet", 5)

    assert (first.status_code, again.status_code) == (409, 409)
    assert again.json() == first.json()
    assert again["Content-Type"] == "application/problem+json"
    assert again["Idempotent-Replayed"] == "true"


def test_a_failure_gives_the_key_up_for_a_retry(office):
    assert issue(office, "hamlet", 3).status_code == 500
    assert not IdempotencyRecord.objects.filter(key="key-1").exists()
    assert issue(office, "hamlet", 3, key="key-1").status_code == 500  # runs again


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_retry_that_meets_the_first_request_giving_up_runs(office):
    # The first request holds the key; the retry finds it taken just as the first one
    # fails and gives the key up.
    first = IdempotencyRecord.claim(
        key="key-1", data={"body": {"seats": 2}, "url": {"show": "hamlet"}}
    )

    retried, _ = run_interleaved(
        lambda: issue(office, "hamlet", 2),
        first.release,
        paused_before='SELECT .* FROM "bookings_idempotencyrecord"',
    )

    assert retried.status_code == 201, retried.content
    assert ISSUED == [("hamlet", 2)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_duplicate_sent_while_the_first_request_runs_is_told_so_and_issues_nothing(office):
    first, duplicate = run_interleaved(
        lambda: issue(office, "hamlet", 2),
        lambda: issue(office, "hamlet", 2),
        paused_before='UPDATE "bookings_idempotencyrecord"',  # the first keeps its answer
    )

    assert (first.status_code, duplicate.status_code) == (201, 409)
    assert duplicate.json()["type"].endswith("request-in-progress")
    assert ISSUED == [("hamlet", 2)]
    assert issue(office, "hamlet", 2)["Idempotent-Replayed"] == "true"
