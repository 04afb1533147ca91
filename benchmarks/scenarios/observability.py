"""The cost of observability: the write path's booking journeys on the monolith, first
without request metrics or tracing (``benchmarks/unobserved.py``), then with request
metrics and tracing at full sampling, every span exported over OTLP/HTTP to a receiver in
the harness process (``deploy/local/otlp_receiver.py``), for the same time each."""

from ..plan import Plan
from .write_path import measure

OFF_SETTINGS = "benchmarks.unobserved"
ON_SETTINGS = "benchmarks.settings"


def tracing_environment(receiver_url: str) -> dict[str, str]:
    """Every span of the process exported to the receiver (kernel/tracing.py)."""
    return {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver_url, "OTEL_TRACES_SAMPLER": "always_on"}


def journeys(plan: Plan, base_url: str, departure_ids: list[int], label: str) -> dict:
    print(f"  observability {label}", flush=True)
    return measure(plan, base_url, departure_ids, f"observability {label}")


def compare(off: dict, on: dict, spans_received: int) -> dict:
    return {
        "status": "ok",
        "sampling": "always_on",
        "off": off,
        "on": on,
        "spans_received": spans_received,
        "throughput_ratio": round(on["journeys_per_s"] / off["journeys_per_s"], 3),
        "p99_ratio": round(on["journey_p99_ms"] / off["journey_p99_ms"], 3),
    }
