"""The benchmark server without request metrics (and, with no OTLP endpoint, without
tracing): the baseline of the observability scenario. The business counters stay, as
they are a few increments in the code that counts."""

from .settings import *  # noqa: F403

MIDDLEWARE = [m for m in MIDDLEWARE if m != "kernel.metrics.RequestMetricsMiddleware"]  # noqa: F405
