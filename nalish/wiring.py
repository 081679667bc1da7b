"""The composition root: one `AppContext` per process, built from the settings.

Web and worker processes call `configure_process()` once at start-up: it builds the
context (transport, rate limiter, phone counter, session store, locks, job queue) and
installs it into the lower layers, which ask for these but may not import this
package. The CLI calls `install_hooks()` only: its commands send nothing themselves
(the sweeps do). No import installs anything. docs/architecture.md, "Application
context".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from channels import delivery
from escalation import deadlines
from grievance_engine import outbox
from infra import background_jobs, ratelimit
from infra.locks import Locks, MemoryLocks, RedisLocks
from infra.ratelimit import (
    MemoryPhoneCounter,
    MemoryRateLimiter,
    RedisPhoneCounter,
    RedisRateLimiter,
)
from infra.session_store import (
    AsyncRedisSessionStore,
    AsyncSessionStore,
    MemorySessionStore,
    RedisSessionStore,
    SessionStore,
)
from infra.settings import Settings

if TYPE_CHECKING:
    import redis
    from rq import Queue

# Redis, rq and the providers' transports are imported where they are used: the CLI
# imports this module for `install_hooks()` alone and should start fast.


def redis_client(settings: Settings, *, blocking: bool = False) -> redis.Redis:
    """The process's client for the web path (short timeouts: a USSD hop must fail fast
    rather than hang on a sick Redis), shared by sessions, locks, the rate limiter, the
    job queue and health checks so they use one connection pool; or, with
    `blocking=True`, a client for an rq worker, whose dequeue blocks for minutes."""
    import redis

    if blocking:
        return redis.Redis.from_url(
            settings.redis_url,
            socket_timeout=None,
            socket_connect_timeout=5,
            health_check_interval=30,
        )
    return _per_process(
        "redis",
        settings,
        lambda: redis.Redis.from_url(
            settings.redis_url,
            socket_timeout=2,
            socket_connect_timeout=5,
            health_check_interval=30,
        ),
    )


def queue_name(settings: Settings) -> str:
    return f"{settings.redis_prefix}-default"


def rq_queue(settings: Settings, connection: redis.Redis) -> Queue:
    from rq import Queue

    return Queue(queue_name(settings), connection=connection)


# One session store and one lock table per process and Redis target, so the web app,
# its background jobs and its periodic sweeps all see the same sessions and locks.
_shared: dict[tuple[str, str | None, str], object] = {}


def _per_process(kind: str, settings: Settings, make):
    key = (kind, settings.redis_url, settings.redis_prefix)
    if key not in _shared:
        _shared[key] = make()
    return _shared[key]


def _per_process_store(kind: str, settings: Settings, in_memory, on_redis):
    """The process's one `kind` store: `in_memory()` when embedded, else
    `on_redis(client, prefix)` on the shared Redis client under the settings' prefix."""
    if settings.embedded:
        return _per_process(kind, settings, in_memory)
    return _per_process(
        kind, settings, lambda: on_redis(redis_client(settings), settings.redis_prefix)
    )


def session_store(settings: Settings) -> SessionStore:
    return _per_process_store("sessions", settings, MemorySessionStore, RedisSessionStore)


def async_session_store(settings: Settings) -> AsyncSessionStore:
    """The session store for the event loop; call it inside the running loop."""
    if settings.embedded:
        return session_store(settings)  # the same memory: sync and async views agree
    import redis.asyncio

    client = redis.asyncio.Redis.from_url(
        settings.redis_url, socket_timeout=2, socket_connect_timeout=2
    )
    return AsyncRedisSessionStore(client, settings.redis_prefix)


def locks(settings: Settings) -> Locks:
    return _per_process_store("locks", settings, MemoryLocks, RedisLocks)


def phone_counter(settings: Settings) -> MemoryPhoneCounter | RedisPhoneCounter:
    """Where per-phone reply and filing counts live: Redis, shared by every process."""
    return _per_process_store("phone-counter", settings, MemoryPhoneCounter, RedisPhoneCounter)


@dataclass
class AppContext:
    """What one process runs with, built once; `app.state.context` in the web app."""

    settings: Settings
    transport: outbox.Transport
    rate_limiter: outbox.RateLimiter
    phone_counter: MemoryPhoneCounter | RedisPhoneCounter
    session_store: SessionStore
    locks: Locks
    # rq with Redis; in embedded mode the web app's thread queue once it starts, and
    # none in the CLI (what it writes is sent by the sweeps).
    job_queue: background_jobs.JobQueue | None


def create_context(settings: Settings) -> AppContext:
    """The process's implementations for these settings, not yet installed."""
    from channels.transports import make_transport

    if settings.embedded:
        limiter: outbox.RateLimiter = MemoryRateLimiter(settings.sms_rate_per_second)
        job_queue = None
    else:
        client = redis_client(settings)
        limiter = RedisRateLimiter(client, settings.redis_prefix, settings.sms_rate_per_second)
        job_queue = background_jobs.RqJobQueue(rq_queue(settings, client))
    return AppContext(
        settings=settings,
        transport=make_transport(settings),
        rate_limiter=limiter,
        phone_counter=phone_counter(settings),
        session_store=session_store(settings),
        locks=locks(settings),
        job_queue=job_queue,
    )


def install(context: AppContext) -> None:
    """Hand the context's implementations to the lower layers that use them."""
    install_hooks()
    outbox.set_transport(context.transport)
    outbox.set_rate_limiter(context.rate_limiter)
    ratelimit.set_phone_counter(context.phone_counter)
    background_jobs.set_job_queue(context.job_queue)


def uninstall() -> None:
    """Take every installed implementation back out (tests, between cases): no
    transport, rate limiter or job queue, and per-phone counts that start at nothing."""
    outbox.set_transport(None)
    outbox.set_rate_limiter(None)
    ratelimit.set_phone_counter(MemoryPhoneCounter())
    background_jobs.set_job_queue(None)


def use_job_queue(context: AppContext, job_queue: background_jobs.JobQueue | None) -> None:
    """Run this process's jobs on `job_queue` (the embedded web app's thread queue)."""
    context.job_queue = job_queue
    background_jobs.set_job_queue(job_queue)


def install_hooks() -> None:
    """What every process that changes tickets needs, and no import does for it: each
    ticket filed or moved keeps its SLA clock (escalation's engine hooks), and a
    delivery report that outran its send is applied once the message id is saved."""
    deadlines.install()
    delivery.install()


def configure_process(settings: Settings) -> AppContext:
    """Build this process's context and install it; its job queue is None without
    Redis (the web app then starts its own thread queue)."""
    context = create_context(settings)
    install(context)
    return context
