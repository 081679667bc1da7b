"""Users: the people who work tickets, and their passwords (argon2id)."""

from __future__ import annotations

import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, SQLModel, col, select

from grievance_engine.errors import DomainError
from grievance_engine.models import AdminArea, AdminLevel, Office, OfficeLevel, Role, User
from infra import phones

_hasher = PasswordHasher()
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10


class UserError(DomainError):
    """A user that cannot be created as given; the code and message say why."""


class UserCreate(SQLModel):
    email: str
    role: Role
    full_name: str = ""
    district: str | None = None  # English name as seeded, e.g. "Rangpur"
    password: str | None = None  # None: a random one is generated
    office_id: int | None = None  # None for an officer: their district's office
    language: str = "en"
    languages: list[str] = []  # languages they can work tickets in; [] = `language` only
    queues: list[str] = []  # queues of their office they work; [] = all
    phone: str | None = None  # any form; stored E.164 (officers act by SMS from it)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def create(*, session: Session, user_in: UserCreate, country: str) -> tuple[User, str]:
    """Create a user; returns it with the password in clear (shown once, never stored)."""
    email = user_in.email.strip().lower()
    if not EMAIL.match(email):
        raise UserError("email_invalid", email=user_in.email)
    if session.exec(select(User.id).where(User.email == email)).first() is not None:
        raise UserError("email_taken", email=email)
    password = user_in.password or generate_password()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError("password_too_short", n=MIN_PASSWORD_LENGTH)
    area_id = None
    if user_in.district:
        area_id = _district_id(session, user_in.district, country)
    elif user_in.role == Role.OFFICER:
        raise UserError("district_required")
    phone = None
    if user_in.phone and user_in.phone.strip():
        try:
            phone = phones.to_e164(user_in.phone, region=country)
        except phones.InvalidPhoneNumber as exc:
            raise UserError("phone_invalid", phone=user_in.phone, problem=str(exc)) from exc
        taken = session.exec(select(User.email).where(User.phone == phone)).first()
        if taken is not None:
            raise UserError("phone_taken", phone=phone, email=taken)
    office_id = user_in.office_id
    if office_id is None and user_in.role == Role.OFFICER:
        office_id = _district_office_id(session, area_id)
    languages = list(dict.fromkeys([user_in.language, *user_in.languages]))
    user = User(
        email=email,
        full_name=user_in.full_name,
        role=user_in.role,
        password_hash=hash_password(password),
        office_id=office_id,
        area_id=area_id,
        language=user_in.language,
        languages=languages,
        queues=list(user_in.queues),
        phone=phone,
    )
    session.add(user)
    session.flush()
    return user, password


def _district_office_id(session: Session, district_id: int | None) -> int | None:
    """An officer of a district works at its district office (the seed makes one; with
    a second desk beside it, the oldest)."""
    statement = (
        select(Office.id)
        .where(
            Office.area_id == district_id, Office.level == OfficeLevel.DISTRICT, col(Office.active)
        )
        .order_by(col(Office.id))
    )
    return session.exec(statement).first()


def office_id_by_code(*, session: Session, code: str) -> int:
    """The id of the office with `code` ("dc-rangpur", "national-triage")."""
    office_id = session.exec(select(Office.id).where(Office.code == code.strip().lower())).first()
    if office_id is None:
        raise UserError("office_unknown", code=code)
    return office_id


