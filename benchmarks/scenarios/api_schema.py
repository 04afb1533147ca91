"""The merged ``/api/schema/`` in services mode: the first request builds the front
service's part and asks the three other services for theirs; later ones, within a
minute, get the document that process kept (kernel/schema.py)."""

import statistics
import time

import httpx

REQUESTS = 20


def run(front_url: str) -> dict:
    url = f"{front_url}/api/schema/?format=json"
    with httpx.Client(timeout=60) as client:
        latencies = []
        for _ in range(REQUESTS + 1):
            started = time.perf_counter()
            response = client.get(url)
            latencies.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
    first, kept = latencies[0], latencies[1:]
    return {
        "status": "ok",
        "apps": sorted({path.split("/")[2] for path in response.json()["paths"]}),
        "first_ms": round(first, 1),
        "kept_p50_ms": round(statistics.median(kept), 1),
        "kept_max_ms": round(max(kept), 1),
        "requests": REQUESTS + 1,
    }
