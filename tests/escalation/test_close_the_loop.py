"""End to end, as the people involved live it: a USSD complaint sits at the upazila
office past its deadline; the sweep sends it to the district, whose officer gets an
SMS; the officer resolves it by SMS; the citizen gets the resolution and replies 0
("not solved"); the ticket is reopened one level higher.

On the embedded default and on PostgreSQL + Redis, where a real `nalish worker`
process sends the SMS and the sweep runs as `nalish sla sweep --at`.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from grievance_engine.models import Ticket
from infra.db import session_scope
from nalish import jobs as nalish_jobs
from nalish.app import create_app
from tests.nalish.test_spine import REF, Phone, agree_and_send, dial_in_english, pick

SMS = "/channels/africastalking/sms"
OFFICER_PHONE = "+8801719000001"


@pytest.fixture
def client(backend):
    with TestClient(create_app()) as test_client:
        yield test_client


def _sms(client: TestClient, phone: str, text: str) -> None:
    form = {"from": phone, "to": "333", "text": text, "date": "2026-11-28 10:00:00",
            "id": f"ATXid_{uuid.uuid4().hex}", "linkId": "x", "networkCode": "47001"}  # fmt: skip
    assert client.post(SMS, data=form).status_code == 200


def _deliver(backend, client: TestClient) -> None:
    """Send what is in the outbox, as production does: the outbox sweep enqueues what
    other processes (the `sla sweep` command) wrote, and a worker sends it."""
    nalish_jobs.outbox_sweep()
    if backend.with_redis:
        backend.nalish("worker", "--burst")
    else:
        client.app.state.job_queue.join()


def _outbox(backend, phone: str) -> list[dict]:
    return json.loads(backend.nalish("outbox", "list", "--json", "--to", phone).stdout)


def _show(backend, ref: str) -> dict:
    return json.loads(backend.nalish("tickets", "show", ref, "--json").stdout)


def test_a_complaint_climbs_is_resolved_by_sms_and_reopened_when_the_citizen_says_no(
    backend, client
):
    backend.nalish(
        "users", "create", "--email", "dc.rangpur.e2e@example.org", "--role", "officer",
        "--district", "Rangpur", "--phone", OFFICER_PHONE, "--language", "en",
    )  # fmt: skip
    backend.nalish(
        "routing", "set", "--district", "Rangpur", "--upazila", "Kaunia",
        "--office", "uno-bd-55-u446",
    )  # fmt: skip

    citizen = Phone(client, "+8801719000002")
    screen = pick(citizen, dial_in_english(citizen), "New complaint")
    for label in ("Water", "Rangpur", "Rangpur", "Kaunia"):
        screen = pick(citizen, screen, label)
    screen = citizen.press("The tubewell in ward 5 has given no water for three days")
    ref = REF.search(agree_and_send(citizen, screen)).group(1)
    filed = _show(backend, ref)
    assert filed["office"]["name"].startswith("Upazila Nirbahi Officer, Kaunia")

    # Nobody at the upazila office acknowledges it: the sweep, a minute after its
    # deadline, sends it to the district, whose officer is told by SMS.
    due = _ticket_due(ref)
    backend.nalish("sla", "sweep", "--at", (due + timedelta(minutes=1)).isoformat())
    escalated = _show(backend, ref)
    assert escalated["status"] == "escalated" and escalated["escalation_level"] == 1
    assert escalated["office"]["name"] == "Deputy Commissioner's Office, Rangpur"
    _deliver(backend, client)
    # one SMS for the ticket, saying what it is; no digest line besides
    (alert,) = _outbox(backend, OFFICER_PHONE)
    assert alert["kind"] == "officer_assigned" and alert["status"] == "sent"
    assert ref in alert["body"] and "Water" in alert["body"] and "Kaunia" in alert["body"]
    assert "tubewell in ward 5" in alert["body"]
    assert any(m["kind"] == "escalated" for m in _outbox(backend, citizen.number))

    # The officer acts from their feature phone.
    _sms(client, OFFICER_PHONE, f"ACK {ref}")
    _sms(client, OFFICER_PHONE, f"RESOLVE {ref} A DPHE mechanic replaced the pump head")
    resolved = _show(backend, ref)
    assert resolved["status"] == "resolved"
    _deliver(backend, client)
    (resolution,) = [m for m in _outbox(backend, citizen.number) if m["kind"] == "resolved"]
    assert "replaced the pump head" in resolution["body"] and "0 if" in resolution["body"]

    # The citizen says it is not solved: reopened, and one level higher.
    _sms(client, citizen.number, "0")
    reopened = _show(backend, ref)
    assert reopened["escalation_level"] == 2
    assert reopened["office"] != escalated["office"]  # one rung up: the division
    types = [e["type"] for e in reopened["events"]]
    assert "rated" in types
    moves = [e["data"]["to"] for e in reopened["events"] if e["type"] == "status_changed"]
    assert moves[-2:] == ["reopened", "escalated"]
    assert backend.nalish("audit", "verify").returncode == 0


def _ticket_due(ref: str):
    """The ticket's current deadline (aware, UTC), read as the app reads it."""
    with session_scope() as session:
        return session.exec(
            select(Ticket.sla_due_at).where(Ticket.ref == ref.replace("-", ""))
        ).one()
