"""The offices that own tickets, as an admin changes them: list, add, rename, give a
phone and an email, deactivate. An office's level and area are fixed once it exists.

An office sits at one rung (upazila, district, division, national) and, below the
national desk, covers one admin area of that rank; the escalation ladder climbs from
an office to the active office of its area's parent. The seed makes one per area; an
admin adds the rest (a second desk for a city, a project office) here or from the
dashboard. Where an area has two active offices, the ladder and new officers take the
oldest (the seeded one). The caller commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from grievance_engine import users
from grievance_engine.errors import DomainError
from grievance_engine.models import AdminArea, AdminLevel, Office, OfficeLevel, User
from infra import phones
from routing import service
from routing.models import RoutingRule

CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
MAX_NAME = 200
# Tickets, rules, people and the ladder all lean on where an office sits: moving one
# would silently move them all (or loop the ladder), so its place is fixed (the errors
# "level_fixed" and "area_fixed").


class OfficeInputError(DomainError):
    """A field of an office is wrong; `field` names it for the form."""

    @property
    def field(self) -> str:
        return self.subject


@dataclass(frozen=True)
class OfficeRow:
    """One office as the admin page lists it."""

    id: int
    code: str
    name: str
    level: str
    area: str | None
    phone: str | None
    email: str | None
    active: bool
    people: int


def list_offices(
    *, session: Session, country: str, level: str | None = None, district: str | None = None
) -> list[OfficeRow]:
    """The country's offices (and the national desk), by rung then name; only one
    `level`, or only the offices in and under one `district` (its English name)."""
    statement = (
        select(Office, AdminArea)
        .join(AdminArea, col(Office.area_id) == AdminArea.id, isouter=True)
        .where((col(AdminArea.country) == country) | col(Office.area_id).is_(None))
    )
    if level:
        statement = statement.where(Office.level == level)
    if district:
        area = service.resolve_area(session, district, country=country, level=AdminLevel.DISTRICT)
        statement = statement.where(
            (AdminArea.id == area.id) | (col(AdminArea.parent_id) == area.id)
        )
    people = dict(
        session.exec(
            select(User.office_id, func.count())
            .where(col(User.active), col(User.office_id).is_not(None))
            .group_by(col(User.office_id))
        ).all()
    )
    rungs = [str(level) for level in OfficeLevel]
    rows = [
        OfficeRow(
            id=office.id,
            code=office.code,
            name=office.name,
            level=office.level,
            area=area.name if area else None,
            phone=office.phone,
            email=office.email,
            active=office.active,
            people=people.get(office.id, 0),
        )
        for office, area in session.exec(statement)
    ]
    rungs.reverse()  # national first
    return sorted(rows, key=lambda row: (rungs.index(row.level), row.name))


@dataclass(frozen=True)
class OfficeChange:
    """What an admin typed: a new office, or new values for an existing `code`."""

    code: str
    name: str
    level: str
    area: str = ""  # the name of the area it covers, at its rung; blank for national
    phone: str = ""
    email: str = ""


def save_office(*, session: Session, change: OfficeChange, country: str) -> tuple[Office, dict]:
    """Add the office `change.code` or update it; returns it and what changed
    ({field: [before, after]}). Raises `OfficeInputError` naming the wrong field."""
    code = change.code.strip().lower()
    if not CODE.match(code):
        raise OfficeInputError("code_invalid")
    name = " ".join(change.name.split())
    if not name or len(name) > MAX_NAME:
        raise OfficeInputError("name_invalid", n=MAX_NAME)
    if change.level not in OfficeLevel.__members__.values():
        raise OfficeInputError("level_required")
    area_id = _area_id(session, change.area, level=change.level, country=country)
    phone = _phone(change.phone, country)
    email = change.email.strip().lower() or None
    if email and not users.EMAIL.match(email):
        raise OfficeInputError("email_invalid", email=change.email)
    office = session.exec(select(Office).where(Office.code == code)).first()
    if office is not None and office.level != change.level:
        raise OfficeInputError("level_fixed")
    if office is not None and office.area_id != area_id:
        raise OfficeInputError("area_fixed")
    before = (
        {}
        if office is None
        else {k: getattr(office, k) for k in ("name", "level", "area_id", "phone", "email")}
    )
    if office is None:
        office = Office(code=code, name=name, level=change.level)
    office.name, office.level, office.area_id = name, change.level, area_id
    office.phone, office.email = phone, email
    session.add(office)
    session.flush()
    after = {
        "name": name,
        "level": change.level,
        "area_id": area_id,
        "phone": phone,
        "email": email,
    }
    changed = {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }
    return office, changed


def _area_id(session: Session, text: str, *, level: str, country: str) -> int | None:
    if level == OfficeLevel.NATIONAL:
        if text.strip():
            raise OfficeInputError("area_national")
        return None
    if not text.strip():
        raise OfficeInputError("area_required", level=level)
    try:
        return service.resolve_area(session, text, country=country, level=level).id
    except service.RoutingInputError as exc:
        raise OfficeInputError("area_unknown", problem=str(exc)) from exc


def _phone(text: str, country: str) -> str | None:
    if not text.strip():
        return None
    try:
        return phones.to_e164(text, region=country)
    except phones.InvalidPhoneNumber as exc:
        raise OfficeInputError("phone_unparsable", phone=text, problem=str(exc)) from exc


def set_active(*, session: Session, office: Office, active: bool) -> None:
    """Deactivate an office (routing and the ladder pass it by) or activate it. An
    office that routing rules still send tickets to cannot be deactivated."""
    if not active:
        rules = session.exec(
            select(func.count())
            .select_from(RoutingRule)
            .where(RoutingRule.office_id == office.id, col(RoutingRule.active))
        ).one()
        if rules:
            raise OfficeInputError("offices_still_routed", n=rules)
    office.active = active
    session.add(office)
