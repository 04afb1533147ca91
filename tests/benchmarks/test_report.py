"""results.md as a reader sees it: every table well formed, a scenario that did not run
says why, a missed target stands out; and it renders where Django is not configured, as
under `make bench`. Fast: no harness runs, the report renders alone."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from benchmarks import report

ROOT = Path(__file__).resolve().parents[2]
BOOKING = {
    "journeys_per_s": 55.5,
    "journey_p50_ms": 40.5,
    "journey_p95_ms": 80.25,
    "journey_p99_ms": 120.0,
    "requests": {"book": {"p99_ms": 50.5, "errors": 0}, "pay": {"p99_ms": 70.1, "errors": 2}},
}
LATENCY = {"p50_ms": 1.5, "p95_ms": 9.9, "p99_ms": 15.0}
READ = LATENCY | {"req_per_s": 1234.5, "errors": 0, "ceiling_req_per_s": 5000.0}
MEMORY = {"workers": [{"rss_mib": 80.0, "pss_mib": 40.0}], "master": {"rss_mib": 60.0}}
EVERY_SCENARIO = {
    "read_path": {
        "status": "ok",
        "load_generator": "wrk",
        "endpoints": {
            "tours_list": READ
            | {"vs_constant_baseline": 0.4, "vs_values_baseline": 0.9, "bound_by_harness": False}
        },
    },
    "write_path": {"status": "ok", "monolith": BOOKING, "services": BOOKING},
    "campaign": {
        "status": "ok",
        **dict.fromkeys(("browse_req_per_s", "offered_req_per_s", "spike_req_per_s"), 900.0),
        "spike_connections": 64,
        "gateway": "nginx",
        "spike_vs_browse": 4.9,
        "harness_ceiling_req_per_s": 12000.0,
        "tours_list_capacity": {"req_per_s": 9000.0, "p99_ms": 12.5, "bound_by_harness": True},
        "reads": {"tours_list": READ},
        "booking_without_spike": BOOKING,
        "booking_during_spike": BOOKING,
    },
    "api_schema": {"status": "ok", "first_ms": 812.4, "requests": 20}
    | {"kept_p50_ms": 3.1, "kept_max_ms": 9.9},
    "hot_departure": {
        "status": "ok",
        "buyers": 500,
        "seats": 40,
        "successes": [40],
        "oversold": 0,
        "runs": [
            {"successes": 40, "sold_out": 455, "other_outcomes": {"503": 5}, "oversold": 0}
            | {"seconds": 2.5, "holds_per_s": 16.0, "answers_per_s": 200.0}
        ],
    },
    "notifications": {
        "status": "ok",
        "fast": LATENCY | {"emails": 50, "missing": 0},
        "sweep": LATENCY | {"emails": 50, "missing": 1},
    },
    "footprint": {
        "status": "ok",
        "web": {"catalog": MEMORY | {"ready_seconds": 1.9}},
        "celery": {"notifications worker": MEMORY},
    },
    "storefront": {
        "status": "ok",
        "initial_js_gzip_kb": 101.3,
        "js_budget_kb": 120,
        "initial_css_gzip_kb": 4.4,
        "first_tour_card_ms": {"median": 350.0, "runs": [340.0, 350.0, 360.0]},
    },
    "extraction": {"status": "ok", "freeze_seconds": 2.4, "rows": 130_000}
    | {"rows_per_s": 54_166, "outbox_events": 0},
    "errors": ["services mode: RuntimeError: boom"],
}
META = {
    "started_at": "2026-11-29T10:00:00+00:00",
    "quick": True,
    "seconds": 61.4,
    "load_generator": "wrk",
    "machine": {"cpu": "x86_64", "cores": 2, "memory_gib": 23.4, "os": "Debian"}
    | {"python": "3.11", "postgresql": "17", "commit": "abc1234", "uncommitted_changes": False},
}
RENDER = """
import json, sys
from benchmarks import report
results = json.load(sys.stdin)
results["summary"] = report.summary(results["scenarios"])
results["targets"] = report.targets(results["summary"], seats=40)
print(report.markdown(results), end="")
"""


def rendered(scenarios: dict) -> str:
    results = {"meta": META, "scenarios": scenarios, "summary": report.summary(scenarios)}
    results["targets"] = report.targets(results["summary"], seats=40)
    return report.markdown(results)


def section(text: str, heading: str) -> str:
    return text.split(f"\n## {heading}\n")[1].split("\n## ")[0].strip()


def tables(text: str) -> list[list[str]]:
    return [block.splitlines() for block in re.findall(r"(?m)(?:^\|.*\|\n?)+", text)]


def test_every_table_row_has_as_many_cells_as_its_header():
    found = tables(rendered(EVERY_SCENARIO))
    assert len(found) == 10  # targets, then one table per section, two for the campaign
    for table in found:
        assert len({row.count("|") for row in table}) == 1, table
        assert len(table) > 2, table  # header, rule, at least one row


def test_it_renders_where_django_is_not_configured():
    """`make bench` writes the report from a process that never sets Django up."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "-c", RENDER],
        cwd=ROOT,
        env=env,
        input=json.dumps({"meta": META, "scenarios": EVERY_SCENARIO}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == rendered(EVERY_SCENARIO)
    assert "Machine: x86_64, 2 cores, 23.4 GiB" in result.stdout


def test_a_scenario_that_did_not_run_says_why_under_its_heading():
    text = rendered(
        {
            "read_path": {"status": "error", "reason": "wrk is not installed"},
            "write_path": {"status": "ok", "monolith": BOOKING, "services_reason": "no broker"},
        }
    )
    assert section(text, "Read path") == "Not measured: wrk is not installed."
    assert section(text, "Storefront") == "Not measured: see results.json."
    write = section(text, "Write path (book + pay)")
    assert "| monolith | 55.50 | 40.50 | 80.25 | 120 | 50.50 | 70.10 | 2 |" in write
    assert write.endswith("Services mode not measured: no broker.")


def test_a_missed_target_stands_out_and_an_unmeasured_one_is_not_a_pass():
    hot = {"status": "ok", "seats": 40, "successes": [40, 41], "oversold": 1, "runs": []}
    targets = section(rendered({"hot_departure": hot}), "Targets")
    assert "| hot departure: oversold | 0 | 1 | **no** |" in targets
    assert "| every service ready | <= 3 s | - | not measured |" in targets
