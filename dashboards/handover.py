"""Handing a ticket on by name: the transfer form's one box takes part of an office's or
a person's name, in English or in Bangla ("Kurigram", "কুড়িগ্রাম", "Rafiq"), never
a code, and its datalist suggests the names as they are typed.

`resolve` turns what was typed into one target, or the few it could mean (the page
then asks which). Rule, in order: a suggestion's exact label; an office whose place
is named exactly that (a district's office before a division's: "Rangpur" is the
district's office, "Kurigram" not an upazila's in it); else everything whose name
contains every word typed, offices and people alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from dashboards import labels
from grievance_engine import languages
from grievance_engine.models import AdminArea, Office, OfficeLevel, Role, User

# The office a place's name means when several share it: the district's first (where
# grievances are handled; "Rangpur" is a district and a division), then the division's.
_LEVEL_ORDER = (
    OfficeLevel.DISTRICT,
    OfficeLevel.DIVISION,
    OfficeLevel.UPAZILA,
    OfficeLevel.NATIONAL,
)
MAX_CHOICES = 8
HANDLERS = (Role.AGENT, Role.OFFICER, Role.SUPERVISOR)


@dataclass(frozen=True)
class Target:
    """Where a ticket can go: an office (`office`) or a person (`person`), with the
    label the reader chooses it by and every name it may be typed as."""

    label: str
    names: tuple[str, ...]
    office: Office | None = None
    person: User | None = None
    place_names: tuple[str, ...] = ()  # the office's place, as it may be typed exactly

    @property
    def rank(self) -> int:
        level = self.office.level if self.office is not None else OfficeLevel.UPAZILA
        return _LEVEL_ORDER.index(level) if level in _LEVEL_ORDER else len(_LEVEL_ORDER)


def targets(session: Session, language: str) -> list[Target]:
    """Every active office and every active person who handles tickets, labelled for a
    reader of `language` (the datalist's suggestions)."""
    found: list[Target] = []
    statement = (
        select(Office, AdminArea)
        .outerjoin(AdminArea, col(AdminArea.id) == Office.area_id)
        .where(col(Office.active))
        .order_by(col(Office.name))
    )
    office_names = {}
    for office, area in session.exec(statement):
        label = labels.office(language, office, area)
        office_names[office.id] = label
        places = (area.name, area.name_local or "") if area is not None else ()
        names = (label, office.name, *(labels.office(lang, office, area) for lang in _native(area)))
        found.append(Target(label, names, office=office, place_names=places))
    people = select(User).where(col(User.active), col(User.role).in_(HANDLERS))
    for person in session.exec(people.order_by(col(User.full_name), col(User.email))):
        name = person.full_name or person.email
        where = office_names.get(person.office_id, "") if person.office_id else ""
        label = f"{name} · {where}" if where else name
        found.append(Target(label, (label, person.full_name, person.email), person=person))
    return found


def _native(area: AdminArea | None) -> tuple[str, ...]:
    """The language `area`'s local names are in (its office may be typed in it)."""
    native = languages.native_of(area.country) if area is not None else None
    return (native,) if native else ()


def resolve(session: Session, typed: str, language: str) -> list[Target]:
    """The targets `typed` may mean: one when it is clear, several (at most
    `MAX_CHOICES`) when the reader must choose, none when nothing matches."""
    wanted = typed.strip().casefold()
    if not wanted:
        return []
    every = targets(session, language)
    exact = [t for t in every if wanted in (n.casefold() for n in t.names if n)]
    if len(exact) == 1:
        return exact
    by_place = sorted(
        (t for t in every if wanted in (p.casefold() for p in t.place_names if p)),
        key=lambda t: t.rank,
    )
    if by_place:
        return by_place[:1]
    words = wanted.split()
    containing = [
        t for t in every if any(all(w in n.casefold() for w in words) for n in t.names if n)
    ]
    return sorted(containing, key=lambda t: t.rank)[:MAX_CHOICES]
