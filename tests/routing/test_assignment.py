"""Assignment: the least-loaded available speaker of the ticket's language gets it;
people claim, transfer (with a reason) and go away."""

from __future__ import annotations

import pytest
from sqlmodel import select

from grievance_engine import service as ticket_service
from grievance_engine.models import Channel, Role, TicketCreate, TicketStatus, User
from routing import assignment, intake
from routing.assignment import AssignmentError


def _person(bd, email: str, office: str = "dc-rangpur", **values) -> User:
    values.setdefault("languages", ["bn", "en"])
    user = User(
        email=email,
        role=values.pop("role", Role.OFFICER),
        password_hash="x",
        office_id=bd.office(office).id,
        **values,
    )
    bd.session.add(user)
    bd.session.flush()
    return user


GRIEVANCES = [
    "The culvert on the Kaunia road collapsed after the rain",
    "Potholes near Lalbagh bazar have caused two rickshaw accidents",
    "The bridge railing at Pirganj is broken and children walk there",
    "Our village road has been under water for a month",
    "Streetlights on Station Road have been dark since Eid",
    "Construction rubble blocks the lane behind the girls' school",
    "The brick road to the union parishad office is washed away",
    "Heavy trucks at night are breaking the new carpeting",
    "A tree fell across the upazila road and nobody has moved it",
    "Speed breakers were removed and a child was hit by a bus",
    "Sand from the dredger is dumped on the embankment road",
    "The ferry ghat approach road is too steep for vans",
]


def _file(bd, n: int = 0, language: str = "bn", district: str = "Rangpur", **values):
    return intake.file_grievance(
        session=bd.session,
        ticket_in=TicketCreate(
            phone=f"+88017120000{n:02d}",
            category_code=values.pop("category", "roads"),
            district_id=bd.area(district).id,
            channel=Channel.USSD,
            language=language,
            description=GRIEVANCES[n % len(GRIEVANCES)],
            **values,
        ),
    )


def _types(bd, ticket) -> list[str]:
    return [e.type for e in ticket_service.events_of(session=bd.session, ticket_id=ticket.id)]


def test_a_new_ticket_goes_to_the_officer_with_the_fewest_open_tickets(bd):
    busy = _person(bd, "busy@example.org")
    assert [_file(bd, n).assignee_id for n in range(2)] == [busy.id, busy.id]
    free = _person(bd, "free@example.org")
    ticket = _file(bd, 9)
    assert ticket.assignee_id == free.id
    assert _file(bd, 10).assignee_id == free.id  # 2 open each now: the tie goes to busy next
    assert _file(bd, 11).assignee_id == busy.id
    assert ticket.status == TicketStatus.ASSIGNED
    assert _types(bd, ticket) == ["created", "assigned", "status_changed"]


def test_a_tie_goes_to_the_person_added_first(bd):
    first, _second = _person(bd, "first@example.org"), _person(bd, "second@example.org")
    assert _file(bd).assignee_id == first.id


def test_a_bangla_ticket_waits_in_the_queue_rather_than_go_to_someone_without_bangla(bd):
    _person(bd, "english.only@example.org", languages=["en"])
    ticket = _file(bd, language="bn")
    assert ticket.assignee_id is None and ticket.status == TicketStatus.NEW
    speaker = _person(bd, "bangla@example.org", languages=["bn"])
    assert assignment.auto_assign(session=bd.session, ticket=ticket) == speaker


def test_someone_away_is_passed_by_and_cannot_be_given_a_ticket(bd):
    away = _person(bd, "away@example.org")
    assignment.set_away(session=bd.session, user=away, away=True)
    ticket = _file(bd)
    assert ticket.assignee_id is None
    with pytest.raises(AssignmentError, match="away"):
        assignment.assign(session=bd.session, ticket=ticket, user=away, actor="test")
    assignment.set_away(session=bd.session, user=away, away=False)
    assert assignment.auto_assign(session=bd.session, ticket=ticket) == away


