"""``make screenshots``: every page of the storefront, on a desktop and a phone, into
``docs/storefront/`` for ``docs/storefront.md``.

Runs the monolith behind the gateway on this machine (``deploy/local/topology.py``, its own
databases and free ports), walks the journey in Debian's Chromium and saves one PNG per page
and viewport.
"""

import re
import sys
import uuid
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from deploy.local.chromium import DESKTOP, PHONE, launch
from deploy.local.topology import Topology, TopologyError, free_ports

OUT = Path(__file__).resolve().parents[2] / "docs" / "storefront"
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


def journey(page: Page, shoot) -> None:
    page.goto("/?available=true")
    page.get_by_test_id("tour-card").first.wait_for()
    shoot("tours")
    page.get_by_test_id("tour-card").first.get_by_role("link").click()
    page.get_by_test_id("departure").first.wait_for()
    shoot("tour")
    page.locator('a[href*="/book/"]').first.click()
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Email").fill("ada@example.com")
    shoot("book")
    page.get_by_role("button", name="Hold my seats").click()
    page.get_by_role("radio", name=re.compile("tok_declined")).check()
    page.get_by_role("button", name=re.compile("^Pay ")).click()
    page.get_by_role("alert").wait_for()
    shoot("pay")
    page.get_by_role("radio", name=re.compile("tok_visa")).check()
    page.get_by_role("button", name=re.compile("^Pay ")).click()
    page.get_by_test_id("reference").wait_for()
    shoot("confirmation")
    page.get_by_role("link", name="Manage my booking").click()
    page.get_by_test_id("booking-status").wait_for()
    shoot("manage")
    page.get_by_label("Language").select_option("fr")
    page.goto("/?available=true")
    page.get_by_test_id("tour-card").first.wait_for()
    shoot("tours-fr")


def main() -> int:
    topology = Topology(
        "monolith",
        ports=free_ports(),
        database_prefix=f"tourism_screenshots_{uuid.uuid4().hex[:8]}",
        queue_prefix="screenshots.",
        echo=None,
    )
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        with topology, sync_playwright() as playwright:
            topology.prepare()
            topology.start()
            browser = launch(playwright)
            for name, viewport in VIEWPORTS.items():
                context = browser.new_context(
                    base_url=topology.gateway_url, viewport=viewport, locale="en-GB"
                )
                page = context.new_page()

                def shoot(step: str, name: str = name, page: Page = page) -> None:
                    path = OUT / f"{step}-{name}.png"
                    page.screenshot(path=path, animations="disabled")  # what the screen shows
                    print(f"wrote {path.relative_to(OUT.parents[1])}", flush=True)

                journey(page, shoot)
                context.close()
            browser.close()
    except TopologyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        topology.drop_databases()
    return 0


if __name__ == "__main__":
    sys.exit(main())
