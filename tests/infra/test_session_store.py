"""Menu session stores: in memory, and in real Redis."""

from __future__ import annotations

import time

import pytest
import redis

from infra.session_store import MemorySessionStore, RedisSessionStore
from tests import services


@pytest.fixture(params=["memory", "redis"])
def store(request):
    if request.param == "memory":
        yield MemorySessionStore()
        return
    services.require_services()
    prefix = services.redis_prefix()
    yield RedisSessionStore(redis.Redis.from_url(services.REDIS_URL), prefix)
    services.delete_redis_keys(prefix)


def test_a_session_round_trips_with_bangla_text(store):
    state = {"node": "district", "data": {"description": "পানি নেই", "district": 55}}
    store.set("ussd:ATUid_1", state, ttl_seconds=60)
    assert store.get("ussd:ATUid_1") == state


def test_an_unknown_or_deleted_session_is_none(store):
    assert store.get("ussd:nobody") is None
    store.set("ussd:ATUid_2", {"a": 1}, ttl_seconds=60)
    store.delete("ussd:ATUid_2")
    assert store.get("ussd:ATUid_2") is None


def test_a_session_expires_after_its_ttl(store):
    store.set("ussd:ATUid_3", {"a": 1}, ttl_seconds=1)
    time.sleep(1.2)
    assert store.get("ussd:ATUid_3") is None
