"""The storefront: what a first visit downloads (the initial JavaScript and CSS, gzipped;
the JavaScript against its 120 kB budget) and how long a fresh browser takes from
navigation to the first tour card (headless Chromium on loopback, a new context per run so
nothing is cached; the median is reported, not asserted)."""

import gzip
import re
import shutil
import statistics
from pathlib import Path

from playwright.sync_api import sync_playwright

from deploy.local.chromium import CHROMIUM, launch
from deploy.local.storefront import StorefrontError, ensure_built

from . import not_run

JS_BUDGET_KB = 120
RUNS = 10
CARD = '[data-testid="tour-card"]'
# Runs before the page's scripts: notes when the first tour card enters the document, in
# milliseconds since the navigation started.
RECORD_FIRST_CARD = f"""
new MutationObserver((_, observer) => {{
  if (document.querySelector('{CARD}')) {{
    window.firstTourCardMs = performance.now();
    observer.disconnect();
  }}
}}).observe(document, {{childList: true, subtree: true}});
"""


def initial_assets(dist: Path) -> dict[str, list[Path]]:
    """What index.html makes the browser fetch before it can render: its scripts, module
    preloads and stylesheets (lazily loaded chunks are not initial)."""
    index = (dist / "index.html").read_text()
    scripts = re.findall(r'<script[^>]* src="/([^"]+)"', index)
    scripts += re.findall(r'<link rel="modulepreload"[^>]* href="/([^"]+)"', index)
    styles = re.findall(r'<link rel="stylesheet"[^>]* href="/([^"]+)"', index)
    return {"js": [dist / name for name in scripts], "css": [dist / name for name in styles]}


def gzipped_kb(paths: list[Path]) -> float:
    return round(sum(len(gzip.compress(path.read_bytes(), 9)) for path in paths) / 1000, 1)


def bundle(dist: Path) -> dict:
    assets = initial_assets(dist)
    js = gzipped_kb(assets["js"])
    return {
        "initial_js_gzip_kb": js,
        "initial_css_gzip_kb": gzipped_kb(assets["css"]),
        "js_budget_kb": JS_BUDGET_KB,
        "within_budget": js <= JS_BUDGET_KB,
    }


def first_tour_card_ms(base_url: str, runs: int) -> list[float]:
    times = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for _ in range(runs):
            context = browser.new_context()
            page = context.new_page()
            page.add_init_script(RECORD_FIRST_CARD)
            page.goto(f"{base_url}/")
            page.wait_for_selector(CARD)
            times.append(round(page.evaluate("window.firstTourCardMs"), 1))
            context.close()
        browser.close()
    return times


def run(base_url: str, runs: int = RUNS) -> dict:
    """``base_url`` serves the shop's build at / and the API."""
    if not shutil.which(CHROMIUM):
        return not_run("needs Debian's chromium (make chromium)")
    try:
        dist = ensure_built()
    except StorefrontError as exc:
        return not_run(str(exc))
    times = first_tour_card_ms(base_url, runs)
    return {
        "status": "ok",
        **bundle(dist),
        "first_tour_card_ms": {"median": statistics.median(times), "runs": times},
    }
