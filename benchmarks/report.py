"""The results: ``results.json`` (every figure, a ``summary`` and the targets),
``results.md`` (tables) and ``latency.png`` (percentiles and throughput per scenario)."""

import copy
import json
from pathlib import Path

from django import template

SUMMARY_KEYS = [
    "tours_list_vs_values",
    "services_vs_monolith_throughput",
    "services_vs_monolith_p99",
    "hot_departure_successes",
    "hot_departure_oversold",
    "notify_fast_p95_ms",
    "max_ready_seconds",
    "max_worker_rss_mib",
    "shop_initial_js_gzip_kb",
    "shop_first_tour_card_ms",
    "search_vs_values",
    "campaign_booking_p99_ratio",
    "campaign_tours_list_vs_values",
    "observability_booking_throughput_ratio",
    "observability_booking_p99_ratio",
    "api_schema_kept_p50_ms",
    "catalog_extraction_freeze_seconds",
]


def _ok(scenarios: dict, name: str) -> dict:
    scenario = scenarios.get(name, {})
    return scenario if scenario.get("status") == "ok" else {}


def summary(scenarios: dict) -> dict:
    """The headline figures; None where the scenario did not run (its reason is in it)."""
    read = _ok(scenarios, "read_path").get("endpoints", {})
    write = _ok(scenarios, "write_path")
    hot = _ok(scenarios, "hot_departure")
    notify = _ok(scenarios, "notifications").get("fast", {})
    foot = _ok(scenarios, "footprint")
    shop = _ok(scenarios, "storefront")
    spike = _ok(scenarios, "campaign")
    observed = _ok(scenarios, "observability")
    return {
        "tours_list_vs_values": read.get("tours_list", {}).get("vs_values_baseline"),
        "services_vs_monolith_throughput": write.get("services_vs_monolith_throughput"),
        "services_vs_monolith_p99": write.get("services_vs_monolith_p99"),
        "hot_departure_successes": hot.get("successes"),
        "hot_departure_oversold": hot.get("oversold"),
        "notify_fast_p95_ms": notify.get("p95_ms"),
        "max_ready_seconds": foot.get("max_ready_seconds"),
        "max_worker_rss_mib": foot.get("max_worker_rss_mib"),
        "shop_initial_js_gzip_kb": shop.get("initial_js_gzip_kb"),
        "shop_first_tour_card_ms": shop.get("first_tour_card_ms", {}).get("median"),
        "search_vs_values": read.get("search", {}).get("vs_values_baseline"),
        "campaign_booking_p99_ratio": spike.get("booking_p99_ratio"),
        "campaign_tours_list_vs_values": spike.get("tours_list_vs_values"),
        "observability_booking_throughput_ratio": observed.get("throughput_ratio"),
        "observability_booking_p99_ratio": observed.get("p99_ratio"),
        "api_schema_kept_p50_ms": _ok(scenarios, "api_schema").get("kept_p50_ms"),
        "catalog_extraction_freeze_seconds": _ok(scenarios, "extraction").get("freeze_seconds"),
    }


def targets(s: dict, seats: int | None) -> list[dict]:
    """Each target: its goal, the summary's value and whether it is met (None: not measured)."""
    goals = [  # (target, summary key, goal, met by a measured value)
        ("tours list vs .values() baseline", "tours_list_vs_values", ">= 0.8x", lambda v: v >= 0.8),
        ("search vs .values() baseline", "search_vs_values", ">= 0.8x", lambda v: v >= 0.8),
        (
            "services/monolith booking throughput",
            "services_vs_monolith_throughput",
            ">= 0.8x",
            lambda v: v >= 0.8,
        ),
        (
            "services/monolith booking p99",
            "services_vs_monolith_p99",
            "<= 1.3x",
            lambda v: v <= 1.3,
        ),
        (
            "campaign: booking p99 during / without the spike",
            "campaign_booking_p99_ratio",
            "<= 1.5x",
            lambda v: v <= 1.5,
        ),
        (
            "campaign: tours list vs .values() baseline",
            "campaign_tours_list_vs_values",
            ">= 5x",
            lambda v: v >= 5,
        ),
        (
            "booking throughput with tracing (full sampling) and metrics / without",
            "observability_booking_throughput_ratio",
            ">= 0.9x",
            lambda v: v >= 0.9,
        ),
        (
            "hot departure: exactly the seats every run",
            "hot_departure_successes",
            f"{seats} every run",
            lambda v: bool(v) and all(n == seats for n in v),
        ),
        ("hot departure: oversold", "hot_departure_oversold", "0", lambda v: v == 0),
        ("commit-to-email p95 (fast path)", "notify_fast_p95_ms", "< 500 ms", lambda v: v < 500),
        ("every service ready", "max_ready_seconds", "<= 3 s", lambda v: v <= 3),
        (
            "resident memory per gunicorn worker",
            "max_worker_rss_mib",
            "< 100 MiB",
            lambda v: v < 100,
        ),
        (
            "catalog extraction: write freeze",
            "catalog_extraction_freeze_seconds",
            "< 5 s",
            lambda v: v < 5,
        ),
        (
            "storefront initial JavaScript, gzipped",
            "shop_initial_js_gzip_kb",
            "<= 120 kB",
            lambda v: v <= 120,
        ),
    ]
    return [
        {
            "target": name,
            "goal": goal,
            "value": s[key],
            "met": None if s[key] is None else met(s[key]),
        }
        for name, key, goal, met in goals
    ]