def test_people_of_another_office_or_queue_are_not_in_the_pool(bd):
    _person(bd, "cumilla@example.org", office="dc-cumilla")
    _person(bd, "triage.only@example.org", queues=["triage"])
    assert _file(bd).assignee_id is None


def test_an_agent_claims_an_unassigned_ticket_but_not_someone_elses(bd):
    ticket = _file(bd)
    agent = _person(bd, "agent@example.org", role=Role.AGENT)
    assignment.claim(session=bd.session, ticket=ticket, user=agent)
    assert ticket.assignee_id == agent.id
    other = _person(bd, "other@example.org", role=Role.AGENT)
    with pytest.raises(AssignmentError, match=r"already assigned to agent@example\.org"):
        assignment.claim(session=bd.session, ticket=ticket, user=other)


def test_a_transfer_between_people_needs_a_reason_and_records_both(bd):
    ticket = _file(bd)
    alice, bob = _person(bd, "alice@example.org"), _person(bd, "bob@example.org")
    assignment.assign(session=bd.session, ticket=ticket, user=alice, actor="user:1")
    with pytest.raises(AssignmentError, match="needs a reason"):
        assignment.assign(session=bd.session, ticket=ticket, user=bob, actor="user:1")
    event = assignment.assign(
        session=bd.session, ticket=ticket, user=bob, actor="user:1", reason="Alice is on leave"
    )
    assert (event.data["previous"], event.data["assignee"]) == (
        "alice@example.org",
        "bob@example.org",
    )
    assert event.data["reason"] == "Alice is on leave"


def test_an_in_progress_ticket_transferred_to_someone_new_is_assigned_again(bd):
    ticket = _file(bd)
    alice, bob = _person(bd, "alice@example.org"), _person(bd, "bob@example.org")
    assignment.assign(session=bd.session, ticket=ticket, user=alice, actor="user:1")
    ticket.status = TicketStatus.IN_PROGRESS
    assignment.assign(session=bd.session, ticket=ticket, user=bob, actor="user:1", reason="r")
    assert ticket.status == TicketStatus.ASSIGNED


def test_a_transfer_to_another_office_lands_in_its_queue_and_is_assigned_there(bd):
    ticket = _file(bd)
    assert ticket.office_id == bd.office("dc-rangpur").id
    cumilla = _person(bd, "cumilla.officer@example.org", office="dc-cumilla")
    event = assignment.transfer_to_office(
        session=bd.session,
        ticket=ticket,
        office=bd.office("dc-cumilla"),
        actor="user:1",
        reason="The caller lives in Cumilla; Rangpur was a slip",
    )
    assert event.type == "transferred"
    assert ticket.office_id == bd.office("dc-cumilla").id
    assert ticket.assignee_id == cumilla.id
    with pytest.raises(AssignmentError, match="needs a reason"):
        assignment.transfer_to_office(
            session=bd.session, ticket=ticket, office=bd.office("dc-rangpur"), actor="x", reason=""
        )


def test_a_closed_ticket_cannot_be_assigned(bd):
    ticket = _file(bd)
    ticket.status = TicketStatus.CLOSED
    with pytest.raises(AssignmentError, match="closed ticket cannot be assigned"):
        assignment.assign(
            session=bd.session, ticket=ticket, user=_person(bd, "a@example.org"), actor="x"
        )


def test_an_officer_created_for_a_district_works_at_its_office(bd):
    from grievance_engine import users

    officer, _ = users.create(
        session=bd.session,
        country="BD",
        user_in=users.UserCreate(
            email="rangpur.officer@example.org",
            role=Role.OFFICER,
            district="Rangpur",
            language="bn",
            languages=["en"],
        ),
    )
    assert officer.office_id == bd.office("dc-rangpur").id
    assert officer.languages == ["bn", "en"]
    assert _file(bd, language="en").assignee_id == officer.id
    assert bd.session.exec(select(User).where(User.id == officer.id)).one().speaks("bn")
