"""The local runner (``make services``, the tests' processes, the benchmark): a process is
ready when it says so or answers, is started again when it dies (as compose and Kubernetes
do) but never when asked to stop, stops in the reverse order of its start, keeps only the
end of its output, and the SMTP sink keeps what a real SMTP client sends it. ``make
worker`` becomes the table's worker."""

import contextlib
import os
import signal
import smtplib
import sys
import threading
import time
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from config import environment
from deploy.local.processes import KEPT_LINES, LINE_CHARACTERS, Process, free_port
from deploy.local.smtp_sink import SmtpSink
from deploy.local.topology import Topology, free_ports, local_argv
from tests.conftest import require
from tests.messaging import RABBITMQ_URL, QueuePrefix, rabbitmq_reachable, wait_until

pytestmark = pytest.mark.slow

SERVER = "import time; print('serving', flush=True); time.sleep(600)"
# Notes when SIGTERM arrives (and exits), so the order of stops can be read afterwards.
NOTES_ITS_STOP = """
import signal, sys, time
def stop(*_):
    with open(sys.argv[1], "a") as notes:
        notes.write(sys.argv[2] + " " + str(time.monotonic()) + "\\n")
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
print("serving", flush=True)
time.sleep(600)
"""


def python(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", code, *args]


def serving(name: str, code: str = SERVER, *args: str) -> Process:
    return Process(name, python(code, *args), {}, ready_text="serving", restart=True)


@pytest.fixture
def runner():
    with Topology(echo=None) as topology:
        topology.processes = {"server": serving("server")}
        topology.start()
        yield topology


def serving_again(process: Process, killed_pid: int) -> bool:
    return process.is_ready() and process.popen.pid != killed_pid


def test_a_process_is_ready_only_once_it_says_so():
    slow = "import time; time.sleep(1); print('serving', flush=True); time.sleep(600)"
    process = serving("slow", slow)
    process.start()
    try:
        assert not process.is_ready()
        assert process.wait_ready(timeout=10) >= 1
    finally:
        process.stop()


def test_a_web_process_is_ready_once_its_url_answers(tmp_path):
    port = free_port()
    (tmp_path / "readyz").write_text("ok")
    argv = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    url = f"http://127.0.0.1:{port}"
    process = Process("web", [*argv, "-d", str(tmp_path)], {}, ready_url=f"{url}/readyz")
    process.start()
    try:
        process.wait_ready(timeout=10)
        assert httpx.get(f"{url}/readyz").text == "ok"
    finally:
        process.stop()


def test_a_process_that_exits_before_it_is_ready_says_why():
    process = Process("broken", python("raise SystemExit('no database')"), {}, ready_text="x")
    process.start()
    with pytest.raises(RuntimeError, match=r"broken exited:\n.*no database"):
        process.wait_ready(timeout=10)


def test_a_process_that_dies_is_started_again(runner):
    server = runner.processes["server"]
    killed = server.send_signal(signal.SIGKILL)
    wait_until(lambda: serving_again(server, killed), timeout=15, what="restarted")

    killed = server.send_signal(signal.SIGKILL)  # and again: it keeps watching
    wait_until(lambda: serving_again(server, killed), timeout=15, what="restarted twice")


def test_stopping_a_process_that_just_died_cancels_its_restart(runner):
    server = runner.processes["server"]
    server.send_signal(signal.SIGKILL)  # its restart is pending: the delay runs
    runner.stop("server")
    assert not server.running()  # stop returns only once no restart can follow
    time.sleep(1.5)  # past the first restart delay
    assert not server.running()

    runner.start("server")
    assert server.is_ready()


def test_a_process_that_ignores_sigterm_is_killed_once_the_stop_timeout_passes():
    stubborn = "import signal; signal.signal(signal.SIGTERM, signal.SIG_IGN)\n" + SERVER
    process = serving("stubborn", stubborn)
    process.start()
    process.wait_ready(timeout=10)
    asked = time.monotonic()
    assert process.stop(timeout=1) == -signal.SIGKILL
    assert 1 <= time.monotonic() - asked < 5
    assert not process.running()


# Its main process dies at once; the child it started lives on, holding its output open.
LEAVES_A_CHILD = """
import subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
print("serving", flush=True)
"""


def test_stopping_a_process_whose_main_process_died_stops_its_children_too():
    process = Process("orphaning", python(LEAVES_A_CHILD), {}, ready_text="serving")
    process.start()
    group = process.popen.pid
    try:
        wait_until(lambda: not process.running(), timeout=10, what="its main process exited")
        stopping = threading.Thread(target=process.stop, kwargs={"timeout": 1}, daemon=True)
        stopping.start()
        stopping.join(timeout=10)
        assert not stopping.is_alive(), "stop() hangs on the child that holds its output"
        wait_until(lambda: group_gone(group), timeout=5, what="its group's child was stopped")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)


