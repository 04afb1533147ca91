"""Read path: the tours list, a tour's page and a text search, against two baselines
served by the same server in the same run (a constant JSON view, and the list's query
hand-written with ``.values()``), each driven by ``wrk`` (benchmarks/wrk.py).

The constant baseline is the harness ceiling: no Django view can be answered faster by this
server and generator on this machine, so an endpoint within 10% of it is reported as
bound by the harness (its real figure may be higher)."""

import httpx

from .. import wrk
from ..dataset import Catalog
from ..plan import Plan
from . import not_run

LIST_CATEGORY = "hiking"
SEARCH_TERMS = ["lisbon", "kyoto", "santorini", "cusco", "marrakech", "lofoten"]
CEILING_SHARE = 0.9  # at or above this share of the ceiling, the harness is the limit


def endpoints(catalog: Catalog) -> dict[str, list[str]]:
    """Each endpoint's request paths, cycled through by the load generator."""
    return {
        "constant_baseline": ["/bench/constant"],
        "values_baseline": [f"/bench/tours-values?category={LIST_CATEGORY}"],
        "tours_list": [f"/api/catalog/tours/?category={LIST_CATEGORY}&ordering=price"],
        "tour_detail": [f"/api/catalog/tours/{slug}/" for slug in catalog.tour_slugs],
        "search": [f"/api/catalog/tours/?search={term}&ordering=-price" for term in SEARCH_TERMS],
    }


def same_page(base_url: str) -> bool:
    """The values baseline answers with the same tours as the API (a fair comparison)."""
    api = httpx.get(f"{base_url}/api/catalog/tours/?category={LIST_CATEGORY}&ordering=price")
    baseline = httpx.get(f"{base_url}/bench/tours-values?category={LIST_CATEGORY}")
    api.raise_for_status()
    baseline.raise_for_status()
    return api.json()["results"] == baseline.json()["results"]


def combine(runs: list[dict]) -> dict:
    """Rounds of one endpoint: throughput over all of them, the worst round's percentiles."""
    seconds = sum(run["seconds"] for run in runs)
    requests = sum(run["requests"] for run in runs)
    return {
        "requests": requests,
        "errors": sum(run["errors"] for run in runs),
        "req_per_s": round(requests / seconds, 2) if seconds else 0.0,
        **{key: max(run[key] for run in runs) for key in ("p50_ms", "p95_ms", "p99_ms")},
        "concurrency": runs[0]["concurrency"],
        "seconds": round(seconds, 2),
    }


def with_ceiling(figures: dict, ceiling: float) -> dict:
    figures["ceiling_req_per_s"] = ceiling
    figures["bound_by_harness"] = figures["req_per_s"] >= CEILING_SHARE * ceiling
    return figures


def run(plan: Plan, base_url: str, catalog: Catalog) -> dict:
    if reason := wrk.missing():
        return not_run(reason)
    paths = endpoints(catalog)
    names = list(paths)
    measurements = {name: [] for name in names}
    for round_number in range(plan.read_rounds):
        order = names if round_number % 2 == 0 else names[::-1]  # spread drift evenly
        for name in order:
            print(f"  read path, round {round_number + 1}/{plan.read_rounds}: {name}", flush=True)
            options = {"connections": plan.read_concurrency}
            wrk.measure(base_url, paths[name], seconds=plan.read_warmup_seconds, **options)
            measurements[name].append(
                wrk.measure(base_url, paths[name], seconds=plan.read_seconds, **options)
            )
    figures = {name: combine(runs) for name, runs in measurements.items()}
    ceiling = figures["constant_baseline"]["req_per_s"]
    for endpoint in figures.values():
        with_ceiling(endpoint, ceiling)
        for baseline in ("constant_baseline", "values_baseline"):
            endpoint[f"vs_{baseline}"] = round(
                endpoint["req_per_s"] / figures[baseline]["req_per_s"], 3
            )
    return {
        "status": "ok",
        "load_generator": "wrk, one thread, closed loop",
        "values_baseline_matches_api": same_page(base_url),
        "endpoints": figures,
        "paths": {name: paths[name][0] for name in names},
    }
