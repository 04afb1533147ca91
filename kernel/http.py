"""One pooled HTTP client per process for the calls it makes to other services and to the
payment provider: keep-alive connections are reused across requests and threads instead
of a TCP connection set up per call (docs/performance.md). A forked child (a gunicorn or
Celery worker) starts with a pool of its own, never its parent's sockets."""

import functools
import os

import httpx

LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=30)


@functools.cache
def pooled_client() -> httpx.Client:
    return httpx.Client(limits=LIMITS)


os.register_at_fork(after_in_child=pooled_client.cache_clear)
