"""Short mutual-exclusion locks by name: in process memory, or in Redis across processes.

Used to process one phone's messages in order (`phone:<E.164>`) and to keep periodic
jobs from overlapping. A lock expires on its own (`ttl_seconds`) so a crashed holder
never blocks forever.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

import redis


class LockTimeout(Exception):
    """The lock was still held by someone else when our wait ran out."""


class Locks(Protocol):
    def hold(
        self, name: str, *, wait_seconds: float = 10, ttl_seconds: float = 30
    ) -> AbstractContextManager[None]: ...


class MemoryLocks:
    """Named locks for one process (the embedded default)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    @contextmanager
    def hold(
        self, name: str, *, wait_seconds: float = 10, ttl_seconds: float = 30
    ) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        if not lock.acquire(timeout=wait_seconds):
            raise LockTimeout(name)
        try:
            yield
        finally:
            lock.release()


class RedisLocks:
    """Named locks shared by every process that uses the same Redis and prefix."""

    _RELEASE = (
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) "
        "else return 0 end"
    )

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._client = client
        self._prefix = f"{prefix}:lock:"

    @contextmanager
    def hold(
        self, name: str, *, wait_seconds: float = 10, ttl_seconds: float = 30
    ) -> Iterator[None]:
        key, token = self._prefix + name, uuid.uuid4().hex
        deadline = time.monotonic() + wait_seconds
        delay = 0.005
        while not self._client.set(key, token, nx=True, px=int(ttl_seconds * 1000)):
            if time.monotonic() >= deadline:
                raise LockTimeout(name)
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
        try:
            yield
        finally:
            # Delete only our own token: if our TTL ran out, someone else holds it now.
            self._client.eval(self._RELEASE, 1, key, token)
