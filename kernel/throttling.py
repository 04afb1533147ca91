"""Rate limits: DRF throttles counted in the shared cache (CACHE_URL). Rates are settings
(THROTTLE_RATES, docs/configuration.md); a request over its rate gets a 429 problem with
Retry-After.

A view limits its writes by a key of its own with a :class:`WriteThrottle` subclass (a
booking's reference, a customer's email) next to the default per-client throttles.
"""

import hashlib
import logging
import time

from redis.exceptions import RedisError
from rest_framework import throttling
from rest_framework.permissions import SAFE_METHODS

logger = logging.getLogger(__name__)


# After the cache failed, this process lets requests pass without asking it for so long:
# a cache that hangs costs one wait per process and pause, not one per limit per request.
CACHE_PAUSE_SECONDS = 10.0
_cache_paused_until = 0.0


class FailOpen:
    """With the cache down, requests pass (and it is logged): the gateway still limits
    every client, and customers can still book."""

    def allow_request(self, request, view) -> bool:
        global _cache_paused_until
        if time.monotonic() < _cache_paused_until:
            return True
        try:
            return super().allow_request(request, view)
        except RedisError as exc:
            _cache_paused_until = time.monotonic() + CACHE_PAUSE_SECONDS
            logger.warning(
                "Rate limits not checked for %.0f s, the cache is unavailable: %s",
                CACHE_PAUSE_SECONDS,
                exc,
            )
            return True


class AnonRateThrottle(FailOpen, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(FailOpen, throttling.UserRateThrottle):
    pass


class WriteThrottle(FailOpen, throttling.SimpleRateThrottle):
    """Writes (POST, PUT, PATCH, DELETE) under ``scope``, counted per ``ident_of``: the
    client address unless a subclass says otherwise (None: not counted)."""

    def ident_of(self, request, view) -> str | None:
        return self.get_ident(request)

    def get_cache_key(self, request, view) -> str | None:
        if request.method in SAFE_METHODS:
            return None
        ident = self.ident_of(request, view)
        if ident is None:
            return None
        digest = hashlib.sha256(ident.encode()).hexdigest()  # any text makes a valid key
        return self.cache_format % {"scope": self.scope, "ident": digest}


def client_address(request) -> str:
    """The caller's address as the throttles see it (REST_FRAMEWORK["NUM_PROXIES"])."""
    return throttling.BaseThrottle().get_ident(request)
