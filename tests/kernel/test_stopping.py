"""A stop signal that arrives during a held step is delivered to the process's own handler
once the step ends, not before."""

import subprocess
import sys

# Stops (prints "stopped" and exits) on SIGTERM, as a Celery pool process does; signals
# itself inside the held step, then again after it.
PROGRAM = """
import os, signal, sys
from kernel.stopping import stop_signals_held

def stop(*_):
    print("stopped", flush=True)
    sys.exit(0)

signal.signal(signal.SIGTERM, stop)
with stop_signals_held():
    os.kill(os.getpid(), signal.SIGTERM)
    print("the step went on", flush=True)
    print("and ended", flush=True)
print("never", flush=True)
"""


def test_a_stop_signal_waits_until_the_held_step_ends():
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["the step went on", "and ended", "stopped"]
