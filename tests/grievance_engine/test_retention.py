"""NALISH_RETENTION_DAYS: a citizen whose grievances all closed longer ago is erased by
the sweep (the phone replaced by its keyed hash, the ticket kept); one with an open or
recent grievance is not."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from grievance_engine import consent, erasure, service
from grievance_engine.models import Channel, Citizen, Ticket, TicketCreate, TicketStatus
from infra import clock
from infra.db import session_scope
from infra.settings import reset_settings


def _file(world, phone: str) -> int:
    with session_scope() as session:
        return service.create(
            session=session,
            ticket_in=TicketCreate(
                phone=phone, category_code=world.water, district_id=world.rangpur,
                channel=Channel.SMS, description=f"No water, call {phone}",
            ),
            office_id=world.rangpur_office,
        ).id  # fmt: skip


def _close(ticket_id: int, days_ago: int) -> None:
    with session_scope() as session:
        ticket = session.get(Ticket, ticket_id)
        ticket.status = TicketStatus.CLOSED
        ticket.updated_at = clock.now() - timedelta(days=days_ago)


def test_citizens_whose_grievances_all_closed_long_ago_are_erased(world, monkeypatch):
    monkeypatch.setenv("NALISH_RETENTION_DAYS", "30")
    reset_settings()
    old, recent, still_open = "+8801712000001", "+8801712000002", "+8801712000003"
    _close(_file(world, old), days_ago=100)
    _close(_file(world, recent), days_ago=5)
    _file(world, still_open)
    assert erasure.sweep() == 1
    with session_scope() as session:
        phones = set(session.exec(select(Citizen.phone)).all())
        descriptions = set(session.exec(select(Ticket.description)).all())
    assert phones == {erasure.token_for(old), recent, still_open}
    assert f"No water, call {erasure.token_for(old)}" in descriptions
    assert erasure.sweep() == 0  # done once


def test_without_retention_days_nothing_is_erased_unasked(world):
    _close(_file(world, "+8801712000004"), days_ago=1000)
    assert erasure.sweep() == 0


def test_a_ticket_records_the_consent_version_it_was_filed_under(world):
    ticket_id = _file(world, "+8801712000005")
    with session_scope() as session:
        assert session.get(Ticket, ticket_id).consent_version == consent.CURRENT_VERSION
