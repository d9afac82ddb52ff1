"""Rate limits per caller: each token has its own bucket and each signed-in person
(the web session) another; reads (GET, HEAD, OPTIONS) and writes are counted apart,
at the rates of REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (`read`, `write`).

A counter per caller, kind and fixed window in the shared cache (Redis, so every
worker counts together), made with the window and expiring with it. Anonymity: the
key names the caller only by a keyed hash (api/callers.py), and nothing finer than
the window is kept about when they called, so a Redis reader learns neither who made
a write nor when within the window. A Redis that is down lets requests through: the
limits protect the service, and must not take it down with the cache.
"""

import logging
import math
import time

import redis
from django.core.cache import cache
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from .callers import caller_of, keyed_digest

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
clock = time.time  # seconds since the epoch; a test may stop it


def parse_rate(rate: str) -> tuple[int, int]:
    """`120/min` is (120, 60): so many requests a second, minute, hour or day."""
    count, _, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[0]]


def rate_for(method: str) -> tuple[str, str | None]:
    kind = "read" if method in SAFE_METHODS else "write"
    # Read at each request, so that a changed setting (a test's) applies at once.
    return kind, api_settings.DEFAULT_THROTTLE_RATES.get(kind)


class CallerRateThrottle(BaseThrottle):
    """The API's one throttle (REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"])."""

    wait_seconds = 0.0

    def allow_request(self, request, view):
        caller = caller_of(request)
        kind, rate = rate_for(request.method)
        if caller is None or not rate:
            return True  # nobody signed in gets a 401 (or a public page) anyway
        limit, period = parse_rate(rate)
        now = clock()
        window = int(now // period)
        self.wait_seconds = (window + 1) * period - now
        key = f"api-throttle:{kind}:{keyed_digest('throttle', caller)}:{window}"
        try:
            count = self._count(key, period)
        except redis.RedisError as exc:
            logger.warning("API rate limits are off while the cache is unreachable: %r", exc)
            return True
        return count <= limit

    @staticmethod
    def _count(key: str, period: int) -> int:
        if hasattr(cache, "count"):  # Redis (improvewell.cache): one round trip
            return cache.count(key, period + 1)
        cache.add(key, 0, timeout=period + 1)
        try:
            return cache.incr(key)
        except ValueError:  # the key expired between add and incr: a new window
            cache.add(key, 1, timeout=period + 1)
            return 1

    def wait(self):
        return max(1, math.ceil(self.wait_seconds))
