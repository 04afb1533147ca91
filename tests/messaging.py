"""Real servers and processes for the messaging tests: RabbitMQ queues unique to this run,
a loopback SMTP sink, and Celery worker / relay processes (tests/proxy.py cuts them off)."""

import asyncio
import contextlib
import email
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import amqp
from aiosmtpd.controller import Controller
from kombu import Connection

from tests.servers import ROOT, free_port, test_database_url

RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")


def rabbitmq_reachable() -> bool:
    with contextlib.suppress(Exception), Connection(RABBITMQ_URL, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        return True
    return False


def wait_until(condition, *, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(interval)
    raise AssertionError(f"Not within {timeout}s: {what}")


LABELS = ("platform", "catalog", "bookings", "payments", "notifications")


class QueuePrefix:
    """Queue and exchange names unique to one test run, removed afterwards."""

    def __init__(self):
        self.prefix = f"test-{uuid.uuid4().hex[:10]}."

    def message_count(self, queue_name: str) -> int:
        with Connection(RABBITMQ_URL) as conn:
            _, count, _ = conn.default_channel.queue_declare(self.prefix + queue_name, passive=True)
            return count

    def dead_letters(self) -> dict[str, list[str]]:
        """The task of each message in this run's dead-letter queues, by queue. The messages
        stay there: never acknowledged, they return to their queue when the channel closes."""
        letters = {}
        with Connection(RABBITMQ_URL) as conn:
            for label in LABELS:
                channel = conn.channel()
                letters[label] = []
                with contextlib.suppress(amqp.exceptions.NotFound):
                    while message := channel.basic_get(f"{self.prefix}{label}.dead-letter"):
                        letters[label].append(message.headers.get("task", "?"))
                with contextlib.suppress(Exception):  # NotFound closed it already
                    channel.close()
        return letters

    def delete_all(self) -> None:
        """Every queue and exchange the project declares under this prefix."""
        self.delete(
            queues=[*LABELS, *(f"{label}.dead-letter" for label in LABELS)],
            exchanges=["tourism", "tourism.dead-letter"],
        )

    def delete(self, *, queues: list[str], exchanges: list[str]) -> None:
        with Connection(RABBITMQ_URL) as conn:
            for name in queues:
                with contextlib.suppress(Exception):
                    conn.channel().queue_delete(self.prefix + name)
            for name in exchanges:
                with contextlib.suppress(Exception):
                    conn.channel().exchange_delete(self.prefix + name)


class SmtpSink:
    """An SMTP server on loopback that keeps what it receives. It can refuse some
    recipients (a temporary 451, as a mail server having trouble) and stall every session
    at EHLO (a client stuck mid-conversation) or before it accepts a message's DATA."""

    def __init__(self):
        self.messages: list[email.message.Message] = []
        self.refused: set[str] = set()
        self.stalled_sessions = 0
        self._stage = "EHLO"
        self._open = threading.Event()
        self._open.set()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self._controller.start()
        return self

    def __exit__(self, *exc_info):
        self._open.set()
        self._controller.stop()

    def stall(self, stage: str = "EHLO") -> None:
        self._stage = stage
        self._open.clear()

    def resume(self) -> None:
        self._open.set()

    def for_event(self, event_id) -> list:
        return [m for m in self.messages if m["X-Event-ID"] == str(event_id)]

    async def _wait_if_stalled(self, stage: str) -> None:
        if self._stage == stage and not self._open.is_set():
            self.stalled_sessions += 1
            while not self._open.is_set():
                await asyncio.sleep(0.05)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        await self._wait_if_stalled("EHLO")
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "451 4.3.0 Mailbox temporarily unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await self._wait_if_stalled("DATA")
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


class Process:
    """A project process (Celery worker, outbox relay) with its output in a log file."""

    def __init__(self, args: list[str], *, env: dict[str, str], ready: str):
        self.log = Path(tempfile.mkstemp(prefix="process-", suffix=".log")[1])
        with self.log.open("w") as output:
            self.popen = subprocess.Popen(
                args,
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so a kill reaches children
            )
        wait_until(
            lambda: ready in self.output() or self._exited(), timeout=30, what=f"{args} ready"
        )
        assert self.popen.poll() is None, self.output()

    def _exited(self) -> bool:
        return self.popen.poll() is not None

    def output(self) -> str:
        return self.log.read_text()

    def kill(self) -> None:
        """SIGKILL the process and its children: no cleanup, no goodbye to the broker."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait()

    def stop(self, timeout: float = 10) -> int:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def close(self) -> None:
        if self.popen.poll() is None:
            self.kill()
        self.log.unlink(missing_ok=True)


def process_env(*, broker_url: str, prefix: str, **extra: str) -> dict[str, str]:
    """The configuration contract for a process of this test run (monolith profile)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.monolith",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": test_database_url(),
        "DATABASE_POOL_MAX_SIZE": "2",
        "CELERY_BROKER_URL": broker_url,
        "CELERY_QUEUE_PREFIX": prefix,
        **extra,
    }


def start_worker(env: dict[str, str]) -> Process:
    name = f"worker-{uuid.uuid4().hex[:8]}@%h"
    args = [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO"]
    args += ["--concurrency=1", "-n", name, "--without-gossip", "--without-mingle"]
    return Process(args, env=env, ready=" ready.")


def start_relay(env: dict[str, str]) -> Process:
    args = [sys.executable, "manage.py", "outbox_relay"]
    return Process(args, env=env, ready="Outbox relay started")
