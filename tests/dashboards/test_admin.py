"""The admin pages over HTTP, on both backends: users, routing rules, SLA policies,
holidays and categories' names, only for admins.

The world: an admin, an agent of the national triage desk and the Rangpur officer.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from escalation.models import Holiday, SlaPolicyRow
from grievance_engine import admin_log, users
from grievance_engine.models import (
    AdminArea,
    AdminEvent,
    AdminLevel,
    Category,
    Office,
    Role,
    User,
)
from infra.db import session_scope
from routing import gazetteer
from routing.models import RoutingRule
from tests.dashboards.test_dashboards import PASSWORD, _email, _user, browser, csrf_of

ADMIN_PAGES = ("users", "offices", "routing", "sla", "calendar", "categories", "changes")


@dataclass(frozen=True)
class World:
    emails: dict[str, str]


@pytest.fixture(scope="module")
def world(app) -> World:
    emails = {name: _email(name) for name in ("admin", "agent", "rangpur")}
    _user(emails["agent"], Role.AGENT, office="national-triage")
    _user(emails["rangpur"], Role.OFFICER, "Rangpur")
    _user(emails["admin"], Role.ADMIN)
    return World(emails=emails)


@pytest.fixture(scope="module")
def browsers(app, world) -> dict[str, TestClient]:
    return {name: browser(app, email) for name, email in world.emails.items()}


def _token(client: TestClient, page: str = "users") -> str:
    return csrf_of(client.get(f"/dashboard/admin/{page}").text)


def _submit(client: TestClient, path: str, fields: dict | None = None, **kwargs):
    """POST the admin form at `path` with the CSRF token of its page (the path's tab)."""
    token = _token(client, path.split("/")[3])
    return client.post(path, data={"csrf_token": token, **(fields or {})}, **kwargs)


def _last_change() -> AdminEvent:
    with session_scope() as session:
        return admin_log.recent(session=session, limit=1)[0]


def _person(email: str) -> User:
    with session_scope() as session:
        person = users.by_email(session=session, email=email)
        assert person is not None
        return person


# ---------------------------------------------------------------------------
# Who may open the admin pages
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_an_admin_opens_every_admin_page_and_sees_the_admin_link(browsers, page):
    shown = browsers["admin"].get(f"/dashboard/admin/{page}")
    assert shown.status_code == 200
    assert 'href="/dashboard/admin/users">Admin</a>' in shown.text


@pytest.mark.parametrize("role", ["agent", "rangpur"])
def test_an_agent_and_an_officer_get_404_on_every_admin_page(browsers, role):
    client = browsers[role]
    token = csrf_of(client.get("/dashboard/queue").text)
    assert "/dashboard/admin" not in client.get("/dashboard/queue").text  # no Admin link
    for page in ADMIN_PAGES:
        assert client.get(f"/dashboard/admin/{page}").status_code == 404, page
    posts = (
        "/dashboard/admin/users",
        "/dashboard/admin/users/1/away",
        "/dashboard/admin/users/1/active",
        "/dashboard/admin/routing",
        "/dashboard/admin/routing/1/active",
        "/dashboard/admin/sla",
        "/dashboard/admin/calendar",
        "/dashboard/admin/calendar/import",
        "/dashboard/admin/categories/water",
        "/dashboard/admin/categories/water/active",
        "/dashboard/admin/offices",
        "/dashboard/admin/offices/dc-rangpur/active",
    )
    for path in posts:
        assert client.post(path, data={"csrf_token": token}).status_code == 404, path


def test_a_visitor_is_sent_to_the_login_page(app):
    went = TestClient(app, follow_redirects=False).get("/dashboard/admin/users")
    assert went.status_code == 303
    assert went.headers["location"].startswith("/login?next=/dashboard/admin/users")


def test_a_forged_csrf_token_is_refused_with_403(browsers, world):
    client = browsers["admin"]
    forged = client.post(
        "/dashboard/admin/users/1/away", data={"csrf_token": "forged", "away": "1"}
    )
    assert forged.status_code == 403
    missing = client.post("/dashboard/admin/sla", data={"level": "district"})
    assert missing.status_code == 403


# ---------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------


def test_an_admin_adds_an_officer_who_can_then_sign_in(app, browsers):
    client = browsers["admin"]
    email = _email("new-officer")
    added = _submit(
        client,
        "/dashboard/admin/users",
        {
            "email": email,
            "full_name": "Nasrin Akter",
            "role": "officer",
            "district": "Rangpur",
            "languages": ["bn", "en"],
            "password": PASSWORD,
        },
    )
    assert added.status_code == 303, added.text
    assert added.headers["location"] == "/dashboard/admin/users?done=user_created"
    listed = client.get(added.headers["location"]).text
    assert "User added." in listed and email in listed and "dc-rangpur" in listed
    person = _person(email)
    assert person.role == Role.OFFICER and set(person.languages) == {"bn", "en"}
    officer = browser(app, email)  # signs in, or the helper fails
    assert officer.get("/dashboard/officer").status_code == 200


def test_a_user_with_mistakes_comes_back_with_the_errors_by_the_fields_and_input_kept(browsers):
    client = browsers["admin"]
    shown = _submit(
        client,
        "/dashboard/admin/users",
        {
            "email": "not-an-email",
            "full_name": "Kept Name",
            "role": "officer",
            "district": "Rangpur",
            "password": "short",
        },
    )
    assert shown.status_code == 422
    assert "not an email address" in shown.text
    assert 'id="f-email-error"' in shown.text
    assert 'value="Kept Name"' in shown.text
    no_district = _submit(
        client,
        "/dashboard/admin/users",
        {
            "email": _email("nodistrict"),
            "role": "officer",
            "password": PASSWORD,
        },
    )
    assert no_district.status_code == 422
    assert 'id="f-district-error"' in no_district.text


def test_an_admin_marks_someone_away_and_back(browsers, world):
    client = browsers["admin"]
    agent = _person(world.emails["agent"])
    away = _submit(client, f"/dashboard/admin/users/{agent.id}/away", {"away": "1"})
    assert away.status_code == 303
    assert _person(world.emails["agent"]).away is True
    admin = _person(world.emails["admin"])
    change = _last_change()
    assert (change.action, change.subject, change.actor) == (
        "user_away",
        f"user:{agent.id}",
        f"user:{admin.id}",
    )
    assert "Marked away." in client.get(away.headers["location"]).text
    back = _submit(client, f"/dashboard/admin/users/{agent.id}/away", {"away": "0"})
    assert back.status_code == 303
    assert _person(world.emails["agent"]).away is False


def test_an_admin_deactivates_someone_who_is_then_signed_out_and_activates_them(app, browsers):
    email = _email("leaver")
    _user(email, Role.AGENT)
    leaver = browser(app, email)
    assert leaver.get("/dashboard/queue").status_code == 200
    client = browsers["admin"]
    person = _person(email)
    off = _submit(
        client,
        f"/dashboard/admin/users/{person.id}/active",
        {"active": "0"},
    )
    assert off.status_code == 303
    assert leaver.get("/dashboard/queue").status_code == 303  # to the login page
    on = _submit(
        client,
        f"/dashboard/admin/users/{person.id}/active",
        {"active": "1"},
    )
    assert on.status_code == 303
    assert _person(email).active is True


def test_an_admin_cannot_deactivate_themselves(browsers, world):
    client = browsers["admin"]
    me = _person(world.emails["admin"])
    refused = _submit(client, f"/dashboard/admin/users/{me.id}/active", {"active": "0"})
    assert refused.status_code == 422
    assert "You cannot deactivate yourself" in refused.text
    assert _person(world.emails["admin"]).active is True


# ---------------------------------------------------------------------------
# Routing rules
# ---------------------------------------------------------------------------


def _rangpur_upazila_and_an_office() -> tuple[str, str, str]:
    """A Rangpur upazila, and an office that no rule sends it to yet (its own UNO office
    if seeded, else the Cumilla district office: the test only needs it to win)."""
    with session_scope() as session:
        rangpur = session.exec(
            select(AdminArea).where(
                AdminArea.name == "Rangpur", AdminArea.level == AdminLevel.DISTRICT
            )
        ).one()
        upazila = gazetteer.upazilas(session=session, district_id=rangpur.id)[0]
        office = session.exec(
            select(Office).where(Office.area_id == upazila.id, col(Office.active))
        ).first()
        if office is None:
            office = session.exec(select(Office).where(Office.code == "dc-cumilla")).one()
        return upazila.name, office.code, office.name


def test_an_admin_adds_a_rule_for_an_upazila_and_routing_explain_shows_it_winning(
    backend, browsers
):
    client = browsers["admin"]
    upazila, office_code, office_name = _rangpur_upazila_and_an_office()
    saved = _submit(
        client,
        "/dashboard/admin/routing",
        {
            "district": "rangpur",
            "upazila": upazila,
            "category": "water",
            "office": office_code,
            "queue": "field",
        },
    )
    assert saved.status_code == 303, saved.text
    listed = client.get(saved.headers["location"]).text
    assert "Rule saved." in listed and office_code in listed
    explained = backend.nalish(
        "routing", "explain", "--district", "Rangpur", "--upazila", upazila, "--category", "water"
    )
    assert f"→ {office_name} (queue field)" in explained.stdout


def test_a_rule_with_an_unknown_office_or_district_is_refused_by_the_field(browsers):
    client = browsers["admin"]
    shown = _submit(
        client,
        "/dashboard/admin/routing",
        {
            "district": "Rangpru",
            "office": "no-such-office",
        },
    )
    assert shown.status_code == 422
    assert 'id="f-office-error"' in shown.text and "unknown office" in shown.text
    assert 'value="no-such-office"' in shown.text


def test_an_admin_deactivates_a_rule(browsers):
    client = browsers["admin"]
    with session_scope() as session:
        rule_id = session.exec(select(RoutingRule.id).where(col(RoutingRule.active))).first()
    off = _submit(
        client,
        f"/dashboard/admin/routing/{rule_id}/active",
        {"active": "0"},
    )
    assert off.status_code == 303
    with session_scope() as session:
        assert session.get(RoutingRule, rule_id).active is False
    _submit(
        client,
        f"/dashboard/admin/routing/{rule_id}/active",
        {"active": "1"},
    )


# ---------------------------------------------------------------------------
# SLA policies
# ---------------------------------------------------------------------------


def test_an_admin_saves_an_sla_policy_and_a_zero_day_one_is_refused(browsers):
    client = browsers["admin"]
    saved = _submit(
        client,
        "/dashboard/admin/sla",
        {
            "level": "district",
            "category": "water",
            "priority": "urgent",
            "acknowledge": "1",
            "resolve": "4",
            "unit": "working_days",
        },
    )
    assert saved.status_code == 303, saved.text
    assert "Policy saved." in client.get(saved.headers["location"]).text
    with session_scope() as session:
        water_id = session.exec(select(Category.id).where(Category.code == "water")).one()
        row = session.exec(
            select(SlaPolicyRow).where(
                SlaPolicyRow.level == "district",
                SlaPolicyRow.category_id == water_id,
                SlaPolicyRow.priority == "urgent",
            )
        ).one()
        assert (row.acknowledge_amount, row.resolve_amount) == (1, 4)
    refused = _submit(
        client,
        "/dashboard/admin/sla",
        {
            "level": "district",
            "category": "water",
            "priority": "urgent",
            "acknowledge": "1",
            "resolve": "0",
            "unit": "working_days",
        },
    )
    assert refused.status_code == 422
    assert 'id="f-resolve-error"' in refused.text
    assert "Must be more than zero" in refused.text
    assert 'name="resolve" value="0"' in refused.text  # the input kept
    with session_scope() as session:
        assert session.get(SlaPolicyRow, row.id).resolve_amount == 4  # unchanged


# ---------------------------------------------------------------------------
# Holidays
# ---------------------------------------------------------------------------


def test_an_admin_adds_a_holiday(browsers):
    client = browsers["admin"]
    added = _submit(
        client,
        "/dashboard/admin/calendar",
        {
            "day": "2031-03-03",
            "name": "Test Day",
            "kind": "holiday",
        },
    )
    assert added.status_code == 303, added.text
    listed = client.get(added.headers["location"]).text
    assert "Holiday saved." in listed and "2031-03-03" in listed and "Test Day" in listed


def test_a_csv_with_a_bad_line_names_the_line_and_imports_nothing(browsers):
    client = browsers["admin"]
    bad = "2031-04-01,Good Day\n2031-13-40,Bad Day\n"
    shown = _submit(
        client,
        "/dashboard/admin/calendar/import",
        {},
        files={"file": ("holidays.csv", bad.encode(), "text/csv")},
    )
    assert shown.status_code == 422
    assert "Line 2:" in shown.text and "Nothing was imported." in shown.text
    assert 'id="f-file-error"' in shown.text
    with session_scope() as session:
        found = session.exec(select(Holiday).where(Holiday.name == "Good Day")).first()
        assert found is None
    good = _submit(
        client,
        "/dashboard/admin/calendar/import",
        {},
        files={"file": ("holidays.csv", b"2031-04-01,Good Day\n", "text/csv")},
    )
    assert good.status_code == 303
    assert "Good Day" in client.get(good.headers["location"]).text


# ---------------------------------------------------------------------------
# Categories
# ---------------------------------------------------------------------------


def test_an_admin_renames_a_category_in_bangla(browsers):
    client = browsers["admin"]
    with session_scope() as session:
        water = session.exec(select(Category).where(Category.code == "water")).one()
        before = dict(water.names)
    renamed = _submit(
        client,
        "/dashboard/admin/categories/water",
        {
            "name_en": before["en"],
            "name_bn": "খাবার পানি",
            "name_sw": before.get("sw", ""),
        },
    )
    assert renamed.status_code == 303, renamed.text
    assert "খাবার পানি" in client.get(renamed.headers["location"]).text
    with session_scope() as session:
        names = session.exec(select(Category).where(Category.code == "water")).one().names
    assert names["bn"] == "খাবার পানি" and names["en"] == before["en"]
    refused = _submit(
        client,
        "/dashboard/admin/categories/water",
        {"name_en": "", "name_bn": "পানি"},
    )
    assert refused.status_code == 422
    assert 'id="water-en-error"' in refused.text and 'value="পানি"' in refused.text


def test_an_admin_deactivates_and_activates_a_category(browsers):
    client = browsers["admin"]
    for active in ("0", "1"):
        went = _submit(
            client,
            "/dashboard/admin/categories/roads/active",
            {"active": active},
        )
        assert went.status_code == 303
        with session_scope() as session:
            roads = session.exec(select(Category).where(Category.code == "roads")).one()
            assert roads.active is (active == "1")


# ---------------------------------------------------------------------------
# Offices
# ---------------------------------------------------------------------------


def _office(code: str) -> Office | None:
    with session_scope() as session:
        return session.exec(select(Office).where(Office.code == code)).first()


def test_an_admin_adds_an_office_in_kaunia_changes_its_phone_and_each_change_is_recorded(
    browsers, world
):
    client = browsers["admin"]
    code = f"kaunia-desk-{world.emails['admin'][6:10]}"
    fields = {
        "code": code,
        "name": "Kaunia Union Digital Centre",
        "level": "upazila",
        "area": "kaunia",
        "phone": "01712-345678",
        "email": "",
    }
    added = _submit(client, "/dashboard/admin/offices", {**fields})
    assert added.status_code == 303, added.text
    office = _office(code)
    assert office is not None and office.phone == "+8801712345678" and office.level == "upazila"
    assert "Office saved." in client.get(added.headers["location"]).text
    listed = client.get("/dashboard/admin/offices?district=Rangpur").text
    assert code in listed and "Kaunia" in listed
    first = _last_change()
    assert (first.action, first.subject) == ("office_saved", f"office:{code}")
    assert first.data["changed"]["phone"] == [None, "+8801712345678"]

    fields["phone"] = "+8801812000333"
    changed = _submit(client, "/dashboard/admin/offices", {**fields})
    assert changed.status_code == 303
    second = _last_change()
    assert second.seq == first.seq + 1 and second.prev_hash == first.hash
    assert second.data == {"changed": {"phone": ["+8801712345678", "+8801812000333"]}}

    unchanged = _submit(client, "/dashboard/admin/offices", {**fields})
    assert unchanged.status_code == 303
    assert _last_change().seq == second.seq  # nothing changed, nothing recorded


@pytest.mark.parametrize(
    ("field", "fields", "says"),
    [
        ("code", {"code": "Bad Code!", "level": "district", "area": "Rangpur"}, "lower-case"),
        ("name", {"name": "  ", "level": "district", "area": "Rangpur"}, "a name of"),
        ("area", {"level": "national", "area": "Rangpur"}, "covers no single area"),
        ("area", {"level": "district", "area": "Rangpoor Xyz"}, "did you mean"),
        ("area", {"level": "district", "area": ""}, "name the district"),
        ("phone", {"level": "district", "area": "Rangpur", "phone": "12"}, "'12'"),
        ("email", {"level": "district", "area": "Rangpur", "email": "dc@"}, "not an email"),
        ("level", {"level": "county", "area": "Rangpur"}, "choose a level"),
    ],
)
def test_an_office_with_a_mistake_comes_back_with_the_error_by_its_field(
    browsers, field, fields, says
):
    client = browsers["admin"]
    form = {"code": "new-desk", "name": "New desk", "phone": "", "email": "", **fields}
    refused = _submit(client, "/dashboard/admin/offices", {**form})
    assert refused.status_code == 422
    text = refused.text.replace("&#39;", "'")
    assert f'id="f-{field}-error"' in text
    assert says in text
    if field != "level":
        assert f'value="{form[field]}"' in text  # the input is kept
    assert _office("new-desk") is None


def test_an_office_that_rules_point_to_cannot_be_deactivated_but_a_new_one_can(browsers, world):
    client = browsers["admin"]
    refused = _submit(
        client,
        "/dashboard/admin/offices/dc-rangpur/active",
        {"active": "0"},
    )
    assert refused.status_code == 422
    assert "routing rule(s) still send tickets here" in refused.text
    assert _office("dc-rangpur").active is True

    code = f"spare-{world.emails['admin'][6:10]}"
    added = _submit(
        client,
        "/dashboard/admin/offices",
        {
            "code": code,
            "name": "Spare desk",
            "level": "national",
        },
    )
    assert added.status_code == 303, added.text
    off = _submit(
        client,
        f"/dashboard/admin/offices/{code}/active",
        {"active": "0"},
    )
    assert off.status_code == 303
    assert _office(code).active is False
    assert (_last_change().action, _last_change().subject) == (
        "office_deactivated",
        f"office:{code}",
    )
    assert (
        _submit(
            client,
            "/dashboard/admin/offices/no-such-office/active",
            {"active": "0"},
        ).status_code
        == 404
    )


def test_an_offices_level_and_area_are_fixed_once_it_exists(browsers):
    client = browsers["admin"]
    moves = (
        {"level": "division", "area": "Rangpur"},  # the district office made a division's
        {"level": "district", "area": "Dinajpur"},  # or another district's
    )
    for move in moves:
        refused = _submit(
            client,
            "/dashboard/admin/offices",
            {
                "code": "dc-rangpur",
                "name": "Deputy Commissioner's Office, Rangpur",
                **move,
            },
        )
        assert refused.status_code == 422
        assert "cannot change once it exists" in refused.text.replace("&#39;", "'")
    office = _office("dc-rangpur")
    assert office.level == "district"


def test_a_second_active_desk_for_a_district_leaves_the_ladder_on_the_seeded_office(browsers):
    from escalation import ladder

    client = browsers["admin"]
    added = _submit(
        client,
        "/dashboard/admin/offices",
        {
            "code": "rangpur-project-desk",
            "name": "Rangpur project desk",
            "level": "district",
            "area": "Rangpur",
        },
    )
    assert added.status_code == 303, added.text
    # then the DC's office gets a new phone: on PostgreSQL its row moves to the end of
    # the table, so a look-up without an order would now find the project desk first
    edited = _submit(
        client,
        "/dashboard/admin/offices",
        {
            "code": "dc-rangpur",
            "name": "Deputy Commissioner's Office, Rangpur",
            "level": "district",
            "area": "Rangpur",
            "phone": "0521-62001",
        },
    )
    assert edited.status_code == 303, edited.text
    with session_scope() as session:
        rangpur = session.exec(
            select(AdminArea).where(
                AdminArea.name == "Rangpur", AdminArea.level == AdminLevel.DISTRICT
            )
        ).one()
        upazila = gazetteer.upazilas(session=session, district_id=rangpur.id)[0]
        below = Office(code="test-uno-desk", name="A desk below", level="upazila")
        below.area_id = upazila.id
        session.add(below)
        session.flush()
        assert ladder.next_office(session, below).code == "dc-rangpur"
        # a sweep that learnt the desk as the rung above, before it was deactivated
        desk = session.exec(select(Office).where(Office.code == "rangpur-project-desk")).one()
        desk.active = False
        rungs = ladder.Rungs(known_above={below.id: desk.id})
        assert rungs.next_office(session, below).code == "dc-rangpur"
        assert rungs.known_above[below.id] != desk.id
        session.rollback()


def test_a_second_click_changes_nothing_and_records_nothing(browsers, world):
    client = browsers["admin"]
    agent = _person(world.emails["agent"])
    for _ in range(2):
        _submit(
            client,
            f"/dashboard/admin/users/{agent.id}/away",
            {"away": "1"},
        )
    first = _last_change()
    again = _submit(client, f"/dashboard/admin/users/{agent.id}/away", {"away": "1"})
    assert again.status_code == 303
    assert _last_change().seq == first.seq  # already away: nothing new recorded
    _submit(client, f"/dashboard/admin/users/{agent.id}/away", {"away": "0"})
    assert (_last_change().action, _last_change().seq) == ("user_back", first.seq + 1)


def test_the_offices_page_lists_the_rungs_above_upazilas_unless_a_district_is_chosen(browsers):
    client = browsers["admin"]
    default = client.get("/dashboard/admin/offices").text
    assert "national-triage" in default and "dc-rangpur" in default
    assert "Upazila Nirbahi Officer" not in default
    rangpur = client.get("/dashboard/admin/offices?district=rangpur").text
    assert "dc-rangpur" in rangpur and "dc-dhaka" not in rangpur
    unknown = client.get("/dashboard/admin/offices?district=Atlantis").text
    assert 'id="filter-district-error"' in unknown and "is not known" in unknown


# ---------------------------------------------------------------------------
# The record of admin changes
# ---------------------------------------------------------------------------


def test_the_changes_page_shows_who_changed_what_and_that_the_chain_is_intact(
    backend, browsers, world
):
    client = browsers["admin"]
    _submit(
        client,
        "/dashboard/admin/calendar",
        {
            "day": "2026-12-16",
            "name": "Victory Day",
            "kind": "holiday",
        },
    )
    backend.nalish(
        "sla", "set-policy", "--level", "division", "--acknowledge", "2", "--resolve", "6",
        "--unit", "working_days",
    )  # fmt: skip
    page = client.get("/dashboard/admin/changes")
    assert page.status_code == 200
    text = page.text
    assert "the chain is intact" in text
    assert "holiday:BD:2026-12-16" in text and world.emails["admin"] in text
    assert "sla_policy:division:*:*" in text and "cli:" in text  # the CLI's change too
    only = client.get("/dashboard/admin/changes?subject=holiday:BD:2026-12-16").text
    assert "holiday:BD:2026-12-16" in only and "sla_policy:division" not in only
    assert backend.nalish("audit", "verify").returncode == 0
