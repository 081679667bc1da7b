"""Seeding a country: areas with ISO codes, aliases, categories, offices, rules, demo data."""

from __future__ import annotations

import re
import time
import unicodedata

import phonenumbers
import pytest
from argon2 import PasswordHasher
from sqlmodel import func, select

from grievance_engine import admin_log
from grievance_engine.models import AdminArea, Category, Citizen, Office, Ticket, User
from routing import seed
from routing.models import AreaAlias, RoutingRule

TABLES = (AdminArea, AreaAlias, Category, Office, RoutingRule)


def _count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def _areas(session, country, level) -> list[AdminArea]:
    statement = select(AdminArea).where(AdminArea.country == country, AdminArea.level == level)
    return list(session.exec(statement))


def test_it_seeds_the_8_divisions_64_districts_and_494_upazilas_of_bangladesh(bd):
    assert len(_areas(bd.session, "BD", "division")) == 8
    assert len(_areas(bd.session, "BD", "district")) == 64
    assert len(_areas(bd.session, "BD", "upazila")) == 494


def test_every_division_and_district_has_its_iso_code(bd):
    divisions = _areas(bd.session, "BD", "division")
    districts = _areas(bd.session, "BD", "district")
    assert sorted(d.code for d in divisions) == [f"BD-{c}" for c in "ABCDEFGH"]
    assert sorted(d.code for d in districts) == [f"BD-{n:02d}" for n in range(1, 65)]
    assert bd.area("Rangpur").code == "BD-55"
    assert bd.area("Rangpur", level="division").code == "BD-F"
    assert bd.area("Chattogram").code == "BD-10"
    assert bd.area("Cox's Bazar").code == "BD-11"
    assert bd.area("Netrokona").code == "BD-41"


def test_every_district_sits_under_the_division_iso_places_it_in(bd):
    division_codes = {d.id: d.code for d in _areas(bd.session, "BD", "division")}
    assert division_codes[bd.area("Rangpur").parent_id] == "BD-F"
    assert division_codes[bd.area("Cumilla").parent_id] == "BD-B"
    assert division_codes[bd.area("Barishal").parent_id] == "BD-A"


def test_every_bangla_name_is_present_and_tidy(bd):
    for area in _areas(bd.session, "BD", "district") + _areas(bd.session, "BD", "upazila"):
        local = area.name_local
        assert local, area.name
        assert local == " ".join(local.split()), f"stray whitespace in {local!r}"
        assert local == unicodedata.normalize("NFC", local)
    assert bd.area("Shahrasti", level="upazila").name_local == "শাহরাস্তি"


def test_divisions_use_current_spellings_and_keep_the_old_ones_as_aliases(bd):
    names = {d.name for d in _areas(bd.session, "BD", "division")}
    assert names == {
        "Barishal",
        "Chattogram",
        "Dhaka",
        "Khulna",
        "Mymensingh",
        "Rajshahi",
        "Rangpur",
        "Sylhet",
    }
    chattogram = bd.area("Chattogram", level="division")
    aliases = set(
        bd.session.exec(select(AreaAlias.alias).where(AreaAlias.area_id == chattogram.id))
    )
    assert {"Chittagong", "Chattagram", "চট্টগ্রাম"} <= aliases


def test_districts_keep_older_spellings_as_aliases(bd):
    for name, old in [
        ("Cumilla", "Comilla"),
        ("Jashore", "Jessore"),
        ("Bogura", "Bogra"),
        ("Barishal", "Barisal"),
        ("Chapainawabganj", "Nawabganj"),
        ("Jhalakathi", "Jhalokati"),
        ("Moulvibazar", "Maulvibazar"),
        ("Netrokona", "Netrakona"),
        ("Khagrachhari", "Khagrachari"),
        ("Brahmanbaria", "B. Baria"),
        ("Jhenaidah", "Jhenidah"),
    ]:
        area = bd.area(name)
        aliases = set(bd.session.exec(select(AreaAlias.alias).where(AreaAlias.area_id == area.id)))
        assert old in aliases, name


