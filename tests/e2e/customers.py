"""Customers and staff who use the public gateway as people do, and retry as a careful
client does: the same request again after a 503, or a 409 saying another one is still in
progress. Every answer they get (or the lack of one) is recorded with the fault of the
moment."""

import re
import threading
import time
from dataclasses import dataclass, field

import httpx

RETRY_PAUSE_SECONDS = 0.5
SETTLE_SECONDS = 120  # the longest a customer keeps retrying one step
PROBLEM = "application/problem+json"


def staff_session(base_url: str) -> httpx.Client:
    """Log in once on the admin, as staff do in a browser; the session's CSRF token is sent
    with every API write."""
    client = httpx.Client(base_url=base_url, timeout=60, follow_redirects=True)
    form = client.get("/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    response = client.post(
        "/admin/login/?next=/admin/",
        data={"username": "admin", "password": "admin", "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base_url}/admin/login/"},
    )
    assert "Log out" in response.text, response.text[:500]
    client.headers["X-CSRFToken"] = client.cookies["csrftoken"]
    return client


def hold_one_seat(gateway: httpx.Client, departure_id: int, key: str) -> httpx.Response:
    """``POST /api/bookings/``: one seat of the departure, for a guest."""
    return gateway.post(
        "/api/bookings/",
        json={
            "departure_id": departure_id,
            "seats": 1,
            "customer": {"name": "Bo", "email": "bo@example.com"},
        },
        headers={"Idempotency-Key": key},
    )


def problem_code(response: httpx.Response) -> str:
    if not response.headers.get("content-type", "").startswith(PROBLEM):
        return ""
    return response.json().get("type", "").rpartition(":")[2]


IN_PROGRESS = {"request-in-progress", "booking-busy", "payment-in-progress"}


def settled(response: httpx.Response | None) -> bool:
    """A final answer: not "try again later" (a 5xx, a request or payment of the booking
    still in progress, no answer at all)."""
    if response is None or response.status_code >= 500:
        return False
    return problem_code(response) not in IN_PROGRESS


@dataclass(frozen=True)
class Exchange:
    fault: str  # what was being done to the system when the answer came
    method: str
    path: str
    status: int | None  # None: no answer at all
    content_type: str
    body: str
    retry_after: str = ""  # the Retry-After header, if any
    at: float = 0.0  # time.monotonic() when the answer (or the lack of one) came

    def broken(self) -> bool:
        """No answer, or a server error other than a 503 problem ("try again later")."""
        if self.status is None:
            return True
        return self.status >= 500 and not (
            self.status == 503 and self.content_type.startswith(PROBLEM)
        )

    def __str__(self) -> str:
        return f"[{self.fault}] {self.method} {self.path} -> {self.status} {self.body[:300]}"


@dataclass
class Stream:
    """Every exchange of every customer and staff member, and the fault of the moment."""

    gateway_url: str
    fault: str = "none"
    exchanges: list[Exchange] = field(default_factory=list)

    def send(self, client: httpx.Client, method: str, path: str, **kwargs) -> httpx.Response:
        fault = self.fault
        try:
            response = client.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            self.exchanges.append(
                Exchange(fault, method, path, None, "", repr(exc), at=time.monotonic())
            )
            return None
        content_type = response.headers.get("content-type", "")
        exchange = Exchange(
            fault,
            method,
            path,
            response.status_code,
            content_type,
            response.text,
            retry_after=response.headers.get("retry-after", ""),
            at=time.monotonic(),
        )
        self.exchanges.append(exchange)
        return response

    def customer(self, number: int, *, departure_id: int, cards: list[str]) -> "Customer":
        return Customer(self, number, departure_id, cards)


class Customer:
    """Holds one seat with an Idempotency-Key, then pays with each card in turn: every
    card but the last is tried once (a decline, a provider error), the last until settled."""

    def __init__(self, stream: Stream, number: int, departure_id: int, cards: list[str]):
        self.stream = stream
        self.client = httpx.Client(base_url=stream.gateway_url, timeout=60)
        self.key = f"fault-suite-customer-{number}"
        self.order = {
            "departure_id": departure_id,
            "seats": 1,
            "customer": {"name": f"Customer {number}", "email": f"customer{number}@example.com"},
        }
        self.cards = cards
        self.booking: dict | None = None
        self.answers: dict[str, httpx.Response | None] = {}  # the last answer of each step

    def hold_once(self) -> httpx.Response | None:
        response = self.stream.send(
            self.client,
            "POST",
            "/api/bookings/",
            json=self.order,
            headers={"Idempotency-Key": self.key},
        )
        if response is not None and response.status_code == 201:
            self.booking = response.json()
        self.answers["hold"] = response
        return response

    def pay_once(self, card: str | None = None) -> httpx.Response | None:
        if self.booking is None:
            return None
        response = self.stream.send(
            self.client,
            "POST",
            f"/api/bookings/{self.booking['reference']}/pay",
            json={"payment_method": card or self.cards[-1]},
            headers=self.token,
        )
        self.answers["pay"] = response
        return response

    def hold(self) -> None:
        until_settled(self.hold_once)

    def pay(self) -> None:
        if self.booking is None:
            return
        for card in self.cards[:-1]:
            self.pay_once(card)
        until_settled(self.pay_once)

    def book(self) -> None:
        self.hold()
        self.pay()

    def last_answers(self) -> str:
        return "; ".join(
            f"{step}: {answer.status_code} {answer.text[:300]}" if answer else f"{step}: none"
            for step, answer in self.answers.items()
        )

    @property
    def token(self) -> dict[str, str]:
        return {"X-Booking-Token": self.booking["access_token"]}

    def current_booking(self) -> dict:
        response = self.stream.send(
            self.client, "GET", f"/api/bookings/{self.booking['reference']}/", headers=self.token
        )
        return response.json()


def until_settled(attempt) -> httpx.Response | None:
    """``attempt()`` again until its answer is final or SETTLE_SECONDS have passed."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while not settled(response := attempt()) and time.monotonic() < deadline:
        time.sleep(RETRY_PAUSE_SECONDS)
    return response


class StaffEditor(threading.Thread):
    """Edits departures' prices and capacities through the staff API, a fixed number of
    times, while customers book them."""

    def __init__(self, stream: Stream, departures: list[dict], *, edits: int):
        super().__init__(daemon=True)
        self.stream = stream
        self.departures = departures
        self.edits = edits

    def run(self) -> None:
        staff = staff_session(self.stream.gateway_url)
        for edit in range(self.edits):
            departure = self.departures[edit % len(self.departures)]
            change = {"price": f"{100 + edit}.00"}
            if edit % 3 == 2:  # a larger capacity is always allowed
                departure["capacity"] += 1
                change = {"capacity": departure["capacity"]}
            path = f"/api/catalog/departures/{departure['id']}/"
            self.stream.send(staff, "PATCH", path, json=change)
