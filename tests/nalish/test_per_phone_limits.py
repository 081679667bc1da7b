"""Per-phone limits and the attachment fetcher, tried as a flood and an attacker would:
against a real `nalish serve` on PostgreSQL + Redis, over HTTP, many requests at once.

- 500 SMS from one phone through Africa's Talking's webhook: replies stop at the limit
  plus one notice, every message is recorded, and an agent gets one call-back task.
- 25 USSD filings from one phone: five tickets; the rest are told politely, kept in
  full for an agent and never lost.
- An officer's API token adds an attachment on 127.0.0.1: a real worker never connects.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests import services
from tests.grievance_engine.test_attachments import Listener
from tests.nalish.conftest import Backend
from tests.nalish.test_spine import REF, Phone, agree_and_send, number_of, past_upazila
from tests.private_servers import free_port

# A real server on a shared machine: 500 requests take longer than one test's default.
pytestmark = pytest.mark.timeout(900)
REPLY_LIMIT, FILING_LIMIT = 10, 5
SMS = "/channels/africastalking/sms"


class Server(Backend):
    """A real `nalish serve` (and its CLI) on its own PostgreSQL database and Redis prefix."""

    url: str = ""

    def rows(self, sql: str, **params) -> list[tuple]:
        engine = create_engine(self.env["NALISH_DATABASE_URL"])
        try:
            with engine.connect() as connection:
                return [tuple(row) for row in connection.execute(text(sql), params)]
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    services.require_services()
    home = tmp_path_factory.mktemp("limits")
    database, prefix = services.create_database(), services.redis_prefix()
    env = {
        "NALISH_DATABASE_URL": database,
        "NALISH_REDIS_URL": services.REDIS_URL,
        "NALISH_REDIS_PREFIX": prefix,
        "NALISH_COUNTRY": "BD",
        "NALISH_SMS_TRANSPORT": "console",
        "NALISH_SMS_REPLY_LIMIT_PER_HOUR": str(REPLY_LIMIT),
        "NALISH_FILING_LIMIT_PER_DAY": str(FILING_LIMIT),
        "NALISH_MEDIA_DIR": str(home / "media"),
    }
    found = Server("postgres_redis", env)
    found.url = f"http://127.0.0.1:{free_port()}"
    found.nalish("db", "upgrade")
    found.nalish("seed")
    log = home / "serve.log"
    port = found.url.rsplit(":", 1)[1]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "nalish", "serve", "--host", "127.0.0.1", "--port", port],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_ready(found.url, process, log)
        yield found
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        services.drop_database(database)
        services.delete_redis_keys(prefix)


def _wait_until_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise AssertionError(f"nalish serve exited:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"nalish serve never became ready:\n{log.read_text()}")


def _unique_phone() -> str:
    return f"+88017{uuid.uuid4().int % 10**8:08d}"


def test_five_hundred_sms_from_one_phone_get_ten_replies_and_one_notice_and_all_are_kept(
    server,
):
    phone = _unique_phone()

    def send(n: int) -> int:
        form = {
            "from": phone,
            "to": "333",
            "text": f"HELP {n}",
            "date": "2026-11-27 10:15:00",
            "id": f"ATXid_{uuid.uuid4().hex}",
            "linkId": "SampleLinkId123",
            "networkCode": "47001",
        }
        return httpx.post(f"{server.url}{SMS}", data=form, timeout=60).status_code

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = Counter(pool.map(send, range(500)))
    print(f"500 SMS from one phone, 20 at a time: {time.monotonic() - started:.1f} s")
    assert statuses == {200: 500}

    outbox = json.loads(server.nalish("outbox", "list", "--json", "--to", phone).stdout)
    bodies = Counter(
        "notice" if "many messages" in m["body"] else "help" for m in outbox if m["to"] == phone
    )
    assert bodies == {"help": REPLY_LIMIT, "notice": 1}
    outcomes = dict(
        server.rows(
            "SELECT outcome, count(*) FROM inbound_message WHERE from_phone = :p GROUP BY outcome",
            p=phone,
        )
    )
    # A message whose turn for the phone's lock came too late under this load is left
    # to the inbound sweep (outcome None until then); recorded all the same.
    deferred = outcomes.pop(None, 0)
    assert outcomes == {"help": REPLY_LIMIT, "over_limit": 500 - REPLY_LIMIT - deferred}
    tasks = server.rows("SELECT reason FROM callback_task WHERE phone = :p", p=phone)
    print(
        f"replies {dict(bodies)}, inbound {outcomes}, left to the sweep {deferred},"
        f" call-back tasks {len(tasks)}"
    )
    assert len(tasks) == 1 and "more than 10 SMS in an hour" in tasks[0][0]


def _file_by_ussd(server: Server, number: str, n: int) -> str:
    with httpx.Client(base_url=server.url, timeout=60) as client:
        phone = Phone(client, number)
        screen = phone.dial()
        if "Language" in screen:
            screen = phone.press(number_of(screen, "English"))
        # another of this phone's calls may be in flight: its offer ("99. Continue your
        # complaint") sits beside the main menu, whose keys keep their meaning
        screen = phone.press(number_of(screen, "New complaint"))
        screen = phone.press(number_of(screen, "Water"))
        screen = phone.press(number_of(screen, "Rangpur"))  # the division
        screen = past_upazila(phone, phone.press(number_of(screen, "Rangpur")))
        screen = phone.press(f"No water from tubewell {n} in ward 5")
        return agree_and_send(phone, screen)


def test_twenty_five_ussd_filings_from_one_phone_make_five_tickets_and_keep_the_rest(server):
    number = _unique_phone()
    first = _file_by_ussd(server, number, 0)  # the first call chooses the language
    with ThreadPoolExecutor(max_workers=8) as pool:
        finals = [first, *pool.map(lambda n: _file_by_ussd(server, number, n), range(1, 25))]
    assert all(final.startswith("END ") for final in finals)
    with_ref = [final for final in finals if REF.search(final)]
    told = [final for final in finals if "many complaints today" in final]
    assert len(with_ref) == FILING_LIMIT and len(told) == 25 - FILING_LIMIT
    tickets = server.rows("SELECT count(*) FROM ticket t JOIN citizen c ON c.id = t.citizen_id "
                          "WHERE c.phone = :p", p=number)  # fmt: skip
    assert tickets == [(FILING_LIMIT,)]
    kept = server.rows(
        "SELECT channel, text FROM inbound_message"
        " WHERE from_phone = :p AND outcome = 'over_limit'",
        p=number,
    )
    assert len(kept) == 25 - FILING_LIMIT
    assert all(channel == "ussd" and "[water; Rangpur]" in body for channel, body in kept)
    tasks = server.rows("SELECT reason FROM callback_task WHERE phone = :p", p=number)
    assert len(tasks) == 1 and "more than 5 complaints today" in tasks[0][0]
    acks = [
        m
        for m in json.loads(server.nalish("outbox", "list", "--json", "--to", number).stdout)
        if m["kind"] == "ack"
    ]
    print(
        f"25 USSD filings: {len(with_ref)} references, {len(told)} told, tickets {tickets[0][0]},"
        f" kept {len(kept)}, acks {len(acks)}, call-back tasks {len(tasks)}"
    )
    assert len(acks) == FILING_LIMIT  # no SMS for what was over the limit


def test_an_officer_token_cannot_make_the_worker_touch_loopback(server):
    listener = Listener("127.0.0.1")
    try:
        agent = server.nalish("tokens", "create", "--name", "crm", "--role", "agent").stdout
        officer = json.loads(
            server.nalish("tokens", "create", "--name", "rangpur-dc", "--role", "officer",
                          "--district", "Rangpur", "--json").stdout
        )["token"]  # fmt: skip
        with httpx.Client(base_url=server.url, timeout=30) as client:
            filed = client.post(
                "/api/v1/tickets",
                json={"phone": "01712-345699", "district": "Rangpur", "category": "water",
                      "description": "No water from the tubewell in ward 5"},
                headers={"Authorization": f"Bearer {agent.strip()}"},
            )  # fmt: skip
            assert filed.status_code == 201, filed.text
            ref = filed.json()["ref"]

            def attach(host: str) -> int:
                return client.post(
                    f"/api/v1/tickets/{ref}/attachments",
                    json={"url": f"http://{host}:{listener.port}/voice.wav"},
                    headers={"Authorization": f"Bearer {officer}"},
                ).status_code

            hostile = ("127.0.0.1", "127.1", "0x7f000001", "[::ffff:127.0.0.1]", "localhost.")
            assert [attach(host) for host in hostile] == [422] * len(hostile)
            # This machine's own name resolves to loopback (or a private address in a
            # container): only the fetcher can tell, when it resolves it.
            assert attach(socket.gethostname()) == 201
        server.nalish("worker", "--burst")
    finally:
        connections = listener.close()
    print(f"connections to the loopback listener: {connections}")
    assert connections == 0
    errors = server.rows(
        "SELECT status, last_error FROM attachment WHERE source_url LIKE :u",
        u=f"%:{listener.port}/%",
    )
    assert errors == [("failed", "could not fetch attachment: address not allowed")]
