"""How the platform runs the catalog (kernel/wiring.py)."""

from kernel.wiring import Wiring

WIRING = Wiring(
    # Beat schedules the release of stale seat holds; the catalog's worker runs it.
    processes=("web", "worker", "beat"),
    beat_schedule={
        "catalog-release-stale-holds": {"task": "catalog.release_stale_holds", "schedule": 300.0},
    },
)
