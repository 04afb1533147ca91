"""The cost of observability: the write path's booking journeys on the monolith without
request metrics or tracing (``benchmarks/unobserved.py``) and with request metrics and
tracing at full sampling, every span exported over OTLP/HTTP to a receiver running as a
process of its own (``deploy/local/otlp_receiver.py``), as a collector runs apart from the
services. Both servers run side by side; the load alternates off, on, on, off, half the
write path's time each, so that a drift of the machine weighs on both alike."""

import dataclasses

import httpx
import psutil

from deploy.local.processes import Process

from ..plan import Plan
from .write_path import figures, run_journeys

OFF_SETTINGS = "benchmarks.unobserved"
ON_SETTINGS = "benchmarks.settings"
ORDER = ("off", "on", "on", "off")


def tracing_environment(receiver_url: str) -> dict[str, str]:
    """Every span of the process exported to the receiver (kernel/tracing.py)."""
    return {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver_url, "OTEL_TRACES_SAMPLER": "always_on"}


def cpu_seconds(process: Process) -> float:
    """User and system CPU time of the process and of its children (gunicorn's workers)."""
    main = psutil.Process(process.popen.pid)
    total = 0.0
    for each in (main, *main.children(recursive=True)):
        try:
            times = each.cpu_times()
        except psutil.Error:  # a worker that exited meanwhile
            continue
        total += times.user + times.system
    return total


def run(plan: Plan, servers: dict[str, Process], receiver: Process, departure_ids) -> dict:
    """``servers``: the off and on servers, each warmed up, then journeys in the order
    ``ORDER``; CPU time of each server, and of the receiver, over all of them."""
    measured_plan = dataclasses.replace(plan, write_warmup_seconds=0)
    for label, server in servers.items():
        warm_up = plan.write_warmup_seconds
        run_journeys(measured_plan, server.url, departure_ids, f"warm-up {label}", seconds=warm_up)
    runs: dict[str, list] = {"off": [], "on": []}
    processes = {**servers, "receiver": receiver}
    before = {name: cpu_seconds(process) for name, process in processes.items()}
    for turn, label in enumerate(ORDER):
        print(f"  observability {label}", flush=True)
        runs[label].append(
            run_journeys(
                measured_plan,
                servers[label].url,
                departure_ids,
                f"observability {label} ({turn + 1}/{len(ORDER)})",
                seconds=plan.write_seconds / 2,
                max_journeys=plan.write_max_journeys // 2,
            )
        )
    cpu = {name: cpu_seconds(process) - before[name] for name, process in processes.items()}
    measured = {label: figures(measurements) for label, measurements in runs.items()}
    for label, figure in measured.items():
        figure["server_cpu_ms_per_journey"] = _per_journey(cpu[label], figure)
    measured["on"]["receiver_cpu_ms_per_journey"] = _per_journey(cpu["receiver"], measured["on"])
    return measured


def _per_journey(seconds: float, measured: dict) -> float | None:
    """CPU milliseconds per measured journey."""
    return round(seconds * 1000 / measured["journeys"], 2) if measured["journeys"] else None


def spans_received(receiver_url: str) -> int:
    """How many spans the receiver counted."""
    return httpx.get(f"{receiver_url}/spans", timeout=10).json()["spans"]


def compare(measured: dict, spans_received: int) -> dict:
    off, on = measured["off"], measured["on"]
    return {
        "status": "ok",
        "sampling": "always_on",
        "order": list(ORDER),
        "off": off,
        "on": on,
        "spans_received": spans_received,
        "throughput_ratio": round(on["journeys_per_s"] / off["journeys_per_s"], 3),
        "p99_ratio": round(on["journey_p99_ms"] / off["journey_p99_ms"], 3),
    }