def test_every_upazila_has_a_stable_code_under_its_district(bd):
    districts = {d.id: d.code for d in _areas(bd.session, "BD", "district")}
    upazilas = _areas(bd.session, "BD", "upazila")
    assert len({u.code for u in upazilas}) == 494
    for upazila in upazilas:
        assert re.fullmatch(rf"{districts[upazila.parent_id]}-U\d{{3}}", upazila.code)


def test_upazila_names_use_current_spellings(bd):
    assert bd.area("Cumilla Sadar", level="upazila").parent_id == bd.area("Cumilla").id
    assert bd.area("Pirganj", level="upazila", parent="Rangpur").name_local == "পীরগঞ্জ"
    assert bd.area("Borhanuddin", level="upazila").parent_id == bd.area("Bhola").id


def test_it_seeds_kenyas_47_counties_as_districts_without_a_parent(ke):
    counties = _areas(ke.session, "KE", "district")
    assert len(counties) == 47
    assert sorted(c.code for c in counties) == [f"KE-{n:02d}" for n in range(1, 48)]
    assert {c.kind for c in counties} == {"County"}
    assert all(c.parent_id is None for c in counties)
    assert ke.area("Nairobi").code == "KE-30"
    assert ke.area("Elgeyo-Marakwet").code == "KE-05"


def test_seeding_twice_adds_nothing(bd):
    before = {model.__name__: _count(bd.session, model) for model in TABLES}
    counts = seed.seed(session=bd.session, country="BD")
    after = {model.__name__: _count(bd.session, model) for model in TABLES}
    assert counts == dict.fromkeys(counts, 0)
    assert after == before


def test_seeding_again_keeps_a_changed_name(bd):
    bd.area("Rangpur").name = "Rongpur"
    bd.office("dc-rangpur").name = "DC Rongpur"
    counts = seed.seed(session=bd.session, country="BD")
    assert counts == dict.fromkeys(counts, 0)
    assert bd.area("Rongpur").code == "BD-55"  # still renamed
    assert bd.office("dc-rangpur").name == "DC Rongpur"


def test_resetting_names_restores_the_seeded_ones_and_records_each(bd):
    district = bd.area("Rangpur")
    district.name = "Rongpur"
    bd.office("dc-rangpur").name = "DC Rongpur"
    restored = seed.reset_names(session=bd.session, country="BD", actor="cli:test")
    assert restored == 2
    assert bd.office("dc-rangpur").name == "Deputy Commissioner's Office, Rangpur"
    events = admin_log.recent(session=bd.session, limit=2)
    assert {(e.action, e.subject, e.actor) for e in events} == {
        ("name_reset", f"area:{district.code}", "cli:test"),
        ("name_reset", "office:dc-rangpur", "cli:test"),
    }
    assert seed.reset_names(session=bd.session, country="BD", actor="cli:test") == 0


def test_seeding_leaves_a_repointed_district_rule_alone(bd):
    rule = bd.session.exec(
        select(RoutingRule).where(RoutingRule.area_id == bd.area("Rangpur").id)
    ).one()
    rule.office_id = bd.office("divcom-rangpur").id
    seed.seed(session=bd.session, country="BD")
    assert rule.office_id == bd.office("divcom-rangpur").id


def test_the_whole_bangladesh_seed_takes_well_under_a_few_seconds(session):
    seed.area_specs("BD")  # reading the CSVs and pycountry once is not what we time
    started = time.perf_counter()
    counts = seed.seed(session=session, country="BD")
    elapsed = time.perf_counter() - started
    assert counts["areas"] == 566
    assert elapsed < 2.0


def test_categories_have_short_names_in_english_bangla_and_swahili(bd):
    categories = list(bd.session.exec(select(Category).order_by(Category.sort_order)))
    assert 13 <= len(categories) <= 14
    assert categories[0].code == "water"
    assert categories[-1].code == "other"
    assert {"child_marriage", "vawc", "social_protection", "corruption"} <= {
        c.code for c in categories
    }
    for category in categories:
        assert set(category.names) == {"en", "bn", "sw"}
        assert len(category.names["en"]) <= 24, category.names["en"]
        assert all(category.names.values())


