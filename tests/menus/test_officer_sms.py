"""Officers act by SMS from their registered phone: ACK, RESOLVE and NOTE, posted as
Africa's Talking posts them, on both backends."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from grievance_engine import refs
from grievance_engine.models import Citizen, Notification, Ticket, TicketEvent, User
from infra import clock
from infra.db import session_scope
from infra.settings import get_settings, reset_settings
from nalish.app import create_app
from tests.channels.test_africastalking_webhooks import SMS, complain, sms_form, unique_phone


@pytest.fixture(autouse=True)
def _no_quiet_hours(monkeypatch):
    """Messages go at once whatever the hour the suite runs (quiet hours have a test)."""
    monkeypatch.setenv("NALISH_QUIET_HOURS", "")
    reset_settings()
    yield
    reset_settings()


@pytest.fixture
def client(backend):
    with TestClient(create_app()) as test_client:
        yield test_client


def officer(backend, district: str, *, language: str = "en") -> str:
    """Register an officer of `district` with a phone (the CLI, as an admin does)."""
    phone = unique_phone()
    national = "0" + phone.removeprefix("+880")  # the form people write: 01712345678
    backend.nalish(
        "users", "create", "--email", f"officer-{uuid.uuid4().hex[:8]}@example.org",
        "--role", "officer", "--district", district, "--language", language,
        "--languages", "bn,en", "--phone", national,
    )  # fmt: skip
    return phone


def send(client, phone: str, text: str) -> None:
    assert client.post(SMS, data=sms_form(phone, text)).status_code == 200


def last_ticket(phone: str) -> Ticket:
    with session_scope() as session:
        return session.exec(
            select(Ticket)
            .join(Citizen, col(Citizen.id) == Ticket.citizen_id)
            .where(Citizen.phone == phone)
            .order_by(col(Ticket.id).desc())
        ).first()


def ref_of(phone: str) -> str:
    return refs.display(last_ticket(phone).ref)


def messages_to(phone: str) -> list[Notification]:
    """Every SMS written to `phone`, oldest first."""
    with session_scope() as session:
        return list(
            session.exec(
                select(Notification)
                .where(Notification.to_phone == phone)
                .order_by(col(Notification.id))
            )
        )


def last_reply(phone: str) -> str:
    return messages_to(phone)[-1].body


def event_types(ticket_id: int) -> list[str]:
    with session_scope() as session:
        rows = session.exec(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket_id)
            .order_by(col(TicketEvent.seq))
        )
        return [e.data.get("to", e.type) if e.type == "status_changed" else e.type for e in rows]


def test_an_officer_acks_notes_and_resolves_by_sms_and_the_citizen_is_asked_to_rate(
    backend, client
):
    rangpur = officer(backend, "Rangpur")
    citizen = unique_phone()
    complain(client, citizen, "No water from the tubewell in ward 5, Rangpur sadar")
    ref = ref_of(citizen)

    send(client, rangpur, f"ack {ref.lower()}")
    ticket = last_ticket(citizen)
    assert ticket.status == "in_progress" and ticket.acknowledged_at is not None
    assert ticket.sla_target == "resolve"
    assert f"{ref} acknowledged" in last_reply(rangpur)

    send(client, rangpur, f"NOTE {ref} Visited the site, the pump handle is broken")
    assert f"note added to complaint {ref}" in last_reply(rangpur)

    send(client, rangpur, f"RESOLVE {ref.replace('-', '')} New pump handle fitted")
    shown = json.loads(backend.nalish("tickets", "show", ref, "--json").stdout)
    assert shown["status"] == "resolved"
    types = [e["type"] for e in shown["events"]]
    assert "acknowledged" in types and "comment" in types
    comment = next(e for e in shown["events"] if e["type"] == "comment")
    assert comment["data"]["text"] == "Visited the site, the pump handle is broken"
    assert f"{ref} resolved" in last_reply(rangpur)
    resolution = messages_to(citizen)[-1]
    assert resolution.kind == "resolved"
    assert "New pump handle fitted." in resolution.body
    assert "Reply 1-5 to rate it (5 = very good, 1 = poor), or 0" in resolution.body
    assert last_ticket(citizen).rating_due_at is not None
    replies = [m for m in messages_to(rangpur) if m.kind == "officer_reply"]
    assert len(replies) == 3  # one confirmation per command


def test_a_second_ack_says_it_was_already_acknowledged(backend, client):
    rangpur = officer(backend, "Rangpur")
    citizen = unique_phone()
    complain(client, citizen, "Road to the Pirganj bazar is broken, Rangpur")
    ref = ref_of(citizen)
    send(client, rangpur, f"ACK {ref}")
    send(client, rangpur, f"ACK {ref}")
    assert "already acknowledged" in last_reply(rangpur)
    assert event_types(last_ticket(citizen).id).count("acknowledged") == 1


def _assignee_email(ticket: Ticket) -> str | None:
    with session_scope() as session:
        person = session.get(User, ticket.assignee_id) if ticket.assignee_id else None
        return person.email if person else None


def test_an_ack_makes_an_unassigned_ticket_the_officers_but_leaves_a_held_one(backend, client):
    citizen = unique_phone()
    # Kurigram: no officer is registered there yet, so the complaint waits unassigned
    complain(client, citizen, "The embankment at Chilmari ghat is breaking, Kurigram")
    waiting = last_ticket(citizen)
    assert waiting.assignee_id is None and waiting.office_id is not None
    first = officer(backend, "Kurigram")
    send(client, first, f"ACK {refs.display(waiting.ref)}")
    taken = last_ticket(citizen)
    assert taken.status == "in_progress" and taken.assignee_id is not None
    owner = _assignee_email(taken)
    types = event_types(taken.id)
    assert types[-3:] == ["acknowledged", "assigned", "in_progress"]

    other_citizen = unique_phone()
    complain(client, other_citizen, "No electricity in Ulipur bazar since Friday, Kurigram")
    held = last_ticket(other_citizen)
    assert _assignee_email(held) == owner  # auto-assigned to the one officer there
    second = officer(backend, "Kurigram")
    send(client, second, f"ACK {refs.display(held.ref)}")
    after = last_ticket(other_citizen)
    assert after.status == "in_progress" and _assignee_email(after) == owner  # not taken
    assert "assigned" not in event_types(after.id)[-2:]


def test_commands_work_in_bangla_and_the_officer_is_answered_in_their_language(backend, client):
    rangpur = officer(backend, "Rangpur", language="bn")
    citizen = unique_phone()
    complain(client, citizen, "Electricity cut every night in Kaunia, Rangpur")
    ref = ref_of(citizen)
    send(client, rangpur, f"গ্রহণ {ref}")
    assert last_ticket(citizen).status == "in_progress"
    assert "গ্রহণ করা হলো" in last_reply(rangpur)
    send(client, rangpur, f"সমাধান {ref} ট্রান্সফরমার বদলানো হয়েছে")
    assert last_ticket(citizen).status == "resolved"


def test_a_strangers_phone_is_refused_and_nothing_changes(backend, client):
    citizen = unique_phone()
    complain(client, citizen, "Bribe demanded at the land office in Rangpur")
    ref = ref_of(citizen)
    before = last_ticket(citizen)
    stranger = unique_phone()
    for command in (f"ACK {ref}", f"RESOLVE {ref} all fixed", f"NOTE {ref} hello", "ACK"):
        send(client, stranger, command)
        assert "only registered officers" in last_reply(stranger)
    after = last_ticket(citizen)
    assert (after.status, after.event_count, after.acknowledged_at) == (
        before.status,
        before.event_count,
        before.acknowledged_at,
    )
    # the citizen who filed it is no officer either
    send(client, citizen, f"RESOLVE {ref} solved")
    assert last_ticket(citizen).status == before.status


def test_a_citizen_starting_a_complaint_with_note_is_not_refused(backend, client):
    citizen = unique_phone()
    send(client, citizen, "Note that the school in Gaibandha has had no teacher for a month")
    body = last_reply(citizen)
    assert "only registered officers" not in body and "Gaibandha" in body


def test_an_officer_of_another_district_is_refused_without_details(backend, client):
    cumilla = officer(backend, "Cumilla")
    citizen = unique_phone()
    complain(client, citizen, "No doctor at the Mithapukur health complex, Rangpur")
    ref = ref_of(citizen)
    for command in (f"ACK {ref}", f"RESOLVE {ref} done", f"NOTE {ref} seen"):
        send(client, cumilla, command)
        reply = last_reply(cumilla)
        assert reply == f"Nalish 333: complaint {ref} is not in your office or district."
    ticket = last_ticket(citizen)
    assert ticket.status != "resolved" and ticket.acknowledged_at is None
    assert "comment" not in event_types(ticket.id)


def test_malformed_commands_get_the_syntax(backend, client):
    rangpur = officer(backend, "Rangpur")
    citizen = unique_phone()
    complain(client, citizen, "Garbage not collected for two weeks in Rangpur city")
    ref = ref_of(citizen)

    send(client, rangpur, "ACK")
    assert "send ACK and the complaint number, e.g. ACK AB12-CD34" in last_reply(rangpur)
    send(client, rangpur, f"RESOLVE {ref}")
    assert "RESOLVE, the complaint number and what was done" in last_reply(rangpur)
    send(client, rangpur, f"note {ref}")
    assert "NOTE, the complaint number and your note" in last_reply(rangpur)
    send(client, rangpur, "ACK hello")
    assert "no complaint HELLO" in last_reply(rangpur)

    canonical = refs.normalise(ref)
    typo = canonical[:2] + canonical[3] + canonical[2] + canonical[4:]  # two neighbours swapped
    if typo != canonical:
        send(client, rangpur, f"ACK {typo}")
        assert f"Did you mean {ref}?" in last_reply(rangpur)
    assert last_ticket(citizen).status != "resolved"
    assert last_ticket(citizen).acknowledged_at is None


def test_a_resolved_ticket_cannot_be_resolved_again(backend, client):
    rangpur = officer(backend, "Rangpur")
    citizen = unique_phone()
    complain(client, citizen, "Streetlights off on the station road, Rangpur")
    ref = ref_of(citizen)
    send(client, rangpur, f"RESOLVE {ref} Lights repaired")
    send(client, rangpur, f"RESOLVE {ref} Lights repaired again")
    assert last_reply(rangpur) == f"Nalish 333: complaint {ref} is resolved; nothing to do."
    assert [m.kind for m in messages_to(citizen)].count("resolved") == 1


def test_a_phone_registered_with_the_cli_is_stored_in_e164(backend):
    phone = unique_phone()
    result = backend.nalish(
        "users", "create", "--email", f"agent-{uuid.uuid4().hex[:8]}@example.org",
        "--role", "agent", "--phone", "0" + phone.removeprefix("+880"),
    )  # fmt: skip
    assert "Created agent" in result.stdout
    bad = backend.nalish(
        "users", "create", "--email", f"agent-{uuid.uuid4().hex[:8]}@example.org",
        "--role", "agent", "--phone", "12", check=False,
    )  # fmt: skip
    assert bad.returncode == 2 and "--phone" in bad.stderr
    again = backend.nalish(
        "users", "create", "--email", f"agent-{uuid.uuid4().hex[:8]}@example.org",
        "--role", "agent", "--phone", phone, check=False,
    )  # fmt: skip
    assert again.returncode == 2 and "already registered" in again.stderr


def test_an_officers_confirmation_is_not_held_for_quiet_hours(backend, client, monkeypatch):
    monkeypatch.setenv("NALISH_QUIET_HOURS", "21:00-08:00")
    reset_settings()
    rangpur = officer(backend, "Rangpur")
    night = datetime(2026, 12, 1, 23, 0, tzinfo=get_settings().tz)
    with clock.frozen_at(night):
        citizen = unique_phone()
        complain(client, citizen, "Tubewell water smells of iron in Badarganj, Rangpur")
        send(client, rangpur, f"ACK {ref_of(citizen)}")
        (confirmation,) = [m for m in messages_to(rangpur) if m.kind == "officer_reply"]
        assert confirmation.next_attempt_at <= confirmation.created_at  # not held: due now
