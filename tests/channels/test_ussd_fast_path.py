"""The USSD callback's own chain (`nalish.ussd_fast_path`) keeps every guard of the
full stack: request id, security headers, channel log, body limit, input cleaning and
the app's error answers; anything but `POST …/ussd` still takes the full stack."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from channels.channel_log import CHANNEL_LOG
from grievance_engine.models import ChannelExchange
from infra.db import session_scope
from nalish.app import create_app

USSD = "/channels/africastalking/ussd"


@pytest.fixture
def client(backend):
    with TestClient(create_app()) as test_client:
        yield test_client


def hop(session_id: str, text: str, phone: str | None = None) -> dict[str, str]:
    return {
        "sessionId": session_id,
        "serviceCode": "*333#",
        "phoneNumber": phone or f"+88017{uuid.uuid4().int % 10**8:08d}",
        "networkCode": "47001",
        "text": text,
    }


def test_a_hop_carries_the_headers_and_its_id_and_is_in_the_channel_log(backend, client):
    session_id = f"ATUid_fast_{uuid.uuid4().hex[:8]}"
    answer = client.post(USSD, data=hop(session_id, ""), headers={"X-Request-ID": "req-fast-0001"})
    assert answer.status_code == 200
    assert answer.text.startswith("CON ")
    assert answer.headers["content-type"].startswith("text/plain")
    assert answer.headers["x-request-id"] == "req-fast-0001"
    assert answer.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "same-origin"
    CHANNEL_LOG.flush()
    with session_scope() as session:
        rows = session.exec(select(ChannelExchange).where(ChannelExchange.url == USSD)).all()
    assert any(session_id in row.request_body and row.status_code == 200 for row in rows)


def test_control_characters_are_cleaned_before_the_hop_is_read(backend, client):
    screens = {}
    for typed in ("2", "2\x00\x01"):  # English, as typed and with control characters
        session_id, phone = (
            f"ATUid_fast_{uuid.uuid4().hex[:8]}",
            f"+88017{uuid.uuid4().int % 10**8:08d}",
        )
        assert client.post(USSD, data=hop(session_id, "", phone)).text.startswith("CON ")
        screens[typed] = client.post(USSD, data=hop(session_id, typed, phone)).text
    assert screens["2\x00\x01"] == screens["2"]  # the main menu, not "invalid choice"
    assert screens["2"].startswith("CON ")


def test_refusals_are_the_apps_own_answers(backend, client):
    missing = client.post(USSD, data={"sessionId": "x", "serviceCode": "*333#"})
    assert missing.status_code == 400
    assert missing.json() == {"detail": "missing field: phoneNumber, text"}
    assert "x-request-id" in missing.headers
    assert missing.headers["x-content-type-options"] == "nosniff"
    too_big = client.post(USSD, content=b"text=" + b"1" * 70_000)
    assert too_big.status_code == 413


def test_anything_but_a_post_to_the_callback_takes_the_full_stack(backend, client):
    got = client.get(USSD)
    assert got.status_code == 405
    assert "'nonce-" in got.headers["content-security-policy"]  # the pages' policy
    events = client.post(f"{USSD}/events", data={"sessionId": "x", "status": "Success"})
    assert "'nonce-" in events.headers["content-security-policy"]
