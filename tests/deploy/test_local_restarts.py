"""The local runner (``make services``, the end-to-end tests) restarts a process that
exits, as compose and Kubernetes do, and never one it was asked to stop."""

import os
import signal
import sys

import pytest

from deploy.local.topology import Process, Topology, log_ready
from tests.messaging import wait_until

pytestmark = pytest.mark.slow

SERVER = "import time; print('serving', flush=True); time.sleep(600)"


@pytest.fixture
def runner():
    topology = Topology(echo=lambda line: None)
    topology.processes = {
        "server": Process("server", [sys.executable, "-c", SERVER], {}, log_ready("serving"))
    }
    with topology:
        topology.start()
        yield topology


def kill(process: Process) -> int:
    pid = process.popen.pid
    os.killpg(pid, signal.SIGKILL)
    return pid


def serving_again(process: Process, killed_pid: int) -> bool:
    return process.running() and process.popen.pid != killed_pid and "serving" in process.output


def test_a_process_that_dies_is_started_again(runner):
    server = runner.processes["server"]
    killed = kill(server)
    wait_until(lambda: serving_again(server, killed), timeout=15, what="restarted")

    killed = kill(server)  # and again: it keeps watching
    wait_until(lambda: serving_again(server, killed), timeout=15, what="restarted twice")


def test_stopping_a_process_that_just_died_cancels_its_restart(runner):
    server = runner.processes["server"]
    kill(server)  # its restart is pending: the backoff delay has not passed
    runner.stop("server")
    assert not server.running()  # stop returns only once no restart can follow

    runner.start("server")
    assert server.running()
