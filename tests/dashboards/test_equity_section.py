"""The supervisor's Equity section: a group served worse than the rest, with enough
cases, is flagged in the viewer's language; a group under k is not shown at all; the
table has its CSV like the others. Seeded through the real intake, with the answers
the optional questions would have kept (`grievance_engine.equity_answers`)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlmodel import select

from grievance_engine import equity_answers, refs
from grievance_engine.models import Role, Ticket, TicketStatus, User
from infra.db import session_scope
from tests.dashboards.test_dashboards import _email, _take_call, _user, browser

CASES = 25  # above escalation.equity.MIN_CASES (20) on each side


def _filed(number: int, gender: str, days_to_resolve: float) -> None:
    ref = _take_call(f"+88017155{number:05d}", "Rangpur")
    with session_scope() as session:
        ticket = session.exec(select(Ticket).where(Ticket.ref == refs.normalise(ref))).one()
        ticket.status = TicketStatus.RESOLVED
        ticket.resolved_at = ticket.created_at + timedelta(days=days_to_resolve)
        equity_answers.record(session=session, ticket=ticket, gender=gender, age_band="18_35")


@pytest.fixture(scope="module")
def seeded(app) -> dict[str, str]:
    """Women's grievances take 9 days, men's 2; three who said "other": under k."""
    for n in range(CASES):
        _filed(n, "woman", 9)
        _filed(100 + n, "man", 2)
    for n in range(3):
        _filed(200 + n, "other", 1)
    emails = {"en": _email("equity-super"), "bn": _email("equity-super-bn")}
    _user(emails["en"], Role.SUPERVISOR)
    _user(emails["bn"], Role.SUPERVISOR)
    with session_scope() as session:
        session.exec(select(User).where(User.email == emails["bn"])).one().language = "bn"
    return emails


def _section(page: str) -> str:
    return page.split('id="equity"', 1)[1]


def test_the_slower_group_is_flagged_and_a_group_under_k_is_not_shown(app, seeded):
    page = browser(app, seeded["en"]).get("/dashboard/supervisor")
    assert page.status_code == 200
    section = _section(page.text)
    flags = section.split('id="equity-flags"', 1)[1].split("</p>", 1)[0]
    assert "Gender — Woman (slower to resolve)" in flags
    assert "Man" not in flags
    table = section.split('id="table-equity_groups"', 1)[1].split("</table>", 1)[0]
    assert "Woman" in table and "Man" in table and "18–35" in table
    assert "Other" not in table  # three people: not even named
    assert "fewer than 5 people are not shown" in section


def test_the_equity_csv_has_the_flag_and_no_group_under_k(app, seeded):
    client = browser(app, seeded["en"])
    answer = client.get("/dashboard/supervisor/export/equity_groups.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0] == ["equity_dimension", "equity_group", "tickets", "median_days",
                       "reopened_pct", "equity_flag", "worst"]  # fmt: skip
    by_group = {(row[0], row[1]): row for row in rows[1:]}
    woman = by_group[("Gender", "Woman")]
    assert (woman[2], woman[3], woman[5]) == (str(CASES), "9.0", "slower to resolve")
    assert by_group[("Gender", "Man")][5] == ""
    assert ("Gender", "Other") not in by_group
    assert all(int(row[2]) >= 5 for row in rows[1:])


def test_the_section_speaks_bangla(app, seeded):
    page = browser(app, seeded["bn"]).get("/dashboard/supervisor").text
    section = _section(page)
    assert "লিঙ্গ — নারী (সমাধানে বেশি সময় লাগে)" in section
