"""Retries and attempts that race, against the real app under uvicorn (on the embedded
default, and on PostgreSQL + Redis): many identical requests posted at the same moment
from many threads, as a client library's retries, a gateway's re-deliveries or a
password guesser send them.

Each race is decided by the database (a unique key or an atomic increment), so the
outcome does not depend on which request the server happens to run first.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
from sqlmodel import col, func, select

from dashboards import sessions
from grievance_engine import tokens, users
from grievance_engine.models import InboundMessage, Notification, Role, Ticket
from infra.db import session_scope
from tests import services
from tests.nalish.conftest import _activate, _prepare, _restore
from tests.private_servers import free_port, wait_until_healthy

SECRET = "gateway-secret-for-races"
PASSWORD = "the-right-password-123"


@dataclass
class Server:
    url: str


@pytest.fixture(scope="module", params=["embedded", "postgres_redis"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("races")
    prefix = services.redis_prefix()
    if request.param == "embedded":
        url = f"sqlite:///{home / 'nalish.db'}"
        env = {"NALISH_DATABASE_URL": url}
    else:
        services.require_services()
        url = services.create_database()
        env = {
            "NALISH_DATABASE_URL": url,
            "NALISH_REDIS_URL": services.REDIS_URL,
            "NALISH_REDIS_PREFIX": prefix,
        }
    saved = _activate(env)
    log = home / "serve.log"
    process = None
    try:
        _prepare(env)
        port = free_port()
        serve_env = {
            **{
                key: value
                for key, value in os.environ.items()
                if key not in {"NALISH_ENV", "NALISH_REDIS_URL", "NALISH_REDIS_PREFIX"}
            },
            **env,
            "NALISH_COUNTRY": "BD",
            "NALISH_SMS_TRANSPORT": "console",
            "NALISH_HTTP_GATEWAY_SECRET": SECRET,
            "NALISH_SECRET_KEY": "races-test-secret-key-0123456789",
        }
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "nalish", "serve", "--host", "127.0.0.1",
                 "--port", str(port)],
                env=serve_env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        found = Server(url=f"http://127.0.0.1:{port}")
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
        _restore(saved)
        if request.param != "embedded":
            services.drop_database(url)
            services.delete_redis_keys(prefix)


def at_once(count: int, send: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    """`send(0)`…`send(count - 1)`, each from its own thread, released together."""
    start = threading.Barrier(count)

    def one(index: int) -> httpx.Response:
        start.wait()
        return send(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def test_twenty_concurrent_api_retries_with_one_key_get_the_first_answer_and_file_once(server):
    with session_scope() as session:
        _token, clear = tokens.create(session=session, name="crm-retries", role=Role.AGENT)
        # someone to assign it to: a retry that re-ran assignment was a 409
        users.create(
            session=session,
            country="BD",
            user_in=users.UserCreate(
                email="rangpur-retries@example.org", role=Role.OFFICER, district="Rangpur"
            ),
        )
    headers = {"Authorization": f"Bearer {clear}", "Idempotency-Key": str(uuid.uuid4())}
    body = {"phone": "01712-300001", "district": "Rangpur", "category": "water",
            "description": "The tube well by the school has been dry for a week"}  # fmt: skip

    with httpx.Client(base_url=server.url, timeout=60) as client:
        answers = at_once(20, lambda _: client.post("/api/v1/tickets", json=body, headers=headers))

    assert [answer.status_code for answer in answers] == [201] * 20
    first = answers[0].json()
    assert first["assignee"] == "rangpur-retries@example.org"
    assert all(answer.json() == first for answer in answers)
    assert len({answer.headers["Location"] for answer in answers}) == 1
    assert sum(answer.headers.get("Idempotent-Replayed") == "true" for answer in answers) == 19
    with session_scope() as session:
        filed = session.exec(
            select(func.count())
            .select_from(Ticket)
            .where(col(Ticket.description) == body["description"])
        ).one()
    assert filed == 1


def test_fifty_identical_gateway_sms_at_once_are_processed_once_with_one_reply(server):
    phone = "+8801712300002"
    fields = {"secret": SECRET, "from": phone, "to": "333", "text": "HELP"}  # no message id

    with httpx.Client(base_url=server.url, timeout=60) as client:
        answers = at_once(50, lambda _: client.get("/channels/http/sms", params=fields))

    assert [answer.status_code for answer in answers] == [200] * 50
    with session_scope() as session:
        recorded = session.exec(
            select(InboundMessage).where(InboundMessage.from_phone == phone)
        ).all()
        replies = session.exec(select(Notification).where(Notification.to_phone == phone)).all()
    assert len(recorded) == 1
    assert recorded[0].processed_at is not None
    assert len(replies) == 1


def test_parallel_wrong_passwords_lock_the_account_before_the_right_one_is_checked(server):
    email = f"races-{uuid.uuid4().hex[:6]}@example.org"
    with session_scope() as session:
        users.create(
            session=session,
            country="BD",
            user_in=users.UserCreate(email=email, role=Role.SUPERVISOR, password=PASSWORD),
        )

    def sign_in(password: str) -> httpx.Response:
        with httpx.Client(base_url=server.url, timeout=60) as client:  # a browser each
            form = client.get("/login")
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
            data = {"email": email, "password": password, "csrf_token": csrf}
            return client.post("/login", data=data)

    # Twenty wrong guesses at once, then the right password sent 21st among nine more.
    guesses = at_once(20, lambda _: sign_in("a-wrong-guess-000"))
    later = at_once(10, lambda index: sign_in(PASSWORD if index == 0 else "a-wrong-guess-001"))

    # Exactly five guesses were checked (401); every other attempt was refused unread.
    statuses = [answer.status_code for answer in guesses]
    assert statuses.count(401) == 5 and statuses.count(429) == 15
    assert [answer.status_code for answer in later] == [429] * 10
    assert sessions.COOKIE not in later[0].cookies  # the right password signed nobody in
