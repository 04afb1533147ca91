"""The storefront in a real browser (Debian's Chromium), through the public gateway only:
the same test code against the services topology and the monolith."""

import re
import uuid
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from deploy.local.chromium import DESKTOP, PHONE
from tests.e2e.test_journey_through_the_gateway import emails_for, staff_session
from tests.messaging import wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"


def api(topology) -> httpx.Client:
    return httpx.Client(base_url=topology.gateway_url, timeout=30)


def bookable_tour(topology, seats: int = 2) -> tuple[dict, dict]:
    """A tour and one of its departures with at least ``seats`` left."""
    for summary in (
        api(topology).get("/api/catalog/tours/", params={"available": "true"}).json()["results"]
    ):
        tour = api(topology).get(f"/api/catalog/tours/{summary['slug']}/").json()
        for departure in tour["departures"]:
            if departure["seats_available"] >= seats:
                return tour, departure
    raise AssertionError("the demo data has no departure with seats left")


def seats_left(page: Page, departure_id: int) -> int:
    row = page.get_by_test_id("departure").filter(
        has=page.locator(f'a[href$="/book/{departure_id}"]')
    )
    return int(row.get_by_test_id("seats-left").inner_text())


def fill_booking(page: Page, *, seats: int, name: str, email: str) -> None:
    page.get_by_label("Seats").fill(str(seats))
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)


def pay_with(page: Page, card: str) -> None:
    page.get_by_role("radio", name=re.compile(card)).check()
    page.get_by_role("button", name=re.compile("^Pay ")).click()


def plain_text(message) -> str:
    (part,) = [part for part in message.walk() if part.get_content_type() == "text/plain"]
    return part.get_payload(decode=True).decode()


def serious_accessibility_violations(page: Page) -> list[str]:
    page.add_script_tag(content=AXE.read_text())
    violations = page.evaluate("axe.run(document).then(results => results.violations)")
    return [
        f"{violation['id']}: {violation['help']}"
        for violation in violations
        if violation["impact"] in ("serious", "critical")
    ]


