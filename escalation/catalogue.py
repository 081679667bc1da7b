"""The deployment's calendar and SLA policies (and the offices' rungs and category
codes they are looked up by), read from the database and kept per process for a
minute: every ticket filed computes a deadline, and admins rarely edit these.

Policies: the `sla_policy` rows (seeded from `policies.DEFAULT_POLICIES`); none at all
means the defaults. Calendar: NALISH_COUNTRY's weekend and hours, NALISH_TIMEZONE, and
the `holiday` rows for that country (seeded from the bundled lists, importable with
`nalish calendar import`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from escalation import holidays as holiday_files
from escalation.calendar import BusinessCalendar, for_country
from escalation.models import Holiday, SlaPolicyRow
from escalation.policies import (
    DEFAULT_POLICIES,
    PolicyError,
    SlaPolicy,
    SlaTarget,
    Unit,
    check_policies,
)
from grievance_engine.models import Category, Office
from infra import caching
from infra.settings import get_settings

CACHE_SECONDS = 60.0


@dataclass(frozen=True)
class _Cached:
    key: str
    at: float
    calendar: BusinessCalendar
    policies: tuple[SlaPolicy, ...]
    office_levels: dict[int, str]  # office id → its rung (upazila, district…)
    category_codes: dict[int, str]


_cache: caching.Slot[_Cached] = caching.Slot()


def clear_cache() -> None:
    _cache.clear()


def _current(session: Session) -> _Cached:
    settings = get_settings()
    key = f"{settings.database_url}|{settings.country}|{settings.timezone}"
    cached = _cache.value
    if cached is None or cached.key != key or time.monotonic() - cached.at > CACHE_SECONDS:
        cached = _cache.value = _Cached(
            key,
            time.monotonic(),
            _calendar(session),
            _policies(session),
            dict(session.exec(select(Office.id, Office.level)).all()),
            dict(session.exec(select(Category.id, Category.code)).all()),
        )
    return cached


def calendar(session: Session) -> BusinessCalendar:
    """The working calendar tickets' deadlines run on."""
    return _current(session).calendar


def policies(session: Session) -> tuple[SlaPolicy, ...]:
    return _current(session).policies


def office_level(session: Session, office_id: int | None) -> str | None:
    """The rung of office `office_id`, from the cache (an office added in the last
    minute is read from the database)."""
    if office_id is None:
        return None
    level = _current(session).office_levels.get(office_id)
    if level is None:
        office = session.get(Office, office_id)
        level = office.level if office else None
    return level


def category_code(session: Session, category_id: int) -> str | None:
    code = _current(session).category_codes.get(category_id)
    if code is None:
        category = session.get(Category, category_id)
        code = category.code if category else None
    return code


def _calendar(session: Session) -> BusinessCalendar:
    settings = get_settings()
    rows = session.exec(select(Holiday).where(Holiday.country == settings.country)).all()
    found = [holiday_files.Holiday(row.day, row.name, row.kind) for row in rows]
    return for_country(settings.country, timezone=settings.timezone).with_holidays(found)


def _policies(session: Session) -> tuple[SlaPolicy, ...]:
    rows = session.exec(
        select(SlaPolicyRow, Category.code)
        .outerjoin(Category, col(Category.id) == SlaPolicyRow.category_id)
        .where(col(SlaPolicyRow.active))
    ).all()
    if not rows:
        return DEFAULT_POLICIES
    return tuple(_policy(row, code) for row, code in rows)


def _policy(row: SlaPolicyRow, category_code: str | None) -> SlaPolicy:
    return SlaPolicy(
        level=row.level,
        acknowledge=SlaTarget(row.acknowledge_amount, Unit(row.acknowledge_unit)),
        resolve=SlaTarget(row.resolve_amount, Unit(row.resolve_unit)),
        category=category_code,
        priority=row.priority,
    )


def save_policy(session: Session, policy: SlaPolicy) -> SlaPolicyRow:
    """Add or replace the policy for `policy`'s level, category and priority.

    The value types refuse zero or negative times before anything is written (and a
    CHECK constraint backs them up).
    """
    category_id = None
    if policy.category is not None:
        category_id = session.exec(
            select(Category.id).where(Category.code == policy.category)
        ).first()
        if category_id is None:
            raise PolicyError(f"unknown category {policy.category!r}")
    row = session.exec(
        select(SlaPolicyRow).where(
            SlaPolicyRow.level == policy.level,
            SlaPolicyRow.category_id == category_id
            if category_id is not None
            else col(SlaPolicyRow.category_id).is_(None),
            SlaPolicyRow.priority == policy.priority
            if policy.priority is not None
            else col(SlaPolicyRow.priority).is_(None),
        )
    ).first()
    if row is None:
        row = SlaPolicyRow(level=policy.level, category_id=category_id, priority=policy.priority)
        session.add(row)
    row.acknowledge_amount, row.acknowledge_unit = (
        policy.acknowledge.amount,
        policy.acknowledge.unit,
    )
    row.resolve_amount, row.resolve_unit = policy.resolve.amount, policy.resolve.unit
    row.active = True
    session.flush()
    clear_cache()
    return row


def seed(session: Session, country: str) -> dict[str, int]:
    """The default policies and the bundled holidays of `country`, where missing."""
    added = {"policies": 0, "holidays": 0}
    if session.exec(select(SlaPolicyRow.id)).first() is None:
        for policy in check_policies(DEFAULT_POLICIES):
            save_policy(session, policy)
            added["policies"] += 1
    known = set(session.exec(select(Holiday.day).where(Holiday.country == country)).all())
    for holiday in _one_per_day(holiday_files.bundled(country)):
        if holiday.day not in known:
            row = Holiday(country=country, day=holiday.day, name=holiday.name, kind=holiday.kind)
            session.add(row)
            added["holidays"] += 1
    session.flush()
    clear_cache()
    return added


def _one_per_day(found) -> list[holiday_files.Holiday]:
    """Two holidays on one date (Eid and a Friday prayer day) are one row, both named."""
    by_day: dict = {}
    for holiday in found:
        same = by_day.get(holiday.day)
        if same is None:
            by_day[holiday.day] = holiday
        elif holiday.name not in same.name:
            kind = "holiday" if "holiday" in (same.kind, holiday.kind) else same.kind
            by_day[holiday.day] = holiday_files.Holiday(
                holiday.day, f"{same.name}; {holiday.name}"[:200], kind
            )
    return sorted(by_day.values(), key=lambda h: h.day)


def import_holidays(session: Session, path: Path, country: str) -> dict[str, int]:
    """Add or update holidays from a CSV (`date,name[,kind]`) or iCalendar file; every
    line is checked before anything is written."""
    loaded = _one_per_day(holiday_files.load(path))
    existing = {
        row.day: row
        for row in session.exec(select(Holiday).where(Holiday.country == country)).all()
    }
    counts = {"added": 0, "updated": 0}
    for holiday in loaded:
        row = existing.get(holiday.day)
        if row is None:
            row = Holiday(country=country, day=holiday.day, name=holiday.name, kind=holiday.kind)
            session.add(row)
            counts["added"] += 1
        elif (row.name, row.kind) != (holiday.name, holiday.kind):
            row.name, row.kind = holiday.name, holiday.kind
            counts["updated"] += 1
    session.flush()
    clear_cache()
    return counts