def write(results: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    results["summary"] = summary(results["scenarios"])
    seats = results["scenarios"].get("hot_departure", {}).get("seats")
    results["targets"] = targets(results["summary"], seats)
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (out / "results.md").write_text(markdown(results))
    from .chart import draw  # matplotlib is imported only when the results are written

    draw(results, out / "latency.png")


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    return str(value)


register = template.Library()  # the filters results.md loads as `report`
register.filter("fmt", _fmt)


@register.filter
def bound(figures: dict) -> str:
    return "harness" if figures["bound_by_harness"] else "server"


TEMPLATES = template.Engine(
    dirs=[Path(__file__).parent / "templates"], libraries={"report": "benchmarks.report"}
)
SECTIONS = [
    "read_path",
    "write_path",
    "campaign",
    "observability",
    "api_schema",
    "hot_departure",
    "notifications",
    "footprint",
    "storefront",
    "extraction",
]


def _journey(measured: dict) -> dict:
    """A book-and-pay measurement with its steps' p99 and its errors summed."""
    steps = measured["requests"]
    return measured | {
        "book_p99_ms": steps.get("book", {}).get("p99_ms"),
        "pay_p99_ms": steps.get("pay", {}).get("p99_ms"),
        "errors": sum(step["errors"] for step in steps.values()),
    }


def _processes(foot: dict) -> list[dict]:
    """One footprint row per web and Celery process: its largest worker and its master."""
    return [
        {
            "name": name,
            "ready_seconds": process.get("ready_seconds"),
            "workers": len(process["workers"]),
            "worker_rss_mib": max((w.get("rss_mib", 0) for w in process["workers"]), default=None),
            "worker_pss_mib": max((w.get("pss_mib", 0) for w in process["workers"]), default=None),
            "master_rss_mib": process["master"].get("rss_mib"),
        }
        for name, process in [*foot["web"].items(), *foot["celery"].items()]
    ]


def _sections(scenarios: dict) -> dict:
    """Each section's scenario (empty when it did not run) with the rows the tables need."""
    sections = {name: _ok(scenarios, name) for name in SECTIONS}
    write, spike = sections["write_path"], sections["campaign"]
    hot, foot = sections["hot_departure"], sections["footprint"]
    if write:
        modes = [mode for mode in ("monolith", "services") if mode in write]
        write["modes"] = [(mode, _journey(write[mode])) for mode in modes]
    if spike:
        spike["bookings"] = [
            ("without the spike", _journey(spike["booking_without_spike"])),
            ("during the spike", _journey(spike["booking_during_spike"])),
        ]
    if sections["observability"]:
        observed = sections["observability"]
        observed["modes"] = [(label, _journey(observed[label])) for label in ("off", "on")]
    if sections["api_schema"]:
        sections["api_schema"]["kept_requests"] = sections["api_schema"]["requests"] - 1
    if hot:
        hot["runs"] = [run | {"other": sum(run["other_outcomes"].values())} for run in hot["runs"]]
    if sections["notifications"]:
        notify = sections["notifications"]
        notify["paths"] = [(path, notify[path]) for path in ("fast", "sweep")]
    if foot:
        foot["processes"] = _processes(foot)
    return sections


def markdown(results: dict) -> str:
    """results.md, from benchmarks/templates/results.md."""
    scenarios = copy.deepcopy(results["scenarios"])
    context = _sections(scenarios) | {
        "meta": results["meta"],
        "machine": results["meta"]["machine"],
        "targets": results["targets"],
        "reasons": {
            name: scenarios.get(name, {}).get("reason", "see results.json") for name in SECTIONS
        },
        "errors": scenarios.get("errors", []),
    }
    page = TEMPLATES.get_template("results.md")
    return page.render(template.Context(context, autoescape=False))


def console_summary(results: dict) -> str:
    lines = ["", "Summary (bench-results/results.json):"]
    lines += [f"  {key}: {results['summary'][key]}" for key in SUMMARY_KEYS]
    lines.append("Targets:")
    for t in results["targets"]:
        verdict = {True: "met", False: "MISSED", None: "not measured"}[t["met"]]
        lines.append(f"  {t['target']} ({t['goal']}): {_fmt(t['value'])} -> {verdict}")
    for error in results["scenarios"].get("errors", []):
        lines.append(f"ERROR {error}")
    return "\n".join(lines)
