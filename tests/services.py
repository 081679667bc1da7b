"""Real PostgreSQL and Redis for tests: reachable → used; unreachable → skipped, loudly.

`NALISH_REQUIRE_SERVICES=1` (set by .ci/run) turns every such skip into a failure, so
CI can never go green without having run the Postgres + Redis tests.

Each test session creates its own database (`nalish_test_<random>`) and drops it at
the end; Redis keys live under a per-session prefix in DB index 15 and are deleted.
"""

from __future__ import annotations

import os
import uuid
from functools import cache

import psycopg
import pytest
import redis
from sqlalchemy.engine import make_url

POSTGRES_ADMIN_URL = os.environ.get(
    "NALISH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("NALISH_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@cache
def unavailable() -> str | None:
    """Why the Postgres + Redis tests cannot run here, or None when they can."""
    problems = []
    try:
        psycopg.connect(_libpq(POSTGRES_ADMIN_URL), connect_timeout=3).close()
    except Exception as exc:
        problems.append(f"PostgreSQL at {make_url(POSTGRES_ADMIN_URL).host}: {exc}".strip())
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:
        problems.append(f"Redis at {REDIS_URL}: {exc}")
    return "; ".join(problems) or None


def require_services() -> None:
    reason = unavailable()
    if reason is None:
        return
    if os.environ.get("NALISH_REQUIRE_SERVICES") == "1":
        pytest.fail(f"NALISH_REQUIRE_SERVICES=1 but services are unreachable: {reason}")
    pytest.skip(f"PostgreSQL/Redis tests skipped — not reachable: {reason}")


def create_database() -> str:
    """Create an empty database; returns its SQLAlchemy URL."""
    name = f"nalish_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_libpq(POSTGRES_ADMIN_URL), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    name = make_url(url).database
    with psycopg.connect(_libpq(POSTGRES_ADMIN_URL), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_prefix() -> str:
    return f"nalish-test-{uuid.uuid4().hex[:10]}"


def delete_redis_keys(prefix: str) -> None:
    """Delete a test's keys: its own (`prefix…`), its RQ queue and registries, the jobs
    they list (`rq:job:<id>`, kept by RQ with no expiry while queued) and their results,
    and the queue's name in RQ's set of queues."""
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    rq_keys = list(client.scan_iter(match=f"rq:*{prefix}*", count=1000))
    job_ids: set[bytes] = set()
    for key in rq_keys:
        kind = client.type(key)
        if kind == b"list":
            job_ids.update(client.lrange(key, 0, -1))
        elif kind == b"zset":
            job_ids.update(client.zrange(key, 0, -1))
    keys += rq_keys
    for job_id in job_ids:
        name = job_id.decode()
        keys += [f"rq:job:{name}", f"rq:results:{name}", f"rq:job:{name}:dependents"]
    # an emptied queue's list is gone from Redis, but its name stays in RQ's set
    queues = [name for name in client.smembers("rq:queues") if prefix.encode() in name]
    if queues:
        client.srem("rq:queues", *queues)
    if keys:
        client.delete(*keys)