def group_gone(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return True
    return False


def test_everything_a_run_listens_on_gets_a_port_of_its_own():
    # The system hands out a port it gave a moment ago about once in a thousand runs.
    for _ in range(5000):
        ports = free_ports()
        assert len(set(ports.values())) == len(ports), ports


def test_processes_stop_in_the_reverse_order_of_their_start(tmp_path):
    notes = tmp_path / "stops"
    with Topology(echo=None) as topology:
        for name in ("database-user", "web", "gateway"):
            topology.run(serving(name, NOTES_ITS_STOP, str(notes), name))
    stopped = [line.split()[0] for line in notes.read_text().splitlines()]
    assert stopped == ["gateway", "web", "database-user"]


def test_a_process_keeps_only_the_end_of_its_output():
    lines = KEPT_LINES + 500
    code = (
        f"for n in range({lines}): print(n)\n"
        f"print('x' * {LINE_CHARACTERS + 100})\n"
        "print('serving', flush=True)\n"
        "import time; time.sleep(600)"
    )
    process = serving("chatty", code)
    process.start()
    try:
        process.wait_ready(timeout=20)
        kept = process.output.lines()
    finally:
        process.stop()
    assert len(kept) == KEPT_LINES
    assert kept[-2:] == ["x" * LINE_CHARACTERS, "serving"]  # a long line is cut
    assert kept[0] == str(lines - KEPT_LINES + 2)  # the first lines are gone


def test_the_smtp_sink_keeps_a_message_sent_over_smtp():
    message = EmailMessage()
    message["From"], message["To"] = "shop@example.com", "ada@example.com"
    message["Subject"] = "Your booking TB-7K3QX9 is confirmed"
    message.set_content("See you in Lisbon.")
    with SmtpSink() as sink, smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as client:
        client.send_message(message)
        arrived = sink.wait_for({"TB-7K3QX9"}, timeout=10)
    assert set(arrived) == {"TB-7K3QX9"}
    (kept,) = sink.messages
    assert kept["Subject"] == "Your booking TB-7K3QX9 is confirmed"
    assert kept.get_payload().strip() == "See you in Lisbon."


def test_the_smtp_sink_refuses_a_recipient_it_was_told_to():
    with SmtpSink() as sink, smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as client:
        sink.refused.add("full@example.com")
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.sendmail("shop@example.com", ["full@example.com"], "Subject: hi\n\nhi")
    assert sink.messages == []


def test_make_worker_becomes_the_table_worker_of_its_profile():
    """``make worker`` (``python -m deploy.local.run worker``) execs the command and runs
    the concurrency config/environment.py gives the worker of DJANGO_SETTINGS_MODULE."""
    require(rabbitmq_reachable(), "RabbitMQ is not reachable")
    queues = QueuePrefix()
    database = "postgres://postgres@127.0.0.1:5432/unused"  # a starting worker reads none
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.notifications",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": database,
        "IDENTITY_DATABASE_URL": database,
        "CELERY_BROKER_URL": RABBITMQ_URL,
        "CELERY_QUEUE_PREFIX": queues.prefix,
    }
    argv = [sys.executable, "-m", "deploy.local.run", "worker"]
    worker = Process("worker", argv, env, ready_text=" ready.")
    table = environment.process("notifications", "worker")
    try:
        worker.start()
        worker.wait_ready()
        command_line = Path(f"/proc/{worker.popen.pid}/cmdline").read_text().split("\0")[:-1]
        assert command_line == local_argv(table.argv)
        assert f"concurrency: {table.workers} (prefork)" in worker.output.text()
    finally:
        worker.stop()
        queues.delete_all()
