"""The officer's view and the supervisor's dashboard over HTTP, on both backends.

The world: the Rangpur and Cumilla officers, a supervisor, an admin and an agent of the
national triage desk; an escalated Rangpur ticket and an escalated Cumilla ticket (up
the real ladder, `escalation.ladder.escalate`); and, for the SLA tables, one Cumilla
ticket resolved at its first office and one Rangpur ticket resolved after escalation.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from dashboards import i18n, officer
from escalation import ladder
from grievance_engine import actions, refs
from grievance_engine.models import Notification, Role, Ticket, TicketEvent, TicketStatus, User
from infra import clock
from infra.db import session_scope
from tests.dashboards.test_dashboards import _email, _take_call, _user, browser, csrf_of

RANGPUR_PHONE = "+8801712340001"
CUMILLA_PHONE = "+8801812340002"
WORST = "▲ worst"


@dataclass(frozen=True)
class World:
    emails: dict[str, str]
    rangpur: str  # escalated, open
    cumilla: str  # escalated, open


def _ticket(session, ref: str) -> Ticket:
    return session.exec(select(Ticket).where(Ticket.ref == refs.normalise(ref))).one()


def _escalate(ref: str) -> None:
    with session_scope() as session:
        ticket = _ticket(session, ref)
        assert ladder.escalate(session, ticket, actor="test", reason="deadline missed")


def _resolve(ref: str, what: str = "Fixed") -> None:
    with session_scope() as session:
        actions.resolve(
            session=session, ticket=_ticket(session, ref), actor="test", what_was_done=what
        )


@pytest.fixture(scope="module")
def world(app) -> World:
    emails = {name: _email(name) for name in ("agent", "rangpur", "cumilla", "super", "admin")}
    _user(emails["agent"], Role.AGENT, office="national-triage")
    _user(emails["rangpur"], Role.OFFICER, "Rangpur")
    _user(emails["cumilla"], Role.OFFICER, "Cumilla")
    _user(emails["super"], Role.SUPERVISOR)
    _user(emails["admin"], Role.ADMIN)
    rangpur = _take_call(RANGPUR_PHONE, "Rangpur")
    cumilla = _take_call(CUMILLA_PHONE, "Cumilla")
    _escalate(rangpur)
    _escalate(cumilla)
    # the SLA tables: one resolved at its first office, one resolved after escalation
    on_time = _take_call("+8801812340003", "Cumilla")
    _resolve(on_time)
    late = _take_call("+8801712340004", "Rangpur")
    _escalate(late)
    _resolve(late)
    return World(emails=emails, rangpur=rangpur, cumilla=cumilla)


@pytest.fixture(scope="module")
def browsers(app, world) -> dict[str, TestClient]:
    signed = {name: browser(app, email) for name, email in world.emails.items()}
    return {**signed, "visitor": browser(app)}


# ---------------------------------------------------------------------------
# The officer's view
# ---------------------------------------------------------------------------


def test_the_rangpur_officer_sees_the_rangpur_escalation_and_not_the_cumilla_one(browsers, world):
    page = browsers["rangpur"].get("/dashboard/officer")
    assert page.status_code == 200
    assert world.rangpur in page.text
    assert world.cumilla not in page.text
    assert "due in " in page.text or "overdue by " in page.text  # the countdown, in words
    cumilla = browsers["cumilla"].get("/dashboard/officer").text
    assert world.cumilla in cumilla and world.rangpur not in cumilla


def test_the_officer_acknowledges_and_resolves_from_the_page(browsers, world):
    client = browsers["rangpur"]
    token = csrf_of(client.get("/dashboard/officer").text)
    acked = client.post(
        f"/dashboard/officer/tickets/{world.rangpur}/acknowledge", data={"csrf_token": token}
    )
    assert acked.status_code == 303
    assert "done=acknowledged" in acked.headers["location"]
    assert f"{world.rangpur} acknowledged." in client.get(acked.headers["location"]).text
    with session_scope() as session:
        ticket = _ticket(session, world.rangpur)
        assert ticket.status == TicketStatus.IN_PROGRESS
        assert ticket.acknowledged_at is not None
        types = session.exec(
            select(TicketEvent.type).where(TicketEvent.ticket_id == ticket.id)
        ).all()
        assert "acknowledged" in types

    resolved = client.post(
        f"/dashboard/officer/tickets/{world.rangpur}/resolve",
        data={"csrf_token": token, "what_was_done": "Tubewell repaired by DPHE"},
    )
    assert resolved.status_code == 303
    page = client.get(resolved.headers["location"]).text
    assert "What I resolved" in page
    assert "Tubewell repaired by DPHE" in page
    with session_scope() as session:
        ticket = _ticket(session, world.rangpur)
        assert ticket.status == TicketStatus.RESOLVED
        sent = session.exec(
            select(Notification).where(
                Notification.ticket_id == ticket.id, Notification.kind == "resolved"
            )
        ).all()
        assert [message.to_phone for message in sent] == [RANGPUR_PHONE]
        assert "Tubewell repaired by DPHE" in sent[0].body


def test_a_resolve_without_text_re_renders_with_the_error_and_422(browsers, world):
    client = browsers["cumilla"]
    token = csrf_of(client.get("/dashboard/officer").text)
    empty = client.post(
        f"/dashboard/officer/tickets/{world.cumilla}/resolve",
        data={"csrf_token": token, "what_was_done": "   "},
    )
    assert empty.status_code == 422
    assert "Say what was done: the citizen is told." in empty.text
    assert 'aria-invalid="true"' in empty.text
    too_long = "x" * 1001
    long = client.post(
        f"/dashboard/officer/tickets/{world.cumilla}/resolve",
        data={"csrf_token": token, "what_was_done": too_long},
    )
    assert long.status_code == 422
    assert too_long in long.text  # the input is kept
    with session_scope() as session:
        assert _ticket(session, world.cumilla).status == TicketStatus.ESCALATED


def test_an_officer_cannot_act_on_another_districts_ticket(browsers, world):
    client = browsers["rangpur"]
    token = csrf_of(client.get("/dashboard/officer").text)
    for action in ("acknowledge", "resolve"):
        answer = client.post(
            f"/dashboard/officer/tickets/{world.cumilla}/{action}",
            data={"csrf_token": token, "what_was_done": "done"},
        )
        assert answer.status_code == 404


def test_a_forged_csrf_token_is_refused_on_the_officer_forms(browsers, world):
    answer = browsers["cumilla"].post(
        f"/dashboard/officer/tickets/{world.cumilla}/acknowledge", data={"csrf_token": "forged"}
    )
    assert answer.status_code == 403


def _t(key: str, **values: object) -> str:
    return i18n.translate("en", key, **values)


@pytest.mark.parametrize(
    ("offset", "words"),
    [
        (timedelta(hours=3, minutes=10), "due in 3 h"),
        (timedelta(minutes=5), "due in 5 min"),
        (-timedelta(days=2, hours=1), "overdue by 2 days"),
        (-timedelta(hours=30), "overdue by 30 h"),
        (-timedelta(days=3), "overdue by 3 days"),
    ],
)
def test_the_countdown_is_in_words(offset, words):
    now = clock.now()
    assert officer.countdown(now + offset, now, _t) == words


# ---------------------------------------------------------------------------
# The supervisor's dashboard
# ---------------------------------------------------------------------------


def test_the_supervisor_page_shows_volumes_svg_charts_and_the_worst_rows(browsers, world):
    page = browsers["super"].get("/dashboard/supervisor")
    assert page.status_code == 200
    text = page.text
    assert "Tickets per day" in text and "Tickets per district" in text
    assert "<svg" in text and "<title" in text and 'role="img"' in text
    assert "Rangpur" in text and "Cumilla" in text
    assert WORST in text
    for heading in ("SLA per office", "Open overdue tickets per district", "Open tickets by age"):
        assert heading in text
    assert "Satisfaction per office" in text


def test_the_csv_export_returns_a_header_and_rows(browsers):
    client = browsers["admin"]
    answer = client.get("/dashboard/supervisor/export/volume_by_day.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0] == ["day", "tickets", "worst"]
    assert len(rows) == 1 + 30
    assert sum(int(row[1]) for row in rows[1:]) >= 4  # the tickets filed above
    sla = list(
        csv.reader(io.StringIO(client.get("/dashboard/supervisor/export/sla_by_office.csv").text))
    )
    assert sla[0][:5] == ["office", "resolved", "on_time", "compliance_pct", "median_hours"]
    assert any("compliance_pct" in row[-1] for row in sla[1:])  # the worst row, flagged
    assert client.get("/dashboard/supervisor/export/nothing.csv").status_code == 404


def test_an_officer_gets_404_on_the_supervisor_pages(browsers):
    assert browsers["rangpur"].get("/dashboard/supervisor").status_code == 404
    export = browsers["rangpur"].get("/dashboard/supervisor/export/volume_by_day.csv")
    assert export.status_code == 404


# ---------------------------------------------------------------------------
# Where each role starts (who gets which page: the generated matrix of test_pages.py)
# ---------------------------------------------------------------------------

ROLES = ("agent", "rangpur", "cumilla", "super", "admin")
HOMES = {
    "agent": "/dashboard/queue",
    "rangpur": "/dashboard/officer",
    "cumilla": "/dashboard/officer",
    "super": "/dashboard/supervisor",
    "admin": "/dashboard/supervisor",
}
OFFICER_PAGE = {"rangpur", "cumilla", "super", "admin"}
SUPERVISOR_PAGE = {"super", "admin"}


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_sends_each_role_to_its_page_and_the_nav_links_it(browsers, role):
    home = browsers[role].get("/dashboard")
    assert home.headers["location"] == HOMES[role]
    nav = browsers[role].get("/dashboard/queue").text
    assert ('href="/dashboard/officer"' in nav) == (role in OFFICER_PAGE)
    assert ('href="/dashboard/supervisor"' in nav) == (role in SUPERVISOR_PAGE)
    assert 'href="/simulator"' in nav  # the training phone, outside production
    assert 'id="queue-results" data-since="' in nav  # live: tests/dashboards/test_live_queue.py


def test_the_pages_speak_bangla(app, backend):
    email = _email("bn-super")
    _user(email, Role.SUPERVISOR)
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == email)).one()
        user.language = "bn"
    client = browser(app, email)
    assert "দিনপ্রতি অভিযোগ" in client.get("/dashboard/supervisor").text
    assert "আমার ঊর্ধ্বতন অভিযোগ" in client.get("/dashboard/officer").text
