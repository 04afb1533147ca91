"""Closed-loop load generation: ``concurrency`` virtual users, each sending its next
request only when the previous answer arrived, for a bounded time and request count.

Each virtual user repeats one *iteration* (a single GET, or a whole booking journey) and
records the latency of every request it makes under a name. Throughput is successful
requests of a name per second of wall time; percentiles are per request name.
"""

import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .httpclient import Connection


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(fraction * len(sorted_values) + 0.5))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def latency_summary(seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    return {
        "p50_ms": round(percentile(ordered, 0.50) * 1000, 2),
        "p95_ms": round(percentile(ordered, 0.95) * 1000, 2),
        "p99_ms": round(percentile(ordered, 0.99) * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2) if ordered else float("nan"),
    }


@dataclass
class Recorder:
    """Latencies (seconds) of successful requests by name, and failures by name."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    failure_examples: list[str] = field(default_factory=list)
    iterations: int = 0

    def ok(self, name: str, seconds: float) -> None:
        self.latencies[name].append(seconds)

    def failed(self, name: str, why: str) -> None:
        self.failures[name] += 1
        if len(self.failure_examples) < 5:
            self.failure_examples.append(f"{name}: {why}")


Iteration = Callable[[Connection, int, Recorder], Awaitable[None]]


async def timed(conn: Connection, recorder: Recorder, name: str, expect: int, method, path, **kw):
    """Send one request, record its latency under ``name``; returns the response, or
    None when it failed (wrong status or a connection error)."""
    started = time.perf_counter()
    try:
        response = await conn.request(method, path, **kw)
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        recorder.failed(name, f"{exc.__class__.__name__}: {exc}")
        return None
    elapsed = time.perf_counter() - started
    if response.status != expect:
        recorder.failed(name, f"HTTP {response.status} {response.body[:200]!r}")
        return None
    recorder.ok(name, elapsed)
    return response


@dataclass
class Measurement:
    """One measured closed-loop run."""

    recorder: Recorder
    seconds: float
    concurrency: int


async def closed_loop(
    *,
    label: str,
    base_url: str,
    iteration: Iteration,
    concurrency: int,
    seconds: float,
    max_iterations: int,
    warmup_seconds: float = 0.0,
    progress_every: float = 5.0,
) -> Measurement:
    """Run ``iteration`` from ``concurrency`` virtual users for ``seconds`` (after an
    unrecorded warm-up), at most ``max_iterations`` times."""
    if warmup_seconds:
        await _run(base_url, iteration, concurrency, warmup_seconds, max_iterations, 0, "")
    recorder, elapsed = await _run(
        base_url, iteration, concurrency, seconds, max_iterations, progress_every, label
    )
    return Measurement(recorder, elapsed, concurrency)


def summarize(measurements: list[Measurement]) -> dict:
    """Throughput and latency figures per request name over one or more runs."""
    elapsed = sum(m.seconds for m in measurements)
    iterations = sum(m.recorder.iterations for m in measurements)
    latencies: dict[str, list[float]] = defaultdict(list)
    failures: dict[str, int] = defaultdict(int)
    examples: list[str] = []
    for m in measurements:
        for name, values in m.recorder.latencies.items():
            latencies[name].extend(values)
        for name, count in m.recorder.failures.items():
            failures[name] += count
        examples.extend(m.recorder.failure_examples)
    result = {
        "concurrency": measurements[0].concurrency,
        "seconds": round(elapsed, 2),
        "iterations": iterations,
        "requests": {},
    }
    for name in sorted(set(latencies) | set(failures)):
        ok = latencies.get(name, [])
        result["requests"][name] = {
            "count": len(ok),
            "errors": failures.get(name, 0),
            "per_s": round(len(ok) / elapsed, 2) if elapsed else 0.0,
            **latency_summary(ok),
        }
    if examples:
        result["failure_examples"] = examples[:5]
    return result


async def _run(base_url, iteration, concurrency, seconds, max_iterations, progress_every, label):
    address = urlsplit(base_url)
    recorder = Recorder()
    started = time.perf_counter()
    deadline = started + seconds
    issued = 0

    async def user() -> None:
        nonlocal issued
        conn = Connection(address.hostname, address.port)
        try:
            while time.perf_counter() < deadline and issued < max_iterations:
                number = issued
                issued += 1
                await iteration(conn, number, recorder)
                recorder.iterations += 1
        finally:
            await conn.close()

    users = [asyncio.create_task(user()) for _ in range(concurrency)]
    reporter = asyncio.create_task(_report(label, recorder, started, seconds, progress_every))
    try:
        await asyncio.gather(*users)
    finally:
        reporter.cancel()
    return recorder, time.perf_counter() - started


async def _report(label, recorder, started, seconds, every) -> None:
    if not every:
        return
    while True:
        await asyncio.sleep(every)
        elapsed = time.perf_counter() - started
        rate = recorder.iterations / elapsed
        print(
            f"    {label}: {elapsed:5.1f}/{seconds:.1f} s, {recorder.iterations} done, "
            f"{rate:.0f}/s",
            flush=True,
        )
