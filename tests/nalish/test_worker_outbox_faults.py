"""The outbox through a database blip, with real processes: `nalish worker --burst`
sends through an HTTP gateway of the test's own, and PostgreSQL (a private cluster)
goes down the moment the gateway accepts a message, before the worker can record it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import col, select

from grievance_engine import outbox
from grievance_engine.models import Notification
from infra.db import dispose_engines, session_scope
from infra.settings import reset_settings
from nalish import migrate
from tests.private_servers import PostgresServer, RedisServer

MESSAGES = 6
BLIP_ON = {1, 4}  # the 1st and 4th message the gateway accepts take PostgreSQL down


@pytest.fixture
def private_postgres():
    server = PostgresServer().start()
    yield server
    server.remove()


@pytest.fixture
def private_redis():
    server = RedisServer().start()
    yield server
    server.stop()


class Gateway(ThreadingHTTPServer):
    """Kannel's sendsms, as far as the worker can tell: 202 and the message is out."""

    def __init__(self, on_accept) -> None:
        super().__init__(("127.0.0.1", 0), _SendSms)
        self.accepted: list[str] = []  # our message ids, in the order they arrived
        self.on_accept = on_accept
        self.lock = threading.Lock()


class _SendSms(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        with self.server.lock:
            self.server.accepted.append(query["id"][0])
            count = len(self.server.accepted)
        self.server.on_accept(count)
        self.send_response(202)
        self.end_headers()
        self.wfile.write(b"0: Accepted for delivery")

    def log_message(self, *args) -> None:
        pass


def blip(postgres: PostgresServer, seconds: float) -> None:
    """PostgreSQL stops at once (every connection cut), and is back after `seconds`."""
    postgres.stop("immediate")
    threading.Timer(seconds, postgres.start).start()


def test_a_database_blip_after_the_provider_accepted_loses_no_message_and_fails_none(
    private_postgres, private_redis, monkeypatch
):
    url = private_postgres.url
    migrate.upgrade(url)
    monkeypatch.setenv("NALISH_DATABASE_URL", url)
    reset_settings()
    with session_scope() as session:
        ids = [
            outbox.add(
                session=session, to_phone=f"+88017123456{n:02d}", body=f"Message {n}",
                language="en", kind="ack",
            ).id
            for n in range(MESSAGES)
        ]  # fmt: skip
    dispose_engines()  # no pooled connection of ours to the server about to blip

    gateway = Gateway(lambda count: count in BLIP_ON and blip(private_postgres, 3))
    threading.Thread(target=gateway.serve_forever, daemon=True).start()
    env = {
        **os.environ,
        "NALISH_DATABASE_URL": url,
        "NALISH_REDIS_URL": private_redis.url,
        "NALISH_SMS_TRANSPORT": "http",
        "NALISH_HTTP_GATEWAY_SEND_URL": (
            f"http://127.0.0.1:{gateway.server_address[1]}/cgi-bin/sendsms"
            "?to={to}&text={text}&id={id}"
        ),
    }
    try:
        worker = subprocess.run(
            [sys.executable, "-m", "nalish", "worker", "--burst"],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    finally:
        gateway.shutdown()
    _wait_for_postgres(private_postgres)

    with session_scope() as session:
        rows = session.exec(
            select(Notification).where(col(Notification.id).in_(ids)).order_by(Notification.id)
        ).all()
    statuses = [row.status for row in rows]
    assert statuses == ["sent"] * MESSAGES, worker.stderr[-3000:]
    assert sorted(row.provider_message_id for row in rows) == sorted(gateway.accepted)
    assert len(gateway.accepted) == MESSAGES  # each message sent once: no resend
    assert "recording the send failed" in worker.stderr  # the blips did hit the worker


def _wait_for_postgres(postgres: PostgresServer) -> None:
    """The last blip's restart may still be under way when the worker finishes."""
    for _ in range(100):
        try:
            dispose_engines()
            with session_scope() as session:
                session.exec(select(1)).one()
            return
        except Exception:
            time.sleep(0.2)
