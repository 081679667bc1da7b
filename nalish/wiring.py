"""Pick the implementations the lower layers ask for, from the settings.

Web, worker and CLI processes call `configure_process()` once at start-up.
"""

from __future__ import annotations

import redis
import redis.asyncio
from rq import Queue

from channels import delivery
from channels.transports import make_transport
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


def redis_client(settings: Settings, *, blocking: bool = False) -> redis.Redis:
    """The process's client for the web path (short timeouts: a USSD hop must fail fast
    rather than hang on a sick Redis), shared by sessions, locks, the rate limiter, the
    job queue and health checks so they use one connection pool; or, with
    `blocking=True`, a client for an rq worker, whose dequeue blocks for minutes."""
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
    return Queue(queue_name(settings), connection=connection)


# One session store and one lock table per process and Redis target, so the web app,
# its background jobs and its periodic sweeps all see the same sessions and locks.
_shared: dict[tuple[str, str | None, str], object] = {}


def _per_process(kind: str, settings: Settings, make):
    key = (kind, settings.redis_url, settings.redis_prefix)
    if key not in _shared:
        _shared[key] = make()
    return _shared[key]


def session_store(settings: Settings) -> SessionStore:
    if settings.embedded:
        return _per_process("sessions", settings, MemorySessionStore)
    return _per_process(
        "sessions",
        settings,
        lambda: RedisSessionStore(redis_client(settings), settings.redis_prefix),
    )


def async_session_store(settings: Settings) -> AsyncSessionStore:
    """The session store for the event loop; call it inside the running loop."""
    if settings.embedded:
        return session_store(settings)  # the same memory: sync and async views agree
    client = redis.asyncio.Redis.from_url(
        settings.redis_url, socket_timeout=2, socket_connect_timeout=2
    )
    return AsyncRedisSessionStore(client, settings.redis_prefix)


def locks(settings: Settings) -> Locks:
    if settings.embedded:
        return _per_process("locks", settings, MemoryLocks)
    return _per_process(
        "locks", settings, lambda: RedisLocks(redis_client(settings), settings.redis_prefix)
    )


def phone_counter(settings: Settings) -> MemoryPhoneCounter | RedisPhoneCounter:
    """Where per-phone reply and filing counts live: Redis, shared by every process."""
    if settings.embedded:
        return _per_process("phone-counter", settings, MemoryPhoneCounter)
    return _per_process(
        "phone-counter",
        settings,
        lambda: RedisPhoneCounter(redis_client(settings), settings.redis_prefix),
    )


def configure_process(settings: Settings) -> background_jobs.JobQueue | None:
    """Set the SMS transport, its rate limit and the job queue; returns the queue
    (None without Redis)."""
    deadlines.install()  # every ticket filed or moved in this process keeps its SLA clock
    delivery.install()  # a delivery report that outran its send is applied once sent
    outbox.set_transport(make_transport(settings))
    ratelimit.set_phone_counter(phone_counter(settings))
    if settings.embedded:
        outbox.set_rate_limiter(MemoryRateLimiter(settings.sms_rate_per_second))
        return None  # the web app starts its own thread queue; CLI commands have none
    outbox.set_rate_limiter(
        RedisRateLimiter(
            redis_client(settings), settings.redis_prefix, settings.sms_rate_per_second
        )
    )
    job_queue = background_jobs.RqJobQueue(rq_queue(settings, redis_client(settings)))
    background_jobs.set_job_queue(job_queue)
    return job_queue
