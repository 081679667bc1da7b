"""Closing the loop: the citizen rates the resolution by SMS (0 reopens and escalates,
4 closes), satisfaction per office, and quiet hours for news that can wait; over
Africa's Talking's SMS webhook on both backends."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from escalation.policies import URGENT_CATEGORIES
from grievance_engine import outbox, quiet, refs
from grievance_engine.models import Notification, Office, Ticket
from infra import clock
from infra.db import session_scope
from infra.settings import Settings, get_settings, reset_settings
from nalish.app import create_app
from tests.channels.test_africastalking_webhooks import complain, unique_phone
from tests.menus.test_officer_sms import last_ticket, send


@pytest.fixture(autouse=True)
def _no_quiet_hours(monkeypatch):
    """Messages go at once whatever the hour the suite runs (quiet hours have tests)."""
    monkeypatch.setenv("NALISH_QUIET_HOURS", "")
    reset_settings()
    yield
    reset_settings()


@pytest.fixture
def client(backend):
    with TestClient(create_app()) as test_client:
        yield test_client


def officer(backend, district: str) -> str:
    phone = unique_phone()
    backend.nalish(
        "users", "create", "--email", f"officer-{uuid.uuid4().hex[:8]}@example.org",
        "--role", "officer", "--district", district, "--languages", "bn,en", "--phone", phone,
    )  # fmt: skip
    return phone


def messages_to(phone: str) -> list[Notification]:
    with session_scope() as session:
        statement = select(Notification).where(Notification.to_phone == phone)
        return list(session.exec(statement.order_by(col(Notification.id))))


def office_of(ticket: Ticket) -> Office:
    with session_scope() as session:
        return session.get(Office, ticket.office_id)


def resolved_ticket(backend, client, text: str, *, district: str = "Rangpur") -> tuple[str, str]:
    """A citizen complains by SMS and an officer of the district resolves it by SMS;
    returns (citizen's phone, reference)."""
    officer_phone = officer(backend, district)
    citizen = unique_phone()
    complain(client, citizen, text)
    ref = refs.display(last_ticket(citizen).ref)
    send(client, officer_phone, f"RESOLVE {ref} Repaired by the DPHE mechanic")
    assert last_ticket(citizen).status == "resolved"
    return citizen, ref


def test_replying_0_reopens_the_ticket_and_escalates_it_one_level(backend, client):
    citizen, ref = resolved_ticket(backend, client, "No water from the tubewell, Rangpur sadar")
    before = last_ticket(citizen)
    assert office_of(before).level == "district"
    resolution = messages_to(citizen)[-1]
    assert resolution.kind == "resolved" and "0 if the problem is not solved" in resolution.body

    send(client, citizen, "0")

    shown = json.loads(backend.nalish("tickets", "show", ref, "--json").stdout)
    after = last_ticket(citizen)
    assert after.rating == 0 and after.rated_at is not None and after.rating_due_at is None
    assert after.office_id != before.office_id and office_of(after).level == "division"
    assert shown["escalation_level"] == before.escalation_level + 1
    assert shown["status"] == "escalated"
    tail = shown["events"][-3:]
    assert tail[0]["type"] == "rated" and tail[0]["data"]["rating"] == 0
    assert tail[1]["data"]["to"] == "reopened"
    assert tail[1]["data"]["reason"] == "citizen says not solved"
    assert tail[2]["data"]["to"] == "escalated"
    assert after.sla_due_at is not None  # a new clock at the new level
    told = messages_to(citizen)[-1]
    assert told.kind == "rating_reopened" and ref in told.body
    assert "Divisional Commissioner's Office, Rangpur" in told.body


def test_a_poor_rating_in_bangla_digits_reopens_too(backend, client):
    citizen, _ = resolved_ticket(
        backend, client, "Electricity cut every evening in Kaunia, Rangpur"
    )
    send(client, citizen, "২")
    ticket = last_ticket(citizen)
    assert ticket.rating == 2 and ticket.status == "escalated"


def test_replying_4_closes_the_ticket_with_thanks(backend, client):
    citizen, ref = resolved_ticket(backend, client, "Road near Pirganj bazar is broken, Rangpur")
    send(client, citizen, "4")
    ticket = last_ticket(citizen)
    assert (ticket.status, ticket.rating, ticket.rating_due_at) == ("closed", 4, None)
    assert ticket.escalation_level == 0
    thanks = messages_to(citizen)[-1]
    assert thanks.kind == "rating_thanks" and ref in thanks.body and "thank you" in thanks.body


def test_a_rating_outside_0_to_5_gets_an_explanation_and_changes_nothing(backend, client):
    citizen, _ = resolved_ticket(backend, client, "Garbage not collected for weeks in Rangpur city")
    for text in ("9", "10"):
        send(client, citizen, text)
        reply = messages_to(citizen)[-1]
        assert reply.kind == "reply" and "1 (bad) to 5 (very good), or 0" in reply.body
    ticket = last_ticket(citizen)
    assert (ticket.status, ticket.rating) == ("resolved", None)
    assert ticket.rating_due_at is not None


def test_a_rating_with_no_ticket_awaiting_one_gets_an_explanation(backend, client):
    stranger = unique_phone()
    send(client, stranger, "5")
    assert "none of your complaints is waiting for a rating" in messages_to(stranger)[-1].body
    citizen, _ = resolved_ticket(backend, client, "Doctor absent at the clinic in Mithapukur")
    send(client, citizen, "3")
    assert last_ticket(citizen).status == "closed"
    send(client, citizen, "3")  # rated already
    assert "none of your complaints is waiting" in messages_to(citizen)[-1].body


def test_a_draft_waiting_for_1_comes_before_a_rating(backend, client):
    citizen, first_ref = resolved_ticket(backend, client, "Tubewell broken near the Rangpur school")
    send(client, citizen, "The bridge over the canal in Gaibandha is broken")
    send(client, citizen, "1")  # sends the draft, does not rate the first ticket 1
    newest = last_ticket(citizen)
    assert refs.display(newest.ref) != first_ref and newest.status != "resolved"
    with session_scope() as session:
        first = session.exec(select(Ticket).where(Ticket.ref == refs.normalise(first_ref))).one()
        assert (first.status, first.rating) == ("resolved", None)
    send(client, citizen, "4")  # now it is a rating of the resolved one
    with session_scope() as session:
        first = session.exec(select(Ticket).where(Ticket.ref == refs.normalise(first_ref))).one()
        assert (first.status, first.rating) == ("closed", 4)


def test_satisfaction_per_office_counts_ratings_averages_and_reopenings(backend, client):
    for text, rating in (
        ("No water supply in Gobindaganj, Gaibandha", "0"),
        ("Power cut all night in Sadullapur, Gaibandha", "4"),
        ("Broken road to the Gaibandha school", "5"),
    ):
        citizen, _ = resolved_ticket(backend, client, text, district="Gaibandha")
        send(client, citizen, rating)
    rows = json.loads(backend.nalish("sla", "satisfaction", "--json").stdout)
    (gaibandha,) = [row for row in rows if row["office_code"] == "dc-gaibandha"]
    assert gaibandha["office"] == "Deputy Commissioner's Office, Gaibandha"
    assert (gaibandha["count"], gaibandha["average"], gaibandha["reopened"]) == (3, 4.5, 1)
    assert gaibandha["share_reopened"] == pytest.approx(1 / 3, abs=0.001)
    text = backend.nalish("sla", "satisfaction").stdout
    assert "Deputy Commissioner's Office, Gaibandha" in text


# Quiet hours ---------------------------------------------------------------------


def test_quiet_hours_hold_a_resolution_at_night_but_not_an_urgent_one_or_an_ack(
    backend, monkeypatch
):
    monkeypatch.setenv("NALISH_QUIET_HOURS", "21:00-08:00")
    monkeypatch.setenv("NALISH_TIMEZONE", "Asia/Dhaka")
    reset_settings()
    dhaka = get_settings().tz
    night = datetime(2026, 12, 1, 23, 0, tzinfo=dhaka)
    morning = datetime(2026, 12, 2, 8, 0, tzinfo=dhaka)
    # The app lives inside the night: its job thread delivers what the requests queued,
    # and every delivery must read the night. Unfrozen, it would read the wall clock,
    # which is past this "morning", and send the held resolution (a test that failed
    # whenever the job thread lagged behind the requests).
    with clock.frozen_at(night), TestClient(create_app()) as client:
        officer_phone = officer(backend, "Rangpur")
        citizen, urgent_citizen = unique_phone(), unique_phone()
        complain(client, citizen, "No water from the tubewell in Rangpur sadar")
        complain(client, urgent_citizen, "Child marriage being arranged tonight in Rangpur")
        for phone in (citizen, urgent_citizen):
            send(client, officer_phone, f"RESOLVE {refs.display(last_ticket(phone).ref)} Done")
        job_queue = client.app.state.job_queue
        if hasattr(job_queue, "join"):  # embedded: every queued delivery ran, at night
            job_queue.join()
    ack, resolution = messages_to(citizen)[-2:]
    assert ack.kind == "ack" and ack.next_attempt_at <= ack.created_at  # due at once
    assert resolution.kind == "resolved" and resolution.status == "pending"
    assert resolution.next_attempt_at == morning.astimezone(UTC)
    urgent = messages_to(urgent_citizen)[-1]
    assert urgent.kind == "resolved" and urgent.next_attempt_at <= urgent.created_at

    transport = FakeTransport()
    with clock.frozen_at(morning - timedelta(minutes=1)):
        assert outbox.deliver(notification_id=resolution.id, transport=transport) == "skipped"
        with session_scope() as session:
            assert resolution.id not in outbox.due_ids(session=session)
    with clock.frozen_at(morning):
        with session_scope() as session:
            assert resolution.id in outbox.due_ids(session=session)
        assert outbox.deliver(notification_id=resolution.id, transport=transport) == "sent"
    assert transport.sent == [(citizen, resolution.body)]


class FakeTransport:
    """Stands in for the telco's API, the edge we do not own."""

    name = "fake"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, *, to: str, body: str) -> outbox.SendResult:
        self.sent.append((to, body))
        return outbox.SendResult(provider="fake", provider_message_id=f"m{len(self.sent)}")


