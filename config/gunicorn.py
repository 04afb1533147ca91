"""gunicorn settings for every web process (containers and `make services`).

https://docs.gunicorn.org/en/stable/settings.html
"""

import os

from gunicorn.glogging import Logger

from kernel.metrics_directory import use_multiprocess_directory

worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or None  # /dev/shm in containers
# Every worker's metrics go to a directory of this master's, chosen before anything imports
# prometheus-client (the config package does); a scrape of any worker sums them.
use_multiprocess_directory(parent=worker_tmp_dir)

from config import environment, logs  # noqa: E402 - after the directory is chosen
from kernel.log_masking import mask  # noqa: E402

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104 - containers listen on every interface
profile = os.environ.get("DJANGO_SETTINGS_MODULE", "").removeprefix("config.settings.")
# config/environment.py decides every web process's concurrency; these variables override it.
remote = environment.remote_apps(os.environ.get("REMOTE_APPS", ""))
web = environment.process(profile if profile in environment.PROFILES else "monolith", "web", remote)
workers = int(os.environ.get("WEB_CONCURRENCY") or web.workers)
threads = int(os.environ.get("GUNICORN_THREADS") or web.threads)
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"


class MaskedLogger(Logger):
    """The access log without secrets: a guest's ?token= is written as token=***."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["r"], atoms["q"] = mask(atoms["r"]), mask(atoms["q"] or "")
        return atoms


logger_class = MaskedLogger
# The request id the app answered with (the caller's if well-formed, else one it made).
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'
errorlog = "-"
if logs.log_format() == "json":  # as the app's own lines (config/logs.py)
    logconfig_dict = logs.gunicorn_json_logging()
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = f"tourism-{profile or 'web'}"


def post_fork(server, worker):
    """Each worker exports its own spans when tracing is on (kernel/tracing.py)."""
    from kernel import tracing

    tracing.start("web")


def child_exit(server, worker):
    """A worker exited (recycled after max_requests, or killed): drop its live gauges."""
    from kernel.metrics import mark_worker_dead

    mark_worker_dead(worker.pid)
