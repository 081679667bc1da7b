"""The equity monitor flags a channel whose grievances take much longer to resolve
than the rest's, once there are enough cases, and shows nothing below k."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from escalation import equity
from grievance_engine import equity_answers, service
from grievance_engine.models import Channel, Ticket, TicketCreate, TicketStatus
from infra import clock
from infra.db import session_scope
from tests.grievance_engine import conftest as engine_world

# The small named world of tests/grievance_engine (a fresh database that commits).
committed_db, world = engine_world.committed_db, engine_world.world


def _file(world, channel: Channel, number: int, *, days_to_resolve: float | None) -> None:
    with session_scope() as session:
        ticket = service.create(
            session=session,
            ticket_in=TicketCreate(
                phone=f"+88017120{number:05d}", category_code=world.water,
                district_id=world.rangpur, channel=channel, description="No water",
            ),
            office_id=world.rangpur_office,
        )  # fmt: skip
        if days_to_resolve is not None:
            row = session.get(Ticket, ticket.id)
            row.status = TicketStatus.RESOLVED
            row.resolved_at = row.created_at + timedelta(days=days_to_resolve)


def test_a_slower_channel_is_flagged_and_a_small_one_is_blank(world):
    for n in range(25):
        _file(world, Channel.USSD, n, days_to_resolve=2)
        _file(world, Channel.VOICE, 100 + n, days_to_resolve=9)
    for n in range(3):
        _file(world, Channel.WEB, 200 + n, days_to_resolve=1)
    with session_scope() as session:
        found = {(f.dimension, f.value): f for f in equity.monitor(session=session)}
    assert found[("channel", "voice")].flags == ("slower",)
    assert found[("channel", "voice")].median_days == 9.0
    assert found[("channel", "ussd")].flags == ()
    web = found[("channel", "web")]
    assert (web.received, web.median_days, web.flags) == (None, None, ())
    assert found[("language", "en")].received == 53


def test_too_few_cases_flag_nothing(world):
    for n in range(6):
        _file(world, Channel.USSD, n, days_to_resolve=1)
        _file(world, Channel.VOICE, 100 + n, days_to_resolve=30)
    with clock.frozen_at(clock.now()), session_scope() as session:
        assert all(not f.flags for f in equity.monitor(session=session))


def _said(world, number: int, gender: str | None, disability: str | None, days: float) -> None:
    _file(world, Channel.USSD, number, days_to_resolve=days)
    with session_scope() as session:
        ticket = session.exec(select(Ticket).order_by(col(Ticket.id).desc())).first()
        equity_answers.record(session=session, ticket=ticket, gender=gender, disability=disability)


def test_the_optional_answers_are_groups_and_only_what_was_said_counts(world):
    for n in range(22):
        _said(world, n, "woman", "yes", days=8)
        _said(world, 100 + n, "man", None, days=2)  # disability skipped
    for n in range(4):
        _file(world, Channel.USSD, 300 + n, days_to_resolve=1)  # asked nothing (or SKIP)
    with session_scope() as session:
        found = {(f.dimension, f.value): f for f in equity.monitor(session=session)}
    assert found[("gender", "woman")].flags == ("slower",)
    assert found[("gender", "man")].received == 22 and found[("gender", "man")].flags == ()
    assert found[("disability", "yes")].received == 22  # the men who skipped are in no group
    assert ("disability", "no") not in found and ("age_band", "18_35") not in found
    assert found[("channel", "ussd")].received == 48
