"""One program started on this machine: by ``make services``, the tests and the benchmark.

A :class:`Process` runs in a process group of its own (a signal reaches its children too,
gunicorn's workers for one), is ready when its URL answers 200 or when a line of its
output says so, and is stopped with ``SIGTERM``, then ``SIGKILL`` if it has not exited
within the stop timeout. With ``restart=True`` a process that exits while it should be
running is started again, as compose (``restart: unless-stopped``) and Kubernetes do:
after 1 s, then twice as long each time in a row, at most 30 s; never while it is being
stopped.

Its output (stdout and stderr) is kept in memory, bounded: the last ``KEPT_LINES`` lines,
each cut at ``LINE_CHARACTERS`` characters, so a process that runs for days costs at
most a few megabytes. ``echo`` also prints every line as it arrives (``make services``).
"""

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
KEPT_LINES = 2000
LINE_CHARACTERS = 2000
STOP_SECONDS = 10.0
RESTART_FIRST_SECONDS = 1.0
RESTART_MAX_SECONDS = 30.0
STABLE_SECONDS = 60.0  # a process that ran this long restarts after the first delay again
# What a process takes from the shell that starts it: how to find programs and where to
# write, never configuration (that comes only from the caller's environment).
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")


def base_environment() -> dict[str, str]:
    return {name: os.environ[name] for name in INHERITED if name in os.environ}


def free_port() -> int:
    """A TCP port nothing listens on at the moment, on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ProcessError(RuntimeError):
    """A process exited or was not ready in time; the message ends with its last output."""


class KeptOutput:
    """The last ``limit`` lines a process wrote, safe to read while it writes more."""

    def __init__(self, limit: int = KEPT_LINES):
        self._lines: deque[str] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def append(self, line: str) -> None:
        with self._lock:
            self._lines.append(line[:LINE_CHARACTERS])

    def clear(self) -> None:
        with self._lock:
            self._lines.clear()

    def lines(self) -> list[str]:
        with self._lock:
            return list(self._lines)

    def __iter__(self):
        return iter(self.lines())

    def text(self) -> str:
        return "\n".join(self.lines())


@dataclass(eq=False)
class Process:
    name: str
    argv: list[str]
    env: dict[str, str]
    ready_url: str | None = None  # ready once this answers 200 ...
    ready_text: str | None = None  # ... or once a line of its output contains this
    url: str = ""  # where a web process serves
    restart: bool = False
    echo: Callable[[str], None] | None = None
    output: KeptOutput = field(default_factory=KeptOutput, init=False)
    popen: subprocess.Popen | None = field(default=None, init=False)
    started_at: float = field(default=0.0, init=False)
    ready_seconds: float | None = field(default=None, init=False)  # start to first ready
    _said_ready: bool = field(default=False, init=False)
    _restarts: int = field(default=0, init=False)  # in a row, for the backoff
    _pump: threading.Thread | None = field(default=None, init=False)
    _stopping: threading.Event = field(default_factory=threading.Event, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def start(self) -> None:
        """Start it unless it is running; from now on it is restarted if it exits."""
        with self._lock:
            self._stopping.clear()
            if not self.running():
                self._spawn()

    def is_ready(self) -> bool:
        if not self.running():
            return False
        if self.ready_text is not None:
            return self._said_ready
        if self.ready_url is None:
            return True  # nothing to wait for
        with contextlib.suppress(httpx.HTTPError):
            return httpx.get(self.ready_url, timeout=1).status_code == 200
        return False

    def wait_ready(self, timeout: float = 60) -> float:
        """Seconds from its start until it was ready; ProcessError if it exits first."""
        deadline = time.monotonic() + timeout
        while not self.is_ready():
            if not self.running():
                self._pump.join(timeout=2)  # its last words
                raise ProcessError(f"{self.name} exited:\n{self.tail()}")
            if time.monotonic() > deadline:
                raise ProcessError(f"{self.name} not ready after {timeout:.0f} s:\n{self.tail()}")
            time.sleep(0.05)
        self.ready_seconds = round(time.monotonic() - self.started_at, 3)
        return self.ready_seconds

    def send_signal(self, signum: signal.Signals) -> int:
        """Send ``signum`` to it and its children (SIGKILL: it is restarted if it should
        be; SIGSTOP / SIGCONT: frozen and resumed). Returns its pid."""
        pid = self.popen.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signum)
        return pid

    def stop(self, signum: signal.Signals = signal.SIGTERM, timeout: float = STOP_SECONDS):
        """Send ``signum`` to it and its children, then SIGKILL if they still run after
        ``timeout`` seconds; no restart follows. Returns its exit code (None if it never
        started)."""
        with self._lock:
            self._stopping.set()
            popen, pump = self.popen, self._pump
        if popen is None:
            return None
        # Its output still open: it runs, or children of its group that outlived it do.
        if pump.is_alive():
            self.send_signal(signum)
        deadline = time.monotonic() + timeout
        with contextlib.suppress(subprocess.TimeoutExpired):
            popen.wait(timeout=timeout)
        pump.join(timeout=max(deadline - time.monotonic(), 0))
        if pump.is_alive():
            self.send_signal(signal.SIGKILL)
        popen.wait()
        pump.join()  # its output is complete and it will not be restarted
        return popen.returncode

    def kill(self) -> int | None:
        """SIGKILL, no cleanup, no restart: a crash."""
        return self.stop(signal.SIGKILL)

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.output.lines()[-lines:])

    def _spawn(self) -> None:
        self.output.clear()
        self._said_ready = False
        self.popen = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env={**base_environment(), **self.env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,  # its own process group: signals reach its children
        )
        self.started_at = time.monotonic()
        self._pump = threading.Thread(target=self._read, args=(self.popen,), daemon=True)
        self._pump.start()

    def _read(self, popen: subprocess.Popen) -> None:
        """Keep (and echo) its output; when it exits unasked, start it again."""
        for line in popen.stdout:
            line = line.rstrip()
            self.output.append(line)
            if self.ready_text is not None and self.ready_text in line:
                self._said_ready = True
            if self.echo:
                self.echo(f"{self.name:>22} | {line}")
        popen.wait()
        if self.restart and not self._stopping.is_set():
            self._restart_later(popen)

    def _restart_later(self, popen: subprocess.Popen) -> None:
        ran_long = time.monotonic() - self.started_at >= STABLE_SECONDS
        self._restarts = 1 if ran_long else self._restarts + 1
        delay = min(RESTART_FIRST_SECONDS * 2 ** (self._restarts - 1), RESTART_MAX_SECONDS)
        if self.echo:
            self.echo(f"{self.name:>22} | exited ({popen.returncode}); restarting in {delay:.0f} s")
        if self._stopping.wait(delay):
            return
        with self._lock:
            if not self._stopping.is_set() and self.popen is popen:  # nobody started it meanwhile
                self._spawn()
