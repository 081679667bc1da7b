"""Per-phone counters: each message or filing gets its number once, atomically, in
Redis (shared by every process) and in one process's memory (embedded mode)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import redis

from infra import clock
from infra.ratelimit import MemoryPhoneCounter, RedisPhoneCounter
from tests import services

T0 = datetime(2026, 4, 5, 10, 15, tzinfo=UTC)
HOUR = 3600


@pytest.fixture(params=["memory", "redis"])
def counter(request) -> Iterator[MemoryPhoneCounter | RedisPhoneCounter]:
    if request.param == "memory":
        yield MemoryPhoneCounter()
        return
    services.require_services()
    prefix = services.redis_prefix()
    yield RedisPhoneCounter(redis.Redis.from_url(services.REDIS_URL), prefix)
    services.delete_redis_keys(prefix)


def test_fifty_messages_at_once_from_one_phone_get_the_numbers_one_to_fifty(counter):
    def rank(n: int) -> int:
        return counter.rank("replies:+8801712345678", f"at:{n}", window_seconds=HOUR, remember=11)

    with clock.frozen_at(T0), ThreadPoolExecutor(max_workers=25) as pool:
        ranks = list(pool.map(rank, range(50)))
    assert sorted(ranks) == list(range(1, 51))


def test_a_retried_message_keeps_its_number_and_a_flood_is_not_remembered_one_by_one(counter):
    name = "filings:+8801712345678"
    with clock.frozen_at(T0):
        first = [counter.rank(name, f"ussd:{n}", window_seconds=HOUR, remember=6) for n in range(9)]
        again = [counter.rank(name, f"ussd:{n}", window_seconds=HOUR, remember=6) for n in range(9)]
    assert first == list(range(1, 10))
    # the first six (the limit and its notice) answer as before; later ones stay over it
    assert again[:6] == first[:6] and all(rank > 6 for rank in again[6:])


def test_a_new_window_starts_the_count_again_and_phones_are_counted_apart(counter):
    with clock.frozen_at(T0):
        assert counter.rank("replies:+8801711111111", "a", window_seconds=HOUR, remember=3) == 1
        assert counter.rank("replies:+8801711111111", "b", window_seconds=HOUR, remember=3) == 2
        assert counter.rank("replies:+8801722222222", "c", window_seconds=HOUR, remember=3) == 1
    with clock.frozen_at(T0 + timedelta(hours=1)):
        assert counter.rank("replies:+8801711111111", "d", window_seconds=HOUR, remember=3) == 1


def test_an_unreachable_redis_lets_every_message_through_rather_than_block_a_complaint():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = redis.Redis(port=port, socket_connect_timeout=1)
    counter = RedisPhoneCounter(client, services.redis_prefix())
    assert counter.rank("filings:+8801712345678", "ussd:1", window_seconds=HOUR, remember=6) == 0
