"""The dashboards over HTTP: signing in and out, CSRF, and who sees which ticket.

Runs twice: on the embedded default (SQLite, sessions in memory) and on PostgreSQL +
Redis. The world: an agent of the national triage desk (made with the real
`nalish users create`), the Rangpur and Cumilla officers, a supervisor and an admin;
a Rangpur ticket, a Cumilla ticket and an anonymous Rangpur ticket, taken by phone.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import select

from dashboards import deps, sessions
from dashboards import routes as dashboard_routes
from grievance_engine import refs, users
from grievance_engine.models import Role, Ticket
from infra.db import session_scope
from routing import intake

PASSWORD = "correct-horse-battery"
RANGPUR_PHONE = "+8801712345678"
CUMILLA_PHONE = "+8801812345679"
ANONYMOUS_PHONE = "+8801912345670"
WRONG = "Email or password is wrong"
LOCKED = "Too many attempts; try again in 15 minutes"


@dataclass(frozen=True)
class World:
    emails: dict[str, str]  # role name → email
    rangpur: str  # ticket references, as displayed
    cumilla: str
    anonymous: str


def _email(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}@example.org"


def _user(email: str, role: Role, district: str | None = None, office: str = "", **fields) -> None:
    """Someone who signs in with PASSWORD; `office` by its code (an agent's desk); other
    `fields` of `users.UserCreate` as given (`language="sw"`)."""
    with session_scope() as session:
        office_id = users.office_id_by_code(session=session, code=office) if office else None
        user_in = users.UserCreate(
            email=email, role=role, district=district, office_id=office_id, password=PASSWORD,
            **fields,
        )  # fmt: skip
        users.create(session=session, country="BD", user_in=user_in)


def _take_call(phone: str, district: str, *, anonymous: bool = False, description: str = "") -> str:
    with session_scope() as session:
        ticket = intake.take_call(
            session=session,
            call=intake.CallIntake(
                phone=phone,
                district=district,
                category="water",
                description=description
                or f"Tubewell broken in {district} ward {uuid.uuid4().hex[:4]}",
                anonymous=anonymous,
            ),
            actor="user:0",
        )
        return refs.display(ticket.ref)


@pytest.fixture(scope="module")
def world(backend) -> World:
    emails = {name: _email(name) for name in ("agent", "rangpur", "cumilla", "super", "admin")}
    made = backend.nalish(
        "users", "create", "--email", emails["agent"], "--role", "agent",
        "--office", "national-triage", "--password", PASSWORD,
    )  # fmt: skip
    assert "Created agent" in made.stdout
    _user(emails["rangpur"], Role.OFFICER, "Rangpur")
    _user(emails["cumilla"], Role.OFFICER, "Cumilla")
    _user(emails["super"], Role.SUPERVISOR)
    _user(emails["admin"], Role.ADMIN)
    return World(
        emails=emails,
        rangpur=_take_call(RANGPUR_PHONE, "Rangpur"),
        cumilla=_take_call(CUMILLA_PHONE, "Cumilla"),
        anonymous=_take_call(ANONYMOUS_PHONE, "Rangpur", anonymous=True),
    )


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD, **fields):
    form = client.get("/login")
    assert form.status_code == 200
    data = {"email": email, "password": password, "csrf_token": csrf_of(form.text), **fields}
    return client.post("/login", data=data, follow_redirects=False)


def browser(app, email: str | None = None) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    if email is not None:
        signed = sign_in(client, email)
        assert signed.status_code == 303, signed.text
    return client


@pytest.fixture(scope="module")
def browsers(app, world) -> dict[str, TestClient]:
    """One signed-in browser per role, and one nobody signed in to."""
    signed = {name: browser(app, email) for name, email in world.emails.items()}
    return {**signed, "visitor": browser(app)}


def page_csrf(client: TestClient) -> str:
    return csrf_of(client.get("/dashboard/queue").text)


# ---------------------------------------------------------------------------
# Who sees what (which pages: the generated matrix of test_pages.py)
# ---------------------------------------------------------------------------


def test_a_signed_in_person_starts_at_the_queue_and_a_visitor_at_the_login(browsers):
    assert browsers["agent"].get("/dashboard").headers["location"] == "/dashboard/queue"
    went = browsers["visitor"].get("/dashboard/queue?status=all")
    assert went.headers["location"] == "/login?next=/dashboard/queue%3Fstatus%3Dall"


def test_an_officer_guessing_another_districts_ticket_url_gets_404(browsers, world):
    guessed = browsers["rangpur"].get(f"/dashboard/tickets/{world.cumilla}")
    assert guessed.status_code == 404
    assert world.cumilla not in guessed.text
    # the same answer as for a reference that does not exist at all
    assert browsers["rangpur"].get("/dashboard/tickets/0000-0000").status_code == 404


def test_the_queue_lists_only_the_tickets_the_person_may_see(browsers, world):
    rangpur_queue = browsers["rangpur"].get("/dashboard/queue").text
    assert world.rangpur in rangpur_queue
    assert world.cumilla not in rangpur_queue
    agent_queue = browsers["agent"].get("/dashboard/queue").text
    assert world.rangpur in agent_queue and world.cumilla in agent_queue


def test_the_queue_filters_by_district_status_and_category(browsers, world):
    agent = browsers["agent"]
    cumilla_only = agent.get("/dashboard/queue", params={"district": "Cumilla"}).text
    assert world.cumilla in cumilla_only and world.rangpur not in cumilla_only
    resolved = agent.get("/dashboard/queue", params={"status": "resolved"}).text
    assert world.rangpur not in resolved
    roads = agent.get("/dashboard/queue", params={"category": "roads"}).text
    assert world.rangpur not in roads
    water = agent.get("/dashboard/queue", params={"category": "water", "status": "all"}).text
    assert world.rangpur in water


def test_the_queue_says_overdue_in_words(backend, browsers, world):
    from datetime import timedelta

    from infra import clock

    with session_scope() as session:
        found = select(Ticket).where(Ticket.ref == refs.normalise(world.cumilla))
        ticket = session.exec(found).one()
        ticket.sla_due_at = clock.now() - timedelta(hours=1)
    queue = browsers["cumilla"].get("/dashboard/queue").text
    assert "Overdue" in queue


def test_a_ticket_page_shows_its_timeline_in_words(browsers, world):
    shown = browsers["agent"].get(f"/dashboard/tickets/{world.rangpur.lower()}")
    assert shown.status_code == 200
    assert world.rangpur in shown.text
    timeline = shown.text.split('<ol class="timeline">')[1]
    assert "<strong>Filed</strong>" in timeline  # the first event, `created`
    assert "<dd>Call to an agent</dd>" in shown.text and "<dd>English</dd>" in shown.text
    _switch_language(browsers["super"], "bn")
    in_bangla = browsers["super"].get(f"/dashboard/tickets/{world.rangpur}").text
    _switch_language(browsers["super"], "en")
    assert "<strong>দাখিল হয়েছে</strong>" in in_bangla and "<dd>এজেন্টকে ফোন</dd>" in in_bangla


def _switch_language(client: TestClient, language: str) -> None:
    token = page_csrf(client)
    switched = client.post("/dashboard/language", data={"csrf_token": token, "language": language})
    assert switched.status_code == 303


def _history(page: str) -> str:
    return page.split('id="history-heading"')[1].split("</ul>")[0].split("<h")[0]


def test_a_ticket_page_lists_the_callers_other_complaints_the_reader_may_see(browsers, world):
    phone = "+8801711000444"
    in_rangpur = _take_call(phone, "Rangpur")
    in_cumilla = _take_call(phone, "Cumilla")
    hidden = _take_call(phone, "Rangpur", anonymous=True)
    agent = _history(browsers["agent"].get(f"/dashboard/tickets/{in_rangpur}").text)
    assert in_cumilla in agent and hidden not in agent and in_rangpur not in agent
    officer = _history(browsers["rangpur"].get(f"/dashboard/tickets/{in_rangpur}").text)
    assert in_cumilla not in officer and hidden not in officer  # not theirs; anonymous
    assert "No other complaints from this number that you may see." in officer
    anonymous = _history(browsers["agent"].get(f"/dashboard/tickets/{hidden}").text)
    assert "it is not linked to the caller&#39;s others" in anonymous
    assert in_rangpur not in anonymous and in_cumilla not in anonymous


def test_the_queue_filters_by_the_state_of_the_deadline(browsers, world):
    from datetime import timedelta

    from infra import clock

    soon, later, none = (_take_call("+8801711000555", "Rangpur") for _ in range(3))
    with session_scope() as session:
        for ref, due in ((soon, timedelta(hours=3)), (later, timedelta(days=3)), (none, None)):
            ticket = session.exec(select(Ticket).where(Ticket.ref == refs.normalise(ref))).one()
            ticket.sla_due_at = clock.now() + due if due is not None else None
    agent = browsers["agent"]

    def listed(state: str) -> set[str]:
        text = agent.get("/dashboard/queue", params={"sla": state}).text
        return {ref for ref in (soon, later, none) if ref in text}

    assert listed("due_today") == {soon}
    assert listed("later") == {later}
    assert listed("none") == {none}
    assert listed("overdue") == set()
    assert listed("") == {soon, later, none}
    assert listed("bogus") == {soon, later, none}  # an unknown state filters nothing
    assert 'value="due_today" selected' in agent.get("/dashboard/queue?sla=due_today").text


# ---------------------------------------------------------------------------
# Phones: full, masked, hidden
# ---------------------------------------------------------------------------


def test_an_officer_sees_a_masked_phone_and_an_agent_the_full_one(browsers, world):
    officer = browsers["rangpur"].get(f"/dashboard/tickets/{world.rangpur}").text
    assert "+88017•••••678" in officer
    assert RANGPUR_PHONE not in officer
    agent = browsers["agent"].get(f"/dashboard/tickets/{world.rangpur}").text
    assert RANGPUR_PHONE in agent


@pytest.mark.parametrize("role", ["agent", "rangpur", "super", "admin"])
def test_nobody_sees_the_phone_of_an_anonymous_ticket(browsers, world, role):
    page = browsers[role].get(f"/dashboard/tickets/{world.anonymous}")
    assert page.status_code == 200
    assert ANONYMOUS_PHONE not in page.text
    assert deps.mask_phone(ANONYMOUS_PHONE) not in page.text
    assert "Hidden (anonymous complaint)" in page.text


def test_a_phone_is_masked_to_its_operator_prefix_and_last_three_digits():
    assert deps.mask_phone("+8801712345678") == "+88017•••••678"
    assert deps.mask_phone("+254712345678") == "+25471••••678"


# ---------------------------------------------------------------------------
# Signing in and out
# ---------------------------------------------------------------------------


def test_a_wrong_password_and_an_unknown_email_get_the_same_generic_message(app, world):
    client = browser(app)
    wrong_password = sign_in(client, world.emails["super"], "not-the-password")
    unknown_email = sign_in(client, _email("nobody"), PASSWORD)
    for answer in (wrong_password, unknown_email):
        assert answer.status_code == 401
        assert WRONG in answer.text
        assert sessions.COOKIE not in answer.cookies


def test_five_failures_lock_the_email_out_even_for_the_right_password(app, backend):
    email = _email("locked")
    _user(email, Role.AGENT)
    client = browser(app)
    for _ in range(5):
        assert sign_in(client, email, "guess-guess-guess").status_code == 401
    locked = sign_in(client, email, PASSWORD)
    assert locked.status_code == 429
    assert LOCKED in locked.text
    assert WRONG not in locked.text
    # another email is not locked
    other = _email("free")
    _user(other, Role.AGENT)
    assert sign_in(client, other).status_code == 303
    # fifteen minutes after the first failure the lock lifts, and the hourly purge
    # leaves nothing of it behind
    from datetime import timedelta

    from infra import clock
    from nalish import jobs as nalish_jobs

    with clock.frozen_at(clock.now() + timedelta(minutes=16)):
        assert nalish_jobs.expired_keys_purge() >= 1
        assert sign_in(browser(app), email).status_code == 303


def test_signing_in_sets_a_httponly_samesite_session_cookie(app, world):
    answer = sign_in(browser(app), world.emails["agent"])
    assert answer.status_code == 303
    assert answer.headers["location"] == "/dashboard"
    [cookie] = [
        value
        for value in answer.headers.get_list("set-cookie")
        if value.startswith(sessions.COOKIE + "=")
    ]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie  # NALISH_ENV=test over http://testserver


def test_signing_in_goes_on_to_the_page_asked_for_but_never_off_site(app, world):
    asked = sign_in(browser(app), world.emails["agent"], next="/dashboard/queue?status=all")
    assert asked.headers["location"] == "/dashboard/queue?status=all"
    off_site = sign_in(browser(app), world.emails["agent"], next="//evil.example/dashboard")
    assert off_site.headers["location"] == "/dashboard"


def test_signing_out_ends_the_session_even_for_a_copied_cookie(app, world):
    client = browser(app, world.emails["agent"])
    copied = client.cookies.get(sessions.COOKIE)
    out = client.post("/logout", data={"csrf_token": page_csrf(client)})
    assert out.status_code == 303
    assert out.headers["location"] == "/login?bye=1"
    assert client.get("/dashboard/queue").status_code == 303
    replay = TestClient(app, follow_redirects=False)
    replay.cookies.set(sessions.COOKIE, copied)
    assert replay.get("/dashboard/queue").status_code == 303


def test_a_tampered_session_cookie_is_refused(app):
    client = TestClient(app, follow_redirects=False)
    client.cookies.set(sessions.COOKIE, "made-up.value.signature")
    assert client.get("/dashboard/queue").status_code == 303


# ---------------------------------------------------------------------------
# CSRF
# ---------------------------------------------------------------------------


def test_a_post_with_a_forged_or_missing_csrf_token_is_refused_with_403(app, world):
    client = browser(app, world.emails["super"])
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert client.post("/logout").status_code == 403
    forged = client.post("/dashboard/language", data={"language": "bn", "csrf_token": "x"})
    assert forged.status_code == 403
    assert client.get("/dashboard/queue").status_code == 200  # still signed in, still English
    assert "Tickets" in client.get("/dashboard/queue").text


def test_the_login_form_has_its_own_csrf_token(app, world):
    client = browser(app)
    client.get("/login")
    forged = client.post(
        "/login", data={"email": world.emails["agent"], "password": PASSWORD, "csrf_token": "x"}
    )
    assert forged.status_code == 403


def _routes(routes):
    """Every route, also inside included routers (FastAPI keeps them nested)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _routes(included.routes)
        else:
            yield route


def test_every_unsafe_dashboard_route_checks_the_csrf_token():
    unsafe = [
        route
        for route in _routes(dashboard_routes.router.routes)
        if isinstance(route, APIRoute) and route.methods & {"POST", "PUT", "PATCH", "DELETE"}
    ]
    assert {"/login", "/logout", "/dashboard/language"} <= {route.path for route in unsafe}
    unchecked = [
        route.path
        for route in unsafe
        if route.path not in deps.CSRF_EXEMPT
        and not any(d.call is deps.check_csrf for d in route.dependant.dependencies)
    ]
    assert unchecked == []


# ---------------------------------------------------------------------------
# Languages
# ---------------------------------------------------------------------------


def test_the_login_page_speaks_the_browsers_language_unless_told(app):
    client = TestClient(app)
    assert "ইমেইল" in client.get("/login", headers={"Accept-Language": "bn-BD,bn;q=0.9"}).text
    assert ">Email<" in client.get("/login?lang=en", headers={"Accept-Language": "bn"}).text


def test_a_person_switches_their_screens_to_bangla_and_it_is_remembered(app, backend):
    email = _email("bangla")
    _user(email, Role.SUPERVISOR)
    client = browser(app, email)
    switched = client.post(
        "/dashboard/language",
        data={"language": "bn", "next": "/dashboard/queue", "csrf_token": page_csrf(client)},
    )
    assert switched.status_code == 303
    assert switched.headers["location"] == "/dashboard/queue"
    assert "অভিযোগসমূহ" in client.get("/dashboard/queue").text
    again = browser(app, email)  # a new sign-in keeps the choice
    assert "অভিযোগসমূহ" in again.get("/dashboard/queue").text


def test_an_agent_of_a_district_office_sees_only_that_offices_tickets(app, world):
    email = _email("desk")
    _user(email, Role.AGENT, office="dc-rangpur")
    client = browser(app, email)
    assert client.get(f"/dashboard/tickets/{world.rangpur}").status_code == 200
    assert client.get(f"/dashboard/tickets/{world.cumilla}").status_code == 404
    assert world.cumilla not in client.get("/dashboard/queue?status=all").text


def test_an_agent_with_no_office_works_at_the_national_desk_and_sees_every_ticket(app, world):
    email = _email("nowhere")
    _user(email, Role.AGENT)
    client = browser(app, email)
    assert client.get(f"/dashboard/tickets/{world.rangpur}").status_code == 200
    assert client.get(f"/dashboard/tickets/{world.cumilla}").status_code == 200
    queue = client.get("/dashboard/queue?status=all").text
    assert world.rangpur in queue and world.cumilla in queue
