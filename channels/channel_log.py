"""The channel log: every HTTP exchange with a provider, in and out, secrets redacted.

Writing a row inside a USSD hop would cost the citizen time, so `record()` only puts
the exchange on an in-memory queue; a background thread writes batches. A crash may
lose the last second of log lines, never a ticket or a message (those are written by
the request itself). Secrets are redacted with `infra.log_redaction`'s rules. Rows
older than NALISH_CHANNEL_LOG_RETENTION_DAYS are purged by a periodic job.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, insert
from sqlmodel import col, select

from grievance_engine.models import ChannelExchange
from infra import clock
from infra.cleaning import strip_controls
from infra.db import session_scope
from infra.log_redaction import redact_form, redact_url
from infra.settings import get_settings

log = logging.getLogger(__name__)

MAX_BODY = 4000


class ChannelLog:
    """Queues exchanges and writes them in batches from a daemon thread.

    Off until `start()` (the web app and workers start it); a CLI command or a unit
    test that sends nothing to a provider has nothing to log.
    """

    def __init__(self, max_queue: int = 10_000) -> None:
        # A deque, not a queue.Queue: append and popleft are atomic without a lock and
        # a condition to notify, the cost of `record()` inside every USSD hop.
        self._queue: collections.deque[tuple] = collections.deque()
        self._max_queue = max_queue
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stopped.clear()
        self._thread = threading.Thread(target=self._run, name="nalish-channel-log", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Write what is queued and stop the writer thread."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._thread = None
        self.flush()

    def record(
        self,
        *,
        provider: str,
        direction: str,
        method: str,
        url: str,
        status_code: int | None,
        duration_ms: float | None,
        request_body: str | bytes = "",
        response_body: str | bytes = "",
        error: str | None = None,
    ) -> None:
        """Queue one exchange. Cheap on purpose (it runs inside webhooks): decoding,
        redaction and the INSERT happen on the writer thread."""
        if not self.running:
            return
        item = (
            clock.now(),
            provider,
            direction,
            method,
            url,
            status_code,
            duration_ms,
            request_body,
            response_body,
            error,
        )
        if len(self._queue) >= self._max_queue:
            # The database is slow: drop log lines, never block a webhook.
            log.warning("channel log queue full; dropped an exchange with %s", provider)
            return
        self._queue.append(item)

    def flush(self) -> int:
        """Write everything queued so far (tests, shutdown); returns how many rows."""
        items = []
        while True:
            try:
                items.append(self._queue.popleft())
            except IndexError:
                break
        if not items:
            return 0
        rows = []
        for item in items:
            try:
                rows.append(_row(item))
            except Exception:  # a row we cannot even build is dropped alone
                log.exception("dropped a channel log row that could not be built")
        try:
            _insert(rows)
            return len(rows)
        except Exception:
            log.warning("could not write %d channel log rows at once; one by one", len(rows))
        # One bad row must not lose the batch: each row on its own, the bad ones dropped.
        written = 0
        for row in rows:
            try:
                _insert([row])
                written += 1
            except Exception:
                log.exception("dropped a channel log row for %s", row.get("url", "")[:100])
        return written

    def _run(self) -> None:
        # Batch a second's worth: one INSERT round trip, not one per hop.
        while not self._stopped.wait(1.0):
            self.flush()


def _insert(rows: list[dict[str, Any]]) -> None:
    with session_scope() as session:
        # Core INSERT of plain rows: a fifth of the ORM's cost per row.
        session.execute(insert(ChannelExchange.__table__), rows)


def _text(body: str | bytes) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    # The log keeps what a stranger sent, minus what PostgreSQL cannot store (a NUL).
    return strip_controls(text)


def _row(item: tuple) -> dict[str, Any]:
    at, provider, direction, method, url, status_code, duration_ms, request, response, error = item
    return {
        "at": at,
        "provider": _text(provider)[:20],
        "direction": direction,
        "method": _text(method)[:8],
        "url": redact_url(_text(url))[:500],
        "status_code": status_code,
        "duration_ms": duration_ms,
        "request_body": redact_form(_text(request))[:MAX_BODY],
        "response_body": _text(response)[:MAX_BODY],
        "error": _text(error)[:500] if error else None,
    }


CHANNEL_LOG = ChannelLog()


def purge(*, older_than_days: int | None = None, batch: int = 5000) -> int:
    """Delete exchanges older than the retention period; returns how many."""
    days = older_than_days or get_settings().channel_log_retention_days
    cutoff = clock.now() - timedelta(days=days)
    total = 0
    while True:
        with session_scope() as session:
            ids = session.exec(
                select(ChannelExchange.id).where(col(ChannelExchange.at) < cutoff).limit(batch)
            ).all()
            if not ids:
                return total
            session.exec(delete(ChannelExchange).where(col(ChannelExchange.id).in_(ids)))
            total += len(ids)


def recent(*, provider: str | None = None, limit: int = 100) -> list[ChannelExchange]:
    """The newest exchanges, for admins."""
    with session_scope() as session:
        statement = select(ChannelExchange).order_by(col(ChannelExchange.id).desc()).limit(limit)
        if provider:
            statement = statement.where(ChannelExchange.provider == provider)
        return list(session.exec(statement))


def watch_httpx_client(client: Any, provider: str) -> None:
    """Log every response an httpx client receives from `provider` (headers, which carry
    API keys, are never logged; form fields named like secrets are redacted)."""

    def on_request(request: Any) -> None:
        request.extensions["nalish_started"] = time.perf_counter()

    def on_response(response: Any) -> None:
        response.read()
        request = response.request
        started = request.extensions.get("nalish_started")
        CHANNEL_LOG.record(
            provider=provider,
            direction="out",
            method=request.method,
            url=str(request.url),
            status_code=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 3) if started else None,
            request_body=request.content.decode("utf-8", "replace"),
            response_body=response.text,
        )

    hooks = client.event_hooks
    client.event_hooks = {
        "request": [*hooks.get("request", []), on_request],
        "response": [*hooks.get("response", []), on_response],
    }
