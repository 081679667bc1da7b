"""Likely duplicates are flagged at intake and merged by a person; bursts of one problem
in one place become a mass event resolved with one action. Every citizen is told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from grievance_engine import actions, audit, incidents, refs
from grievance_engine import service as ticket_service
from grievance_engine.models import Channel, Incident, Notification, TicketCreate, TicketStatus
from infra import clock
from routing import intake

WARD_5 = "No water from the tubewell in ward 5 for three days"


def _file(bd, description: str, phone: str = "+8801712345678", **values):
    values.setdefault("category_code", "water")
    district = values.pop("district", "Rangpur")
    return intake.file_grievance(
        session=bd.session,
        ticket_in=TicketCreate(
            phone=phone,
            district_id=bd.area(district).id,
            channel=values.pop("channel", Channel.SMS),
            language=values.pop("language", "en"),
            description=description,
            **values,
        ),
    )


def _sms(bd, ticket, kind: str) -> list[Notification]:
    statement = select(Notification).where(
        Notification.ticket_id == ticket.id, Notification.kind == kind
    )
    return list(bd.session.exec(statement))


def test_the_same_problem_from_a_neighbour_is_flagged_as_a_likely_duplicate(bd):
    first = _file(bd, WARD_5, phone="+8801712345678")
    second = _file(
        bd, "The tubewell in ward 5 has given no water for 3 days", phone="+8801811111111"
    )
    assert second.suspected_duplicate_of_id == first.id
    flagged = ticket_service.events_of(session=bd.session, ticket_id=second.id)[1]
    assert flagged.type == "duplicate_suspected"
    assert flagged.data["original"] == refs.display(first.ref)
    assert flagged.data["why"] == "same place and category, similar description"


def test_the_same_problem_in_bangla_is_flagged_too(bd):
    first = _file(bd, "ওয়ার্ড ৫-এ তিন দিন ধরে নলকূপে পানি নেই", language="bn")
    second = _file(bd, "নলকূপে পানি নেই, ওয়ার্ড ৫, তিন দিন", phone="+8801811111111", language="bn")
    assert second.suspected_duplicate_of_id == first.id


@pytest.mark.parametrize(
    ("later", "why_not"),
    [
        ({"description": "The school has had no teacher for grade 4 since March"}, "other text"),
        ({"description": WARD_5, "district": "Dinajpur"}, "another district"),
        ({"description": WARD_5, "category_code": "electricity"}, "another category"),
    ],
)
def test_different_grievances_are_not_flagged(bd, later, why_not):
    _file(bd, WARD_5)
    ticket = _file(bd, phone="+8801811111111", **later)
    assert ticket.suspected_duplicate_of_id is None, why_not


def test_a_citizen_calling_again_about_the_same_category_is_flagged_whatever_they_say(bd):
    first = _file(bd, WARD_5)
    again = _file(bd, "Still nothing! Why has nobody come?")
    assert again.suspected_duplicate_of_id == first.id


def test_an_old_or_closed_ticket_is_not_a_duplicate_candidate(bd):
    with clock.frozen_at(clock.now() - timedelta(days=10)):
        _file(bd, WARD_5)
    closed = _file(bd, WARD_5, phone="+8801911111111")
    closed.suspected_duplicate_of_id = None
    closed.status = TicketStatus.CLOSED
    assert _file(bd, WARD_5, phone="+8801811111111").suspected_duplicate_of_id is None


def test_a_merge_tells_the_duplicates_citizen_and_the_resolution_reaches_both(bd):
    original = _file(bd, WARD_5, phone="+8801712345678")
    duplicate = _file(bd, "Tubewell ward 5 dry three days", phone="+8801811111111", language="bn")
    actions.merge(session=bd.session, duplicate=duplicate, original=original, actor="user:3")
    assert duplicate.status == TicketStatus.DUPLICATE
    assert duplicate.duplicate_of_id == original.id and duplicate.suspected_duplicate_of_id is None
    [merged] = _sms(bd, duplicate, "merged")
    assert refs.display(original.ref) in merged.body and merged.to_phone == "+8801811111111"

    actions.resolve(
        session=bd.session,
        ticket=original,
        actor="user:3",
        what_was_done="The DPHE mechanic replaced the pump head on 12 March.",
    )
    [to_original] = _sms(bd, original, "resolved")
    [to_duplicate] = _sms(bd, duplicate, "resolved")
    assert "pump head" in to_original.body and "pump head" in to_duplicate.body
    assert refs.display(duplicate.ref) in to_duplicate.body
    assert to_duplicate.language == "bn" and "সমাধান" in to_duplicate.body
    duplicate_events = ticket_service.events_of(session=bd.session, ticket_id=duplicate.id)
    assert duplicate_events[-1].type == "original_resolved"
    assert audit.verify(session=bd.session) == []


def test_a_merge_into_a_resolved_ticket_is_refused(bd):
    original = _file(bd, WARD_5)
    actions.resolve(session=bd.session, ticket=original, actor="u", what_was_done="fixed")
    other = _file(bd, WARD_5, phone="+8801811111111")
    with pytest.raises(actions.MergeError, match="merge only into an open ticket"):
        actions.merge(session=bd.session, duplicate=other, original=original, actor="u")


def test_a_flag_can_be_dismissed_and_says_so_in_the_timeline(bd):
    _file(bd, WARD_5)
    flagged = _file(bd, WARD_5, phone="+8801811111111")
    event = actions.dismiss_suspected_duplicate(session=bd.session, ticket=flagged, actor="u")
    assert event.type == "duplicate_dismissed" and flagged.suspected_duplicate_of_id is None


def _burst(bd, count: int, upazila: str = "Kaunia", start: int = 0):
    area = bd.area(upazila, level="upazila", parent="Rangpur")
    return [
        _file(
            bd,
            f"No water supply since Tuesday in our para, house {n}",
            phone=f"+88017300000{n:02d}",
            upazila_id=area.id,
        )
        for n in range(start, start + count)
    ]


def test_a_burst_of_no_water_in_one_upazila_becomes_one_mass_event(bd, monkeypatch):
    monkeypatch.setenv("NALISH_MASS_EVENT_MIN_TICKETS", "4")
    from infra.settings import reset_settings

    reset_settings()
    first_three = _burst(bd, 3)
    assert all(t.incident_id is None for t in first_three)
    [fourth] = _burst(bd, 1, start=3)
    incident = bd.session.get(Incident, fourth.incident_id)
    assert incident is not None and incident.ticket_count == 4
    assert {t.incident_id for t in first_three} == {incident.id}
    fifth = _file(
        bd,
        "No water supply in our para since Tuesday",
        phone="+8801799999999",
        upazila_id=fourth.upazila_id,
    )
    assert fifth.incident_id == incident.id and incident.ticket_count == 5

    resolved = incidents.resolve(
        session=bd.session,
        incident=incident,
        actor="user:5",
        what_was_done="The burst main at Kaunia bazar was repaired; supply is back.",
    )
    assert resolved == 5
    tickets = [*first_three, fourth, fifth]
    assert {t.status for t in tickets} == {TicketStatus.RESOLVED}
    for ticket in tickets:
        [sms] = _sms(bd, ticket, "resolved")
        assert "burst main" in sms.body and refs.display(ticket.ref) in sms.body
    assert incident.status == "resolved"
    listed = incidents.list_public(session=bd.session, status="resolved")
    assert listed[0]["ticket_count"] == 5 and listed[0]["upazila"] == "Kaunia"
    with pytest.raises(incidents.IncidentError, match="already resolved"):
        incidents.resolve(session=bd.session, incident=incident, actor="u", what_was_done="x")


def test_unrelated_reports_of_one_category_in_one_place_are_not_a_mass_event(bd, monkeypatch):
    monkeypatch.setenv("NALISH_MASS_EVENT_MIN_TICKETS", "3")
    from infra.settings import reset_settings

    reset_settings()
    texts = [
        "The tube well at the madrasa is broken",
        "Arsenic in the water of our village, people are falling ill",
        "The pourashava water bill doubled this month without reason",
    ]
    filed = [_file(bd, text, phone=f"+88017400000{n}") for n, text in enumerate(texts)]
    assert all(t.incident_id is None for t in filed)


def test_reports_from_another_upazila_do_not_join_the_burst(bd, monkeypatch):
    monkeypatch.setenv("NALISH_MASS_EVENT_MIN_TICKETS", "3")
    from infra.settings import reset_settings

    reset_settings()
    _burst(bd, 2, upazila="Kaunia")
    assert all(t.incident_id is None for t in _burst(bd, 2, upazila="Pirganj", start=2))


def test_the_database_refuses_a_second_open_incident_for_one_place_and_category(bd):
    water, rangpur = bd.category("water"), bd.area("Rangpur")
    pirganj = bd.area("Pirganj", level="upazila", parent="Rangpur")

    def incident(upazila=None, status="open") -> Incident:
        return Incident(
            category_id=water.id,
            district_id=rangpur.id,
            upazila_id=upazila.id if upazila else None,
            status=status,
        )

    bd.session.add_all([incident(), incident(pirganj), incident(status="resolved")])
    bd.session.flush()  # one open per place (the district, an upazila); closed ones aside
    for again in (incident(), incident(pirganj)):
        with pytest.raises(IntegrityError), bd.session.begin_nested():
            bd.session.add(again)
            bd.session.flush()


def test_a_new_burst_in_a_place_whose_incident_is_still_open_joins_it(bd, monkeypatch):
    monkeypatch.setenv("NALISH_MASS_EVENT_MIN_TICKETS", "3")
    from infra.settings import reset_settings

    reset_settings()
    first = _burst(bd, 3)
    incident = bd.session.get(Incident, first[0].incident_id)
    # Seven hours on, the first reports are out of the window but the pipe is still dry.
    later = clock.now() + timedelta(hours=7)
    with clock.frozen_at(later):
        again = _burst(bd, 3, start=10)
    assert {t.incident_id for t in again} == {incident.id}
    assert incident.ticket_count == 6
    open_ones = bd.session.exec(select(Incident).where(Incident.status == "open")).all()
    assert open_ones == [incident]
