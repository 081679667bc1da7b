"""Per-provider send rates: a worker waits for a slot before handing a message over.

Telcos throttle (and some bill) senders that exceed their agreed rate; during a burst
we would rather queue for a second than have messages rejected.
"""

from __future__ import annotations

import logging
import threading
import time

import redis

from infra import clock

log = logging.getLogger(__name__)


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


# --- per-phone limits ---------------------------------------------------------------------
#
# How many replies one phone gets, and how many complaints it files, in a window: a
# flood from one number (a prank, a broken handset, an attacker with an SMS modem) must
# not cost the state one SMS per message or bury the queue. A counter does not say
# "how many so far" but "which one is this": each message or filing has a key (the
# inbound message, the USSD session), and the same key always gets the same number, so
# a provider's retry or a re-processed straggler is judged exactly as the first time.
# Only the first `remember` keys are remembered (later ones are over the limit whatever
# happens), so a flood costs one number, not one entry per message.

_RANK_SCRIPT = """
local rank = redis.call('HGET', KEYS[1], ARGV[1])
if rank then return tonumber(rank) end
rank = redis.call('HINCRBY', KEYS[1], '#', 1)
if rank <= tonumber(ARGV[3]) then redis.call('HSET', KEYS[1], ARGV[1], rank) end
if rank == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return rank
"""


def window_of(window_seconds: int) -> int:
    """The number of the fixed window we are in (by the one clock, so tests can move it)."""
    return int(clock.now().timestamp()) // window_seconds


class MemoryPhoneCounter:
    """Per-phone counters for one process (embedded mode: the only process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, dict[str, int]]] = {}  # name -> (count, ranks)

    def rank(self, name: str, key: str, *, window_seconds: int, remember: int) -> int:
        """The position of `key` among the keys counted under `name` in this window."""
        bucket = f"{name}:{window_of(window_seconds)}"
        with self._lock:
            if bucket not in self._windows:
                self._forget_old(name)
            count, ranks = self._windows.get(bucket, (0, {}))
            if key in ranks:
                return ranks[key]
            count += 1
            if count <= remember:
                ranks[key] = count
            self._windows[bucket] = (count, ranks)
            return count

    def _forget_old(self, name: str) -> None:
        """A new window for `name` starts: drop its earlier ones (held under the lock)."""
        for bucket in [b for b in self._windows if b.rsplit(":", 1)[0] == name]:
            del self._windows[bucket]


class RedisPhoneCounter:
    """Per-phone counters shared by every web process and worker, one Lua call each
    (atomic: two messages at the same moment never get the same number)."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._rank = client.register_script(_RANK_SCRIPT)
        self._prefix = f"{prefix}:limit:"

    def rank(self, name: str, key: str, *, window_seconds: int, remember: int) -> int:
        """As `MemoryPhoneCounter.rank`; 0 when Redis cannot be reached: a limit lets a
        message through rather than cost a citizen their complaint."""
        bucket = f"{self._prefix}{name}:{window_of(window_seconds)}"
        try:
            return int(self._rank(keys=[bucket], args=[key, window_seconds * 2, remember]))
        except redis.RedisError:
            log.warning("per-phone counter unavailable; %s not counted", name, exc_info=True)
            return 0


_phone_counter: MemoryPhoneCounter | RedisPhoneCounter = MemoryPhoneCounter()


def set_phone_counter(counter: MemoryPhoneCounter | RedisPhoneCounter) -> None:
    """Choose where per-phone counts are kept (the process's wiring does, at start-up)."""
    global _phone_counter
    _phone_counter = counter


def phone_counter() -> MemoryPhoneCounter | RedisPhoneCounter:
    return _phone_counter
