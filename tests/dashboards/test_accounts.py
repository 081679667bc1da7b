"""Keeping accounts, over HTTP and through the real CLI, on both backends: changing
one's own password, an admin's reset (a temporary password shown once) and edit (a
phone added, a divisional officer's division), and `nalish users list/edit/set-password`."""

from __future__ import annotations

import json
import re

import pytest

from grievance_engine.models import Role
from tests.dashboards.test_dashboards import PASSWORD, _email, _user, browser, sign_in


def _csrf(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def _id_of(backend, email: str) -> int:
    listed = json.loads(backend.nalish("users", "list", "--json").stdout)
    return next(person["id"] for person in listed if person["email"] == email)


@pytest.fixture(scope="module")
def people(backend):
    found = {"admin": _email("admin"), "officer": _email("officer")}
    _user(found["admin"], Role.ADMIN)
    _user(found["officer"], Role.OFFICER, "Rangpur")
    return found


def test_an_admin_resets_a_password_and_the_officer_signs_in_and_changes_it(app, backend, people):
    admin = browser(app, people["admin"])
    person = f"/dashboard/admin/users/{_id_of(backend, people['officer'])}"
    reset = admin.post(person + "/password", data={"csrf_token": _csrf(admin, person)})
    assert reset.status_code == 200
    assert reset.headers["cache-control"] == "no-store"
    temporary = re.search(r'id="temporary-password">([^<]+)<', reset.text).group(1)
    assert temporary not in admin.get(person).text  # shown once
    # the old password no longer opens the account; the temporary one does
    assert sign_in(browser(app), people["officer"], PASSWORD).status_code != 303
    officer = browser(app)
    assert sign_in(officer, people["officer"], temporary).status_code == 303
    form = {"current": temporary, "new": "officer-own-pass-1", "confirm": "officer-own-pass-1"}
    changed = officer.post(
        "/dashboard/account/password",
        data={**form, "csrf_token": _csrf(officer, "/dashboard/account")},
    )
    assert changed.headers["location"] == "/dashboard/account?done=password"
    assert sign_in(browser(app), people["officer"], "officer-own-pass-1").status_code == 303


def test_a_wrong_current_password_changes_nothing(app, people):
    admin = browser(app, people["admin"])
    form = {"current": "not-it-at-all", "new": "another-pass-12", "confirm": "another-pass-12"}
    refused = admin.post(
        "/dashboard/account/password",
        data={**form, "csrf_token": _csrf(admin, "/dashboard/account")},
    )
    assert refused.status_code == 422
    assert 'id="err-current"' in refused.text
    assert sign_in(browser(app), people["admin"]).status_code == 303


def test_an_admin_gives_an_officer_a_phone_and_a_division(app, backend, people):
    admin = browser(app, people["admin"])
    person = f"/dashboard/admin/users/{_id_of(backend, people['officer'])}"
    saved = admin.post(
        person + "/edit",
        data={"phone": "01711 999 444", "area": "Rangpur Division", "office": "",
              "languages": ["bn"],
              "full_name": "Divisional Officer", "csrf_token": _csrf(admin, person)},
    )  # fmt: skip
    assert saved.status_code == 303, saved.text
    listed = json.loads(backend.nalish("users", "list", "--json").stdout)
    officer = next(p for p in listed if p["email"] == people["officer"])
    assert officer["phone"] == "+8801711999444"
    assert officer["name"] == "Divisional Officer"
    assert officer["area"] == "Rangpur"  # the division: the page shows "Rangpur Division"
    assert 'value="Rangpur Division"' in admin.get(person).text


def test_the_cli_edits_lists_and_sets_passwords(app, backend, people):
    edited = backend.nalish("users", "edit", people["officer"], "--area", "Rangpur")
    assert people["officer"] in edited.stdout
    new = backend.nalish("users", "set-password", people["officer"])
    clear = re.search(r"shown once\): (\S+)", new.stdout).group(1)
    assert sign_in(browser(app), people["officer"], clear).status_code == 303
    assert people["officer"] in backend.nalish("users", "list").stdout
    bad = backend.nalish("users", "edit", people["officer"], "--area", "Atlantis", check=False)
    assert bad.returncode != 0


def test_the_front_door_of_an_officer_is_their_page(app, people):
    assert browser(app).get("/").headers["location"] == "/login"
