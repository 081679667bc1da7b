"""The ticket lifecycle: one table of allowed moves, each recorded in the audit chain."""

from __future__ import annotations

import pytest

from grievance_engine import audit, lifecycle, service
from grievance_engine.lifecycle import IllegalTransition, TransitionError
from grievance_engine.models import Channel, Ticket, TicketCreate, TicketStatus
from infra.db import session_scope


def _file(world, status: TicketStatus = TicketStatus.NEW) -> str:
    """A ticket in `status` (set directly: the setup, not the thing under test)."""
    with session_scope() as session:
        ticket = service.create(
            session=session,
            ticket_in=TicketCreate(
                phone="+8801712345678",
                category_code=world.water,
                district_id=world.rangpur,
                channel=Channel.USSD,
                description="No water in ward 5",
            ),
            office_id=world.rangpur_office,
        )
        ticket.status = status
        return ticket.ref


def _move(ref: str, to: TicketStatus, **kwargs):
    kwargs.setdefault("reason", "because")
    if to == TicketStatus.DUPLICATE:
        kwargs.setdefault("data", {"original": "ABCD-1234"})
    with session_scope() as session:
        ticket = service.get_by_ref(session=session, ref=ref)
        return lifecycle.transition(session=session, ticket=ticket, to=to, actor="user:1", **kwargs)


def _ticket(ref: str) -> Ticket:
    with session_scope() as session:
        return service.get_by_ref(session=session, ref=ref)


@pytest.mark.parametrize("current", list(TicketStatus), ids=str)
def test_every_move_the_table_allows_succeeds_and_every_other_raises(world, current):
    # Table-driven over every (current, requested) pair: one database per current status.
    for requested in TicketStatus:
        ref = _file(world, current)
        if requested in lifecycle.ALLOWED[current]:
            event = _move(ref, requested)
            assert event.type == "status_changed" and event.seq == 2, (current, requested)
            assert (event.data["from"], event.data["to"]) == (current, requested)
            assert _ticket(ref).status == requested
        else:
            with pytest.raises(IllegalTransition) as raised:
                _move(ref, requested)
            assert raised.value.allowed == lifecycle.ALLOWED[current], (current, requested)
            assert _ticket(ref).status == current and _ticket(ref).event_count == 1


def test_the_refusal_names_the_statuses_that_are_allowed(world):
    ref = _file(world, TicketStatus.RESOLVED)
    with pytest.raises(IllegalTransition, match="allowed from resolved: closed, reopened"):
        _move(ref, TicketStatus.IN_PROGRESS)
    ref = _file(world, TicketStatus.DUPLICATE)
    with pytest.raises(IllegalTransition, match="none \\(final status\\)"):
        _move(ref, TicketStatus.REOPENED)


@pytest.mark.parametrize("to", [TicketStatus.REJECTED, TicketStatus.DUPLICATE])
def test_rejecting_or_marking_duplicate_needs_a_reason(world, to):
    ref = _file(world)
    with pytest.raises(TransitionError, match="needs a reason"):
        _move(ref, to, reason="  ")
    assert _ticket(ref).status == TicketStatus.NEW


def test_a_duplicate_names_its_original(world):
    ref = _file(world)
    with pytest.raises(TransitionError, match="original"):
        _move(ref, TicketStatus.DUPLICATE, data={})
    event = _move(ref, TicketStatus.DUPLICATE, reason="filed twice", data={"original": "X"})
    assert event.data == {
        "original": "X",
        "from": "new",
        "to": "duplicate",
        "reason": "filed twice",
    }


def test_each_escalation_raises_the_level_and_every_step_stays_on_the_chain(world):
    ref = _file(world)
    _move(ref, TicketStatus.ESCALATED)
    _move(ref, TicketStatus.ESCALATED)
    _move(ref, TicketStatus.RESOLVED)
    _move(ref, TicketStatus.CLOSED)
    _move(ref, TicketStatus.REOPENED)
    ticket = _ticket(ref)
    assert ticket.escalation_level == 2 and ticket.status == TicketStatus.REOPENED
    with session_scope() as session:
        shown = service.show(session=session, ref=ref)
        assert audit.verify(session=session) == []
    assert [e["seq"] for e in shown["events"]] == [1, 2, 3, 4, 5, 6]
    assert [e["data"].get("to") for e in shown["events"][1:]] == [
        "escalated",
        "escalated",
        "resolved",
        "closed",
        "reopened",
    ]
