"""Seed data for a country: its gazetteer (areas and aliases), grievance categories,
offices and default routing rules; and, for demos, users and sample tickets. What is
seeded is read by `routing.seed_data`; this module writes it.

Every row is keyed by a stable code, so seeding is idempotent: a second run inserts
nothing and updates names that changed. It reads what exists with one query per table
(never one per row), so the whole Bangladesh seed takes a fraction of a second.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlmodel import Session, col, insert, select

from grievance_engine import admin_log, users
from grievance_engine.models import AdminArea, AdminLevel, Category, Office, TicketCreate, User
from routing import gazetteer, intake
from routing import service as routing_service
from routing.gazetteer import fold
from routing.models import AreaAlias, RoutingRule
from routing.seed_data import (
    CATEGORIES,
    COUNTRIES,
    SENSITIVE_CATEGORIES,
    AreaSpec,
    DemoTicket,
    OfficeSpec,
    SeedDataError,
    area_specs,
    demo_tickets,
    demo_users,
    district_office,
    office_specs,
)
from routing.service import DEFAULT_QUEUE, NATIONAL_TRIAGE, TRIAGE_QUEUE

# What callers (the CLI, tests, benches) have always read from here.
__all__ = [
    "CATEGORIES",
    "COUNTRIES",
    "AreaSpec",
    "SeedDataError",
    "area_specs",
    "reset_names",
    "seed",
    "seed_demo",
]


# ---------------------------------------------------------------------------
# seed()
# ---------------------------------------------------------------------------


def seed(*, session: Session, country: str) -> dict[str, int]:
    """Load what is missing of `country`'s gazetteer, categories, offices and default
    routing rules; returns how many rows of each kind were inserted.

    Rows that exist are never changed: `make run` and the compose `migrate` step seed
    on every start, and an admin's renamed office or category, a deactivated one, a
    re-pointed rule must survive them. `reset_names` puts the seeded names back, on
    purpose and on the record.
    """
    country = _country(country)
    counts: Counter[str] = Counter()
    area_ids = _insert_areas(session, country, counts)
    _insert_aliases(session, country, area_ids, counts)
    _insert_categories(session, counts)
    office_ids = _insert_offices(session, office_specs(country), area_ids, counts)
    _insert_rules(session, country, area_ids, office_ids, counts)
    session.flush()
    gazetteer.clear_cache()  # the match indexes were built from the old rows
    routing_service.clear_cache()  # so were the cached rules (bulk inserts skip the ORM)
    keys = ("areas", "aliases", "categories", "offices", "routing_rules")
    return {key: counts[key] for key in keys}


def reset_names(*, session: Session, country: str, actor: str) -> int:
    """Give every seeded area, category and office its seeded name again (`nalish seed
    --reset-names`); each row changed is an admin event by `actor`. Returns how many."""
    country = _country(country)
    restored = 0
    areas = {a.code: a for a in session.exec(select(AdminArea).where(AdminArea.country == country))}
    for spec in area_specs(country):
        if spec.code in areas:
            seeded = {"name": spec.name, "name_local": spec.name_local}
            restored += _restore(session, areas[spec.code], seeded, f"area:{spec.code}", actor)
    categories = {c.code: c for c in session.exec(select(Category))}
    for code, en, bn, sw in CATEGORIES:
        if code in categories:
            # languages we do not seed (an admin's addition) are kept
            names = {**categories[code].names, "en": en, "bn": bn, "sw": sw}
            restored += _restore(
                session, categories[code], {"names": names}, f"category:{code}", actor
            )
    specs = office_specs(country)
    offices = {
        o.code: o
        for o in session.exec(select(Office).where(col(Office.code).in_([s.code for s in specs])))
    }
    for spec in specs:
        if spec.code in offices:
            restored += _restore(
                session, offices[spec.code], {"name": spec.name}, f"office:{spec.code}", actor
            )
    session.flush()
    gazetteer.clear_cache()
    routing_service.clear_cache()
    return restored


def _restore(session: Session, row: Any, seeded: dict[str, Any], subject: str, actor: str) -> int:
    before = {key: getattr(row, key) for key in seeded if getattr(row, key) != seeded[key]}
    if not before:
        return 0
    for key in before:
        setattr(row, key, seeded[key])
    session.add(row)
    after = {key: seeded[key] for key in before}
    admin_log.record(
        session=session,
        actor=actor,
        action="name_reset",
        subject=subject,
        before=before,
        after=after,
    )
    return 1


def _country(country: str) -> str:
    code = (country or "").upper()
    if code not in COUNTRIES:
        raise ValueError(f"no seed data for country {country!r}; known: {', '.join(COUNTRIES)}")
    return code


def _insert(session: Session, model: type, rows: list[dict[str, Any]]) -> int:
    """Insert plain rows in one executemany: building ~1,700 SQLModel objects would
    cost more than the database does."""
    if rows:
        session.exec(insert(model), params=rows)
    return len(rows)


def _insert_areas(session: Session, country: str, counts: Counter[str]) -> dict[str, int]:
    ids = dict(
        session.exec(select(AdminArea.code, AdminArea.id).where(AdminArea.country == country)).all()
    )
    for level in (AdminLevel.DIVISION, AdminLevel.DISTRICT, AdminLevel.UPAZILA):
        new = [
            {
                "code": spec.code,
                "country": country,
                "level": str(spec.level),
                "kind": spec.kind,
                "name": spec.name,
                "name_local": spec.name_local,
                "parent_id": ids[spec.parent_code] if spec.parent_code else None,
            }
            for spec in area_specs(country)
            if spec.level == level and spec.code not in ids
        ]
        if _insert(session, AdminArea, new):
            # children of the next level need these ids
            statement = select(AdminArea.code, AdminArea.id).where(
                AdminArea.country == country, AdminArea.level == level
            )
            ids.update(session.exec(statement).all())
        counts["areas"] += len(new)
    return ids


def _insert_aliases(
    session: Session, country: str, area_ids: dict[str, int], counts: Counter[str]
) -> None:
    existing = set(
        session.exec(
            select(AreaAlias.area_id, AreaAlias.folded)
            .join(AdminArea, col(AdminArea.id) == AreaAlias.area_id)
            .where(AdminArea.country == country)
        ).all()
    )
    new = []
    for spec in area_specs(country):
        area_id = area_ids[spec.code]
        # An alias that folds to the name itself ("Homabay") already matches.
        seen = {fold(spec.name)}
        local = [(spec.name_local, "bn")] if spec.name_local else []
        for alias, language in [*local, *spec.aliases]:
            folded = fold(alias)
            if not folded or folded in seen:
                continue
            seen.add(folded)
            if (area_id, folded) not in existing:
                new.append(
                    {"area_id": area_id, "alias": alias, "folded": folded, "language": language}
                )
    counts["aliases"] += _insert(session, AreaAlias, new)


def _insert_categories(session: Session, counts: Counter[str]) -> None:
    existing = set(session.exec(select(Category.code)))
    for position, (code, en, bn, sw) in enumerate(CATEGORIES, start=1):
        if code not in existing:
            names = {"en": en, "bn": bn, "sw": sw}
            sensitive = code in SENSITIVE_CATEGORIES
            session.add(
                Category(code=code, names=names, sort_order=position * 10, sensitive=sensitive)
            )
            counts["categories"] += 1


def _insert_offices(
    session: Session, specs: list[OfficeSpec], area_ids: dict[str, int], counts: Counter[str]
) -> dict[str, int]:
    codes = [spec.code for spec in specs]
    existing = set(session.exec(select(Office.code).where(col(Office.code).in_(codes))))
    new = [
        {
            "code": spec.code,
            "name": spec.name,
            "level": str(spec.level),
            "area_id": area_ids[spec.area_code] if spec.area_code else None,
        }
        for spec in specs
        if spec.code not in existing
    ]
    counts["offices"] += _insert(session, Office, new)
    return dict(
        session.exec(select(Office.code, Office.id).where(col(Office.code).in_(codes))).all()
    )


def _insert_rules(
    session: Session,
    country: str,
    area_ids: dict[str, int],
    office_ids: dict[str, int],
    counts: Counter[str],
) -> None:
    """Each district to its district office; everything else to national triage.

    Only missing rules are added: an operator who re-pointed a district keeps it.
    """
    # NULL area_id (the national rule) escapes the unique constraint, so look first.
    covered = set(
        session.exec(select(RoutingRule.area_id).where(col(RoutingRule.category_id).is_(None)))
    )
    new = []
    if None not in covered:
        national = office_ids[NATIONAL_TRIAGE]
        new.append({"area_id": None, "office_id": national, "queue": TRIAGE_QUEUE})
    for spec in area_specs(country):
        area_id = area_ids[spec.code]
        if spec.level == AdminLevel.DISTRICT and area_id not in covered:
            office_id = office_ids[district_office(spec).code]
            new.append({"area_id": area_id, "office_id": office_id, "queue": DEFAULT_QUEUE})
    counts["routing_rules"] += _insert(session, RoutingRule, new)


# ---------------------------------------------------------------------------
# seed_demo(): a small named world for demos and manual testing
# ---------------------------------------------------------------------------


def seed_demo(*, session: Session, country: str) -> list[dict[str, Any]]:
    """Add demo users and sample tickets to a seeded database; return the logins.

    New users get a random password, returned once so the CLI can print it; users
    that already exist are left alone and come back with `password` None. Tickets are
    filed through intake like any other, keyed "demo:<n>" so a rerun files none.
    """
    country = _country(country)
    districts = _districts_by_name(session, country)
    logins = _demo_users(session, country, districts)
    for ticket in demo_tickets(country):
        _demo_ticket(session, districts, ticket)
    session.flush()
    return logins


def _districts_by_name(session: Session, country: str) -> dict[str, int]:
    statement = select(AdminArea.name, AdminArea.id).where(
        AdminArea.country == country, AdminArea.level == AdminLevel.DISTRICT
    )
    return dict(session.exec(statement).all())


def _demo_users(session: Session, country: str, districts: dict[str, int]) -> list[dict[str, Any]]:
    specs = demo_users(country)
    offices = {
        o.code: o
        for o in session.exec(
            select(Office).where(col(Office.code).in_([s.office_code for s in specs]))
        )
    }
    existing = {
        u.email: u
        for u in session.exec(select(User).where(col(User.email).in_([s.email for s in specs])))
    }
    logins = []
    for spec in specs:
        office = offices.get(spec.office_code) if spec.office_code else None
        if spec.office_code and office is None:
            raise SeedDataError(f"office {spec.office_code!r} missing: run seed() first")
        password = None
        if spec.email not in existing:
            password = users.generate_password()
            session.add(
                User(
                    email=spec.email,
                    full_name=spec.full_name,
                    role=spec.role,
                    password_hash=users.hash_password(password),
                    office_id=office.id if office else None,
                    area_id=districts.get(spec.district) if spec.district else None,
                    language=spec.language,
                    languages=list(dict.fromkeys([spec.language, "en"])),
                )
            )
        logins.append(
            {
                "email": spec.email,
                "password": password,
                "role": str(spec.role),
                "office": office.name if office else None,
                "district": spec.district,
            }
        )
    session.flush()
    return logins


def _demo_ticket(session: Session, districts: dict[str, int], spec: DemoTicket) -> None:
    district_id = districts.get(spec.district)
    if district_id is None:
        raise SeedDataError(f"district {spec.district!r} missing: run seed() first")
    upazila_id = None
    if spec.upazila:
        upazila_id = session.exec(
            select(AdminArea.id).where(
                AdminArea.parent_id == district_id, AdminArea.name == spec.upazila
            )
        ).first()
        if upazila_id is None:
            raise SeedDataError(f"no upazila {spec.upazila!r} in {spec.district}")
    ticket_in = TicketCreate(
        phone=spec.phone,
        category_code=spec.category,
        district_id=district_id,
        upazila_id=upazila_id,
        channel=spec.channel,
        language=spec.language,
        description=spec.description,
        source_key=spec.key,
    )
    intake.file_grievance(session=session, ticket_in=ticket_in)
