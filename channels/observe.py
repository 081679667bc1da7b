"""Watching the doors: an ASGI middleware that counts, times and logs every webhook.

For each request under `/channels/<provider>/…` it records Prometheus metrics (count
by status, latency) and a channel-log row with the request and response bodies,
secrets redacted. Pure ASGI (not BaseHTTPMiddleware) so a USSD hop pays microseconds:
it only copies the bytes that pass through.
"""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Any

from grievance_engine.channel_log import CHANNEL_LOG
from grievance_engine.metrics import CHANNEL_LATENCY, CHANNEL_REQUESTS

PREFIX = "/channels/"


class ChannelObserver:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_body = bytearray()
        response_body = bytearray()
        status: list[int] = []

        async def receive_and_copy() -> dict:
            message = await receive()
            if message["type"] == "http.request":
                request_body.extend(message.get("body", b"")[: 8192 - len(request_body)])
            return message

        async def send_and_copy(message: dict) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            elif message["type"] == "http.response.body":
                response_body.extend(message.get("body", b"")[: 8192 - len(response_body)])
            await send(message)

        try:
            await self.app(scope, receive_and_copy, send_and_copy)
        finally:
            self._observe(scope, started, status[0] if status else 500, request_body, response_body)

    def _observe(
        self, scope: dict, started: float, status: int, request_body: bytes, response_body: bytes
    ) -> None:
        elapsed = time.perf_counter() - started
        provider, endpoint = _provider_and_endpoint(scope)
        counter, histogram = _series(provider, endpoint, status)
        counter.inc()
        histogram.observe(elapsed)
        query = scope.get("query_string", b"").decode("latin-1")
        CHANNEL_LOG.record(
            provider=provider,
            direction="in",
            method=scope.get("method", ""),
            url=scope["path"] + (f"?{query}" if query else ""),
            status_code=status,
            duration_ms=round(elapsed * 1000, 3),
            request_body=bytes(request_body),
            response_body=bytes(response_body),
        )


@lru_cache(maxsize=1024)
def _series(provider: str, endpoint: str, status: int) -> tuple[Any, Any]:
    """The metric children for one label set (looking them up costs more than using them)."""
    return (
        CHANNEL_REQUESTS.labels(provider, endpoint, str(status)),
        CHANNEL_LATENCY.labels(provider, endpoint),
    )


def _provider_and_endpoint(scope: dict) -> tuple[str, str]:
    # The matched route's template keeps label cardinality bounded: an unknown path
    # is counted as "unmatched", never by its raw text.
    route = scope.get("route")
    path = getattr(route, "path", None)
    parts = scope["path"][len(PREFIX) :].split("/", 1)
    provider = parts[0][:20] or "unknown"
    if path is None:
        return provider, "unmatched"
    return provider, path[len(PREFIX) + len(provider) :] or "/"
