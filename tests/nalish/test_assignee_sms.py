"""An officer given a ticket by someone else gets one SMS saying what it is (category,
upazila and district, the citizen's first words), in the officer's language, never on
the citizen's phone; a person who takes a ticket themselves is told nothing. Over the
API, as a supervisor's CRM drives it (escalation's SMS: tests/escalation)."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from grievance_engine import users
from grievance_engine.models import Notification, Role
from infra.db import session_scope
from nalish.app import create_app
from tests.nalish.test_api import API, bearer, file, make_token

CITIZEN = "+8801712000151"
WORDS = "আমাদের গ্রামের নলকূপে এক সপ্তাহ ধরে পানি নেই, স্কুলের শিশুরা কষ্ট পাচ্ছে"


@pytest.fixture(scope="module")
def client(backend):
    with TestClient(create_app()) as test_client:
        yield test_client


def _person(role: Role, phone: str, language: str) -> users.User:
    with session_scope() as session:
        person, _ = users.create(
            session=session,
            country="BD",
            user_in=users.UserCreate(email=f"{role}-{uuid.uuid4().hex[:6]}@example.org",
                                     role=role, district="Rangpur", phone=phone,
                                     language=language, languages=["bn", "en"]),
        )  # fmt: skip
        return person


def _sms_to(phone: str) -> list[Notification]:
    with session_scope() as session:
        found = select(Notification).where(Notification.to_phone == phone)
        return list(session.exec(found.order_by(Notification.id)).all())


def _give(client, ref: str, email: str, reason: str, headers: dict[str, str]) -> None:
    given = client.post(f"{API}/tickets/{ref}/assignment",
                        json={"assignee": email, "reason": reason}, headers=headers)  # fmt: skip
    assert given.status_code == 200, given.text


def test_a_supervisor_assigns_a_ticket_and_the_officer_gets_one_sms_saying_what_it_is(client):
    supervisor = bearer(make_token(Role.SUPERVISOR))
    ref = file(client, supervisor, phone=CITIZEN, upazila="Kaunia", description=WORDS,
               language="bn")["ref"]  # fmt: skip
    bangla_officer = _person(Role.OFFICER, "+8801711000151", "bn")
    english_officer = _person(Role.OFFICER, "+8801711000152", "en")

    _give(client, ref, bangla_officer.email, "knows Kaunia", supervisor)
    (told,) = _sms_to(bangla_officer.phone)
    assert told.kind == "officer_assigned" and told.language == "bn"
    assert ref in told.body and "পানি" in told.body and "কাউনিয়া" in told.body
    assert "রংপুর" in told.body and "আমাদের গ্রামের নলকূপে" in told.body
    assert "Water" not in told.body  # the officer's language, not English

    _give(client, ref, english_officer.email, "on leave tomorrow", supervisor)
    (told_en,) = _sms_to(english_officer.phone)
    assert "Water" in told_en.body and "Kaunia" in told_en.body and ref in told_en.body
    assert len(_sms_to(bangla_officer.phone)) == 1  # nothing more to the one it left
    assert all(sms.kind != "officer_assigned" for sms in _sms_to(CITIZEN))


def test_a_person_who_takes_a_ticket_themselves_gets_no_sms_about_it(client):
    ref = file(client, bearer(make_token(Role.SUPERVISOR)), phone="+8801712000152")["ref"]
    officer = _person(Role.OFFICER, "+8801711000153", "en")
    _give(client, ref, officer.email, "mine", bearer(make_token(Role.OFFICER, user_id=officer.id)))
    assert _sms_to(officer.phone) == []


def test_a_supervisor_hands_a_ticket_on_from_its_page_and_the_officer_is_told(client):
    from tests.dashboards.test_dashboards import _email, _user, browser, csrf_of

    ref = file(client, bearer(make_token(Role.SUPERVISOR)), phone="+8801712000153",
               upazila="Kaunia", description="Tube well at the school broken")["ref"]  # fmt: skip
    supervisor = _email("supervisor")
    _user(supervisor, Role.SUPERVISOR)
    officer = _person(Role.OFFICER, "+8801711000154", "en")
    page = browser(client.app, supervisor)
    token = csrf_of(page.get(f"/dashboard/tickets/{ref}").text)
    handed = page.post(f"/dashboard/tickets/{ref}/transfer",
                       data={"to_email": officer.email, "reason": "knows the school",
                             "csrf_token": token})  # fmt: skip
    assert handed.status_code == 303, handed.text
    (told,) = _sms_to(officer.phone)
    assert told.kind == "officer_assigned" and "Tube well at the school" in told.body
    assert "Kaunia" in told.body and ref in told.body
