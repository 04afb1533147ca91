"""The outbox relay: a long-running process that publishes events right after they commit.

On PostgreSQL it LISTENs for the NOTIFY that :func:`~kernel.outbox.services.outbox_emit`
sends inside the emitting transaction, which PostgreSQL delivers at commit: the relay wakes
within milliseconds. Every ``sweep_seconds`` it also publishes whatever is left (events
whose publish failed while the broker was away, or that committed while no relay ran).
Other databases are polled every ``sweep_seconds``. SIGTERM or SIGINT stops it cleanly
after the batch in hand.

A database or broker that goes away does not stop it: it logs one line, drops its
connections, waits (0.5 s, then twice as long each time, at most 30 s) and connects again;
events committed meanwhile are published by the first pass after it is back.
"""

import contextlib
import logging
import signal
import time

import django.db
import psycopg
from django.db import connection

from kernel.outages import DATABASE_UNAVAILABLE

from .publisher import BROKER_ERRORS, publisher
from .services import NOTIFY_CHANNEL, outbox_publish_pending

logger = logging.getLogger(__name__)

WAKE_CHECK_SECONDS = 0.5  # how often a waiting relay checks whether it was asked to stop
RECONNECT_FIRST_SECONDS = 0.5
RECONNECT_MAX_SECONDS = 30.0
RECOVERABLE = DATABASE_UNAVAILABLE + BROKER_ERRORS


class Relay:
    def __init__(self, *, sweep_seconds: float):
        self.sweep_seconds = sweep_seconds
        self.stopping = False

    def stop(self, *args) -> None:
        self.stopping = True

    def run(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self.stop)
        logger.info(
            "Outbox relay started: %s, sweeping every %.1f s.",
            "listening for NOTIFY" if connection.vendor == "postgresql" else "polling",
            self.sweep_seconds,
        )
        failures = 0
        while not self.stopping:
            try:
                with publisher() as current, self._listener() as listener:
                    while not self.stopping:
                        if count := outbox_publish_pending(publisher=current):
                            logger.info("Published %d event(s).", count)
                        failures = 0
                        self._wait(listener)
            except RECOVERABLE as exc:
                failures += 1
                delay = min(RECONNECT_FIRST_SECONDS * 2 ** (failures - 1), RECONNECT_MAX_SECONDS)
                reason = (str(exc).strip().splitlines() or [""])[0]
                logger.warning(
                    "Outbox relay: %s: %s. Reconnecting in %.1f s.",
                    exc.__class__.__name__,
                    reason,
                    delay,
                )
                with contextlib.suppress(django.db.Error):
                    connection.close()  # the pool discards it if it is broken
                self._sleep(delay)
        logger.info("Outbox relay stopped.")

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping and (remaining := deadline - time.monotonic()) > 0:
            time.sleep(min(remaining, WAKE_CHECK_SECONDS))

    @contextlib.contextmanager
    def _listener(self):
        """A dedicated autocommit connection that LISTENs (None off PostgreSQL)."""
        if connection.vendor != "postgresql":
            yield None
            return
        with psycopg.connect(**connection.get_connection_params(), autocommit=True) as listener:
            listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
            yield listener

    def _wait(self, listener) -> None:
        """Until a NOTIFY arrives, the sweep interval passes, or a stop is asked for."""
        deadline = time.monotonic() + self.sweep_seconds
        while not self.stopping and (remaining := deadline - time.monotonic()) > 0:
            timeout = min(remaining, WAKE_CHECK_SECONDS)
            if listener is None:
                time.sleep(timeout)
                continue
            if list(listener.notifies(timeout=timeout, stop_after=1)):
                list(listener.notifies(timeout=0))  # the rest: one pass publishes them all
                return
