"""One access rule on every surface: the same table of (person, ticket, action) run
through the dashboards (HTTP, signed in), the SMS officer commands (the Africa's
Talking webhook, from the person's registered phone) and the JSON API (a token made
for the person) gets the same answers. On both backends.

The people: an agent of the national desk, an agent with no office (who works at that
desk), an agent of the Rangpur district office, the Rangpur and Cumilla officers and a
supervisor. The tickets: one filed in Rangpur, one in Cumilla, taken by phone.

What is compared: a note and resolving on all three surfaces; seeing the ticket on the
dashboards and the API (SMS has no command that shows a ticket to its staff).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from grievance_engine import refs, tokens, users
from grievance_engine.models import InboundMessage, Role
from infra.db import session_scope
from nalish.app import create_app
from routing import intake
from tests.channels.test_africastalking_webhooks import SMS, sms_form, unique_phone
from tests.dashboards.test_dashboards import PASSWORD, browser, csrf_of

API = "/api/v1"


@dataclass(frozen=True)
class Person:
    email: str
    phone: str
    token: str


# who → (role, office code or None, district or None)
PEOPLE = {
    "national agent": (Role.AGENT, "national-triage", None),
    "agent without an office": (Role.AGENT, None, None),
    "Rangpur desk agent": (Role.AGENT, "dc-rangpur", None),
    "Rangpur officer": (Role.OFFICER, None, "Rangpur"),
    "Cumilla officer": (Role.OFFICER, None, "Cumilla"),
    "supervisor": (Role.SUPERVISOR, None, None),
}

# The answer every surface must give: may this person work a ticket of this place?
# (The same for every action compared: what one sees, one may note and resolve.)
EXPECTED = {
    ("national agent", "Rangpur"): True,
    ("national agent", "Cumilla"): True,
    ("agent without an office", "Rangpur"): True,
    ("agent without an office", "Cumilla"): True,
    ("Rangpur desk agent", "Rangpur"): True,
    ("Rangpur desk agent", "Cumilla"): False,
    ("Rangpur officer", "Rangpur"): True,
    ("Rangpur officer", "Cumilla"): False,
    ("Cumilla officer", "Rangpur"): False,
    ("Cumilla officer", "Cumilla"): True,
    ("supervisor", "Rangpur"): True,
    ("supervisor", "Cumilla"): True,
}
CASES = sorted(EXPECTED)


@pytest.fixture(scope="module")
def app(backend):
    application = create_app()
    with TestClient(application):  # runs the lifespan once for the module
        yield application


@pytest.fixture(scope="module")
def people(backend) -> dict[str, Person]:
    made = {}
    with session_scope() as session:
        for who, (role, office, district) in PEOPLE.items():
            office_id = users.office_id_by_code(session=session, code=office) if office else None
            phone = unique_phone()
            user, _ = users.create(
                session=session,
                country="BD",
                user_in=users.UserCreate(
                    email=f"access-{uuid.uuid4().hex[:8]}@example.org",
                    role=role,
                    district=district,
                    office_id=office_id,
                    password=PASSWORD,
                    phone=phone,
                ),
            )
            session.flush()
            _, token = tokens.create(
                session=session, name=f"access-{user.id}", role=role, user_id=user.id
            )
            made[who] = Person(email=user.email, phone=phone, token=token)
    return made


def _ticket(place: str) -> str:
    """A fresh ticket of `place`, taken by phone (its own caller: no duplicates)."""
    with session_scope() as session:
        ticket = intake.take_call(
            session=session,
            call=intake.CallIntake(
                phone=unique_phone(),
                district=place,
                category="water",
                description=f"Tubewell broken in {place} ward {uuid.uuid4().hex[:6]}",
            ),
            actor="user:0",
        )
        return refs.display(ticket.ref)


# ---------------------------------------------------------------------------
# Each surface, asked one question: allowed (True) or refused (False)
# ---------------------------------------------------------------------------


def _dashboard(client: TestClient, ref: str, action: str) -> bool:
    if action == "view":
        answer = client.get(f"/dashboard/tickets/{ref}")
        allowed = 200
    else:
        csrf = csrf_of(client.get("/dashboard/queue").text)
        form = {"csrf_token": csrf}
        if action == "note":
            path, form["text"] = "note", "Called the caller back"
        else:
            path, form["to"], form["reason"] = "status", "resolved", "The pump was repaired"
        answer = client.post(f"/dashboard/tickets/{ref}/{path}", data=form)
        allowed = 303
    assert answer.status_code in (allowed, 404), (action, answer.status_code, answer.text[:300])
    return answer.status_code == allowed


def _api(client: TestClient, person: Person, ref: str, action: str) -> bool:
    headers = {"Authorization": f"Bearer {person.token}"}
    if action == "view":
        answer, allowed = client.get(f"{API}/tickets/{ref}", headers=headers), 200
    elif action == "note":
        body = {"text": "Called the caller back"}
        answer = client.post(f"{API}/tickets/{ref}/comments", json=body, headers=headers)
        allowed = 201
    else:
        body = {"to": "resolved", "reason": "The pump was repaired"}
        answer = client.post(f"{API}/tickets/{ref}/transitions", json=body, headers=headers)
        allowed = 200
    assert answer.status_code in (allowed, 404), (action, answer.status_code, answer.text[:300])
    return answer.status_code == allowed


def _sms(client: TestClient, person: Person, ref: str, action: str) -> bool:
    text = f"NOTE {ref} Called the caller back" if action == "note" else f"RESOLVE {ref} Fixed"
    assert client.post(SMS, data=sms_form(person.phone, text)).status_code == 200
    with session_scope() as session:
        outcome = session.exec(
            select(InboundMessage.outcome)
            .where(InboundMessage.from_phone == person.phone)
            .order_by(col(InboundMessage.id).desc())
        ).first()
    assert outcome in ("officer_noted", "officer_resolved", "officer_not_yours"), outcome
    return outcome != "officer_not_yours"


# ---------------------------------------------------------------------------
# The table, through every surface
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("who, place", CASES, ids=[f"{w} on {p}" for w, p in CASES])
def test_every_surface_gives_the_same_answer_for_a_person_and_a_ticket(app, people, who, place):
    person = people[who]
    expected = EXPECTED[(who, place)]
    dashboard = browser(app, person.email)
    api = TestClient(app)
    shared = _ticket(place)  # seeing and noting change nothing the next answer depends on
    answers = {
        "dashboard view": _dashboard(dashboard, shared, "view"),
        "api view": _api(api, person, shared, "view"),
        "dashboard note": _dashboard(dashboard, shared, "note"),
        "api note": _api(api, person, shared, "note"),
        "sms note": _sms(api, person, shared, "note"),
        # resolving closes the question for the next surface: a ticket each
        "dashboard resolve": _dashboard(dashboard, _ticket(place), "resolve"),
        "api resolve": _api(api, person, _ticket(place), "resolve"),
        "sms resolve": _sms(api, person, _ticket(place), "resolve"),
    }
    wrong = {surface: answer for surface, answer in answers.items() if answer != expected}
    assert wrong == {}, f"expected {'allowed' if expected else 'refused'} everywhere"
