"""A marketing campaign: a read spike on the tours list and a few promoted tour pages
through the product's nginx gateway with its micro-cache, while customers keep booking
(the write path's journeys, through the same gateway).

Normal browse load is what the read path's ``.values()`` baseline serves (the list's query
without the API, straight from Django: about what the server alone can give). The spike
offers ``campaign_spike_factor`` times that in all, half to the tours list and half to the
tour pages, from ``campaign_spike_factor`` times the read path's connections, each pacing
its requests (benchmarks/wrk.py). Booking is measured for the same time without and then
during the spike: the ratio of the journeys' p99 says what the spike costs a customer who
books. Then, as information, the gateway's capacity for the tours list (``wrk`` unpaced)
beside the harness ceiling, ``wrk`` against the gateway's own ``/healthz`` (nginx
answering without any upstream): a figure near it is bound by the generator and nginx on
this machine, not by the product."""

from .. import wrk
from ..plan import Plan
from . import not_run
from .read_path import LIST_CATEGORY, with_ceiling
from .write_path import measure as measure_journeys

LIST_PAGES = [
    f"/api/catalog/tours/?category={LIST_CATEGORY}&ordering=price",
    f"/api/catalog/tours/?category={LIST_CATEGORY}&ordering=price&page=2",
    "/api/catalog/tours/?ordering=price",
]


def run(
    plan: Plan,
    gateway_url: str,
    *,
    tour_slugs: list[str],
    departure_ids: list[int],
    browse_req_per_s: float | None,
) -> dict:
    if reason := wrk.missing():
        return not_run(reason)
    if not browse_req_per_s:
        return not_run("the read path's .values() baseline was not measured")
    tour_pages = [f"/api/catalog/tours/{slug}/" for slug in tour_slugs[: plan.campaign_tour_pages]]
    connections = plan.read_concurrency * plan.campaign_spike_factor // 2  # per kind of page
    offered = plan.campaign_spike_factor * browse_req_per_s / 2  # per kind of page
    calm = journeys(plan, gateway_url, departure_ids, "campaign, booking without the spike")
    spike_seconds = plan.campaign_seconds + plan.write_warmup_seconds + 1
    spike = {
        name: wrk.Wrk(
            gateway_url, pages, connections=connections, seconds=spike_seconds, rate=offered
        )
        for name, pages in (("tours_list", LIST_PAGES), ("tour_pages", tour_pages))
    }
    during = journeys(plan, gateway_url, departure_ids, "campaign, booking during the spike")
    reads = {name: run.result() for name, run in spike.items()}
    print("  campaign: the gateway's capacity and the harness ceiling", flush=True)
    options = {"connections": 2 * connections, "seconds": plan.campaign_seconds}
    ceiling = wrk.measure(gateway_url, ["/healthz"], **options)["req_per_s"]
    capacity = with_ceiling(wrk.measure(gateway_url, LIST_PAGES, **options), ceiling)
    spike_total = sum(figures["req_per_s"] for figures in reads.values())
    return {
        "status": "ok",
        "gateway": "deploy/nginx/gateway.conf.template, micro-cache on",
        "browse_req_per_s": browse_req_per_s,
        "spike_connections": 2 * connections,
        "offered_req_per_s": round(2 * offered, 2),
        "spike_req_per_s": round(spike_total, 2),
        "spike_vs_browse": round(spike_total / browse_req_per_s, 2),
        "reads": reads,
        "booking_without_spike": calm,
        "booking_during_spike": during,
        "booking_p99_ratio": round(during["journey_p99_ms"] / calm["journey_p99_ms"], 3),
        "tours_list_vs_values": round(reads["tours_list"]["req_per_s"] / browse_req_per_s, 3),
        "tours_list_capacity": capacity,
        "harness_ceiling_req_per_s": ceiling,
    }


def journeys(plan: Plan, gateway_url: str, departure_ids: list[int], label: str) -> dict:
    print(f"  {label}", flush=True)
    return measure_journeys(plan, gateway_url, departure_ids, label, seconds=plan.campaign_seconds)
