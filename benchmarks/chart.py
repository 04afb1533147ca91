"""latency.png: latency percentiles (top) and throughput (bottom) per scenario."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display

import matplotlib.pyplot as plt

PERCENTILES = ("p50_ms", "p95_ms", "p99_ms")


def _series(scenarios: dict) -> tuple[list, list]:
    """(label, {percentile: ms}) for latency and (label, per-second, unit) for throughput."""
    latency, throughput = [], []
    read = scenarios.get("read_path", {})
    for name, e in read.get("endpoints", {}).items():
        latency.append((f"read: {name}", e))
        throughput.append((f"read: {name}", e["req_per_s"], "req/s"))
    write = scenarios.get("write_path", {})
    for mode in ("monolith", "services"):
        if mode in write:
            m = write[mode]
            latency.append((f"write: {mode} journey", {p: m[f"journey_{p}"] for p in PERCENTILES}))
            throughput.append((f"write: {mode}", m["journeys_per_s"], "journeys/s"))
    spike = scenarios.get("campaign", {})
    if spike.get("status") == "ok":
        for name, figures in spike["reads"].items():
            latency.append((f"campaign: {name} (gateway)", figures))
            throughput.append((f"campaign: {name} (gateway)", figures["req_per_s"], "req/s"))
        for key, label in (
            ("booking_without_spike", "without"),
            ("booking_during_spike", "during"),
        ):
            m = spike[key]
            latency.append(
                (f"campaign: booking {label} spike", {p: m[f"journey_{p}"] for p in PERCENTILES})
            )
    observed = scenarios.get("observability", {})
    if observed.get("status") == "ok":
        for label in ("off", "on"):
            m = observed[label]
            name = f"observability {label}: journey"
            latency.append((name, {p: m[f"journey_{p}"] for p in PERCENTILES}))
            throughput.append((name, m["journeys_per_s"], "journeys/s"))
    hot = scenarios.get("hot_departure", {})
    if hot.get("status") == "ok":
        throughput.append(("hot departure", hot["answers_per_s_median"], "hold attempts/s"))
    notify = scenarios.get("notifications", {})
    if notify.get("status") == "ok":
        for path in ("fast", "sweep"):
            latency.append((f"email: {path} path", notify[path]))
    return latency, throughput


def draw(results: dict, path: Path) -> None:
    latency, throughput = _series(results["scenarios"])
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(11, 9), constrained_layout=True)
    labels = [label for label, _ in latency]
    width = 0.27
    for offset, percentile in enumerate(PERCENTILES):
        values = [figures.get(percentile) or 0 for _, figures in latency]
        positions = [i + (offset - 1) * width for i in range(len(labels))]
        top.barh(positions, values, height=width, label=percentile.removesuffix("_ms"))
    top.set_yticks(range(len(labels)), labels)
    top.set_xscale("log")
    top.set_xlabel("latency, ms (log scale)")
    top.invert_yaxis()
    top.legend()
    top.set_title("Latency percentiles")
    bottom.barh(
        [f"{label} [{unit}]" for label, _, unit in throughput],
        [value for _, value, _ in throughput],
        color="tab:green",
    )
    bottom.invert_yaxis()
    bottom.set_xlabel("per second")
    bottom.set_title("Throughput")
    machine = results["meta"]["machine"]
    figure.suptitle(
        f"Tourism Booking benchmark, {results['meta']['started_at']} "
        f"({machine['cores']} cores, {machine['cpu']})",
        fontsize=10,
    )
    figure.savefig(path, dpi=100)
    plt.close(figure)
