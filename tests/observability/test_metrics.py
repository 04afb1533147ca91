"""What GET /metrics tells an operator, in the monolith on PostgreSQL: each booking
transition counted once it commits, payments by outcome, requests by route, and the state
read when scraped (seats held, the outbox backlog and lag, dead letters)."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from kombu import Connection

from apps.bookings.events import BookingCancelled, BookingConfirmed
from apps.bookings.services import bookings_expire_due
from apps.payments.gateways.sandbox import OUTAGE_TOKEN
from kernel.outbox import emit, queues
from tests.bookings.journey import booking_request, new_key
from tests.factories import DepartureFactory, booking_event
from tests.messaging import RABBITMQ_URL
from tests.observability.scrape import samples, value

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def scrape(api) -> str:
    response = api.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return response.content.decode()


def counted(api) -> dict[str, float]:
    text = scrape(api)
    figures = {t: value(text, "tourism_bookings_total", transition=t) for t in TRANSITIONS}
    for outcome in ("succeeded", "declined", "unavailable"):
        figures[f"charge {outcome}"] = value(
            text, "tourism_payment_gateway_calls_total", operation="charge", outcome=outcome
        )
    figures["refund succeeded"] = value(
        text, "tourism_payment_gateway_calls_total", operation="refund", outcome="succeeded"
    )
    return figures


TRANSITIONS = ("created", "confirmed", "cancelled", "expired")


def ask_to_book(api, departure, seats: int = 2):
    return api.post(
        "/api/bookings/",
        booking_request(departure.id, seats),
        format="json",
        headers={"Idempotency-Key": new_key()},
    )


def book(api, departure) -> dict:
    created = ask_to_book(api, departure)
    assert created.status_code == 201, created.content
    return created.json()


def book_as_guest(api) -> str:
    """A new booking, the client acting as its guest; returns the booking's URL."""
    booking = book(api, DepartureFactory(capacity=4))
    api.credentials(HTTP_X_BOOKING_TOKEN=booking["access_token"])
    return f"/api/bookings/{booking['reference']}"


def test_each_booking_transition_and_payment_outcome_is_counted_once(api):
    before = counted(api)
    booking = book_as_guest(api)
    pay = f"{booking}/pay"
    assert api.post(pay, {"payment_method": "tok_declined"}, format="json").status_code == 402
    assert api.post(pay, {"payment_method": "tok_visa"}, format="json").status_code == 200
    assert api.post(pay, {"payment_method": "tok_visa"}, format="json").status_code == 200
    assert api.post(f"{booking}/cancel").status_code == 200

    moved = {name: figure - before[name] for name, figure in counted(api).items()}
    assert moved == {
        "created": 1,
        "confirmed": 1,  # paying twice confirms once
        "cancelled": 1,
        "expired": 0,
        "charge succeeded": 1,
        "charge declined": 1,
        "charge unavailable": 0,
        "refund succeeded": 1,
    }


def test_an_expiry_and_a_gateway_outage_are_counted(api):
    before = counted(api)
    pay = f"{book_as_guest(api)}/pay"
    assert api.post(pay, {"payment_method": OUTAGE_TOKEN}, format="json").status_code == 503
    after_outage = counted(api)
    assert after_outage["charge unavailable"] - before["charge unavailable"] == 1
    assert after_outage["charge succeeded"] == before["charge succeeded"]

    assert bookings_expire_due(now=timezone.now() + datetime.timedelta(days=1)) == 1
    assert counted(api)["expired"] - before["expired"] == 1


def test_a_booking_the_catalog_refuses_is_not_counted(api):
    departure = DepartureFactory(capacity=1)
    before = counted(api)
    refused = ask_to_book(api, departure, seats=2)
    assert refused.status_code == 409, refused.content
    assert counted(api)["created"] == before["created"]


def test_requests_are_counted_by_url_pattern_never_by_path(api):
    route = "api/catalog/tours/<slug>/"  # the regex route, written like a path()

    def answered(text: str) -> tuple[float, float]:
        ok = value(text, "tourism_http_requests_total", route=route, method="GET", status="200")
        return ok, value(text, "tourism_http_request_duration_seconds_count", route=route)

    before = answered(scrape(api))
    slugs = [DepartureFactory().tour.slug for _ in range(2)]
    for slug in slugs:
        assert api.get(f"/api/catalog/tours/{slug}/").status_code == 200
    assert api.get("/no/such/page/here").status_code == 404

    text = scrape(api)
    assert [after - earlier for after, earlier in zip(answered(text), before, strict=True)] == [
        2,
        2,
    ]
    routes = {
        dict(labels)["route"] for name, labels in samples(text) if name.startswith("tourism_http_")
    }
    assert not any(slug in route for slug in slugs for route in routes)
    assert not any("such" in route for route in routes)
    assert value(text, "tourism_http_requests_total", route="unmatched", status="404") >= 1


def test_seats_held_are_read_from_the_catalog_when_scraped(api):
    departure = DepartureFactory(capacity=6)
    assert value(scrape(api), "tourism_seats_held") == 0
    book(api, departure)
    book(api, departure)
    assert value(scrape(api), "tourism_seats_held") == 4


def test_the_outbox_backlog_and_its_lag_are_read_when_scraped(api, settings):
    settings.CELERY_BROKER_URL = (
        "amqp://guest:guest@127.0.0.1:1//"  # published by a relay: none runs
    )
    assert value(scrape(api), "tourism_outbox_backlog") == 0
    assert value(scrape(api), "tourism_outbox_lag_seconds") == 0
    with transaction.atomic():
        emit(booking_event(BookingConfirmed, reference="TB-LAG"))
        emit(booking_event(BookingCancelled, reference="TB-LAG"))
    text = scrape(api)
    assert value(text, "tourism_outbox_backlog") == 2
    assert value(text, "tourism_outbox_lag_seconds") > 0


def test_dead_letters_are_counted_per_queue_from_rabbitmq(api, broker):
    dead_letters = queues.dead_letter_queue("notifications")
    assert value(scrape(api), "tourism_dead_letter_messages", queue=dead_letters.name) == 0
    with Connection(RABBITMQ_URL) as connection:
        dead_letters(connection.default_channel).declare()
        producer = connection.Producer()
        for _ in range(3):
            producer.publish(
                {"event": "undeliverable"},
                exchange=queues.dead_letter_exchange(),
                routing_key=queues.name("notifications"),
                confirm_publish=True,
            )
    text = scrape(api)
    assert value(text, "tourism_dead_letter_messages", queue=dead_letters.name) == 3
    assert (
        value(text, "tourism_dead_letter_messages", queue=queues.name("bookings.dead-letter")) == 0
    )


def test_a_broker_that_does_not_answer_leaves_dead_letters_out_and_the_rest_in(api, settings):
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:1//"
    text = scrape(api)
    names = {name for name, _ in samples(text)}
    assert "tourism_dead_letter_messages" not in names
    assert {"tourism_outbox_backlog", "tourism_seats_held"} <= names


def test_a_scraper_reaches_a_pod_by_its_address_over_plain_http(api, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["tourism.example.com"]
    scraped = api.get("/metrics", HTTP_HOST="10.42.0.17:8000")
    assert scraped.status_code == 200
    assert "tourism_bookings_total" in scraped.content.decode()
    assert api.get("/api/", HTTP_HOST="10.42.0.17:8000").status_code == 400  # the rest: no
