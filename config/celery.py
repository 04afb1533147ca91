"""The Celery app: configured from Django settings under the ``CELERY_`` namespace.

Every task's base is ``kernel.tasks.Task``: a database or mail server outage is retried
with backoff until it ends, never dead-lettered; a task handling an event logs the request
id that caused it. Queues, routes, acknowledgement and
dead-lettering: ``kernel/outbox/queues.py``. A worker consumes the queues of the apps its
profile installs (``-Q`` narrows that further).
"""

import os

from celery import Celery, signals

from kernel.metrics_directory import use_multiprocess_directory

if os.environ.get("METRICS_PORT"):  # the prefork pool's children write what its port serves
    use_multiprocess_directory()

from kernel import metrics, tasks, tracing  # after: prometheus-client reads the directory on import
from kernel.outbox import queues

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.monolith")

app = Celery("tourism", task_cls="kernel.tasks:Task")  # retries infrastructure outages
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.add_defaults(queues.celery_settings)
signals.celeryd_after_setup.connect(queues.declare_and_consume_own_queues)
signals.worker_init.connect(metrics.serve_on_metrics_port)
signals.beat_init.connect(metrics.serve_on_metrics_port)
signals.task_success.connect(metrics.count_task_success)
signals.task_retry.connect(metrics.count_task_retry)
signals.task_failure.connect(metrics.count_task_failure)
signals.worker_process_init.connect(tracing.start_in_worker_process)
signals.beat_init.connect(tracing.start_in_beat)
signals.task_prerun.connect(tasks.carry_request_id)
signals.task_postrun.connect(tasks.end_request_id)
