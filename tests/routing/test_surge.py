"""A surge, as the telco sees it: the real app under uvicorn on PostgreSQL and Redis,
Africa's Talking USSD conversations posted over HTTP by many callers at once.

In April 2020 thousands reported the same dry pipe from the same places. Every caller
must get a reference that is a ticket, one place must get one incident counting every
report, and a telco's concurrent retries of the confirming hop must all get the
reference the first one filed (never "something went wrong", which makes people file
again). Figures (errors, incidents, count, final-hop p99) are printed, not asserted
on time.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
from sqlmodel import select

from grievance_engine import service as ticket_service
from grievance_engine.models import AdminArea, Channel, Notification, TicketCreate
from infra import db
from infra.db import session_scope
from infra.settings import reset_settings
from routing import intake
from tests import services
from tests.nalish.test_spine import REF, Phone, number_of, pick
from tests.private_servers import free_port, wait_until_healthy

CALLERS = 40
AT_ONCE = 20
RETRIES = 10
ERROR_ANSWER = "went wrong"  # menus' "Sorry, something went wrong… dial again"
PASSWORD = "surge-test-password-1"
OFFICER = "officer.surge@nalish.test"
# The retries file in Pirganj (the retried hop) and in no upazila (SMS, voice): someone
# to assign to at each office those reach, Pirganj's UNO office and Rangpur's DC office.
OFFICERS_ELSEWHERE = {
    "uno-bd-55-u445": "officer.pirganj@nalish.test",
    "dc-rangpur": "officer.dc@nalish.test",
}


@dataclass
class Server:
    """`nalish serve` on a free port, and the CLI against the same database."""

    url: str
    env: dict[str, str]

    def nalish(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "nalish", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
            check=True,
        )

    def json(self, *args: str) -> list[dict]:
        return json.loads(self.nalish(*args, "--json").stdout)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    services.require_services()
    database = services.create_database()
    prefix = services.redis_prefix()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"NALISH_REDIS_URL", "NALISH_REDIS_PREFIX", "NALISH_DATABASE_URL"}
    }
    env.update(
        NALISH_DATABASE_URL=database,
        NALISH_REDIS_URL=services.REDIS_URL,
        NALISH_REDIS_PREFIX=prefix,
        NALISH_COUNTRY="BD",
        NALISH_SMS_TRANSPORT="console",
    )
    port = free_port()
    found = Server(url=f"http://127.0.0.1:{port}", env=env)
    log = tmp_path_factory.mktemp("surge") / "serve.log"
    process = None
    try:
        found.nalish("db", "upgrade")
        found.nalish("seed")
        # Someone to assign to: a retry that re-ran assignment used to fail on them.
        # Mithapukur's UNO office: a grievance that names its upazila goes there.
        found.nalish(
            "users", "create", "--email", OFFICER, "--role", "officer",
            "--password", PASSWORD, "--district", "Rangpur", "--languages", "bn,en",
            "--office", "uno-bd-55-u444",
        )  # fmt: skip
        for office, email in OFFICERS_ELSEWHERE.items():
            found.nalish(
                "users", "create", "--email", email, "--role", "officer", "--password",
                PASSWORD, "--district", "Rangpur", "--languages", "bn,en", "--office", office,
            )  # fmt: skip
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "nalish", "serve", "--port", str(port)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_until_healthy(found.url, process, log)
        yield found
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        services.drop_database(database)
        services.delete_redis_keys(prefix)


def _new_phone() -> str:
    return f"+88017{uuid.uuid4().int % 10**8:08d}"


def _to_confirmation(
    client: httpx.Client, number: str, description: str, upazila: str = "Mithapukur"
) -> tuple[Phone, str]:
    """Walk one caller (someone we have not met) with a water complaint from `upazila`
    (Rangpur) to the screen that asks "Send?"; the phone and the key that sends."""
    phone = Phone(client, number)
    screen = phone.dial()
    for label in ("English", "New complaint", "Water", "Rangpur", "Rangpur", upazila):
        screen = pick(phone, screen, label)
    screen = phone.press(description)
    screen = pick(phone, screen, "I agree")
    return phone, number_of(screen, "Send")


def _send(phone: Phone, key: str) -> tuple[str, float]:
    """The confirming hop: the answer and how long it took."""
    started = time.perf_counter()
    answer = phone.press(key)
    return answer, time.perf_counter() - started


def _p99(seconds: list[float]) -> float:
    return statistics.quantiles(seconds, n=100)[98] if len(seconds) > 1 else seconds[0]


def test_forty_alike_complaints_from_one_upazila_twenty_at_once_all_get_a_real_reference(
    server,
):
    def caller(number: int) -> tuple[str, float]:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            phone, key = _to_confirmation(
                client, _new_phone(), f"No water from the supply line in ward {number % 9 + 1}"
            )
            return _send(phone, key)

    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        results = list(pool.map(caller, range(CALLERS)))

    answers = [answer for answer, _ in results]
    errors = [answer for answer in answers if ERROR_ANSWER in answer or not REF.search(answer)]
    shown = {REF.search(answer).group(1) for answer in answers if REF.search(answer)}
    filed = {t["ref"] for t in server.json("tickets", "list")}
    water = [
        i
        for i in server.json("incidents", "list")
        if (i["category"], i["district"], i["upazila"]) == ("water", "Rangpur", "Mithapukur")
    ]
    print(
        f"\nsurge: {len(errors)}/{CALLERS} error answers; {len(water)} open incident(s) "
        f"for water in Mithapukur; count {[i['ticket_count'] for i in water]} vs tickets "
        f"{[len(i['tickets']) for i in water]}; final hop p99 "
        f"{_p99([seconds for _, seconds in results]):.3f} s"
    )
    assert errors == []
    assert len(shown) == CALLERS and shown <= filed
    (incident,) = water
    assert incident["ticket_count"] == len(incident["tickets"]) == CALLERS
    assert set(incident["tickets"]) == shown


def test_ten_concurrent_retries_of_the_confirming_hop_all_get_the_one_reference(server):
    number = _new_phone()
    with httpx.Client(base_url=server.url, timeout=60) as client:
        # Another upazila: the surge's incident counts the surge's callers only.
        phone, key = _to_confirmation(
            client, number, "Tubewell broken near the school for a week", upazila="Pirganj"
        )
    start = threading.Barrier(RETRIES)

    def retry(_: int) -> tuple[str, float]:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            same = Phone(client, number)
            same.session_id, same.typed = phone.session_id, list(phone.typed)
            start.wait(timeout=30)
            return _send(same, key)

    with ThreadPoolExecutor(max_workers=RETRIES) as pool:
        results = list(pool.map(retry, range(RETRIES)))

    answers = {answer for answer, _ in results}
    print(
        f"\nretries: {len(answers)} distinct answer(s) to {RETRIES} posts; final hop p99 "
        f"{_p99([seconds for _, seconds in results]):.3f} s"
    )
    (answer,) = answers
    assert answer.startswith("END ") and REF.search(answer)
    mine = [t for t in server.json("tickets", "list") if t["phone"] == number]
    assert [t["ref"] for t in mine] == [REF.search(answer).group(1)]
    # assigned once; a retry no longer tries again
    assert mine[0]["assignee"] == OFFICERS_ELSEWHERE["uno-bd-55-u445"]
    acks = [m for m in server.json("outbox", "list", "--to", number) if m["kind"] == "ack"]
    assert len(acks) == 1


@pytest.mark.parametrize("channel", [Channel.SMS, Channel.VOICE])
def test_concurrent_retries_of_one_sms_or_call_file_once_and_assign_once(
    server, monkeypatch, channel
):
    # Below HTTP: the SMS and voice doors file through the same intake with the message's
    # or the call's key; ten at once must be one ticket, one assignment, one SMS.
    monkeypatch.setenv("NALISH_DATABASE_URL", server.env["NALISH_DATABASE_URL"])
    reset_settings()
    db.dispose_engines()
    with session_scope() as session:
        rangpur = session.exec(
            select(AdminArea.id).where(AdminArea.name == "Rangpur", AdminArea.level == "district")
        ).one()
    ticket_in = TicketCreate(
        phone=_new_phone(),
        category_code="electricity",
        district_id=rangpur,
        channel=channel,
        description="Power cut every evening for a week",
        source_key=f"{channel}:{uuid.uuid4().hex}",
    )
    start = threading.Barrier(RETRIES)

    def file(_: int) -> int:
        with session_scope() as session:
            start.wait(timeout=30)
            return intake.file_grievance(session=session, ticket_in=ticket_in).id

    try:
        with ThreadPoolExecutor(max_workers=RETRIES) as pool:
            (ticket_id,) = set(pool.map(file, range(RETRIES)))
        with session_scope() as session:
            kinds = [e.type for e in ticket_service.events_of(session=session, ticket_id=ticket_id)]
            acks = session.exec(
                select(Notification.id).where(
                    Notification.ticket_id == ticket_id, Notification.kind == "ack"
                )
            ).all()
    finally:
        db.dispose_engines()
    assert kinds.count("created") == kinds.count("assigned") == 1
    assert len(acks) == 1
