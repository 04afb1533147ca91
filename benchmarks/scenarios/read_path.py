"""Read path: the tours list, a tour's page and a text search, against two baselines
served by the same server in the same run (a constant JSON view, and the list's query
hand-written with ``.values()``)."""

import asyncio
import itertools

import httpx

from ..dataset import Catalog
from ..loadgen import closed_loop, summarize, timed
from ..plan import Plan

LIST_CATEGORY = "hiking"
SEARCH_TERMS = ["lisbon", "kyoto", "santorini", "cusco", "marrakech", "lofoten"]


def endpoints(catalog: Catalog) -> dict[str, itertools.cycle]:
    """Each endpoint's request paths, cycled through by the load generator."""
    return {
        "constant_baseline": itertools.cycle(["/bench/constant"]),
        "values_baseline": itertools.cycle([f"/bench/tours-values?category={LIST_CATEGORY}"]),
        "tours_list": itertools.cycle(
            [f"/api/catalog/tours/?category={LIST_CATEGORY}&ordering=price"]
        ),
        "tour_detail": itertools.cycle(
            [f"/api/catalog/tours/{slug}/" for slug in catalog.tour_slugs]
        ),
        "search": itertools.cycle(
            [f"/api/catalog/tours/?search={term}&ordering=-price" for term in SEARCH_TERMS]
        ),
    }


def same_page(base_url: str) -> bool:
    """The values baseline answers with the same tours as the API (a fair comparison)."""
    api = httpx.get(f"{base_url}/api/catalog/tours/?category={LIST_CATEGORY}&ordering=price")
    baseline = httpx.get(f"{base_url}/bench/tours-values?category={LIST_CATEGORY}")
    api.raise_for_status()
    baseline.raise_for_status()
    return api.json()["results"] == baseline.json()["results"]


def run(plan: Plan, base_url: str, catalog: Catalog) -> dict:
    paths = endpoints(catalog)
    names = list(paths)
    measurements = {name: [] for name in names}
    for round_number in range(plan.read_rounds):
        order = names if round_number % 2 == 0 else names[::-1]  # spread drift evenly
        for name in order:
            print(f"  read path, round {round_number + 1}/{plan.read_rounds}: {name}", flush=True)
            measurements[name].append(asyncio.run(_measure(plan, base_url, name, paths[name])))
    figures = {name: _figures(summarize(runs), name) for name, runs in measurements.items()}
    for endpoint in figures.values():
        for baseline in ("constant_baseline", "values_baseline"):
            endpoint[f"vs_{baseline}"] = round(
                endpoint["req_per_s"] / figures[baseline]["req_per_s"], 3
            )
    return {
        "status": "ok",
        "values_baseline_matches_api": same_page(base_url),
        "endpoints": figures,
        "paths": {name: next(paths[name]) for name in names},
    }


async def _measure(plan: Plan, base_url: str, name: str, paths):
    async def get(conn, number, recorder):
        await timed(conn, recorder, name, 200, "GET", next(paths))

    return await closed_loop(
        label=name,
        base_url=base_url,
        iteration=get,
        concurrency=plan.read_concurrency,
        seconds=plan.read_seconds,
        max_iterations=plan.read_max_requests,
        warmup_seconds=plan.read_warmup_seconds,
        progress_every=plan.progress_every,
    )


def _figures(summary: dict, name: str) -> dict:
    requests = summary["requests"].get(name, {"count": 0, "errors": 0, "per_s": 0.0})
    figures = {
        "requests": requests["count"],
        "errors": requests["errors"],
        "req_per_s": requests["per_s"],
        "p50_ms": requests.get("p50_ms"),
        "p95_ms": requests.get("p95_ms"),
        "p99_ms": requests.get("p99_ms"),
        "concurrency": summary["concurrency"],
        "seconds": summary["seconds"],
    }
    if "failure_examples" in summary:
        figures["failure_examples"] = summary["failure_examples"]
    return figures
