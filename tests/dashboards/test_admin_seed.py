"""`nalish seed` runs on every start (`make run`, the compose `migrate` step): an admin's
renames must survive it, and only `nalish seed --reset-names` puts the seeded names
back, each one recorded. Renamed over HTTP on the admin pages, seeded by the real CLI,
on both backends."""

from __future__ import annotations

import getpass

import pytest
from sqlmodel import select

from grievance_engine import admin_log
from grievance_engine.models import Category, Office, Role
from infra.db import session_scope
from routing.seed import CATEGORIES
from tests.dashboards.test_dashboards import _email, _user, browser, csrf_of

SEEDED_OFFICE = "Deputy Commissioner's Office, Rangpur"
RENAMED_OFFICE = "DC Office Rangpur (Collectorate)"
RENAMED_WATER = "Drinking water and tubewells"
SEEDED_WATER = next(en for code, en, _bn, _sw in CATEGORIES if code == "water")


@pytest.fixture(scope="module")
def admin(app):
    email = _email("admin")
    _user(email, Role.ADMIN)
    return browser(app, email)


def office_name() -> str:
    with session_scope() as session:
        return session.exec(select(Office.name).where(Office.code == "dc-rangpur")).one()


def water_names() -> dict[str, str]:
    with session_scope() as session:
        return session.exec(select(Category.names).where(Category.code == "water")).one()


def changes_since(seq: int):
    with session_scope() as session:
        return [e for e in reversed(admin_log.recent(session=session, limit=50)) if e.seq > seq]


def last_seq() -> int:
    with session_scope() as session:
        recent = admin_log.recent(session=session, limit=1)
        return recent[0].seq if recent else 0


def rename_on_the_admin_pages(admin) -> dict[str, str]:
    token = csrf_of(admin.get("/dashboard/admin/offices").text)
    office = {"code": "dc-rangpur", "name": RENAMED_OFFICE, "level": "district", "area": "Rangpur"}
    saved = admin.post("/dashboard/admin/offices", data={"csrf_token": token, **office})
    assert saved.status_code == 303, saved.text
    seeded_water = water_names()
    token = csrf_of(admin.get("/dashboard/admin/categories").text)
    form = {"name_en": RENAMED_WATER, "name_bn": seeded_water["bn"], "name_sw": seeded_water["sw"]}
    renamed = admin.post("/dashboard/admin/categories/water", data={"csrf_token": token, **form})
    assert renamed.status_code == 303, renamed.text
    return seeded_water


def test_seeding_again_keeps_an_admins_renames_and_records_nothing(backend, admin):
    seeded_water = rename_on_the_admin_pages(admin)
    before = last_seq()

    seeded = backend.nalish("seed")

    assert "areas 0" in seeded.stdout and "offices 0" in seeded.stdout
    assert office_name() == RENAMED_OFFICE
    assert water_names() == {**seeded_water, "en": RENAMED_WATER}
    assert changes_since(before) == []


def test_seed_reset_names_restores_the_seeded_names_each_recorded_by_the_cli_user(backend, admin):
    if office_name() != RENAMED_OFFICE:
        rename_on_the_admin_pages(admin)
    before = last_seq()

    reset = backend.nalish("seed", "--reset-names")

    assert "Restored the seeded name of 2 rows" in reset.stdout
    assert office_name() == SEEDED_OFFICE
    assert water_names()["en"] == SEEDED_WATER
    changes = {e.subject: e for e in changes_since(before)}
    assert set(changes) == {"office:dc-rangpur", "category:water"}
    office, water = changes["office:dc-rangpur"], changes["category:water"]
    assert {office.action, water.action} == {"name_reset"}
    assert office.actor == water.actor == f"cli:{getpass.getuser()}"
    assert office.data == {"before": {"name": RENAMED_OFFICE}, "after": {"name": SEEDED_OFFICE}}
    assert water.data["before"]["names"]["en"] == RENAMED_WATER
    assert water.data["after"]["names"]["en"] == SEEDED_WATER
    assert backend.nalish("seed", "--reset-names").stdout.count("of 0 rows") == 1  # done
    with session_scope() as session:
        assert list(admin_log.verify(session=session)) == []
