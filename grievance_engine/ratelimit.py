"""Per-provider send rates: a worker waits for a slot before handing a message over.

Telcos throttle (and some bill) senders that exceed their agreed rate; during a burst
we would rather queue for a second than have messages rejected.
"""

from __future__ import annotations

import threading
import time

import redis


class MemoryRateLimiter:
    """A token bucket per provider, for one process (embedded mode)."""

    def __init__(self, per_second: float, *, clock=time.monotonic, sleep=time.sleep) -> None:
        self._per_second = per_second
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._next_free: dict[str, float] = {}

    def wait(self, provider: str) -> None:
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_free.get(provider, now))
            self._next_free[provider] = slot + 1 / self._per_second
        if slot > now:
            self._sleep(slot - now)


class RedisRateLimiter:
    """At most `per_second` sends per provider per second across every worker."""

    def __init__(self, client: redis.Redis, prefix: str, per_second: float) -> None:
        self._client = client
        self._prefix = f"{prefix}:rate:"
        self._limit = max(1, int(per_second))

    def wait(self, provider: str) -> None:
        while True:
            second = int(time.time())
            key = f"{self._prefix}{provider}:{second}"
            pipe = self._client.pipeline()
            pipe.incr(key)
            pipe.expire(key, 2)
            count, _ = pipe.execute()
            if count <= self._limit:
                return
            time.sleep(max(0.0, second + 1 - time.time()))
