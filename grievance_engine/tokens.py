"""API tokens: the bearer tokens integrators send to the JSON API.

A token is ``nal_`` and 43 random URL-safe characters, shown once when it is made.
Only its SHA-256 is stored, so a copy of the database does not hand out working
tokens; looking a token up by that hash (a unique index) is also what makes checking
it safe against timing attacks: the database compares hashes, never the secret.

Its role decides what it may do (`routing.access`); an officer's token
is limited to one district (`area_id`). Services flush; the caller commits.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlmodel import Session, col, select

from grievance_engine.models import AdminArea, AdminLevel, ApiToken, Role, User
from infra import clock

PREFIX = "nal_"
# How stale `last_used_at` may get: writing it on every request would make every read
# a write; once a minute still tells an operator which tokens are alive.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_DISPLAY_LENGTH = 12  # "nal_" and 8 characters: enough to recognise, useless to guess


class TokenError(ValueError):
    """A token that cannot be made or changed as asked; the message says why."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(
    *,
    session: Session,
    name: str,
    role: Role,
    area_id: int | None = None,
    user_id: int | None = None,
) -> tuple[ApiToken, str]:
    """Make a token; returns the row and the token in clear (shown once, never stored).

    An officer's token needs `area_id`, the district it may see; other roles see every
    district and take none. With `user_id` the token acts as that person (their role,
    and an officer's district by default), and events name them.
    """
    name = name.strip()
    if not name:
        raise TokenError("a token needs a name (who or what uses it)")
    role = Role(role)
    if user_id is not None:
        user = session.get(User, user_id)
        if user is None or not user.active:
            raise TokenError(f"no active user {user_id}")
        if user.role != role:
            raise TokenError(f"{user.email} is a {user.role}; their token cannot be a {role}")
        if area_id is None:
            area_id = user.area_id
    if role == Role.OFFICER:
        if area_id is None:
            raise TokenError("an officer's token needs a district")
        area = session.get(AdminArea, area_id)
        if area is None or area.level != AdminLevel.DISTRICT:
            raise TokenError(f"area {area_id} is not a district")
    elif area_id is not None:
        raise TokenError(f"only an officer's token is limited to a district, not a {role}'s")
    clear = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        token_hash=_digest(clear),
        prefix=clear[:_DISPLAY_LENGTH],
        role=role,
        area_id=area_id,
        user_id=user_id,
        created_at=clock.now(),
    )
    session.add(token)
    session.flush()
    return token, clear


def authenticate(*, session: Session, token: str) -> ApiToken | None:
    """The live token `token` is, or None (unknown, malformed or revoked).

    Notes when it was used, at most once a minute (flushes; the caller commits).
    """
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    digest = _digest(token)
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == digest)).first()
    # The lookup already matched; comparing again costs nothing and keeps this function
    # correct even if the query ever becomes a prefix or case-insensitive match.
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    if row.revoked_at is not None:
        return None
    now = clock.now()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
        row.last_used_at = now
        session.add(row)
        session.flush()
    return row


def list_tokens(*, session: Session, include_revoked: bool = True) -> list[ApiToken]:
    """Every token, oldest first (revoked ones too unless told otherwise)."""
    statement = select(ApiToken).order_by(col(ApiToken.id))
    if not include_revoked:
        statement = statement.where(col(ApiToken.revoked_at).is_(None))
    return list(session.exec(statement))


def revoke(*, session: Session, token_id: int) -> ApiToken:
    """Stop token `token_id` working from now on. Revoking twice keeps the first time."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise TokenError(f"no token {token_id}")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        session.add(token)
        session.flush()
    return token
