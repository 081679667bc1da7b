"""The citizen's data by SMS, end to end on both backends: MY DATA lists what is held,
DELETE MY DATA (confirmed with the code it sends) has the erasure sweep replace the
phone everywhere by a keyed hash; `nalish audit verify` still passes, and a search of
every column of every table finds the number in none of its spellings."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import SQLModel

from channels.channel_log import CHANNEL_LOG
from grievance_engine import erasure
from grievance_engine.models import Citizen, Ticket
from infra import clock
from infra.db import session_scope
from nalish.app import create_app
from tests.nalish.test_spine import send_pending_sms

SMS = "/channels/africastalking/sms"


@pytest.fixture
def client(backend):
    with TestClient(create_app()) as test_client:
        yield test_client


def sms(client: TestClient, phone: str, text: str) -> None:
    form = {"from": phone, "to": "333", "text": text, "date": "2026-12-06 10:15:00",
            "id": f"ATXid_{uuid.uuid4().hex}", "linkId": "L1", "networkCode": "47001"}  # fmt: skip
    assert client.post(SMS, data=form).status_code == 200


def last_reply(backend, phone: str) -> str:
    listed = json.loads(backend.nalish("outbox", "list", "--json", "--to", phone).stdout)
    return listed[0]["body"]


def file(client: TestClient, backend, phone: str) -> str:
    token = backend.nalish("tokens", "create", "--name", "rights", "--role", "agent").stdout
    answer = client.post(
        "/api/v1/tickets",
        headers={"Authorization": f"Bearer {token.strip()}"},
        json={"phone": phone, "district": "Rangpur", "category": "water",
              "description": f"No water; call me on {phone[4:]}"},
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    return answer.json()["ref"]


def test_my_data_lists_the_references_and_whether_we_write(client, backend):
    phone = f"+88017{uuid.uuid4().int % 10**8:08d}"
    ref = file(client, backend, phone)
    sms(client, phone, "MY DATA")
    body = last_reply(backend, phone)
    assert ref in body and "1 grievance" in body and "we send you updates" in body
    # The Bangla words are understood; the reply stays in the language this phone writes
    # in (one Bangla message does not flip an English writer's replies: issue 15) ...
    sms(client, phone, "আমার তথ্য")
    assert ref in last_reply(backend, phone) and "1 grievance" in last_reply(backend, phone)
    # ... until they choose Bangla.
    sms(client, phone, "LANG BN")
    sms(client, phone, "আমার তথ্য")
    assert ref in last_reply(backend, phone) and "১টি অভিযোগ" in last_reply(backend, phone)


def test_delete_my_data_erases_the_phone_from_every_table_and_keeps_the_chain(client, backend):
    phone = f"+88017{uuid.uuid4().int % 10**8:08d}"
    ref = file(client, backend, phone)
    sms(client, phone, f"STATUS {ref}")
    sms(client, phone, "DELETE 1234")  # nothing asked yet: not an erasure
    sms(client, phone, "DELETE MY DATA")
    code = re.search(r"reply DELETE (\d{4})", last_reply(backend, phone)).group(1)
    wrong = "0000" if code != "0000" else "1111"
    sms(client, phone, f"DELETE {wrong}")
    assert "not right" in last_reply(backend, phone)
    with session_scope() as session:
        assert session.exec(select(Citizen).where(Citizen.phone == phone)).scalar_one_or_none()
    sms(client, phone, "DELETE MY DATA")
    code = re.search(r"reply DELETE (\d{4})", last_reply(backend, phone)).group(1)
    sms(client, phone, f"DELETE {code}")
    assert "will be erased" in last_reply(backend, phone)
    send_pending_sms(backend, client)
    assert _nothing_to_send(backend, phone)
    # The channel log's writer has written every exchange by the time the grace has
    # passed; here it is made to at once.
    CHANNEL_LOG.flush()
    with clock.frozen_at(clock.now() + erasure.GRACE + timedelta(seconds=5)):
        assert erasure.sweep() >= 1

    assert backend.nalish("audit", "verify").returncode == 0
    national = phone[4:]  # 01… without the country code: found in every spelling
    assert _tables_holding(national[1:]) == [], _where(national[1:])
    with session_scope() as session:
        ticket = session.exec(select(Ticket).where(Ticket.ref == ref.replace("-", ""))).scalar_one()
        citizen = session.get(Citizen, ticket.citizen_id)
        assert citizen.phone == erasure.token_for(phone)


def _nothing_to_send(backend, phone: str) -> bool:
    listed = json.loads(backend.nalish("outbox", "list", "--json", "--to", phone).stdout)
    return all(row["status"] not in ("pending", "sending") for row in listed)


def _tables_holding(digits: str) -> list[str]:
    """Every table and column whose text holds `digits` (the grep of the issue)."""
    found = []
    with session_scope() as session:
        for table in SQLModel.metadata.sorted_tables:
            for row in session.connection().execute(select(table)).mappings():
                for column, value in row.items():
                    if value is not None and digits in json.dumps(value, default=str):
                        found.append(f"{table.name}.{column}")
    return sorted(set(found))


def _where(digits: str) -> list[str]:
    with session_scope() as session:
        return [
            f"{table.name}: {json.dumps(dict(row), default=str)[:300]}"
            for table in SQLModel.metadata.sorted_tables
            for row in session.connection().execute(select(table)).mappings()
            if digits in json.dumps(dict(row), default=str)
        ]