def by_email(*, session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def _district_id(session: Session, name: str, country: str) -> int:
    statement = select(AdminArea.id).where(
        AdminArea.country == country,
        AdminArea.level == AdminLevel.DISTRICT,
        AdminArea.name.ilike(name.strip()),  # type: ignore[attr-defined]
    )
    area_id = session.exec(statement).first()
    if area_id is None:
        raise UserError("district_unknown", name=name)
    return area_id


# ---------------------------------------------------------------------------
# Keeping accounts: passwords, and what an admin may change about a person
# ---------------------------------------------------------------------------


def set_password(*, session: Session, user: User, password: str | None = None) -> str:
    """Give `user` a new password (a random one when None); returns it in clear, to be
    shown once. The old one stops working at once."""
    password = password or generate_password()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError("password_too_short", n=MIN_PASSWORD_LENGTH)
    user.password_hash = hash_password(password)
    session.add(user)
    session.flush()
    return password


def change_own_password(*, session: Session, user: User, current: str, new: str) -> None:
    """`user` changes their password, proving they know the current one."""
    if not verify_password(user.password_hash, current):
        raise UserError("password_wrong")
    set_password(session=session, user=user, password=new)


class UserUpdate(SQLModel):
    """What may change about a person; None leaves a field as it is, "" clears it."""

    full_name: str | None = None
    phone: str | None = None
    office_code: str | None = None
    area: str | None = None  # a district's or a division's English name (role area)
    languages: list[str] | None = None


def edit(*, session: Session, user: User, changes: UserUpdate, country: str) -> dict[str, str]:
    """Apply `changes` to `user`; returns what changed (field → new value) for the
    admin log. A divisional officer is one whose area is a division."""
    changed: dict[str, str] = {}
    if changes.full_name is not None and changes.full_name.strip() != user.full_name:
        user.full_name = changed["full_name"] = changes.full_name.strip()
    if changes.phone is not None:
        given = changes.phone
        phone = (
            free_phone(session=session, user=user, given=given, country=country)
            if given.strip()
            else None  # "" removes the phone
        )
        if phone != user.phone:
            user.phone = phone
            changed["phone"] = phone or ""
    if changes.area is not None:
        area_id = _area_id(session, changes.area, country) if changes.area.strip() else None
        if area_id is None and user.role == Role.OFFICER:
            raise UserError("district_required")
        if area_id != user.area_id:
            user.area_id = area_id
            changed["area"] = changes.area.strip()
    if changes.office_code is not None:
        office_id = (
            office_id_by_code(session=session, code=changes.office_code)
            if changes.office_code.strip()
            else None
        )
        if office_id != user.office_id:
            user.office_id = office_id
            changed["office"] = changes.office_code.strip()
    if changes.languages is not None and changes.languages:
        spoken = list(dict.fromkeys([user.language, *changes.languages]))
        if spoken != user.languages:
            user.languages = spoken
            changed["languages"] = ",".join(spoken)
    session.add(user)
    session.flush()
    return changed


def free_phone(*, session: Session, user: User, given: str, country: str) -> str:
    """`given` as E.164, refused when it is no phone number or another person has it:
    the one check of a person's phone (the edit form, `nalish users set-phone`)."""
    try:
        phone = phones.to_e164(given, region=country)
    except phones.InvalidPhoneNumber as exc:
        raise UserError("phone_invalid", phone=given, problem=str(exc)) from exc
    taken = session.exec(select(User.email).where(User.phone == phone, User.id != user.id)).first()
    if taken is not None:
        raise UserError("phone_taken", phone=phone, email=taken)
    return phone


DIVISION_SUFFIX = " division"  # "Rangpur Division": the division, not its district


def _area_id(session: Session, name: str, country: str) -> int:
    """A district's id by its English name; a division's by its name and "Division"
    ("Rangpur Division": Rangpur is also a district), for a divisional officer."""
    name = name.strip()
    if not name.lower().endswith(DIVISION_SUFFIX):
        return _district_id(session, name, country)
    statement = select(AdminArea.id).where(
        AdminArea.country == country,
        AdminArea.level == AdminLevel.DIVISION,
        AdminArea.name.ilike(name[: -len(DIVISION_SUFFIX)].strip()),  # type: ignore[attr-defined]
    )
    area_id = session.exec(statement).first()
    if area_id is None:
        raise UserError("district_unknown", name=name)
    return area_id
