"""A step that a stop request must not cut in two: the signals that stop a process wait
until it is done.

A deployment stops a Celery worker by signalling every process of its group, its pool
processes included: dumb-init, the containers' PID 1, forwards SIGTERM to the whole
group, and so does the local runner (``deploy.local.processes``). Celery's main process
then waits for the running tasks (a warm shutdown), but a pool process acts on the signal
at once: billiard raises ``SystemExit`` wherever the task is, the message goes back to its
queue (``task_reject_on_worker_lost``) and runs again. That is harmless for a task whose
effects are all in one transaction; one that hands something to the outside world before
its COMMIT (an email to the mail server) would do it twice.

:func:`stop_signals_held` defers those signals over such a step: one that arrives meanwhile
is noted and delivered as soon as the step ends, so the process stops right after it (its
message still runs again, and finds the step done). Python runs signal handlers in the
main thread only: elsewhere (a web server's request thread) no signal interrupts the step
and nothing is held.
"""

import contextlib
import signal
import threading

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGHUP)


@contextlib.contextmanager
def stop_signals_held():
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    previous = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    held = [signum for signum, handler in previous.items() if handler is not None]
    for signum in held:  # None: a handler not set from Python, which cannot be put back
        signal.signal(signum, lambda signum, _frame: arrived.append(signum))
    try:
        yield
    finally:
        for signum in held:
            signal.signal(signum, previous[signum])
        for signum in dict.fromkeys(arrived):
            signal.raise_signal(signum)
