"""The menu session store: short-lived conversation state keyed by a session id.

Redis when `NALISH_REDIS_URL` is set (any number of web processes can serve one
conversation), process memory otherwise. Sessions may be forgotten; grievances never
are (they are in the database before the citizen is told the reference).
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Protocol

import redis
import redis.asyncio


class SessionStore(Protocol):
    """Where menus keep a conversation's state between hops."""

    def get(self, key: str) -> dict[str, Any] | None: ...

    def set(self, key: str, value: dict[str, Any], ttl_seconds: int) -> None: ...

    def delete(self, key: str) -> None: ...


class AsyncSessionStore(Protocol):
    """The same store for code running on the event loop (the USSD hop)."""

    async def aget(self, key: str) -> dict[str, Any] | None: ...

    async def aset(self, key: str, value: dict[str, Any], ttl_seconds: int) -> None: ...

    async def aget_many(self, keys: list[str]) -> list[dict[str, Any] | None]: ...

    async def aset_many(self, items: list[tuple[str, dict[str, Any], int]]) -> None: ...


class MemorySessionStore:
    """Sessions in this process's memory, for the embedded default and tests."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            expires, payload = item
            if expires < time.monotonic():
                del self._items[key]
                return None
        return json.loads(payload)

    def set(self, key: str, value: dict[str, Any], ttl_seconds: int) -> None:
        # Stored as JSON so the memory store accepts exactly what Redis would.
        payload = json.dumps(value, ensure_ascii=False)
        with self._lock:
            if len(self._items) > 10_000:
                self._evict_expired()
            self._items[key] = (time.monotonic() + ttl_seconds, payload)

    def delete(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)

    # Memory never waits on I/O, so the loop may call it directly.
    async def aget(self, key: str) -> dict[str, Any] | None:
        return self.get(key)

    async def aset(self, key: str, value: dict[str, Any], ttl_seconds: int) -> None:
        self.set(key, value, ttl_seconds)

    async def aget_many(self, keys: list[str]) -> list[dict[str, Any] | None]:
        return [self.get(key) for key in keys]

    async def aset_many(self, items: list[tuple[str, dict[str, Any], int]]) -> None:
        for key, value, ttl_seconds in items:
            self.set(key, value, ttl_seconds)

    def _evict_expired(self) -> None:
        now = time.monotonic()
        for key in [k for k, (expires, _) in self._items.items() if expires < now]:
            del self._items[key]


class RedisSessionStore:
    """Sessions in Redis as JSON strings with a TTL, under `<prefix>:session:`."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self._client = client
        self._prefix = f"{prefix}:session:"

    def get(self, key: str) -> dict[str, Any] | None:
        payload = self._client.get(self._prefix + key)
        return json.loads(payload) if payload else None

    def set(self, key: str, value: dict[str, Any], ttl_seconds: int) -> None:
        self._client.set(self._prefix + key, json.dumps(value, ensure_ascii=False), ex=ttl_seconds)

    def delete(self, key: str) -> None:
        self._client.delete(self._prefix + key)


class AsyncRedisSessionStore:
    """The Redis store for the event loop: one round trip to read, one to write.

    Made per running app (its connections belong to one event loop); it reads and
    writes exactly what `RedisSessionStore` does.
    """

    def __init__(self, client: redis.asyncio.Redis, prefix: str) -> None:
        self._client = client
        self._prefix = f"{prefix}:session:"

    # execute_command skips redis-py's per-method argument handling: ~60 µs a hop.
    async def aget(self, key: str) -> dict[str, Any] | None:
        payload = await self._client.execute_command("GET", self._prefix + key)
        return json.loads(payload) if payload else None

    async def aset(self, key: str, value: dict[str, Any], ttl_seconds: int) -> None:
        payload = json.dumps(value, ensure_ascii=False)
        await self._client.execute_command("SET", self._prefix + key, payload, "EX", ttl_seconds)

    async def aget_many(self, keys: list[str]) -> list[dict[str, Any] | None]:
        """Several keys in one round trip (a USSD session's first hop reads two)."""
        payloads = await self._client.execute_command("MGET", *(self._prefix + k for k in keys))
        return [json.loads(payload) if payload else None for payload in payloads]

    async def aset_many(self, items: list[tuple[str, dict[str, Any], int]]) -> None:
        """Several keys, each with its own TTL, in one round trip (pipelined SETs)."""
        async with self._client.pipeline(transaction=False) as pipe:
            for key, value, ttl_seconds in items:
                payload = json.dumps(value, ensure_ascii=False)
                pipe.execute_command("SET", self._prefix + key, payload, "EX", ttl_seconds)
            await pipe.execute()

    async def close(self) -> None:
        await self._client.aclose()
