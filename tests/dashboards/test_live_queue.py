"""The live queue over HTTP, on both backends: `/dashboard/queue/rows?since=` answers
what changed since the queue was loaded, within what the person may see.

The world: an agent of the office Rangpur's water tickets go to (a district agent),
the Rangpur officer and a national-desk agent; tickets filed as an agent takes a call.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from grievance_engine import actions, refs
from grievance_engine.models import Office, Role, Ticket
from infra.db import session_scope
from routing import intake
from tests.dashboards.test_dashboards import _email, _user, browser


def _file(district: str) -> str:
    with session_scope() as session:
        ticket = intake.take_call(
            session=session,
            call=intake.CallIntake(
                phone="+8801712340011",
                district=district,
                category="water",
                description=f"No water in the ward {uuid.uuid4().hex[:6]}",
            ),
            actor="user:0",
        )
        return refs.display(ticket.ref)


def _office_code(ref: str) -> str:
    with session_scope() as session:
        ticket = session.exec(select(Ticket).where(Ticket.ref == refs.normalise(ref))).one()
        office = session.get(Office, ticket.office_id)
        assert office is not None
        return office.code


@dataclass(frozen=True)
class World:
    rangpur_office: str
    clients: dict[str, TestClient]


@pytest.fixture(scope="module")
def world(app) -> World:
    office = _office_code(_file("Rangpur"))
    emails = {name: _email(name) for name in ("district_agent", "rangpur", "national")}
    _user(emails["district_agent"], Role.AGENT, office=office)
    _user(emails["rangpur"], Role.OFFICER, "Rangpur")
    _user(emails["national"], Role.AGENT, office="national-triage")
    clients = {name: browser(app, email) for name, email in emails.items()}
    return World(rangpur_office=office, clients=clients)


def _cursor(client: TestClient) -> int:
    page = client.get("/dashboard/queue")
    assert page.status_code == 200
    found = re.search(r'id="queue-results" data-since="(\d+)"', page.text)
    assert found, "the queue carries its live cursor"
    return int(found.group(1))


def test_a_ticket_filed_after_the_queue_was_loaded_comes_with_the_next_rows(world):
    agent = world.clients["district_agent"]
    since = _cursor(agent)
    ref = _file("Rangpur")
    rows = agent.get(f"/dashboard/queue/rows?since={since}")
    assert rows.status_code == 200
    assert (
        f'<tr class="fresh">\n      <td class="ref"><a href="/dashboard/tickets/{ref}">'
        in rows.text
    )
    assert int(rows.headers["X-Queue-Since"]) > since
    assert int(rows.headers["X-Queue-Changed"]) >= 1
    assert "<html" not in rows.text  # the results only, not a page
    # asked again from the new cursor: nothing changed, nothing sent
    again = agent.get(f"/dashboard/queue/rows?since={rows.headers['X-Queue-Since']}")
    assert again.status_code == 204


def test_a_district_agent_and_officer_never_get_another_districts_ticket(world):
    for name in ("district_agent", "rangpur"):
        client = world.clients[name]
        since = _cursor(client)
        elsewhere = _file("Cumilla")
        rows = client.get(f"/dashboard/queue/rows?since={since}")
        # a change they may not see is no change to them
        assert rows.status_code == 204, name
        assert rows.headers["X-Queue-Changed"] == "0"
        resynced = client.get(f"/dashboard/queue/rows?since={since}&resync=true&status=all")
        assert resynced.status_code == 200
        assert elsewhere not in resynced.text, name
        mine = _file("Rangpur")
        rows = client.get(f"/dashboard/queue/rows?since={since}&status=all")
        assert rows.status_code == 200
        assert mine in rows.text and elsewhere not in rows.text, name


def test_a_changed_ticket_is_marked_and_a_closed_one_leaves_the_open_queue(world):
    agent = world.clients["district_agent"]
    ref = _file("Rangpur")
    since = _cursor(agent)
    with session_scope() as session:
        ticket = session.exec(select(Ticket).where(Ticket.ref == refs.normalise(ref))).one()
        actions.resolve(session=session, ticket=ticket, actor="test", what_was_done="Fixed")
    rows = agent.get(f"/dashboard/queue/rows?since={since}")
    assert rows.status_code == 200
    assert ref not in rows.text  # the open queue no longer lists it
    every = agent.get(f"/dashboard/queue/rows?since={since}&status=all")
    assert (
        f'<tr class="fresh">\n      <td class="ref"><a href="/dashboard/tickets/{ref}">'
        in every.text
    )


def test_the_queue_works_without_javascript_and_its_links_drop_the_cursor(world):
    page = world.clients["national"].get("/dashboard/queue").text
    assert '<noscript><meta http-equiv="refresh" content="60"></noscript>' in page
    assert 'http-equiv="refresh"' not in page.replace("<noscript><meta http-equiv", "")
    script = page.split("<script", 1)[1]
    assert script.startswith(' nonce="')  # allowed by the CSP's nonce, never bare inline
    rows = world.clients["national"].get("/dashboard/queue/rows?since=0&page=1&resync=true")
    assert "since=" not in rows.text and "resync" not in rows.text


def test_a_visitor_gets_the_login_page_not_rows(app):
    went = TestClient(app, follow_redirects=False).get("/dashboard/queue/rows?since=0")
    assert went.status_code == 303
