"""Footprint: memory and CPU time per gunicorn worker and per Celery worker process (from
psutil), and each web process's time from start to its first ``/readyz`` 200."""

import httpx
import psutil

from deploy.local.processes import Process

from ..scenarios.read_path import LIST_CATEGORY

EXERCISE_REQUESTS = 200
MIB = 1024 * 1024


def measure(process: Process) -> dict:
    """Of the process's main program and of each worker (its child processes)."""
    main = psutil.Process(process.popen.pid)
    return {"master": _figures(main), "workers": [_figures(child) for child in main.children()]}


def _figures(process: psutil.Process) -> dict[str, float]:
    """Resident (RSS) and proportional (PSS: shared pages split between the processes that
    share them) memory in MiB, and CPU seconds used so far (user and system)."""
    try:
        memory, cpu = process.memory_full_info(), process.cpu_times()
    except psutil.Error:  # it exited meanwhile
        return {}
    return {
        "rss_mib": round(memory.rss / MIB, 1),
        "pss_mib": round(memory.pss / MIB, 1),
        "cpu_seconds": round(cpu.user + cpu.system, 2),
    }


def exercise(base_url: str) -> None:
    """Serve some real pages first, so workers are measured warm, not fresh."""
    with httpx.Client(base_url=base_url, timeout=10) as client:
        for number in range(EXERCISE_REQUESTS):
            page = number % 5 + 1
            client.get(
                f"/api/catalog/tours/?category={LIST_CATEGORY}&page={page}"
            ).raise_for_status()


def summarize(webs: dict[str, dict], celery: dict[str, dict]) -> dict:
    worker_rss = [w.get("rss_mib", 0.0) for web in webs.values() for w in web["workers"]]
    ready = [web["ready_seconds"] for web in webs.values() if web["ready_seconds"] is not None]
    if not webs:
        return {"status": "error", "reason": "no web process was started"}
    return {
        "status": "ok",
        "web": webs,
        "celery": celery,
        "max_ready_seconds": max(ready) if ready else None,
        "max_worker_rss_mib": max(worker_rss) if worker_rss else None,
        "max_celery_rss_mib": max(
            (p.get("rss_mib", 0.0) for c in celery.values() for p in [c["master"], *c["workers"]]),
            default=None,
        ),
    }
