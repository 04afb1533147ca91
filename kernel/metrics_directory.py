"""prometheus-client's multiprocess mode for a process that forks workers (gunicorn, Celery's
prefork pool): every worker writes its figures to files in one directory, and a scrape of any
worker sums them. The directory must be chosen before prometheus-client is first imported,
so this module imports nothing of it.

Each such process makes a fresh directory of its own (under ``parent`` if given) and removes
it when it exits; its workers inherit the path. A deployment never sets
PROMETHEUS_MULTIPROC_DIR itself. docs/observability.md, "Processes that fork".
"""

import atexit
import os
import shutil
import tempfile

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def use_multiprocess_directory(parent: str | None = None) -> None:
    if VARIABLE in os.environ:  # a worker of a process that chose it already
        return
    path = tempfile.mkdtemp(prefix="tourism-metrics-", dir=parent)
    os.environ[VARIABLE] = path
    owner = os.getpid()
    atexit.register(lambda: os.getpid() == owner and shutil.rmtree(path, ignore_errors=True))
