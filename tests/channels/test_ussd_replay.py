"""A USSD conversation worked out from Africa's Talking's cumulative `text`
(`menus.ussd_replay`): it survives a Redis outage mid-way, and two web processes can
serve one session's hops in turn, each seeing only what the other wrote to the store.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from nalish.app import create_app
from tests.menus.test_conversations import new_phone
from tests.nalish.conftest import Backend, _activate, _prepare, _restore
from tests.nalish.test_spine import REF, Phone, number_of, pick
from tests.private_servers import RedisServer


@pytest.fixture
def private_redis(tmp_path) -> Iterator[tuple[Backend, RedisServer]]:
    """A SQLite database and a redis-server of this test's own, which it may kill."""
    redis_server = RedisServer().start()
    env = {
        "NALISH_DATABASE_URL": f"sqlite:///{tmp_path / 'nalish.db'}",
        "NALISH_REDIS_URL": redis_server.url,
        "NALISH_REDIS_PREFIX": "replay-test",
    }
    saved = _activate(env)
    try:
        _prepare(env)
        yield Backend("sqlite_private_redis", env), redis_server
    finally:
        _restore(saved)
        redis_server.stop()


def test_redis_killed_mid_conversation_the_next_hop_continues_the_complaint(private_redis):
    backend, redis_server = private_redis
    with TestClient(create_app()) as client:
        phone = Phone(client, new_phone())
        screen = phone.dial()
        for label in ("English", "New complaint", "Water", "Rangpur"):
            screen = pick(phone, screen, label)
        assert "Choose your district" in screen

        redis_server.kill()  # Redis is gone between two hops of the conversation

        # The rest of the complaint, "#" an option picked by its label, else typed.
        for step in ("#Rangpur", "#Kaunia", "Tubewell broken since Friday", "#I agree", "#Send"):
            screen = pick(phone, screen, step[1:]) if step[0] == "#" else phone.press(step)
    assert screen.startswith("END ")
    filed = backend.nalish("tickets", "show", REF.search(screen).group(1), "--json")
    shown = json.loads(filed.stdout)
    assert (shown["category"], shown["district"], shown["channel"]) == ("water", "Rangpur", "ussd")


class TwoProcesses:
    """One USSD session whose hops go to two apps, as two uvicorn workers behind one
    port would get them: each app keeps its own copy of the sessions it served, and
    they share only the session store (Redis, or the embedded memory store's process)
    and the database. Hop n goes to app `schedule(n)`."""

    def __init__(self, apps: list[TestClient], number: str, schedule) -> None:
        self.phones = [Phone(app, number) for app in apps]
        for phone in self.phones[1:]:
            phone.session_id = self.phones[0].session_id
        self.schedule = schedule
        self.hops = 0

    def dial(self) -> str:
        self.hops = 1
        return self.phones[self.schedule(0)].dial()

    def press(self, answer: str) -> str:
        for phone in self.phones:
            phone.typed.append(answer)
        phone = self.phones[self.schedule(self.hops)]
        self.hops += 1
        return phone._post("*".join(phone.typed))


SCHEDULES = {"alternate": lambda n: n % 2, "pairs": lambda n: (n // 2) % 2}


@pytest.fixture
def shared_store(backend: Backend) -> Backend:
    if not backend.with_redis:
        pytest.skip("processes share sessions only through Redis (embedded is one process)")
    return backend


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_two_processes_serving_one_session_in_turn_show_the_same_screens(shared_store, schedule):
    """Paging, a typed district, Back, and the choices between, with the hops split
    between two processes: every screen is the one a single process shows."""
    with TestClient(create_app()) as one, TestClient(create_app()) as other:
        script = ["2", "1", "98", "0", "98", "0", "1", "Rongpur", "0", "1", "Rangpur", "0"]
        alone = Phone(one, new_phone())
        expected = [alone.dial(), *(alone.press(answer) for answer in script)]

        split = TwoProcesses([one, other], new_phone(), SCHEDULES[schedule])
        shown = [split.dial(), *(split.press(answer) for answer in script)]
    assert shown == expected


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_a_free_answer_with_stars_is_read_whole_after_a_handover(shared_store, schedule):
    """The description typed with ``*`` in it, the hops split between two processes:
    the filed ticket keeps it whole, and one ticket is filed."""
    with TestClient(create_app()) as one, TestClient(create_app()) as other:
        split = TwoProcesses([one, other], new_phone(), SCHEDULES[schedule])
        screen = split.dial()
        for label in ("English", "New complaint", "Water", "Rangpur", "Rangpur", "Kaunia"):
            screen = split.press(number_of(screen, label))
        assert "Describe the problem" in screen
        screen = split.press("Pump *3 broken*, ward 2")
        screen = split.press(number_of(screen, "I agree"))
        final = split.press(number_of(screen, "Send"))
        again = split.phones[1 - split.schedule(split.hops - 1)]._post(
            "*".join(split.phones[0].typed)
        )
    assert final.startswith("END ") and again == final  # a retry on the other process
    ref = REF.search(final).group(1)
    shown = json.loads(shared_store.nalish("tickets", "show", ref, "--json").stdout)
    assert "Pump *3 broken*, ward 2" in json.dumps(shown, ensure_ascii=False)
