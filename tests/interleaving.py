"""Run two requests interleaved at a chosen point, on real PostgreSQL connections: the
first pauses just before a chosen SQL statement (a regular expression matching its start)
reaches the database, the second runs meanwhile (to its end, or until it waits for a row
lock the first holds), then the first goes on. Needs ``django_db(transaction=True)``:
each side uses its own connection."""

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.db import connection

BOUND = 30  # seconds: only so that a broken run fails instead of hanging


class PausedBefore:
    """A database execute wrapper: the first statement that ``statement`` matches (from
    its start, as a regular expression) waits for ``resume``."""

    def __init__(self, statement: str):
        self.statement = statement
        self.paused = threading.Event()
        self.resume = threading.Event()

    def __call__(self, execute, sql, params, many, context):
        if re.match(self.statement, sql) and not self.paused.is_set():
            self.paused.set()
            assert self.resume.wait(BOUND), "the second request never finished or waited"
        return execute(sql, params, many, context)


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _waits_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


def run_interleaved(first, second, *, paused_before: str):
    """Run ``first()`` until it is about to run a statement ``paused_before`` matches
    (``'UPDATE "catalog_departure"'``, ``'SELECT .* FOR UPDATE'``), then ``second()``;
    return both results (exceptions are raised)."""
    pause = PausedBefore(paused_before)
    pid_known, pids = threading.Event(), []

    def first_paused():
        try:
            with connection.execute_wrapper(pause):
                return first()
        finally:
            connection.close()

    def second_traced():
        try:
            pids.append(_backend_pid())
            pid_known.set()
            return second()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        first_result = pool.submit(first_paused)
        while not pause.paused.wait(0.01):
            if first_result.done():
                first_result.result()
                raise AssertionError(f"the first request never ran {paused_before}")
        second_result = pool.submit(second_traced)
        assert pid_known.wait(BOUND)
        deadline = time.monotonic() + BOUND
        while not second_result.done() and not _waits_on_a_lock(pids[0]):
            assert time.monotonic() < deadline, "the second request neither finished nor waited"
            time.sleep(0.01)
        pause.resume.set()
        return first_result.result(timeout=BOUND), second_result.result(timeout=BOUND)
