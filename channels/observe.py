"""Watching the doors: an ASGI middleware that counts, times and logs every webhook.

For each request to a known webhook (a route under `/channels/<provider>/…`) it records
Prometheus metrics (count by status, latency) and a channel-log row with the request
and response bodies, secrets redacted. Labels come from a fixed set, the routes'
templates: anything else under `/channels/` is counted once as provider and endpoint
"unmatched" and writes no row, so a stranger posting to random paths can neither mint
metric series nor fill the log. Pure ASGI (not BaseHTTPMiddleware) so a USSD hop pays
microseconds: it only copies the bytes that pass through.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from channels.channel_log import CHANNEL_LOG
from infra import caching
from infra.prometheus_metrics import CHANNEL_LATENCY, CHANNEL_REQUESTS

PREFIX = "/channels/"
UNMATCHED = "unmatched"  # the provider and endpoint label of any other path under PREFIX


class ChannelObserver:
    """`routers`: the webhook routers (APIRouters under /channels/) whose routes are the
    known doors; everything else under /channels/ is "unmatched"."""

    def __init__(self, app: Any, *, routers: Sequence[Any] = ()) -> None:
        self.app = app
        self.routes = tuple(
            (route.path, route.path_regex)
            for router in routers
            for route in router.routes
            if route.path.startswith(PREFIX)
        )

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
        provider, endpoint = _provider_and_endpoint(scope, self.routes)
        counter, histogram = _series(provider, endpoint, status)
        counter.inc()
        histogram.observe(elapsed)
        if provider == UNMATCHED:
            return
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


@caching.cached(maxsize=1024)
def _series(provider: str, endpoint: str, status: int) -> tuple[Any, Any]:
    """The metric children for one label set (looking them up costs more than using them)."""
    return (
        CHANNEL_REQUESTS.labels(provider, endpoint, str(status)),
        CHANNEL_LATENCY.labels(provider, endpoint),
    )


def _provider_and_endpoint(scope: dict, routes: tuple[tuple[str, Any], ...]) -> tuple[str, str]:
    """The provider and endpoint template of the webhook route this request is for, or
    ("unmatched", "unmatched"). Matched here rather than read from `scope["route"]`: a
    request refused before routing (413 on its Content-Length) still reached a known
    webhook and is logged as one."""
    path = scope["path"]
    for template, pattern in routes:
        if pattern.match(path):
            provider, _, endpoint = template[len(PREFIX) :].partition("/")
            return provider, "/" + endpoint
    return UNMATCHED, UNMATCHED
