"""The results: ``results.json`` (every figure, a ``summary`` and the targets),
``results.md`` (tables) and ``latency.png`` (percentiles and throughput per scenario)."""

import json
from pathlib import Path

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
    "api_schema_kept_p50_ms",
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
        "api_schema_kept_p50_ms": _ok(scenarios, "api_schema").get("kept_p50_ms"),
    }


def _target(name: str, goal: str, value, met) -> dict:
    return {"target": name, "goal": goal, "value": value, "met": None if value is None else met}


def targets(s: dict, seats: int | None) -> list[dict]:
    def at_least(value, limit):
        return value is not None and value >= limit

    def at_most(value, limit):
        return value is not None and value <= limit

    successes = s["hot_departure_successes"]
    return [
        _target(
            "tours list vs .values() baseline",
            ">= 0.8x",
            s["tours_list_vs_values"],
            at_least(s["tours_list_vs_values"], 0.8),
        ),
        _target(
            "search vs .values() baseline",
            ">= 0.8x",
            s["search_vs_values"],
            at_least(s["search_vs_values"], 0.8),
        ),
        _target(
            "services/monolith booking throughput",
            ">= 0.8x",
            s["services_vs_monolith_throughput"],
            at_least(s["services_vs_monolith_throughput"], 0.8),
        ),
        _target(
            "services/monolith booking p99",
            "<= 1.3x",
            s["services_vs_monolith_p99"],
            at_most(s["services_vs_monolith_p99"], 1.3),
        ),
        _target(
            "campaign: booking p99 during / without the spike",
            "<= 1.5x",
            s["campaign_booking_p99_ratio"],
            at_most(s["campaign_booking_p99_ratio"], 1.5),
        ),
        _target(
            "campaign: tours list vs .values() baseline",
            ">= 5x",
            s["campaign_tours_list_vs_values"],
            at_least(s["campaign_tours_list_vs_values"], 5),
        ),
        _target(
            "hot departure: exactly the seats every run",
            f"{seats} every run",
            successes,
            bool(successes) and all(n == seats for n in successes),
        ),
        _target(
            "hot departure: oversold",
            "0",
            s["hot_departure_oversold"],
            s["hot_departure_oversold"] == 0,
        ),
        _target(
            "commit-to-email p95 (fast path)",
            "< 500 ms",
            s["notify_fast_p95_ms"],
            s["notify_fast_p95_ms"] is not None and s["notify_fast_p95_ms"] < 500,
        ),
        _target(
            "every service ready",
            "<= 3 s",
            s["max_ready_seconds"],
            at_most(s["max_ready_seconds"], 3),
        ),
        _target(
            "resident memory per gunicorn worker",
            "< 100 MiB",
            s["max_worker_rss_mib"],
            s["max_worker_rss_mib"] is not None and s["max_worker_rss_mib"] < 100,
        ),
        _target(
            "storefront initial JavaScript, gzipped",
            "<= 120 kB",
            s["shop_initial_js_gzip_kb"],
            at_most(s["shop_initial_js_gzip_kb"], 120),
        ),
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


def _table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_fmt(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _skipped(scenario: dict) -> str:
    return f"Not measured: {scenario.get('reason', 'see results.json')}.\n"


def _bound(figures: dict) -> str:
    return "harness" if figures["bound_by_harness"] else "server"


def _campaign(spike: dict) -> str:
    calm, during = spike["booking_without_spike"], spike["booking_during_spike"]
    capacity = spike["tours_list_capacity"]
    text = (
        f"Normal browse load: {_fmt(spike['browse_req_per_s'])} req/s (the read path's "
        f".values() baseline). Spike: {_fmt(spike['offered_req_per_s'])} req/s offered from "
        f"{spike['spike_connections']} paced connections through {spike['gateway']}, "
        f"{_fmt(spike['spike_req_per_s'])} req/s served ({spike['spike_vs_browse']}x the "
        f"browse load). The gateway's capacity for the tours list (unpaced): "
        f"{_fmt(capacity['req_per_s'])} req/s, p99 {_fmt(capacity['p99_ms'])} ms, bound by "
        f"the {_bound(capacity)}; harness ceiling (nginx's own /healthz, same connections) "
        f"{_fmt(spike['harness_ceiling_req_per_s'])} req/s.\n\n"
    )
    text += _table(
        ["reads during the spike", "req/s", "p50 ms", "p99 ms", "errors"],
        [
            [name, r["req_per_s"], r["p50_ms"], r["p99_ms"], r["errors"]]
            for name, r in spike["reads"].items()
        ],
    )
    text += "\n" + _table(
        ["booking (book + pay)", "journeys/s", "p50 ms", "p99 ms", "book p99 ms", "errors"],
        [
            [
                label,
                m["journeys_per_s"],
                m["journey_p50_ms"],
                m["journey_p99_ms"],
                m["requests"].get("book", {}).get("p99_ms"),
                sum(r["errors"] for r in m["requests"].values()),
            ]
            for label, m in (("without the spike", calm), ("during the spike", during))
        ],
    )
    return text


def markdown(results: dict) -> str:
    meta, scenarios = results["meta"], results["scenarios"]
    machine = meta["machine"]
    parts = [
        "# Benchmark results\n",
        f"{meta['started_at']}, {'quick' if meta['quick'] else 'full'} run, "
        f"{meta['seconds']:.0f} s. Machine: {machine['cpu']}, {machine['cores']} cores, "
        f"{machine['memory_gib']} GiB, {machine['os']}, Python {machine['python']}, "
        f"PostgreSQL {machine['postgresql']}; commit {machine['commit']}"
        f"{' with uncommitted changes' if machine['uncommitted_changes'] else ''}. "
        f"Load: {meta['load_generator']}.\n",
        "## Targets\n",
        _table(
            ["target", "goal", "value", "met"],
            [
                [
                    t["target"],
                    t["goal"],
                    t["value"],
                    {True: "yes", False: "**no**"}.get(t["met"], "not measured"),
                ]
                for t in results["targets"]
            ],
        ),
        "## Read path\n",
    ]
    read = scenarios.get("read_path", {})
    if read.get("status") == "ok":
        parts.append(
            _table(
                [
                    "endpoint",
                    "req/s",
                    "p50 ms",
                    "p95 ms",
                    "p99 ms",
                    "errors",
                    "vs constant",
                    "vs .values()",
                    "harness ceiling req/s",
                    "bound by",
                ],
                [
                    [
                        name,
                        e["req_per_s"],
                        e["p50_ms"],
                        e["p95_ms"],
                        e["p99_ms"],
                        e["errors"],
                        e["vs_constant_baseline"],
                        e["vs_values_baseline"],
                        e["ceiling_req_per_s"],
                        _bound(e),
                    ]
                    for name, e in read["endpoints"].items()
                ],
            )
        )
        parts.append(
            f"\nDriven by {read['load_generator']}. The harness ceiling is the constant "
            "baseline; an endpoint within 10% of it is bound by the harness, not the server.\n"
        )
    else:
        parts.append(_skipped(read))
    parts.append("\n## Write path (book + pay)\n")
    write = scenarios.get("write_path", {})
    if write.get("status") == "ok":
        rows = []
        for mode in ("monolith", "services"):
            if mode in write:
                m = write[mode]
                steps = m["requests"]
                rows.append(
                    [
                        mode,
                        m["journeys_per_s"],
                        m["journey_p50_ms"],
                        m["journey_p95_ms"],
                        m["journey_p99_ms"],
                        steps.get("book", {}).get("p99_ms"),
                        steps.get("pay", {}).get("p99_ms"),
                        sum(r["errors"] for r in steps.values()),
                    ]
                )
        parts.append(
            _table(
                [
                    "mode",
                    "journeys/s",
                    "p50 ms",
                    "p95 ms",
                    "p99 ms",
                    "book p99 ms",
                    "pay p99 ms",
                    "errors",
                ],
                rows,
            )
        )
        if "services" not in write:
            parts.append(f"\nServices mode not measured: {write.get('services_reason')}.\n")
    else:
        parts.append(_skipped(write))
    parts.append("\n## Marketing campaign (read spike while customers book)\n")
    spike = scenarios.get("campaign", {})
    if spike.get("status") == "ok":
        parts.append(_campaign(spike))
    else:
        parts.append(_skipped(spike))
    parts.append("\n## Merged API document (services mode)\n")
    schema = scenarios.get("api_schema", {})
    if schema.get("status") == "ok":
        parts.append(
            f"First request (built, three services asked) {schema['first_ms']} ms; the next "
            f"{schema['requests'] - 1} (kept) p50 {schema['kept_p50_ms']} ms, "
            f"max {schema['kept_max_ms']} ms.\n"
        )
    else:
        parts.append(_skipped(schema))
    parts.append("\n## Hot departure\n")
    hot = scenarios.get("hot_departure", {})
    if hot.get("status") == "ok":
        parts.append(
            f"{hot['buyers']} buyers at once for {hot['seats']} seats, {len(hot['runs'])} runs.\n\n"
        )
        parts.append(
            _table(
                ["run", "held", "sold out", "other", "oversold", "seconds", "holds/s", "answers/s"],
                [
                    [
                        n,
                        r["successes"],
                        r["sold_out"],
                        sum(r["other_outcomes"].values()),
                        r["oversold"],
                        r["seconds"],
                        r["holds_per_s"],
                        r["answers_per_s"],
                    ]
                    for n, r in enumerate(hot["runs"], start=1)
                ],
            )
        )
    else:
        parts.append(_skipped(hot))
    parts.append("\n## Notification latency (commit to email accepted)\n")
    notify = scenarios.get("notifications", {})
    if notify.get("status") == "ok":
        parts.append(
            _table(
                ["path", "emails", "missing", "p50 ms", "p95 ms", "p99 ms"],
                [
                    [
                        name,
                        notify[name]["emails"],
                        notify[name]["missing"],
                        notify[name]["p50_ms"],
                        notify[name]["p95_ms"],
                        notify[name]["p99_ms"],
                    ]
                    for name in ("fast", "sweep")
                ],
            )
        )
    else:
        parts.append(_skipped(notify))
    parts.append("\n## Footprint\n")
    foot = scenarios.get("footprint", {})
    if foot.get("status") == "ok":
        rows = [
            [
                name,
                web["ready_seconds"],
                len(web["workers"]),
                max((w.get("rss_mib", 0) for w in web["workers"]), default=None),
                max((w.get("pss_mib", 0) for w in web["workers"]), default=None),
                web["master"].get("rss_mib"),
            ]
            for name, web in foot["web"].items()
        ]
        rows += [
            [
                name,
                None,
                len(c["workers"]),
                max((w.get("rss_mib", 0) for w in c["workers"]), default=None),
                max((w.get("pss_mib", 0) for w in c["workers"]), default=None),
                c["master"].get("rss_mib"),
            ]
            for name, c in foot["celery"].items()
        ]
        parts.append(
            _table(
                [
                    "process",
                    "ready s",
                    "workers",
                    "worker RSS MiB",
                    "worker PSS MiB",
                    "master RSS MiB",
                ],
                rows,
            )
        )
    else:
        parts.append(_skipped(foot))
    parts.append("\n## Storefront\n")
    shop = scenarios.get("storefront", {})
    if shop.get("status") == "ok":
        first = shop["first_tour_card_ms"]
        parts.append(
            _table(
                ["initial JS kB gzip", "budget kB", "initial CSS kB gzip", "first tour card ms"],
                [
                    [
                        shop["initial_js_gzip_kb"],
                        shop["js_budget_kb"],
                        shop["initial_css_gzip_kb"],
                        f"{first['median']} (median of {len(first['runs'])})",
                    ]
                ],
            )
        )
    else:
        parts.append(_skipped(shop))
    if scenarios.get("errors"):
        parts.append("\n## Errors\n\n" + "\n".join(f"- {e}" for e in scenarios["errors"]) + "\n")
    return "\n".join(parts)


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