def _settings(quiet_hours: str, timezone: str = "Asia/Dhaka") -> Settings:
    return Settings(quiet_hours=quiet_hours, timezone=timezone)


@pytest.mark.parametrize(
    ("local", "release"),
    [
        ("2026-12-01T20:59", None),
        ("2026-12-01T21:00", "2026-12-02T08:00"),
        ("2026-12-01T23:30", "2026-12-02T08:00"),  # before midnight: tomorrow morning
        ("2026-12-02T00:00", "2026-12-02T08:00"),
        ("2026-12-02T07:59", "2026-12-02T08:00"),  # after midnight: this morning
        ("2026-12-02T08:00", None),
        ("2026-12-02T12:00", None),
    ],
)
def test_release_time_is_the_end_of_the_quiet_period_across_midnight(local, release):
    settings = _settings("21:00-08:00")
    now = datetime.fromisoformat(local).replace(tzinfo=settings.tz).astimezone(UTC)
    expected = datetime.fromisoformat(release).replace(tzinfo=settings.tz) if release else None
    got = quiet.release_time(now, settings)
    assert got == expected
    if got is not None:
        assert got.tzinfo is not None and got > now


def test_release_time_within_one_day_and_with_no_quiet_hours():
    within = _settings("13:00-15:00", timezone="Africa/Nairobi")
    noon = datetime(2026, 12, 1, 13, 30, tzinfo=within.tz)
    assert quiet.release_time(noon, within) == datetime(2026, 12, 1, 15, 0, tzinfo=within.tz)
    assert quiet.release_time(noon.replace(hour=16), within) is None
    assert quiet.release_time(datetime(2026, 12, 1, 23, 0, tzinfo=UTC), _settings("")) is None


