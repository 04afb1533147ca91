"""`make bench QUICK=1` end to end: the harness starts the topology, writes its three
result files with the documented summary keys, the hot departure sells exactly the
seats there are in every run, and with tracing on the spans reach the OTLP receiver. No
timing is asserted: figures are for people to read."""

import json
import os
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from benchmarks import database, run
from benchmarks.report import SUMMARY_KEYS
from benchmarks.run import DEFAULT_BROKER, SERVICES, broker_unreachable
from tests.conftest import require
from tests.messaging import QueuePrefix

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PREFIX = f"tourism_bench_smoke_{uuid.uuid4().hex[:8]}"  # this run's own databases
TIME_LIMIT_SECONDS = 170
SCENARIOS = [*run.SCENARIOS, "footprint"]


def postgres_server_url() -> str:
    """The PostgreSQL server the suite uses (the local one when the suite runs on SQLite)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return database.DEFAULT_SERVER
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"


def run_harness(out: Path) -> subprocess.CompletedProcess:
    """The quick harness in its own process group, stopped (with everything it started)
    if it overruns."""
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.run", "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=TIME_LIMIT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
        pytest.fail(f"The quick benchmark took over {TIME_LIMIT_SECONDS}s:\n{output[-4000:]}")
    return subprocess.CompletedProcess(process.args, process.returncode, output)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BENCH_POSTGRES_URL", postgres_server_url())
        patch.setenv("BENCH_DB_PREFIX", PREFIX)
        patch.setenv("BENCH_QUICK", "1")
        broker = os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER)
        unreachable = database.reachable() or broker_unreachable(broker)
        require(unreachable is None, f"the benchmark harness needs {unreachable}")
        for program in ("wrk", "nginx"):
            require(shutil.which(program) is not None, f"the benchmark harness needs {program}")
        out = tmp_path_factory.mktemp("bench-results")
        try:
            yield out, run_harness(out)
        finally:  # a run that failed or overran leaves no database or queue behind either
            for name in ("monolith", "identity", *SERVICES):
                database.drop(f"{PREFIX}_{name}")
            QueuePrefix(f"{PREFIX}.").delete_all()  # benchmarks/run.py's CELERY_QUEUE_PREFIX


@pytest.fixture(scope="module")
def results(quick_run) -> dict:
    out, finished = quick_run
    assert (out / "results.json").exists(), finished.stdout[-4000:]
    return json.loads((out / "results.json").read_text())


def test_the_quick_run_finishes_without_errors(quick_run):
    _, finished = quick_run
    assert finished.returncode == 0, finished.stdout[-4000:]


def test_it_writes_json_markdown_and_chart(quick_run):
    out, _ = quick_run
    assert {p.name for p in out.iterdir()} >= {"results.json", "results.md", "latency.png"}


def test_the_summary_has_exactly_the_documented_keys(results):
    assert list(results["summary"]) == SUMMARY_KEYS


def test_every_scenario_ran(results):
    statuses = {name: results["scenarios"][name]["status"] for name in SCENARIOS}
    assert statuses == dict.fromkeys(SCENARIOS, "ok"), results["scenarios"]


def test_the_hot_departure_sells_exactly_the_seats_and_never_more(results):
    hot = results["scenarios"]["hot_departure"]
    assert hot["successes"] == [hot["seats"]] * len(hot["runs"])
    assert hot["oversold"] == 0


def test_with_observability_on_the_spans_reach_the_otlp_receiver(results):
    observed = results["scenarios"]["observability"]
    assert observed["spans_received"] > 0
    assert observed["on"]["journeys"] > 0 and observed["off"]["journeys"] > 0
