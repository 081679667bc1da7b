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