def test_quiet_hours_know_the_same_urgent_categories_as_the_sla_policies():
    assert quiet.URGENT_CATEGORIES == URGENT_CATEGORIES


def test_end_to_end_a_missed_deadline_an_sms_resolution_and_a_0_reopen_at_the_next_level(
    backend, client
):
    divisional = unique_phone()
    backend.nalish(
        "users", "create", "--email", f"divcom-{uuid.uuid4().hex[:8]}@example.org",
        "--role", "officer", "--district", "Rangpur", "--office", "divcom-rangpur",
        "--languages", "bn,en", "--phone", divisional,
    )  # fmt: skip
    citizen = unique_phone()
    complain(client, citizen, "Tubewell water is red with iron in Taraganj, Rangpur")
    filed = last_ticket(citizen)
    ref = refs.display(filed.ref)
    missed = (filed.sla_due_at + timedelta(minutes=1)).isoformat()
    backend.nalish("sla", "sweep", "--at", missed)
    escalated = last_ticket(citizen)
    assert office_of(escalated).code == "divcom-rangpur" and escalated.escalation_level == 1
    (alert,) = [m for m in messages_to(divisional) if m.ticket_id == escalated.id]  # one SMS
    assert alert.kind == "officer_assigned" and ref in alert.body and "Taraganj" in alert.body

    send(client, divisional, f"RESOLVE {ref} Iron removal plant installed")
    assert messages_to(citizen)[-1].kind == "resolved"
    send(client, citizen, "0")
    reopened = last_ticket(citizen)
    assert reopened.status == "escalated" and reopened.escalation_level == 2
    assert office_of(reopened).level == "national"
    assert messages_to(citizen)[-1].kind == "rating_reopened"