def test_there_is_an_office_for_the_nation_each_division_district_and_upazila(bd):
    assert bd.office("national-triage").area_id is None
    assert bd.office("divcom-rangpur").name == "Divisional Commissioner's Office, Rangpur"
    assert bd.office("dc-rangpur").name == "Deputy Commissioner's Office, Rangpur"
    assert bd.office("dc-coxs-bazar").area_id == bd.area("Cox's Bazar").id
    assert _count(bd.session, Office, Office.level == "upazila") == 494


def test_upazila_offices_with_a_shared_name_also_name_their_district(bd):
    pirganj = bd.area("Pirganj", level="upazila", parent="Rangpur")
    office = bd.office(f"uno-{pirganj.code.lower()}")
    assert office.name == "Upazila Nirbahi Officer, Pirganj (Rangpur)"
    mithapukur = bd.area("Mithapukur", level="upazila")
    assert bd.office(f"uno-{mithapukur.code.lower()}").name == (
        "Upazila Nirbahi Officer, Mithapukur"
    )


def test_kenyan_counties_have_county_commissioners(ke):
    assert ke.office("cc-nairobi").name == "County Commissioner's Office, Nairobi"
    assert ke.office("cc-muranga").area_id == ke.area("Murang'a").id


def test_every_district_has_a_rule_to_its_district_office_and_there_is_a_national_rule(bd):
    rules = list(bd.session.exec(select(RoutingRule)))
    assert len(rules) == 65
    national = [r for r in rules if r.area_id is None]
    assert [r.office_id for r in national] == [bd.office("national-triage").id]
    rangpur = next(r for r in rules if r.area_id == bd.area("Rangpur").id)
    assert rangpur.office_id == bd.office("dc-rangpur").id
    assert rangpur.category_id is None


def test_seed_refuses_a_country_it_has_no_data_for(session):
    with pytest.raises(ValueError, match="no seed data"):
        seed.seed(session=session, country="IN")


def test_seed_demo_creates_five_logins_and_sample_tickets_once(bd):
    logins = seed.seed_demo(session=bd.session, country="BD")
    assert [login["role"] for login in logins] == [
        "agent",
        "officer",
        "officer",
        "supervisor",
        "admin",
    ]
    assert all(login["password"] for login in logins)
    officer = bd.session.exec(select(User).where(User.email == "officer.rangpur@example.org")).one()
    assert officer.office_id == bd.office("dc-rangpur").id
    assert officer.area_id == bd.area("Rangpur").id
    assert PasswordHasher().verify(officer.password_hash, logins[1]["password"])
    tickets = list(bd.session.exec(select(Ticket)))
    assert 5 <= len(tickets) <= 10
    assert all(t.source_key.startswith("demo:") for t in tickets)
    assert len({t.district_id for t in tickets}) >= 4

    again = seed.seed_demo(session=bd.session, country="BD")
    assert [login["password"] for login in again] == [None] * 5
    assert _count(bd.session, Ticket) == len(tickets)
    assert _count(bd.session, User) == 5


def test_demo_tickets_come_from_valid_bangladeshi_phones(bd):
    seed.seed_demo(session=bd.session, country="BD")
    for citizen in bd.session.exec(select(Citizen)):
        number = phonenumbers.parse(citizen.phone)
        assert phonenumbers.is_valid_number(number), citizen.phone
        assert phonenumbers.region_code_for_number(number) == "BD"


def test_kenyan_demo_tickets_go_to_county_offices(ke):
    logins = seed.seed_demo(session=ke.session, country="KE")
    assert logins[1]["office"] == "County Commissioner's Office, Nairobi"
    nairobi_tickets = ke.session.exec(
        select(Ticket).where(Ticket.district_id == ke.area("Nairobi").id)
    ).all()
    assert nairobi_tickets
    assert {t.office_id for t in nairobi_tickets} == {ke.office("cc-nairobi").id}
