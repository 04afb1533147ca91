"""Catalog extraction: how long ``manage.py extract_app catalog`` freezes the catalog's
writes, on the monolith's database as the other scenarios left it (the data set's catalog
and their bookings' holds), into a fresh database. The freeze covers the copy and its
verification (the command's ``seconds``); the routing switch after it is the deployment's
(measured end to end by tests/e2e/test_live_extraction.py)."""

import json
import subprocess
import sys

from ..database import ROOT


def run(monolith_env: dict[str, str], target_url: str) -> dict:
    """``extract_app catalog --target target_url --json`` with the monolith's settings."""
    finished = subprocess.run(  # noqa: S603 - arguments built by this harness
        [sys.executable, "manage.py", "extract_app", "catalog", "--target", target_url, "--json"],
        cwd=ROOT,
        env=monolith_env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    lines = finished.stdout.strip().splitlines()
    report = json.loads(lines[-1]) if lines else {}
    if finished.returncode or report.get("status") != "extracted":
        reason = report.get("error") or finished.stderr.strip()[-500:]
        return {"status": "error", "reason": f"extract_app exited {finished.returncode}: {reason}"}
    rows = sum(table["rows"] for table in report["tables"])
    seconds = report["seconds"]
    return {
        "status": "ok",
        "freeze_seconds": seconds,
        "rows": rows,
        "rows_per_s": round(rows / seconds) if seconds else None,
        "tables": {table["name"]: table["rows"] for table in report["tables"]},
        "outbox_events": report["outbox_events"],
    }
