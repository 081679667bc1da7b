"""Per-phone limits by SMS, posted as Africa's Talking posts them, on both backends (the
embedded default counts in memory, PostgreSQL + Redis in Redis): officers at work are
never limited, STOP always works, and a complaint over the filing limit is kept."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from grievance_engine.models import CallbackTask, Citizen, InboundMessage
from infra.db import session_scope
from infra.settings import reset_settings
from menus import limits
from nalish.app import create_app
from tests.channels.test_africastalking_webhooks import complain, unique_phone
from tests.menus.test_officer_sms import messages_to, officer, ref_of, send


@pytest.fixture
def limited(monkeypatch):
    """Small limits, so a test can go over them in a few messages."""

    def set_limits(*, replies: int = 0, filings: int = 0) -> None:
        monkeypatch.setenv("NALISH_SMS_REPLY_LIMIT_PER_HOUR", str(replies))
        monkeypatch.setenv("NALISH_FILING_LIMIT_PER_DAY", str(filings))
        reset_settings()

    yield set_limits
    monkeypatch.undo()
    reset_settings()


@pytest.fixture
def client(backend):
    with TestClient(create_app()) as test_client:
        yield test_client


def outcomes_of(phone: str) -> list[str]:
    with session_scope() as session:
        rows = session.exec(
            select(InboundMessage.outcome)
            .where(InboundMessage.from_phone == phone)
            .order_by(InboundMessage.id)
        )
        return list(rows)


def tasks_of(phone: str) -> list[CallbackTask]:
    with session_scope() as session:
        return list(session.exec(select(CallbackTask).where(CallbackTask.phone == phone)))


def test_an_officer_acting_by_sms_is_never_limited_but_a_citizen_typing_ack_is(
    backend, client, limited
):
    citizen = unique_phone()
    complain(client, citizen, "No water from the tubewell in ward 5, Rangpur sadar")
    ref = ref_of(citizen)
    limited(replies=2)
    rafiq = officer(backend, "Rangpur")
    for n in range(5):
        send(client, rafiq, f"NOTE {ref} pump checked, visit {n}")
    assert [m.kind for m in messages_to(rafiq)] == ["officer_reply"] * 5
    stranger = unique_phone()
    for _ in range(4):
        send(client, stranger, f"ACK {ref}")
    bodies = [m.body for m in messages_to(stranger)]
    assert len(bodies) == 3 and "many messages" in bodies[-1]  # two refusals, one notice
    assert outcomes_of(stranger)[2:] == [limits.OVER_LIMIT] * 2
    assert len(tasks_of(stranger)) == 1 and tasks_of(rafiq) == []


def test_stop_over_the_reply_limit_still_opts_the_citizen_out(backend, client, limited):
    limited(replies=1)
    phone = unique_phone()
    for text in ("HELP", "HELP me", "STOP"):
        send(client, phone, text)
    assert len(messages_to(phone)) == 2  # the help, then the one notice; STOP is silent
    with session_scope() as session:
        assert session.exec(select(Citizen).where(Citizen.phone == phone)).one().opted_out


def test_a_complaint_over_the_filing_limit_is_kept_in_full_and_the_citizen_told(
    backend, client, limited
):
    limited(filings=1)
    phone = unique_phone()
    complain(client, phone, "No water from the tubewell in ward 5, Rangpur sadar")
    complain(client, phone, "The road to the school in Rangpur is broken since March")
    complain(client, phone, "Still no water in ward 5, Rangpur")
    told = [m.body for m in messages_to(phone) if "many complaints today" in m.body]
    assert len(told) == 2  # each SMS filing over the limit is answered (within replies)
    assert len([m for m in messages_to(phone) if m.kind == "ack"]) == 1
    with session_scope() as session:
        kept = session.exec(
            select(InboundMessage)
            .where(InboundMessage.from_phone == phone, InboundMessage.provider == "kept")
            .order_by(InboundMessage.id)
        ).all()
        assert [row.text for row in kept] == [
            "[education; Rangpur] The road to the school in Rangpur is broken since March",
            "[water; Rangpur] Still no water in ward 5, Rangpur",
        ]
    tasks = tasks_of(phone)
    assert len(tasks) == 1 and "more than 1 complaints today" in tasks[0].reason