def test_a_tourist_filters_books_pays_and_cancels_from_the_email_link(page, topology, smtp_sink):
    tour, departure = bookable_tour(topology)
    destination = tour["destination"]

    page.goto("/")
    page.get_by_label("Destination").select_option(destination["slug"])
    page.get_by_label("Only tours with seats left").check()
    page.get_by_role("button", name="Show tours").click()
    expect(page).to_have_url(re.compile(f"destination={destination['slug']}.*available=true"))
    filtered = api(topology).get(
        "/api/catalog/tours/", params={"destination": destination["slug"], "available": "true"}
    )
    titles = [summary["title"] for summary in filtered.json()["results"]]
    expect(page.get_by_test_id("tour-card").locator("h3")).to_have_text(titles)

    page.get_by_role("link", name=tour["title"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tour["title"])
    before = seats_left(page, departure["id"])
    page.locator(f'a[href$="/book/{departure["id"]}"]').click()

    email = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    fill_booking(page, seats=2, name="Ada Lovelace", email=email)
    page.get_by_role("button", name="Hold my seats").click()
    expect(page).to_have_url(re.compile(r"/bookings/[\w-]+/pay$"))
    expect(page.get_by_text(re.compile("Your seats are held for \\d+:\\d\\d"))).to_be_visible()
    reference = page.url.split("/")[-2]

    pay_with(page, "tok_declined")
    expect(page.get_by_role("alert")).to_have_text(
        "Your card was declined. Please try another card."
    )
    pay_with(page, "tok_visa")
    expect(page).to_have_url(re.compile(f"/bookings/{reference}/confirmed$"))
    expect(page.get_by_test_id("reference")).to_have_text(reference)

    (confirmation,) = wait_until(
        lambda: emails_for(smtp_sink, reference), timeout=30, what="confirmation email"
    )
    link = re.search(r"(http\S+/bookings/\S+)", plain_text(confirmation))[1]
    assert link.startswith(f"{topology.gateway_url}/bookings/{reference}#token=")

    # The link opens in another browser (no storage of this one): the fragment carries the
    # token, and the page drops it from the address bar.
    other = page.context.browser.new_context(base_url=topology.gateway_url)
    guest = other.new_page()
    guest.goto(link)
    expect(guest.get_by_test_id("booking-status")).to_have_text("Confirmed")
    expect(guest).to_have_url(f"{topology.gateway_url}/bookings/{reference}")
    guest.on("dialog", lambda dialog: dialog.accept())
    guest.get_by_role("button", name="Cancel my booking").click()
    expect(guest.get_by_test_id("booking-status")).to_have_text("Cancelled")
    expect(guest.get_by_role("status")).to_contain_text("Refund:")

    guest.get_by_role("link", name=tour["title"]).click()
    expect(guest.get_by_role("heading", level=1)).to_have_text(tour["title"])
    assert seats_left(guest, departure["id"]) == before
    other.close()


def test_a_sold_out_departure_is_shown_but_cannot_be_booked(page, topology):
    tour, departure = bookable_tour(topology, seats=1)
    created = api(topology).post(
        "/api/bookings/",
        json={
            "departure_id": departure["id"],
            "seats": departure["seats_available"],
            "customer": {"name": "Group", "email": "group@example.com"},
        },
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert created.status_code == 201, created.text

    page.goto(f"/tours/{tour['slug']}")
    expect(page.get_by_role("heading", level=1)).to_have_text(tour["title"])
    expect(page.get_by_text("Sold out")).to_be_visible()
    expect(page.locator(f'a[href$="/book/{departure["id"]}"]')).to_have_count(0)

    page.goto(f"/tours/{tour['slug']}/book/{departure['id']}")
    expect(page.get_by_role("alert")).to_have_text("This departure is sold out.")
    expect(page.get_by_role("button", name="Hold my seats")).to_have_count(0)


def test_double_clicking_book_makes_one_booking(page, topology):
    tour, departure = bookable_tour(topology)
    email = f"double-{uuid.uuid4().hex[:8]}@example.com"
    page.goto(f"/tours/{tour['slug']}/book/{departure['id']}")
    fill_booking(page, seats=1, name="Double Click", email=email)
    page.get_by_role("button", name="Hold my seats").dblclick()
    expect(page).to_have_url(re.compile(r"/bookings/[\w-]+/pay$"))

    bookings = staff_session(topology.gateway_url).get("/api/bookings/", params={"search": email})
    assert bookings.json()["count"] == 1


def test_the_form_shows_what_is_wrong_next_to_the_field(page, topology):
    tour, departure = bookable_tour(topology)
    page.goto(f"/tours/{tour['slug']}/book/{departure['id']}")
    fill_booking(page, seats=1, name="", email="not-an-email")
    page.get_by_role("button", name="Hold my seats").click()
    expect(page.get_by_label("Email")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Please enter a valid email address.")).to_be_visible()
    expect(page.get_by_text("Please fill this in.")).to_be_visible()
    assert page.url.endswith(f"/book/{departure['id']}")


def test_switching_to_french_translates_the_page_and_formats_prices(page, topology):
    page.goto("/")
    expect(page.get_by_test_id("tour-card").first).to_be_visible()
    page.get_by_label("Language").select_option("fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trouvez votre prochain circuit")
    assert page.evaluate("document.documentElement.lang") == "fr"
    # French prices: a decimal comma and the currency sign after the amount.
    price = page.get_by_test_id("tour-card").first.locator(".price").inner_text()
    assert re.fullmatch(r"à partir de [\d\s\u202f]+,\d\d\s€", price), price

    page.reload()  # the choice is remembered
    expect(page.get_by_label("Langue")).to_have_value("fr")


@pytest.fixture
def axe_page(browser, topology):
    """A visitor whose browser lets the test add axe-core's script to pages that allow
    scripts from this site only (their Content-Security-Policy stays as served)."""
    context = browser.new_context(
        base_url=topology.gateway_url, viewport=DESKTOP, locale="en-GB", bypass_csp=True
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_every_page_has_no_serious_accessibility_violation(axe_page, topology):
    page = axe_page
    tour, departure = bookable_tour(topology)
    pages = {
        "not found": "/no/such/page",
        "tours": "/",
        "tour": f"/tours/{tour['slug']}",
        "book": f"/tours/{tour['slug']}/book/{departure['id']}",
    }
    found = {}
    for name, path in pages.items():
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        found[name] = serious_accessibility_violations(page)
    fill_booking(page, seats=1, name="Axe", email="axe@example.com")
    page.get_by_role("button", name="Hold my seats").click()
    expect(page.get_by_role("radio", name=re.compile("tok_visa"))).to_be_visible()
    found["pay"] = serious_accessibility_violations(page)
    pay_with(page, "tok_visa")
    expect(page.get_by_test_id("reference")).to_be_visible()
    found["confirmation"] = serious_accessibility_violations(page)
    page.get_by_role("link", name="Manage my booking").click()
    expect(page.get_by_test_id("booking-status")).to_be_visible()
    found["manage"] = serious_accessibility_violations(page)
    assert {name: problems for name, problems in found.items() if problems} == {}


def test_filters_sit_beside_the_tours_on_a_desktop_and_above_them_on_a_phone(page, topology):
    page.goto("/")
    expect(page.get_by_test_id("tour-card").first).to_be_visible()
    filters = page.get_by_role("search").bounding_box()
    card = page.get_by_test_id("tour-card").first.bounding_box()
    assert card["x"] >= filters["x"] + filters["width"]

    page.set_viewport_size(PHONE)
    expect(page.get_by_role("search")).to_have_css("width", re.compile(r"3\d\d(\.\d+)?px"))
    filters = page.get_by_role("search").bounding_box()
    card = page.get_by_test_id("tour-card").first.bounding_box()
    assert card["y"] >= filters["y"] + filters["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_shop_survives_a_page_reload_on_its_own_routes(page, topology):
    tour, _ = bookable_tour(topology)
    response = page.goto(f"/tours/{tour['slug']}")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(tour["title"])


def test_with_the_catalog_down_the_shop_says_so_and_recovers(page, topology):
    if topology.mode != "services":
        pytest.skip("only the services topology can lose its catalog alone")
    topology.stop("catalog")
    try:
        page.goto("/")
        expect(page.get_by_role("alert")).to_contain_text("temporarily unavailable")
    finally:
        topology.start("catalog")
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_test_id("tour-card").first).to_be_visible()
    # The filters' choices, which failed along with the tours, are back too.
    expect(page.get_by_label("Destination").locator("option")).not_to_have_count(1)
