"""Django's Redis cache, without a new client object for every call.

Django's RedisCacheClient builds a redis.Redis for each get or set, which costs more than
the round trip to Redis itself (its callbacks table is copied each time); a page that
reads its kept parts paid for it several times a request. The client holds no state of
its own beyond its connection pool, so one per pool serves every call (redis-py's pool
is thread-safe and starts afresh in a forked process).
"""

import threading
import time
from collections import OrderedDict

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    def incr_or_start(self, keys, start) -> None:
        """Each key's number up by one, from `start()` where the key is missing, in one
        round trip (Django's incr takes two a key, and refuses a missing one)."""
        client = self._cache.get_client(write=True)
        with client.pipeline(transaction=False) as pipeline:
            for key in keys:
                key = self.make_and_validate_key(key)
                pipeline.set(key, start(), nx=True)
                pipeline.incr(key)
            pipeline.execute()

    def count(self, key, timeout: int) -> int:
        """The key's number up by one, made at 0 with this timeout when missing: one round
        trip, atomic (a counter never outlives its timeout), for the rate limits."""
        client = self._cache.get_client(write=True)
        key = self.make_and_validate_key(key)
        with client.pipeline(transaction=True) as pipeline:
            pipeline.set(key, 0, nx=True, ex=timeout)
            pipeline.incr(key)
            return pipeline.execute()[1]


class ProcessCopies:
    """The last `size` values put here, each for `seconds`: a process's own copies of
    values kept in Redis, under the same keys (improvewell.versions.in_process)."""

    def __init__(self, *, size: int, seconds: float):
        self.size, self.seconds = size, seconds
        self.values: OrderedDict = OrderedDict()
        self.lock = threading.Lock()  # for threaded servers (runserver)

    def clear(self) -> None:
        with self.lock:
            self.values.clear()

    def get(self, key: str):
        with self.lock:
            found = self.values.get(key)
            if found is None or found[0] < time.monotonic():
                return None
            self.values.move_to_end(key)
            return found[1]

    def put(self, key: str, value) -> None:
        with self.lock:
            self.values[key] = (time.monotonic() + self.seconds, value)
            self.values.move_to_end(key)
            while len(self.values) > self.size:
                self.values.popitem(last=False)
